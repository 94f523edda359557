/*
 * util.h: small helpers shared by the daemon and the client.
 */
#ifndef WA_UTIL_H
#define WA_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Milliseconds since the epoch. */
int64_t wa_now_ms(void);
/* RFC 3339 UTC, "2026-11-24T03:33:45Z"; buf of at least 32. */
char *wa_time_format(int64_t ms, char *buf, size_t len);
/* "30s", "15m", "2h", "7d" (or a bare number of seconds) to seconds. */
int wa_duration_parse(const char *s, long *secs);
/* Read a whole (small) file; NUL-terminated, malloc'd. */
char *wa_file_read(const char *path, size_t *len);
/* path's directory into buf ("." for a bare name, "/" for the root's
 * entries); WA_EINVAL when it does not fit. */
int wa_path_dir(const char *path, char *buf, size_t len);
/* mkdir -p with mode for the missing components. */
int wa_mkdir_p(const char *path, unsigned mode);
/* $XDG_RUNTIME_DIR/wso2-alloc, $XDG_STATE_HOME/wso2-alloc (malloc'd). */
char *wa_user_runtime_dir(void);
char *wa_user_state_dir(void);
/* mkdir 0700, then the directory must be ours and writable by us alone;
 * WA_EUNTRUSTED (err names the owner) otherwise. */
int wa_private_dir(const char *path, char *err, size_t errlen);
/* Root or the service user: a daemon every user on the host may trust. */
bool wa_uid_system(uid_t uid);
/* "uid 4242 (alice)" or "uid 4242" in buf. */
const char *wa_uid_name(uid_t uid, char *buf, size_t len);
/* One UTF-8 character at s (RFC 3629: no overlong form, no surrogate,
 * nothing past U+10FFFF): its length and code point, or 0 when the bytes
 * are not one (a NUL stops it: nothing past the string is read). */
size_t wa_utf8_char(const unsigned char *s, uint32_t *cp);
/* Each byte of s that does not start or continue a well-formed UTF-8
 * character becomes '?': a message cut at %.64s may end inside one, and
 * a JSON string must be UTF-8.  Returns how many were replaced. */
size_t wa_utf8_repair(char *s);

/* The system daemon's state directory and ledger; the client that
 * starts a daemon logs to wso2-allocd.log beside its ledger. */
#define WA_SYSTEM_RUN_DIR "/run/wso2-alloc"
#define WA_SYSTEM_STATE_DIR "/var/lib/wso2-alloc"
#define WA_SYSTEM_DB WA_SYSTEM_STATE_DIR "/ledger.db"
#define WA_DAEMON_LOG "wso2-allocd.log"

#endif
