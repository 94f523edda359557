/*
 * util.h: small helpers shared by the daemon and the client.
 */
#ifndef WA_UTIL_H
#define WA_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the epoch. */
int64_t wa_now_ms(void);
/* RFC 3339 UTC, "2026-11-24T03:33:45Z"; buf of at least 32. */
char *wa_time_format(int64_t ms, char *buf, size_t len);
/* "30s", "15m", "2h", "7d" (or a bare number of seconds) to seconds. */
int wa_duration_parse(const char *s, long *secs);
/* Read a whole (small) file; NUL-terminated, malloc'd. */
char *wa_file_read(const char *path, size_t *len);
/* mkdir -p with mode for the missing components. */
int wa_mkdir_p(const char *path, unsigned mode);
/* $XDG_RUNTIME_DIR/wso2-alloc, $XDG_STATE_HOME/wso2-alloc (malloc'd). */
char *wa_user_runtime_dir(void);
char *wa_user_state_dir(void);

#endif
