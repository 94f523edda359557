/*
 * safeio.h: reading and writing files that another user controls (a
 * carbon home named by a lease or by a running process) without following
 * a planted symlink, blocking on a FIFO or reading without bound; as
 * root, with the filesystem identity of that user, so root never reads or
 * writes where the user could not.
 */
#ifndef WA_SAFEIO_H
#define WA_SAFEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The most a file under a carbon home may hold before it is not read. */
#define WA_SAFEIO_CAP (1024 * 1024)
#define WA_FSID_MAXGROUPS 64

/* A filesystem identity: whose rights opens are checked against. */
struct wa_fsid {
	bool set;               /* false: the caller's own */
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[WA_FSID_MAXGROUPS];
};

/*
 * The identity of a process from its /proc/PID/status: of its real,
 * effective, saved and filesystem ids the first that is not root (the
 * argv of a set-uid program is chosen by whoever ran it), and its
 * supplementary groups.
 */
int wa_fsid_from_status(const char *status, struct wa_fsid *id);
/* A user's identity: passwd's group and groups, else gid and none. */
void wa_fsid_of_user(uid_t uid, gid_t gid, struct wa_fsid *id);

/* The caller's own identity while another one is in force. */
#define WA_SAVED_GROUPS 256
struct wa_fssave {
	bool active;
	gid_t fsgid;
	int ngroups;
	gid_t groups[WA_SAVED_GROUPS];
};
/* Take on id's filesystem identity (only as root, for another user),
 * until wa_fsid_leave: what is opened or made meanwhile is id's. */
int wa_fsid_enter(const struct wa_fsid *id, struct wa_fssave *s);
void wa_fsid_leave(struct wa_fssave *s);

/*
 * Read name (relative to dirfd, or AT_FDCWD) without following a symlink
 * at it or blocking: regular files only, at most cap bytes, opened as id
 * when root.  *text is NUL-terminated and malloc'd.  On failure why holds
 * the reason ("larger than 1 MiB", "a FIFO, not a regular file"):
 * WA_ENOTFOUND (absent), WA_EFORBIDDEN (a symlink, or id may not read it),
 * WA_EINVAL (not a regular file), WA_ETOOLARGE or WA_EIO.
 */
int wa_safe_read_at(int dirfd, const char *name, const struct wa_fsid *id,
    size_t cap, char **text, size_t *len, char *why, size_t whylen);
int wa_safe_read(const char *path, const struct wa_fsid *id, size_t cap,
    char **text, size_t *len, char *why, size_t whylen);
/* The same, path resolved inside rootfd (a container's /proc/PID/root):
 * its absolute symlinks and ".." stay under that root. */
int wa_safe_read_in(int rootfd, const char *path, const struct wa_fsid *id,
    size_t cap, char **text, size_t *len, char *why, size_t whylen);

/*
 * A file to be replaced in place (config --write): its directory open,
 * the file checked and read through one descriptor, and as root the
 * identity of the user who owns the file or, else, the nearest component
 * of its path not owned by root.
 */
struct wa_safe_file;
int wa_safe_open(struct wa_safe_file **out, const char *path, char *why,
    size_t whylen);
/* The content read at open (NUL-terminated, borrowed). */
const char *wa_safe_text(const struct wa_safe_file *f, size_t *len);
/*
 * Replace the file with text: with backup, NAME.bak becomes a new file
 * holding the content read at open; a temporary file is written, given
 * the original's owner and permissions, synced and renamed over NAME, and
 * the directory synced.  Every path operation runs as the file's user.
 */
int wa_safe_replace(struct wa_safe_file *f, const char *text, size_t len,
    bool backup, char *why, size_t whylen);
void wa_safe_close(struct wa_safe_file *f);

/* Atomically write a file the caller names itself (export): a new
 * temporary file beside it (never a planted one), synced and renamed. */
int wa_safe_write_new(const char *path, const char *text, size_t len,
    mode_t mode, char *why, size_t whylen);

#endif
