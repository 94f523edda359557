/*
 * procnet.c: ports bound on the host, the kernel's port sysctls and
 * process identity, read from /proc.  Parsers take text so the tests run
 * on recorded samples.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procnet.h"
#include "util.h"
#include "wso2alloc.h"

#define WA_TCP_LISTEN 0x0A

/* One table line: local port, state and inode; false when malformed. */
static bool
wa_procnet_line(const char *line, unsigned *port, unsigned *st,
    unsigned long *inode)
{
	char local[64], *end;
	const char *colon;
	unsigned long v;

	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
	if (sscanf(line, " %*u: %63s %*s %x %*s %*s %*s %*u %*u %lu",
	    local, st, inode) != 3)
		return false;
	colon = strrchr(local, ':');
	if (colon == NULL || colon[1] == '\0')
		return false;
	errno = 0;
	v = strtoul(colon + 1, &end, 16);
	if (errno != 0 || *end != '\0' || v > 65535)
		return false;
	*port = (unsigned)v;
	return true;
}

int
wa_procnet_parse(const char *text, int proto, wa_procnet_cb cb, void *arg)
{
	const char *line, *nl;
	unsigned port, st;
	unsigned long inode;
	int n = 0;

	if (text == NULL || (proto != WA_TCP && proto != WA_UDP))
		return WA_EINVAL;
	/* Every /proc/net table opens with a header naming its columns. */
	nl = strchr(text, '\n');
	line = strstr(text, "local_address");
	if (line == NULL || (nl != NULL && line > nl))
		return WA_EINVAL;
	for (line = nl; line != NULL && *line != '\0'; line = nl) {
		line++;
		nl = strchr(line, '\n');
		if (!wa_procnet_line(line, &port, &st, &inode) || port == 0)
			continue;
		/* A bound UDP socket counts whatever its state; TCP only
		 * when it listens. */
		if (proto == WA_TCP && st != WA_TCP_LISTEN)
			continue;
		if (cb != NULL)
			cb(arg, proto, (uint16_t)port, inode);
		n++;
	}
	return n;
}

static const struct {
	const char *file;
	int proto;
} wa_procnet_files[] = {
	{ "tcp", WA_TCP }, { "tcp6", WA_TCP },
	{ "udp", WA_UDP }, { "udp6", WA_UDP },
};

static void
wa_procnet_mark(void *arg, int proto, uint16_t port, unsigned long inode)
{
	(void)inode;
	wa_portmap_set(arg, WA_LAYER_HOST, proto, port, true);
}

/* Parse procroot/net/<file>; WA_EIO when it cannot be read. */
static int
wa_procnet_file(const char *procroot, size_t i, wa_procnet_cb cb, void *arg)
{
	char path[PATH_MAX];
	char *text;
	int rc;

	snprintf(path, sizeof(path), "%s/net/%s", procroot,
	    wa_procnet_files[i].file);
	if ((text = wa_file_read(path, NULL)) == NULL)
		return WA_EIO;
	rc = wa_procnet_parse(text, wa_procnet_files[i].proto, cb, arg);
	free(text);
	return rc;
}

/* The live host asked through sock_diag; false sends the caller to the
 * /proc/net text (a sample directory, or netlink refused). */
static bool
wa_procnet_live(const char *procroot, wa_procnet_cb cb, void *arg, int *n)
{
	int tcp, udp;

	if (strcmp(procroot, "/proc") != 0 ||
	    (tcp = wa_sockdiag_each(WA_TCP, cb, arg)) < 0 ||
	    (udp = wa_sockdiag_each(WA_UDP, cb, arg)) < 0)
		return false;
	*n = tcp + udp;
	return true;
}

int
wa_procnet_scan(struct wa_portmap *m, const char *procroot)
{
	size_t i;
	int rc, total = 0, nread = 0;

	wa_portmap_clear_layer(m, WA_LAYER_HOST);
	if (wa_procnet_live(procroot, wa_procnet_mark, m, &total))
		return total;
	/* tcp6/udp6 vanish when IPv6 is off: one readable table is enough. */
	for (i = 0; i < sizeof(wa_procnet_files) / sizeof(*wa_procnet_files);
	    i++) {
		if ((rc = wa_procnet_file(procroot, i, wa_procnet_mark, m)) < 0)
			continue;
		nread++;
		total += rc;
	}
	return nread > 0 ? total : WA_EIO;
}

struct wa_inode_find {
	uint16_t port;
	unsigned long *out;
	size_t n, max;
};

static void
wa_procnet_inode_cb(void *arg, int proto, uint16_t port, unsigned long inode)
{
	struct wa_inode_find *f = arg;

	(void)proto;
	if (f->n < f->max && port == f->port)
		f->out[f->n++] = inode;
}

size_t
wa_procnet_inodes(const char *procroot, int proto, uint16_t port,
    unsigned long *out, size_t max)
{
	struct wa_inode_find f = { port, out, 0, max };
	size_t i;

	if (strcmp(procroot, "/proc") == 0 &&
	    wa_sockdiag_each(proto, wa_procnet_inode_cb, &f) >= 0)
		return f.n;
	for (i = 0; i < sizeof(wa_procnet_files) / sizeof(*wa_procnet_files);
	    i++)
		if (wa_procnet_files[i].proto == proto)
			wa_procnet_file(procroot, i, wa_procnet_inode_cb, &f);
	return f.n;
}

unsigned long
wa_procnet_inode(const char *procroot, int proto, uint16_t port)
{
	unsigned long inode = 0;

	wa_procnet_inodes(procroot, proto, port, &inode, 1);
	return inode;
}

/* A port number at *s, advancing it; -1 when there is none. */
static long
wa_parse_port(const char **s)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)**s))
		return -1;
	errno = 0;
	v = strtol(*s, &end, 10);
	if (errno != 0 || v < 1 || v > 65535)
		return -1;
	*s = end;
	return v;
}

static const char *
wa_skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	return s;
}

int
wa_parse_port_range(const char *text, int *lo, int *hi)
{
	const char *s = wa_skip_space(text);
	long a, b;

	if ((a = wa_parse_port(&s)) < 0)
		return WA_EINVAL;
	s = wa_skip_space(s);
	if ((b = wa_parse_port(&s)) < 0 || *wa_skip_space(s) != '\0' || a > b)
		return WA_EINVAL;
	*lo = (int)a;
	*hi = (int)b;
	return 0;
}

/* One pass over "a-b,c": validate only, or mark m too. */
static int
wa_reserved_walk(const char *text, struct wa_portmap *m)
{
	const char *s = wa_skip_space(text);
	long a, b, p;

	while (*s != '\0') {
		if ((a = wa_parse_port(&s)) < 0)
			return WA_EINVAL;
		b = a;
		if (*s == '-') {
			s++;
			if ((b = wa_parse_port(&s)) < 0 || b < a)
				return WA_EINVAL;
		}
		for (p = a; m != NULL && p <= b; p++) {
			wa_portmap_set(m, WA_LAYER_RESERVED, WA_TCP,
			    (uint16_t)p, true);
			wa_portmap_set(m, WA_LAYER_RESERVED, WA_UDP,
			    (uint16_t)p, true);
		}
		if (*s == ',')
			s++;
		else if (*wa_skip_space(s) != '\0')
			return WA_EINVAL;
		s = wa_skip_space(s);
	}
	return 0;
}

int
wa_parse_reserved_ports(const char *text, struct wa_portmap *m)
{
	int rc;

	/* Validate first so a bad list marks nothing. */
	if (text == NULL || (rc = wa_reserved_walk(text, NULL)) != 0)
		return WA_EINVAL;
	return wa_reserved_walk(text, m);
}

int
wa_procnet_sysctls(const char *procroot, int *lo, int *hi,
    struct wa_portmap *m)
{
	char path[PATH_MAX];
	char *text;
	int rc = 0, r;

	snprintf(path, sizeof(path), "%s/sys/net/ipv4/ip_local_port_range",
	    procroot);
	if ((text = wa_file_read(path, NULL)) == NULL)
		rc = WA_EIO;
	else if ((r = wa_parse_port_range(text, lo, hi)) != 0)
		rc = r;
	free(text);

	snprintf(path, sizeof(path), "%s/sys/net/ipv4/ip_local_reserved_ports",
	    procroot);
	if ((text = wa_file_read(path, NULL)) == NULL) {
		if (rc == 0)
			rc = WA_EIO;
	} else {
		wa_portmap_clear_layer(m, WA_LAYER_RESERVED);
		if ((r = wa_parse_reserved_ports(text, m)) != 0 && rc == 0)
			rc = r;
	}
	free(text);
	return rc;
}

/* State (field 3) and start time (field 22) of a stat line. */
static int
wa_parse_stat(const char *text, char *state, unsigned long long *start)
{
	const char *s;
	char *end;
	int field;

	/* comm (field 2) may hold spaces and ')': the last ')' ends it. */
	if (text == NULL || (s = strrchr(text, ')')) == NULL)
		return WA_EINVAL;
	s++;
	for (field = 3; field <= 22; field++) {
		while (*s == ' ')
			s++;
		if (*s == '\0' || *s == '\n')
			return WA_EINVAL;
		if (field == 3 && state != NULL)
			*state = *s;
		if (field == 22)
			break;
		while (*s != ' ' && *s != '\0')
			s++;
	}
	if (!isdigit((unsigned char)*s))
		return WA_EINVAL;
	errno = 0;
	*start = strtoull(s, &end, 10);
	if (errno != 0 || (*end != ' ' && *end != '\0' && *end != '\n'))
		return WA_EINVAL;
	return 0;
}

int
wa_parse_stat_start(const char *text, unsigned long long *start)
{
	return wa_parse_stat(text, NULL, start);
}

static int
wa_proc_stat(pid_t pid, char *state, unsigned long long *start)
{
	char path[64];
	char *text;
	int rc;

	if (pid <= 0)
		return WA_ENOTFOUND;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((text = wa_file_read(path, NULL)) == NULL)
		return WA_ENOTFOUND;
	rc = wa_parse_stat(text, state, start);
	free(text);
	return rc;
}

int
wa_proc_start_time(pid_t pid, unsigned long long *start)
{
	return wa_proc_stat(pid, NULL, start);
}

bool
wa_proc_alive(pid_t pid, unsigned long long start)
{
	unsigned long long now;
	char state = '?';

	if (wa_proc_stat(pid, &state, &now) != 0)
		return false;
	/* A zombie has exited; only its parent has not noticed yet. */
	if (state == 'Z' || state == 'X' || state == 'x')
		return false;
	/* The start time tells a reused pid from the process we knew. */
	return start == 0 || start == now;
}

/* True when procroot/pid/fd holds a link to target. */
static bool
wa_fd_has(const char *procroot, const char *pid, const char *target,
    bool *denied)
{
	char path[PATH_MAX], link[64];
	struct dirent *de;
	DIR *d;
	ssize_t n;
	bool found = false;

	snprintf(path, sizeof(path), "%s/%s/fd", procroot, pid);
	if ((d = opendir(path)) == NULL) {
		if ((errno == EACCES || errno == EPERM) && denied != NULL)
			*denied = true;
		return false;
	}
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/fd/%s", procroot, pid,
		    de->d_name);
		if ((n = readlink(path, link, sizeof(link) - 1)) <= 0)
			continue;
		link[n] = '\0';
		found = strcmp(link, target) == 0;
	}
	closedir(d);
	return found;
}

pid_t
wa_proc_socket_owner(const char *procroot, unsigned long inode,
    bool *denied)
{
	char target[48];
	struct dirent *de;
	DIR *d;
	pid_t pid = -1;

	if (denied != NULL)
		*denied = false;
	if (inode == 0 || (d = opendir(procroot)) == NULL)
		return -1;
	snprintf(target, sizeof(target), "socket:[%lu]", inode);
	while (pid < 0 && (de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (wa_fd_has(procroot, de->d_name, target, denied))
			pid = (pid_t)strtol(de->d_name, NULL, 10);
	}
	closedir(d);
	return pid;
}

void
wa_proc_socket_holders(const char *procroot, const unsigned long *inodes,
    size_t n, wa_holder_cb cb, void *arg, bool *denied)
{
	char path[PATH_MAX], link[64];
	struct dirent *de, *fe;
	unsigned long ino;
	DIR *d, *fd;
	pid_t pid;
	ssize_t k;

	*denied = false;
	if (n == 0 || (d = opendir(procroot)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		snprintf(path, sizeof(path), "%s/%s/fd", procroot, de->d_name);
		if ((fd = opendir(path)) == NULL) {
			/* A process gone since readdir holds nothing. */
			*denied = *denied || errno == EACCES || errno == EPERM;
			continue;
		}
		while ((fe = readdir(fd)) != NULL) {
			snprintf(path, sizeof(path), "%s/%s/fd/%s", procroot,
			    de->d_name, fe->d_name);
			if (fe->d_name[0] == '.' || (k = readlink(path, link,
			    sizeof(link) - 1)) <= 0)
				continue;
			link[k] = '\0';
			if (sscanf(link, "socket:[%lu]", &ino) != 1)
				continue;
			for (size_t i = 0; i < n; i++)
				if (inodes[i] == ino)
					cb(arg, pid, i);
		}
		closedir(fd);
	}
	closedir(d);
}

int
wa_parse_status_uid(const char *status, uid_t *uid)
{
	const char *l = status;
	unsigned long v[4];

	while (l != NULL && strncmp(l, "Uid:", 4) != 0)
		if ((l = strchr(l, '\n')) != NULL)
			l++;
	if (l == NULL || sscanf(l + 4, "%lu %lu %lu %lu", &v[0], &v[1],
	    &v[2], &v[3]) != 4)
		return WA_EINVAL;
	if (v[1] != v[0] || v[2] != v[0] || v[3] != v[0])
		return WA_EINVAL;
	*uid = (uid_t)v[0];
	return 0;
}

int
wa_proc_uid(const char *procroot, pid_t pid, uid_t *uid)
{
	char path[PATH_MAX], *text;
	int rc;

	snprintf(path, sizeof(path), "%s/%ld/status", procroot, (long)pid);
	if ((text = wa_file_read(path, NULL)) == NULL)
		return WA_ENOTFOUND;
	rc = wa_parse_status_uid(text, uid);
	free(text);
	return rc;
}
