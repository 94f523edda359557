/*
 * safeio.c: files another user controls, read and written without
 * trusting their names: O_NOFOLLOW at the last component, O_NONBLOCK so a
 * FIFO cannot stall us, fstat before reading, a size cap, new files only
 * through O_CREAT|O_EXCL, and as root the user's fsuid, fsgid and groups
 * for every operation that resolves a name.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safeio.h"
#include "wso2alloc.h"

#define WA_OPEN_READ (O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | \
    O_CLOEXEC)
#define WA_OPEN_NEW (O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC)

struct wa_safe_file {
	int dirfd;
	char *name;             /* the file's name in dirfd */
	struct stat st;         /* of the descriptor that was read */
	struct wa_fsid id;
	char *text;
	size_t len;
};

/* Whether id is another user's and the caller (root) can take it on. */
static bool
wa_fsid_needed(const struct wa_fsid *id)
{
	return id != NULL && id->set && id->uid != 0 && geteuid() == 0;
}

void
wa_fsid_leave(struct wa_fssave *s)
{
	int saved = errno, g;

	if (!s->active)
		return;
	setfsuid(geteuid());
	setfsgid(s->fsgid);
	g = setgroups((size_t)s->ngroups, s->groups);
	/* Carrying on as someone else would be worse than stopping. */
	if (g != 0 || (uid_t)setfsuid((uid_t)-1) != geteuid() ||
	    (gid_t)setfsgid((gid_t)-1) != s->fsgid) {
		fprintf(stderr, "wso2-alloc: cannot restore its own filesystem "
		    "identity\n");
		abort();
	}
	s->active = false;
	errno = saved;
}

int
wa_fsid_enter(const struct wa_fsid *id, struct wa_fssave *s)
{
	s->active = false;
	if (!wa_fsid_needed(id))
		return 0;
	if ((s->ngroups = getgroups(WA_SAVED_GROUPS, s->groups)) < 0)
		return WA_EINTERNAL;
	s->fsgid = (gid_t)setfsgid((gid_t)-1);
	s->active = true;
	if (setgroups((size_t)id->ngroups, id->groups) != 0)
		goto fail;
	setfsgid(id->gid);
	setfsuid(id->uid);
	/* setfs[ug]id(-1) changes nothing and answers the current value. */
	if ((gid_t)setfsgid((gid_t)-1) != id->gid ||
	    (uid_t)setfsuid((uid_t)-1) != id->uid)
		goto fail;
	return 0;
fail:
	wa_fsid_leave(s);
	return WA_EINTERNAL;
}

/* The values of a "Key:\tA\tB..." line of /proc/PID/status. */
static int
wa_status_line(const char *status, const char *key, unsigned long *v,
    int max)
{
	size_t klen = strlen(key);
	const char *line, *p;
	char *e;
	int n = 0;

	/* Line by line: a key only counts at the start of one. */
	for (line = status; strncmp(line, key, klen) != 0; line++)
		if ((line = strchr(line, '\n')) == NULL)
			return -1;
	for (p = line + klen; n < max; p = e) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p < '0' || *p > '9')
			break;
		v[n++] = strtoul(p, &e, 10);
	}
	return n;
}

/* The first of real, effective, saved and filesystem ids not root. */
static unsigned long
wa_status_pick(const unsigned long *v, int n)
{
	for (int i = 0; i < n; i++)
		if (v[i] != 0)
			return v[i];
	return 0;
}

int
wa_fsid_from_status(const char *status, struct wa_fsid *id)
{
	unsigned long uids[4], gids[4], groups[WA_FSID_MAXGROUPS];
	int nu, ng, n;

	memset(id, 0, sizeof *id);
	nu = wa_status_line(status, "Uid:", uids, 4);
	ng = wa_status_line(status, "Gid:", gids, 4);
	if (nu < 1 || ng < 1)
		return WA_EINVAL;
	/* More groups than fit are dropped: fewer rights, never more. */
	n = wa_status_line(status, "Groups:", groups, WA_FSID_MAXGROUPS);
	id->set = true;
	id->uid = (uid_t)wa_status_pick(uids, nu);
	id->gid = (gid_t)wa_status_pick(gids, ng);
	for (int i = 0; i < n; i++)
		id->groups[id->ngroups++] = (gid_t)groups[i];
	return 0;
}

void
wa_fsid_of_user(uid_t uid, gid_t gid, struct wa_fsid *id)
{
	struct passwd *pw;
	int n = WA_FSID_MAXGROUPS;

	memset(id, 0, sizeof *id);
	id->set = true;
	id->uid = uid;
	id->gid = gid;
	if ((pw = getpwuid(uid)) == NULL)
		return;
	id->gid = pw->pw_gid;
	if (getgrouplist(pw->pw_name, pw->pw_gid, id->groups, &n) >= 0)
		id->ngroups = n;
}

static int
wa_open_err(int err, const struct wa_fsid *id, char *why, size_t whylen)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		snprintf(why, whylen, "absent");
		return WA_ENOTFOUND;
	case ELOOP:
		snprintf(why, whylen, "a symbolic link (not followed)");
		return WA_EFORBIDDEN;
	case EACCES:
	case EPERM:
		if (wa_fsid_needed(id))
			snprintf(why, whylen, "permission denied to its owner "
			    "uid %lu", (unsigned long)id->uid);
		else
			snprintf(why, whylen, "permission denied");
		return WA_EFORBIDDEN;
	default:
		snprintf(why, whylen, "%s", strerror(err));
		return WA_EIO;
	}
}

static const char *
wa_ftype(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISSOCK(m))
		return "a socket";
	return "a special file";
}

static int
wa_too_large(size_t cap, char *why, size_t whylen)
{
	if (cap % (1024 * 1024) == 0)
		snprintf(why, whylen, "larger than %zu MiB", cap / 1024 / 1024);
	else
		snprintf(why, whylen, "larger than %zu bytes", cap);
	return WA_ETOOLARGE;
}

/* A regular file's content through fd, never more than cap + 1 bytes. */
static int
wa_slurp(int fd, size_t cap, struct stat *st, char **text, size_t *lenp,
    char *why, size_t whylen)
{
	char *buf = NULL, *nbuf;
	size_t len = 0, size;
	ssize_t n;

	if (fstat(fd, st) != 0)
		return wa_open_err(errno, NULL, why, whylen);
	if (!S_ISREG(st->st_mode)) {
		snprintf(why, whylen, "%s, not a regular file",
		    wa_ftype(st->st_mode));
		return WA_EINVAL;
	}
	if (st->st_size < 0 || (unsigned long long)st->st_size > cap)
		return wa_too_large(cap, why, whylen);
	/* One byte past the size shows a file that grew since fstat. */
	size = (size_t)st->st_size + 1 < 4096 ? 4096 : (size_t)st->st_size + 1;
	size = size > cap + 1 ? cap + 1 : size;
	if ((buf = malloc(size + 1)) == NULL)
		goto nomem;
	for (;;) {
		if (len == size) {
			if (size > cap)
				break;
			size = size * 2 > cap + 1 ? cap + 1 : size * 2;
			if ((nbuf = realloc(buf, size + 1)) == NULL)
				goto nomem;
			buf = nbuf;
		}
		if ((n = read(fd, buf + len, size - len)) < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, whylen, "%s", strerror(errno));
			free(buf);
			return WA_EIO;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > cap) {
		free(buf);
		return wa_too_large(cap, why, whylen);
	}
	buf[len] = '\0';
	*text = buf;
	if (lenp != NULL)
		*lenp = len;
	return 0;
nomem:
	free(buf);
	snprintf(why, whylen, "out of memory");
	return WA_ENOMEM;
}

/* Open name under dirfd as id, with openat2's resolution rules when how
 * is given, and read it with wa_slurp's checks. */
static int
wa_safe_read_how(int dirfd, const char *name, const struct open_how *how,
    const struct wa_fsid *id, size_t cap, char **text, size_t *len,
    char *why, size_t whylen)
{
	struct wa_fssave s;
	struct stat st;
	int fd, err, rc;

	if (wa_fsid_enter(id, &s) != 0) {
		snprintf(why, whylen, "cannot take on the identity of uid %lu",
		    (unsigned long)id->uid);
		return WA_EINTERNAL;
	}
	fd = how != NULL ? (int)syscall(SYS_openat2, dirfd, name, how,
	    sizeof *how) : openat(dirfd, name, WA_OPEN_READ);
	err = errno;
	wa_fsid_leave(&s);
	if (fd < 0)
		return wa_open_err(err, id, why, whylen);
	rc = wa_slurp(fd, cap, &st, text, len, why, whylen);
	close(fd);
	return rc;
}

int
wa_safe_read_at(int dirfd, const char *name, const struct wa_fsid *id,
    size_t cap, char **text, size_t *len, char *why, size_t whylen)
{
	return wa_safe_read_how(dirfd, name, NULL, id, cap, text, len, why,
	    whylen);
}

int
wa_safe_read(const char *path, const struct wa_fsid *id, size_t cap,
    char **text, size_t *len, char *why, size_t whylen)
{
	return wa_safe_read_how(AT_FDCWD, path, NULL, id, cap, text, len, why,
	    whylen);
}

int
wa_safe_read_in(int rootfd, const char *path, const struct wa_fsid *id,
    size_t cap, char **text, size_t *len, char *why, size_t whylen)
{
	struct open_how how = { .flags = WA_OPEN_READ,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };

	return wa_safe_read_how(rootfd, path, &how, id, cap, text, len, why,
	    whylen);
}

/* path as a malloc'd directory and a name in it ("." when bare). */
static int
wa_path_split(const char *path, char **dir, char **name)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;

	*dir = *name = NULL;
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return WA_EINVAL;
	if (slash == NULL)
		*dir = strdup(".");
	else if (slash == path)
		*dir = strdup("/");
	else
		*dir = strndup(path, (size_t)(slash - path));
	*name = strdup(base);
	return *dir != NULL && *name != NULL ? 0 : WA_ENOMEM;
}

/*
 * As root: the user who controls path: the file's owner, else the owner
 * of the nearest component above it (a directory or a symlink) that root
 * does not own.  Names are looked at here, and opened only as that user.
 */
static void
wa_safe_owner(const char *path, struct wa_fsid *id)
{
	char buf[PATH_MAX], *slash;
	struct stat st;
	size_t n = 0;

	memset(id, 0, sizeof *id);
	if (geteuid() != 0)
		return;
	if (path[0] != '/' && getcwd(buf, sizeof buf) != NULL)
		n = strlen(buf);
	if (n + 1 + strlen(path) >= sizeof buf)
		return;
	snprintf(buf + n, sizeof buf - n, "%s%s", n > 0 ? "/" : "", path);
	for (;;) {
		if (lstat(buf, &st) == 0 && st.st_uid != 0) {
			wa_fsid_of_user(st.st_uid, st.st_gid, id);
			return;
		}
		if ((slash = strrchr(buf, '/')) == NULL || slash == buf)
			return;
		*slash = '\0';
	}
}

int
wa_safe_open(struct wa_safe_file **out, const char *path, char *why,
    size_t whylen)
{
	struct wa_safe_file *f;
	struct wa_fssave s;
	char *dir = NULL;
	int fd = -1, err = 0, rc;

	*out = NULL;
	if ((f = calloc(1, sizeof *f)) == NULL)
		return WA_ENOMEM;
	f->dirfd = -1;
	if ((rc = wa_path_split(path, &dir, &f->name)) != 0) {
		snprintf(why, whylen, "not a file name");
		goto out;
	}
	wa_safe_owner(path, &f->id);
	if ((rc = wa_fsid_enter(&f->id, &s)) != 0) {
		snprintf(why, whylen, "cannot take on the identity of uid %lu",
		    (unsigned long)f->id.uid);
		goto out;
	}
	if ((f->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (fd = openat(f->dirfd, f->name, WA_OPEN_READ)) < 0)
		err = errno;
	wa_fsid_leave(&s);
	if (err != 0) {
		rc = wa_open_err(err, &f->id, why, whylen);
		goto out;
	}
	if ((rc = wa_slurp(fd, WA_SAFEIO_CAP, &f->st, &f->text, &f->len, why,
	    whylen)) != 0)
		goto out;
	*out = f;
	f = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(dir);
	wa_safe_close(f);
	return rc;
}

const char *
wa_safe_text(const struct wa_safe_file *f, size_t *len)
{
	if (len != NULL)
		*len = f->len;
	return f->text;
}

void
wa_safe_close(struct wa_safe_file *f)
{
	if (f == NULL)
		return;
	if (f->dirfd >= 0)
		close(f->dirfd);
	free(f->name);
	free(f->text);
	free(f);
}

static int
wa_write_all(int fd, const char *text, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, text, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		text += w;
		len -= (size_t)w;
	}
	return 0;
}

/* A new NAME.tmp.XXXXXXXX in dirfd: O_EXCL, so never one planted there. */
static int
wa_safe_tmp(int dirfd, const char *name, char *tmp, size_t tmplen,
    mode_t mode)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[8];
	size_t n;
	int fd;

	for (int tries = 0; tries < 16; tries++) {
		if (getentropy(r, sizeof r) != 0)
			return -1;
		n = (size_t)snprintf(tmp, tmplen, "%s.tmp.", name);
		if (n + sizeof r >= tmplen) {
			errno = ENAMETOOLONG;
			return -1;
		}
		for (size_t i = 0; i < sizeof r; i++)
			tmp[n + i] = set[r[i] % (sizeof set - 1)];
		tmp[n + sizeof r] = '\0';
		fd = openat(dirfd, tmp, WA_OPEN_NEW, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/*
 * The original's owner and permission bits on a new file.  Giving a file
 * away needs root's own rights: only for these calls on the descriptor,
 * which resolve no name.  Set-id bits are not carried over: the user
 * could have written to the file meanwhile.
 */
static int
wa_safe_keep(struct wa_safe_file *f, int fd, struct wa_fssave *s)
{
	int rc = 0;

	wa_fsid_leave(s);
	if (fchown(fd, f->st.st_uid, f->st.st_gid) != 0 && geteuid() == 0)
		rc = -1;
	if (rc == 0 && fchmod(fd, f->st.st_mode & 0777) != 0)
		rc = -1;
	if (wa_fsid_enter(&f->id, s) != 0) {
		errno = EPERM;
		rc = -1;
	}
	return rc;
}

/* Write text to a new file through fd as the original was: synced. */
static int
wa_safe_fill(struct wa_safe_file *f, int fd, struct wa_fssave *s,
    const char *text, size_t len)
{
	if (wa_write_all(fd, text, len) != 0 || wa_safe_keep(f, fd, s) != 0 ||
	    fsync(fd) != 0)
		return -1;
	return 0;
}

/* NAME.bak as a new file holding the content read at open. */
static int
wa_safe_backup(struct wa_safe_file *f, struct wa_fssave *s, char *why,
    size_t whylen)
{
	char bak[NAME_MAX + 1];
	int fd, rc = 0;

	if ((size_t)snprintf(bak, sizeof bak, "%s.bak", f->name) >=
	    sizeof bak) {
		snprintf(why, whylen, "the backup's name is too long");
		return WA_EINVAL;
	}
	/* Whatever is there goes: a symlink itself, never its target. */
	if (unlinkat(f->dirfd, bak, 0) != 0 && errno != ENOENT) {
		snprintf(why, whylen, "cannot remove the old backup: %s",
		    strerror(errno));
		return WA_EIO;
	}
	if ((fd = openat(f->dirfd, bak, WA_OPEN_NEW, 0600)) < 0) {
		snprintf(why, whylen, "cannot create the backup: %s",
		    strerror(errno));
		return WA_EIO;
	}
	if (wa_safe_fill(f, fd, s, f->text, f->len) != 0) {
		snprintf(why, whylen, "cannot write the backup: %s",
		    strerror(errno));
		rc = WA_EIO;
	}
	close(fd);
	return rc;
}

int
wa_safe_replace(struct wa_safe_file *f, const char *text, size_t len,
    bool backup, char *why, size_t whylen)
{
	char tmp[NAME_MAX + 1];
	struct wa_fssave s;
	int fd = -1, rc;

	if ((rc = wa_fsid_enter(&f->id, &s)) != 0) {
		snprintf(why, whylen, "cannot take on the identity of uid %lu",
		    (unsigned long)f->id.uid);
		return rc;
	}
	if (backup && (rc = wa_safe_backup(f, &s, why, whylen)) != 0)
		goto out;
	rc = WA_EIO;
	if ((fd = wa_safe_tmp(f->dirfd, f->name, tmp, sizeof tmp, 0600)) < 0) {
		snprintf(why, whylen, "cannot create a temporary file: %s",
		    strerror(errno));
		goto out;
	}
	if (wa_safe_fill(f, fd, &s, text, len) != 0 ||
	    renameat(f->dirfd, tmp, f->dirfd, f->name) != 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		unlinkat(f->dirfd, tmp, 0);
		goto out;
	}
	if (fsync(f->dirfd) != 0) {
		snprintf(why, whylen, "directory not synced: %s",
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	wa_fsid_leave(&s);
	return rc;
}

int
wa_safe_write_new(const char *path, const char *text, size_t len,
    mode_t mode, char *why, size_t whylen)
{
	char tmp[NAME_MAX + 1], *dir = NULL, *name = NULL;
	int dirfd = -1, fd = -1, rc = WA_EIO;

	if (wa_path_split(path, &dir, &name) != 0) {
		snprintf(why, whylen, "not a file name");
		rc = WA_EINVAL;
		goto out;
	}
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (fd = wa_safe_tmp(dirfd, name, tmp, sizeof tmp, mode)) < 0) {
		snprintf(why, whylen, "cannot create a temporary file: %s",
		    strerror(errno));
		goto out;
	}
	if (wa_write_all(fd, text, len) != 0 || fchmod(fd, mode) != 0 ||
	    fsync(fd) != 0 || renameat(dirfd, tmp, dirfd, name) != 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		unlinkat(dirfd, tmp, 0);
		goto out;
	}
	if (fsync(dirfd) != 0) {
		snprintf(why, whylen, "directory not synced: %s",
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	free(dir);
	free(name);
	return rc;
}
