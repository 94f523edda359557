/*
 * util.c: time, durations, files and per-user directories.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "wso2alloc.h"

int64_t
wa_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
wa_time_format(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "invalid");
	return buf;
}

int
wa_duration_parse(const char *s, long *secs)
{
	char *end;
	long v, mult = 1;

	if (s == NULL || *s < '0' || *s > '9')
		return WA_EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s)
		return WA_EINVAL;
	switch (*end) {
	case '\0': case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default: return WA_EINVAL;
	}
	if (*end != '\0' && end[1] != '\0')
		return WA_EINVAL;
	/* A lease longer than ten years is a typo, not a plan. */
	if (v <= 0 || v > 3650L * 86400 / mult)
		return WA_EINVAL;
	*secs = v * mult;
	return 0;
}

char *
wa_file_read(const char *path, size_t *lenp)
{
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	/* read(2) in large steps: each call on /proc walks kernel tables. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	for (;;) {
		if (cap - len < 16384) {
			cap = cap ? cap * 2 : 65536;
			if ((nbuf = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

int
wa_path_dir(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 0 : slash == path ? 1 :
	    (size_t)(slash - path);

	if (slash == NULL)
		return (size_t)snprintf(buf, len, ".") < len ? 0 : WA_EINVAL;
	if (n >= len)
		return WA_EINVAL;
	memcpy(buf, path, n);
	buf[n] = '\0';
	return 0;
}

int
wa_mkdir_p(const char *path, unsigned mode)
{
	char tmp[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof tmp)
		return WA_EINVAL;
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(tmp, mode) != 0 && errno != EEXIST)
				return WA_EIO;
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

static char *
wa_dir_join(const char *base, const char *rest)
{
	size_t n = strlen(base) + strlen(rest) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", base, rest);
	return p;
}

char *
wa_user_runtime_dir(void)
{
	const char *x = getenv("XDG_RUNTIME_DIR");
	char tmp[64];

	if (x != NULL && *x == '/')
		return wa_dir_join(x, "wso2-alloc");
	/* No session runtime dir (cron, ssh without pam_systemd). */
	snprintf(tmp, sizeof tmp, "/tmp/wso2-alloc-%u", (unsigned)getuid());
	return strdup(tmp);
}

bool
wa_uid_system(uid_t uid)
{
	struct passwd pw, *p = NULL;
	char buf[4096];

	if (uid == 0)
		return true;
	return getpwnam_r(WA_SERVICE_USER, &pw, buf, sizeof buf, &p) == 0 &&
	    p != NULL && p->pw_uid == uid;
}

const char *
wa_uid_name(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *p = NULL;
	char pwbuf[4096];

	if (getpwuid_r(uid, &pw, pwbuf, sizeof pwbuf, &p) == 0 && p != NULL)
		snprintf(buf, len, "uid %u (%s)", (unsigned)uid, p->pw_name);
	else
		snprintf(buf, len, "uid %u", (unsigned)uid);
	return buf;
}

/*
 * Create path (0700) or accept it as it is only when it is a directory of
 * ours that no one else may write: under /tmp another user may have made
 * it first, to serve us a socket of theirs.
 */
int
wa_private_dir(const char *path, char *err, size_t errlen)
{
	char who[64];
	struct stat st;
	int rc;

	if ((rc = wa_mkdir_p(path, 0700)) != 0) {
		snprintf(err, errlen, "cannot create %s: %s", path,
		    strerror(errno));
		return rc;
	}
	if (lstat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return WA_EIO;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) != 0) {
		snprintf(err, errlen, "%s is not a private directory of ours: "
		    "%s owned by %s, mode %04o; refusing to use it (remove it, "
		    "or set XDG_RUNTIME_DIR)", path, S_ISDIR(st.st_mode) ?
		    "a directory" : "not a directory", wa_uid_name(st.st_uid,
		    who, sizeof who), (unsigned)(st.st_mode & 07777));
		return WA_EUNTRUSTED;
	}
	return 0;
}

char *
wa_user_state_dir(void)
{
	const char *x = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (x != NULL && *x == '/')
		return wa_dir_join(x, "wso2-alloc");
	if (home == NULL || *home != '/')
		return NULL;
	return wa_dir_join(home, ".local/state/wso2-alloc");
}

size_t
wa_utf8_char(const unsigned char *s, uint32_t *cp)
{
	uint32_t min;
	size_t n, k;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
	*cp = s[0] & (0x7f >> n);
	/* A NUL fails this test: nothing past the string is read. */
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[k] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

size_t
wa_utf8_repair(char *s)
{
	unsigned char *p = (unsigned char *)s;
	uint32_t cp;
	size_t n, bad = 0;

	while (*p != '\0') {
		if ((n = wa_utf8_char(p, &cp)) == 0) {
			*p++ = '?';
			bad++;
		} else
			p += n;
	}
	return bad;
}
