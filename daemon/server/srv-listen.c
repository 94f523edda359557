/*
 * srv-listen.c: the listening socket (bound here or passed by systemd
 * socket activation) and sd_notify, without libsystemd.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "srv.h"
#include "util.h"

#define WA_LISTEN_FD 3   /* SD_LISTEN_FDS_START */

/* Socket activation: LISTEN_PID is us and LISTEN_FDS is at least 1. */
static bool
wa_activated(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

	if (pid == NULL || fds == NULL || atol(pid) != (long)getpid() ||
	    atoi(fds) < 1)
		return false;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return true;
}

/*
 * What lies at path: nothing, a stale socket (connect refused: nobody
 * listens, the file is a crash's leftover), or something that must not be
 * touched: a live daemon, a file that is not a socket, a socket we may
 * not probe.
 */
enum wa_sock_state { WA_SOCK_NONE, WA_SOCK_STALE, WA_SOCK_LIVE,
	WA_SOCK_OTHER };

static enum wa_sock_state
wa_socket_probe(const char *path, int *err)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, rc;

	*err = 0;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? WA_SOCK_NONE : (*err = errno,
		    WA_SOCK_OTHER);
	if (!S_ISSOCK(st.st_mode))
		return WA_SOCK_OTHER;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		*err = errno;
		return WA_SOCK_OTHER;
	}
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	*err = rc == 0 ? 0 : errno;
	close(fd);
	if (rc == 0)
		return WA_SOCK_LIVE;
	return *err == ECONNREFUSED ? WA_SOCK_STALE : WA_SOCK_OTHER;
}

/* Remove a crash's leftover; never a live daemon's socket. */
static int
wa_socket_clear(const char *path)
{
	int err;

	switch (wa_socket_probe(path, &err)) {
	case WA_SOCK_NONE:
		return 0;
	case WA_SOCK_LIVE:
		wa_log(WA_LOG_ERR, "another wso2-allocd is serving %s", path);
		return WA_EBUSY;
	case WA_SOCK_STALE:
		if (unlink(path) != 0 && errno != ENOENT) {
			wa_log(WA_LOG_ERR, "cannot remove stale socket %s: %s",
			    path, strerror(errno));
			return WA_EIO;
		}
		wa_log(WA_LOG_NOTICE, "replaced stale socket %s", path);
		return 0;
	default:
		if (err != 0)
			wa_log(WA_LOG_ERR, "%s exists and cannot be probed "
			    "(%s): not replaced", path, strerror(err));
		else
			wa_log(WA_LOG_ERR, "%s exists and is not a socket: "
			    "not replaced", path);
		return WA_EIO;
	}
}

/* The socket's directory; under --user a private one, checked to be
 * ours (another user may have made /tmp/wso2-alloc-UID first). */
static int
wa_socket_dir(const char *path, bool user)
{
	char dir[sizeof ((struct sockaddr_un *)0)->sun_path], *slash;
	char err[512];
	int rc;

	if (strlen(path) >= sizeof dir)
		return WA_EINVAL;
	strcpy(dir, path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (!user) {
		if ((rc = wa_mkdir_p(dir, 0755)) != 0)
			wa_log(WA_LOG_ERR, "%s: cannot create its directory: %s",
			    path, strerror(errno));
		return rc;
	}
	if ((rc = wa_private_dir(dir, err, sizeof err)) != 0)
		wa_log(WA_LOG_ERR, "%s", err);
	return rc;
}

/*
 * The system socket: 0660 to the packaged group when it exists.  Without
 * one, a host daemon (root or the service user) is 0666 so that every
 * user on the host leases from the one ledger: SO_PEERCRED, not the
 * mode, decides who may release, renew or attach a lease.
 */
static int
wa_socket_perms(struct wa_daemon *d)
{
	struct group *gr;

	if (d->cfg.user)
		return chmod(d->socket_path, 0600) == 0 ? 0 : WA_EIO;
	gr = getgrnam(d->cfg.group != NULL ? d->cfg.group : WA_SERVICE_USER);
	if (gr == NULL && d->cfg.group == NULL && wa_uid_system(geteuid())) {
		wa_log(WA_LOG_NOTICE, "no group %s: %s is 0666, open to every "
		    "user on the host", WA_SERVICE_USER, d->socket_path);
		return chmod(d->socket_path, 0666) == 0 ? 0 : WA_EIO;
	}
	if (chmod(d->socket_path, 0660) != 0)
		return WA_EIO;
	/* A named group must exist. */
	if (gr == NULL) {
		if (d->cfg.group != NULL)
			wa_log(WA_LOG_WARNING, "group %s does not exist: the "
			    "socket stays owner-only", d->cfg.group);
		return 0;
	}
	return chown(d->socket_path, (uid_t)-1, gr->gr_gid) == 0 ? 0 : WA_EIO;
}

/* The path of the socket systemd passed, for status and the log. */
static void
wa_activated_path(struct wa_daemon *d)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof sa;
	char *p;

	memset(&sa, 0, sizeof sa);
	if (getsockname(WA_LISTEN_FD, (struct sockaddr *)&sa, &len) != 0 ||
	    sa.sun_family != AF_UNIX || sa.sun_path[0] == '\0')
		return;
	sa.sun_path[sizeof sa.sun_path - 1] = '\0';
	if ((p = strdup(sa.sun_path)) != NULL) {
		free(d->socket_path);
		d->socket_path = p;
	}
}

int
wa_listen_open(struct wa_daemon *d)
{
	int rc;

	if ((rc = uv_pipe_init(d->loop, &d->listener, 0)) != 0)
		return WA_EIO;
	d->listener.data = d;
	if (wa_activated()) {
		d->socket_activated = true;
		if ((rc = uv_pipe_open(&d->listener, WA_LISTEN_FD)) != 0) {
			wa_log(WA_LOG_ERR, "socket activation: fd 3: %s",
			    uv_strerror(rc));
			return WA_EIO;
		}
		wa_activated_path(d);
		wa_log(WA_LOG_INFO, "listening on %s, passed by systemd",
		    d->socket_path);
	} else {
		if (wa_socket_dir(d->socket_path, d->cfg.user) != 0)
			return WA_EIO;
		if ((rc = wa_socket_clear(d->socket_path)) != 0)
			return rc;
		if ((rc = uv_pipe_bind(&d->listener, d->socket_path)) != 0) {
			wa_log(WA_LOG_ERR, "bind %s: %s", d->socket_path,
			    uv_strerror(rc));
			return WA_EIO;
		}
		if (wa_socket_perms(d) != 0) {
			wa_log(WA_LOG_ERR, "%s: cannot set permissions: %s",
			    d->socket_path, strerror(errno));
			return WA_EIO;
		}
	}
	if ((rc = uv_listen((uv_stream_t *)&d->listener, SOMAXCONN,
	    wa_conn_accept)) != 0) {
		wa_log(WA_LOG_ERR, "listen %s: %s", d->socket_path,
		    uv_strerror(rc));
		return WA_EIO;
	}
	return 0;
}

void
wa_listen_remove(struct wa_daemon *d)
{
	/* systemd owns an activated socket's file. */
	if (!d->socket_activated && d->socket_path != NULL)
		unlink(d->socket_path);
}

void
wa_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	int fd;

	if (path == NULL || (*path != '/' && *path != '@') ||
	    strlen(path) >= sizeof sa.sun_path)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	if (*path == '@')
		sa.sun_path[0] = '\0';   /* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	(void)!sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sa, len);
	close(fd);
}
