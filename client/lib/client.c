/*
 * client.c: libwso2alloc: one connection to wso2-allocd and one call per
 * protocol operation.  Each call writes one line and reads one line.
 */
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "util.h"
#include "wso2alloc.h"

#define WA_PUBLIC __attribute__((visibility("default")))

struct wa_client {
	int fd;
	uid_t peer_uid;     /* the daemon's, from SO_PEERCRED */
	char *buf;          /* bytes read past the last line */
	size_t len, cap;
	json_t *error;      /* the last failed call's error object */
	unsigned long next_id;
};

WA_PUBLIC char *
wa_socket_path_user(void)
{
	char *dir = wa_user_runtime_dir(), *p = NULL;
	size_t n;

	if (dir == NULL)
		return NULL;
	n = strlen(dir) + sizeof "/wso2-alloc.sock";
	if ((p = malloc(n)) != NULL)
		snprintf(p, n, "%s/wso2-alloc.sock", dir);
	free(dir);
	return p;
}

/* A system daemon is set up here: its socket, or a directory we may
 * not search (then connecting says which group to join). */
static bool
wa_system_socket_exists(void)
{
	struct stat st;

	if (stat(WA_SYSTEM_SOCKET, &st) == 0)
		return S_ISSOCK(st.st_mode);
	return errno == EACCES;
}

WA_PUBLIC char *
wa_socket_path_resolve(const char *explicit_path)
{
	const char *env = getenv("WSO2_ALLOC_SOCKET");

	if (explicit_path != NULL && *explicit_path != '\0')
		return strdup(explicit_path);
	if (env != NULL && *env != '\0')
		return strdup(env);
	/* Root's daemon is the host's: one ledger per host. */
	if (getuid() == 0 || wa_system_socket_exists())
		return strdup(WA_SYSTEM_SOCKET);
	return wa_socket_path_user();
}

/* Us, root or the service user: nobody else may serve us or place our
 * socket. */
static bool
wa_uid_trusted(uid_t uid)
{
	return uid == getuid() || uid == geteuid() || wa_uid_system(uid);
}

/* The directory of path, "." for a bare name. */
static void
wa_dirname(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* Permission denied on the socket (or its directory, st): say which
 * group lets one in. */
static int
wa_socket_denied(const char *path, const char *what, const struct stat *st,
    char *err, size_t errlen)
{
	char buf[4096], group[64];
	struct group gr, *g = NULL;

	if (getgrgid_r(st->st_gid, &gr, buf, sizeof buf, &g) != 0 || g == NULL)
		snprintf(group, sizeof group, "%u", (unsigned)st->st_gid);
	else
		snprintf(group, sizeof group, "%s", g->gr_name);
	snprintf(err, errlen, "%s: permission denied (%s mode %04o, group %s): "
	    "ask root to add you to group %s, then log in again", path, what,
	    (unsigned)(st->st_mode & 07777), group, g != NULL ? group :
	    WA_SERVICE_USER);
	return WA_EFORBIDDEN;
}

/*
 * Before connecting, as tmux does: the socket's directory is a real
 * directory of a trusted owner that no one else may write (so nobody else
 * could have put or swapped the socket), and the socket is a socket.
 */
static int
wa_socket_check(const char *path, struct stat *sst, char *err,
    size_t errlen)
{
	char dir[sizeof ((struct sockaddr_un *)0)->sun_path], who[64];
	struct stat st;
	int e;

	wa_dirname(path, dir, sizeof dir);
	if (lstat(dir, &st) != 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(e));
		return e == EACCES ? WA_EFORBIDDEN : WA_ECONNECT;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not trusted: %s is not a directory "
		    "but %s owned by %s", path, dir, S_ISLNK(st.st_mode) ?
		    "a symlink" : "a file", wa_uid_name(st.st_uid, who,
		    sizeof who));
		return WA_EUNTRUSTED;
	}
	if (!wa_uid_trusted(st.st_uid) || (st.st_mode & 022) != 0) {
		snprintf(err, errlen, "%s: not trusted: its directory %s belongs "
		    "to %s, mode %04o; it must belong to you, root or %s and be "
		    "writable by no one else", path, dir, wa_uid_name(st.st_uid,
		    who, sizeof who), (unsigned)(st.st_mode & 07777),
		    WA_SERVICE_USER);
		return WA_EUNTRUSTED;
	}
	if (lstat(path, sst) != 0) {
		if (errno == EACCES)
			return wa_socket_denied(path, "directory", &st, err,
			    errlen);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return WA_ECONNECT;
	}
	if (!S_ISSOCK(sst->st_mode)) {
		snprintf(err, errlen, "%s: not trusted: not a socket but %s "
		    "owned by %s", path, S_ISLNK(sst->st_mode) ? "a symlink" :
		    "a file", wa_uid_name(sst->st_uid, who, sizeof who));
		return WA_EUNTRUSTED;
	}
	return 0;
}

/* After connecting: the daemon itself runs as us, root or the service
 * user (a socket can be linked anywhere; its listener cannot). */
static int
wa_peer_check(wa_client *c, const char *path, char *err, size_t errlen)
{
	struct ucred cr;
	socklen_t n = sizeof cr;
	char who[64];

	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cr, &n) != 0) {
		snprintf(err, errlen, "%s: SO_PEERCRED: %s", path,
		    strerror(errno));
		return WA_EUNTRUSTED;
	}
	c->peer_uid = cr.uid;
	if (!wa_uid_trusted(cr.uid)) {
		snprintf(err, errlen, "%s: not trusted: the daemon there runs "
		    "as %s, neither you, root nor %s", path, wa_uid_name(cr.uid,
		    who, sizeof who), WA_SERVICE_USER);
		return WA_EUNTRUSTED;
	}
	return 0;
}

WA_PUBLIC int
wa_client_connect(wa_client **out, const char *path, char *err,
    size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	wa_client *c = NULL;
	int rc, e;

	*out = NULL;
	if (err != NULL && errlen > 0)
		*err = '\0';
	else
		errlen = 0;
	if (path == NULL || strlen(path) >= sizeof sa.sun_path)
		return WA_EINVAL;
	if ((rc = wa_socket_check(path, &st, err, errlen)) != 0)
		return rc;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return WA_ENOMEM;
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		rc = WA_EIO;
		goto out;
	}
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		e = errno;
		if (e == EACCES || e == EPERM)
			rc = wa_socket_denied(path, "socket", &st, err,
			    errlen);
		else {
			snprintf(err, errlen, "%s: %s", path, strerror(e));
			rc = WA_ECONNECT;
		}
		goto out;
	}
	if ((rc = wa_peer_check(c, path, err, errlen)) != 0)
		goto out;
	*out = c;
	c = NULL;
out:
	wa_client_close(c);
	return rc;
}

WA_PUBLIC int
wa_client_open(wa_client **out, const char *path)
{
	return wa_client_connect(out, path, NULL, 0);
}

WA_PUBLIC uid_t
wa_client_peer_uid(const wa_client *c)
{
	return c->peer_uid;
}

WA_PUBLIC void
wa_client_close(wa_client *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	json_decref(c->error);
	free(c);
}

WA_PUBLIC const json_t *
wa_client_error(const wa_client *c)
{
	return c->error;
}

static int
wa_write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return WA_ECONNECT;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One response line (malloc'd, without the newline) and its length. */
static int
wa_read_line(wa_client *c, char **line, size_t *len)
{
	char *nl, *nb;
	ssize_t r;

	for (;;) {
		if (c->len > 0 && (nl = memchr(c->buf, '\n', c->len)) != NULL) {
			size_t n = (size_t)(nl - c->buf);

			if ((*line = malloc(n + 1)) == NULL)
				return WA_ENOMEM;
			memcpy(*line, c->buf, n);
			(*line)[n] = '\0';
			*len = n;
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return 0;
		}
		if (c->cap - c->len < 65536) {
			if (c->cap > 256u * 1024 * 1024)
				return WA_EPROTO;
			if ((nb = realloc(c->buf, c->cap + 65536 * 4)) == NULL)
				return WA_ENOMEM;
			c->buf = nb;
			c->cap += 65536 * 4;
		}
		r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return WA_ECONNECT;
		c->len += (size_t)r;
	}
}

/* Send req, read the answer's line. */
static int
wa_call_line(wa_client *c, json_t *req, char **line, size_t *len)
{
	char *out, *nout;
	size_t n;
	int rc;

	*line = NULL;
	json_decref(c->error);
	c->error = NULL;
	if ((out = json_dumps(req, JSON_COMPACT)) == NULL)
		return WA_ENOMEM;
	/* The line and its newline in one write. */
	n = strlen(out);
	if ((nout = realloc(out, n + 2)) == NULL) {
		free(out);
		return WA_ENOMEM;
	}
	out = nout;
	out[n++] = '\n';
	out[n] = '\0';
	if ((rc = wa_write_all(c->fd, out, n)) == 0)
		rc = wa_read_line(c, line, len);
	free(out);
	return rc;
}

/* An answer's line taken apart: the answer when it is ok, else the
 * error's code (its object kept for wa_client_error). */
static int
wa_answer(wa_client *c, const char *line, json_t **resp)
{
	json_t *r, *e;
	int rc;

	*resp = NULL;
	if ((r = json_loads(line, 0, NULL)) == NULL || !json_is_object(r)) {
		json_decref(r);
		return WA_EPROTO;
	}
	if (json_is_true(json_object_get(r, "ok"))) {
		*resp = r;
		return 0;
	}
	e = json_object_get(r, "error");
	if (!json_is_object(e))
		rc = WA_EPROTO;
	else {
		c->error = json_incref(e);
		rc = wa_err_from_code(json_string_value(json_object_get(e,
		    "code")));
	}
	json_decref(r);
	return rc;
}

WA_PUBLIC int
wa_client_call(wa_client *c, json_t *req, json_t **resp)
{
	char *line;
	size_t len;
	int rc;

	*resp = NULL;
	if ((rc = wa_call_line(c, req, &line, &len)) == 0)
		rc = wa_answer(c, line, resp);
	free(line);
	return rc;
}

/*
 * Whether the answer's top level says "ok":true, found without parsing
 * it (strings skipped to their closing quote, brackets counted): a line
 * it misreads is parsed after all.
 */
static bool
wa_line_ok(const char *p)
{
	int depth = 0;

	for (; (p = strpbrk(p, "\"{}[]")) != NULL; p++)
		switch (*p) {
		case '"':
			if (depth == 1 && strncmp(p, "\"ok\":true", 9) == 0)
				return true;
			/* To the closing quote, past each escaped character. */
			for (p++; *(p += strcspn(p, "\"\\")) == '\\'; p += 2)
				if (p[1] == '\0')
					return false;
			if (*p == '\0')
				return false;
			break;
		case '{': case '[':
			depth++;
			break;
		default:
			depth--;
			break;
		}
	return false;
}

int
wa_client_call_text(wa_client *c, json_t *req, char **text, size_t *len)
{
	json_t *resp = NULL;
	char *line;
	int rc;

	*text = NULL;
	if ((rc = wa_call_line(c, req, &line, len)) != 0) {
		free(line);
		return rc;
	}
	if (!wa_line_ok(line) && (rc = wa_answer(c, line, &resp)) != 0) {
		free(line);
		return rc;
	}
	json_decref(resp);
	*text = line;
	return 0;
}

/* Call op and hand back one field of the answer. */
static int
wa_call_field(wa_client *c, json_t *req, const char *field, json_t **out)
{
	json_t *resp;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (req == NULL)
		return WA_ENOMEM;
	rc = wa_client_call(c, req, &resp);
	json_decref(req);
	if (rc != 0)
		return rc;
	if (out != NULL) {
		if (field == NULL)
			*out = json_incref(resp);
		else if ((*out = json_object_get(resp, field)) != NULL)
			json_incref(*out);
		else
			rc = WA_EPROTO;
	}
	json_decref(resp);
	return rc;
}

WA_PUBLIC int
wa_lease(wa_client *c, const struct wa_lease_request *r, json_t **lease)
{
	if (r->product == NULL)
		return WA_EINVAL;
	return wa_call_field(c, wa_lease_req(r), "lease", lease);
}

WA_PUBLIC int
wa_release(wa_client *c, const char *name, json_t **lease)
{
	return wa_call_field(c, wa_release_req(name), "lease", lease);
}

WA_PUBLIC int
wa_renew(wa_client *c, const char *name, long ttl, json_t **lease)
{
	return wa_call_field(c, wa_renew_req(name, ttl), "lease", lease);
}

WA_PUBLIC int
wa_attach(wa_client *c, const char *name, pid_t pid, json_t **lease)
{
	return wa_call_field(c, wa_attach_req(name, pid), "lease", lease);
}

WA_PUBLIC int
wa_show(wa_client *c, const char *name, json_t **lease)
{
	return wa_call_field(c, wa_show_req(name), "lease", lease);
}

WA_PUBLIC int
wa_list(wa_client *c, const char *product, long owner_uid, const char *state,
    json_t **leases)
{
	return wa_call_field(c, wa_list_req(product, owner_uid, state, false),
	    "leases", leases);
}

WA_PUBLIC int
wa_who(wa_client *c, int port, const char *proto, json_t **resp)
{
	return wa_call_field(c, wa_who_req(port, proto), NULL, resp);
}

WA_PUBLIC int
wa_ports(wa_client *c, const char *product, json_t **ports)
{
	return wa_call_field(c, wa_ports_req(product), "ports", ports);
}

WA_PUBLIC int
wa_products(wa_client *c, const char *id, json_t **products)
{
	return wa_call_field(c, wa_products_req(id), "products", products);
}

WA_PUBLIC int
wa_history(wa_client *c, const char *name, int limit, json_t **events)
{
	return wa_call_field(c, wa_history_req(name, limit), "events", events);
}

WA_PUBLIC int
wa_status(wa_client *c, json_t **status)
{
	return wa_call_field(c, wa_status_req(), NULL, status);
}

WA_PUBLIC int
wa_ping(wa_client *c)
{
	return wa_call_field(c, wa_ping_req(), NULL, NULL);
}
