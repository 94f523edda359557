/*
 * cli.c: what every command shares: finding (and, as tmux does,
 * starting) the daemon, sending a request, and turning errors into one
 * line on stderr and an exit code.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/client.h"
#include "optab.h"
#include "util.h"

#ifndef WA_SBINDIR
#define WA_SBINDIR "/usr/sbin"
#endif

int
wa_exit_code(int err)
{
	/* Every error has its status in WA_ERRNO_MAP: no default. */
	switch (err) {
	case 0: return WA_EXIT_OK;
#define WA_ERRNO_EXIT(name, val, code, msg, exit) \
	case WA_##name: return WA_EXIT_##exit;
	WA_ERRNO_MAP(WA_ERRNO_EXIT)
#undef WA_ERRNO_EXIT
	}
	return WA_EXIT_SOFTWARE;    /* not an error of the map */
}

/* One line on stderr: the daemon's message when it gave one. */
int
wa_cli_fail(struct wa_cli *cli, const char *what, int err)
{
	const json_t *e = cli->c != NULL ? wa_client_error(cli->c) : NULL;
	const char *msg;

	if (e == NULL)
		e = wa_offline_error();
	msg = e != NULL ? json_string_value(json_object_get(e, "message")) :
	    NULL;

	if (cli->json && e != NULL) {
		json_t *out = json_pack("{sbsO}", "ok", 0, "error", e);

		wa_json_print(out);
		json_decref(out);
	}
	if (msg == NULL && err == WA_ECONNECT) {
		fprintf(stderr, "wso2-alloc: %s: no daemon answers on %s",
		    wa_term_str(what), cli->socket != NULL ?
		    wa_term_str(cli->socket) : "(no socket)");
		if (cli->no_start)
			fprintf(stderr, " (--no-start)\n");
		else if (cli->start_errno != 0)
			fprintf(stderr, " and wso2-allocd could not be started: "
			    "%s\n", strerror(cli->start_errno));
		else if (cli->started)
			fprintf(stderr, "; the wso2-allocd it started did not "
			    "answer (see " WA_DAEMON_LOG " in %s)\n",
			    wa_term_str(cli->started_log));
		else if (cli->socket != NULL && getuid() != 0 &&
		    strcmp(cli->socket, WA_SYSTEM_SOCKET) == 0)
			fprintf(stderr, ": the system daemon is down (root "
			    "starts it: systemctl start wso2-allocd.socket, or "
			    "any wso2-alloc command)\n");
		else
			fputc('\n', stderr);
		return wa_exit_code(err);
	}
	/* Refused before any daemon spoke: the check says why. */
	if (msg == NULL && cli->why[0] != '\0')
		msg = cli->why;
	/* The daemon's message may quote another process's command line. */
	fprintf(stderr, "wso2-alloc: %s: %s\n", wa_term_str(what),
	    wa_term_str(msg != NULL ? msg : wa_strerror(err)));
	return wa_exit_code(err);
}

int
wa_cli_usage(const struct wa_cmd_entry *e, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "wso2-alloc: %s: ", e->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	wa_cmd_usage_print(stderr, e);
	return WA_EXIT_USAGE;
}

void
wa_json_print(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

/* The daemon beside this binary (the build tree), installed, or PATH:
 * the system daemon, or with user a private one. */
static void
wa_daemon_exec(bool user)
{
	char exe[PATH_MAX], path[PATH_MAX + 16], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *const argv[] = { "wso2-allocd", user ? "--user" : NULL, NULL };

	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			snprintf(path, sizeof path, "%s/wso2-allocd", exe);
			execv(path, argv);
		}
	}
	execv(WA_SBINDIR "/wso2-allocd", argv);
	execvp("wso2-allocd", argv);
}

/* Read exactly n bytes; 0 at a clean end of file, -1 otherwise. */
static ssize_t
wa_read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return got == 0 && r == 0 ? 0 : -1;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/*
 * Start wso2-allocd detached (with user, `--user`), its log beside its
 * ledger.  A close-on-exec pipe brings back the daemon's pid and, when no
 * exec worked, its errno: so a missing binary is said at once, and a
 * daemon that dies is not waited for.
 */
static int
wa_daemon_start(struct wa_cli *cli, bool user, pid_t *daemon)
{
	char *state, log[PATH_MAX];
	pid_t pid;
	int fd, status, p[2], e;

	*daemon = 0;
	state = user ? wa_user_state_dir() : strdup(WA_SYSTEM_STATE_DIR);
	if (state == NULL)
		return WA_ECONNECT;
	wa_mkdir_p(state, user ? 0700 : 0755);
	snprintf(log, sizeof log, "%s/" WA_DAEMON_LOG, state);
	snprintf(cli->started_log, sizeof cli->started_log, "%s", state);
	free(state);
	if (pipe2(p, O_CLOEXEC) != 0)
		return WA_ECONNECT;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return WA_ECONNECT;
	}
	if (pid == 0) {
		/* Double fork: the daemon is nobody's child but init's. */
		if (setsid() < 0 || fork() != 0)
			_exit(0);
		close(p[0]);
		pid = getpid();
		(void)!write(p[1], &pid, sizeof pid);
		if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
			dup2(fd, 0);
		if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
		    O_NOFOLLOW, 0600)) >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		wa_daemon_exec(user);
		e = errno;
		(void)!write(p[1], &e, sizeof e);
		_exit(127);
	}
	close(p[1]);
	waitpid(pid, &status, 0);
	cli->started = true;
	if (wa_read_full(p[0], daemon, sizeof *daemon) != sizeof *daemon)
		cli->start_errno = ECHILD;
	else if (wa_read_full(p[0], &e, sizeof e) == sizeof e)
		cli->start_errno = e;
	close(p[0]);
	return cli->start_errno != 0 ? WA_ECONNECT : 0;
}

/*
 * Which daemon the socket names, for starting it: the system one (only
 * root may), a private one (--user) at the caller's user socket, or none
 * (a socket someone else chose).
 */
enum wa_start { WA_START_NONE, WA_START_SYSTEM, WA_START_USER };

static enum wa_start
wa_cli_startable(const struct wa_cli *cli)
{
	char *user;
	bool is_user;

	if (strcmp(cli->socket, WA_SYSTEM_SOCKET) == 0)
		return getuid() == 0 ? WA_START_SYSTEM : WA_START_NONE;
	user = wa_socket_path_user();
	is_user = user != NULL && strcmp(user, cli->socket) == 0;
	free(user);
	return is_user ? WA_START_USER : WA_START_NONE;
}

/* The user socket's directory, made 0700 and checked to be ours before a
 * daemon of ours is started in it. */
static int
wa_cli_user_dir(struct wa_cli *cli)
{
	char *dir = wa_user_runtime_dir();
	int rc;

	if (dir == NULL)
		return WA_ECONNECT;
	rc = wa_private_dir(dir, cli->why, sizeof cli->why);
	free(dir);
	return rc;
}

/* Start the daemon the socket names and wait until it answers. */
static int
wa_cli_start(struct wa_cli *cli, enum wa_start kind)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	bool gone = false;
	pid_t daemon;
	int rc, i;

	if (wa_daemon_start(cli, kind == WA_START_USER, &daemon) != 0)
		return WA_ECONNECT;
	/*
	 * About 5 s.  Ours may exit at once because a daemon started by
	 * some other means holds the ledger: one more try after it is gone.
	 */
	for (i = 0; i < 250; i++) {
		rc = wa_client_connect(&cli->c, cli->socket, cli->why,
		    sizeof cli->why);
		if (rc != WA_ECONNECT)
			return rc;
		if (gone)
			break;
		nanosleep(&ts, NULL);
		gone = kill(daemon, 0) != 0 && errno == ESRCH;
	}
	return WA_ECONNECT;
}

/*
 * tmux's way: one client at a time starts a daemon, holding a lock beside
 * the socket; the others wait for it, then find the daemon serving.  -1
 * when there is no lock to take (then the ledger's lock still keeps a
 * second daemon out).
 */
static int
wa_cli_start_lock(const struct wa_cli *cli)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof path, "%s.lock", cli->socket);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) < 0)
		return -1;
	while (flock(fd, LOCK_EX) != 0)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

int
wa_cli_connect(struct wa_cli *cli)
{
	enum wa_start kind;
	int rc, lock;

	if (cli->c != NULL)
		return 0;
	free(cli->socket);
	if ((cli->socket = wa_socket_path_resolve(cli->socket_opt)) == NULL)
		return WA_ECONNECT;
	if ((rc = wa_client_connect(&cli->c, cli->socket, cli->why,
	    sizeof cli->why)) != WA_ECONNECT)
		return rc;
	if (cli->no_start || (kind = wa_cli_startable(cli)) == WA_START_NONE)
		return WA_ECONNECT;
	if (kind == WA_START_USER && (rc = wa_cli_user_dir(cli)) != 0)
		return rc;
	if (kind == WA_START_SYSTEM)
		wa_mkdir_p(WA_SYSTEM_RUN_DIR, 0755);
	lock = wa_cli_start_lock(cli);
	/* Whoever held the lock before us may have started it. */
	rc = wa_client_connect(&cli->c, cli->socket, cli->why,
	    sizeof cli->why);
	if (rc == WA_ECONNECT)
		rc = wa_cli_start(cli, kind);
	if (lock >= 0)
		close(lock);
	return rc;
}

/*
 * A write answered by a private daemon (one running as neither root nor
 * the service user, so no other user's client would talk to it): its
 * leases cannot see anyone else's, and the user must know it.
 */
static void
wa_cli_warn_private(struct wa_cli *cli, const json_t *req)
{
	const char *op = json_string_value(json_object_get(req, "op"));
	char who[64];

	if (cli->warned || op == NULL ||
	    wa_uid_system(wa_client_peer_uid(cli->c)))
		return;
	if (!(wa_op_flags(op) & WA_OP_WRITE))
		return;
	fprintf(stderr, "wso2-alloc: warning: a private daemon (%s) answered "
	    "on %s:\n  other users' leases are invisible to it, and its ports "
	    "may collide with theirs.\n  For one ledger per host run the "
	    "system daemon (packaging/systemd:\n  systemctl enable --now "
	    "wso2-allocd.socket), or have root run any wso2-alloc\n  "
	    "command.\n", wa_uid_name(wa_client_peer_uid(cli->c), who,
	    sizeof who), wa_term_str(cli->socket));
	cli->warned = true;
}

int
wa_cli_request_text(struct wa_cli *cli, json_t *req, char **text,
    size_t *len)
{
	json_t *resp = NULL;
	int rc;

	*text = NULL;
	if ((rc = wa_cli_connect(cli)) == WA_ECONNECT && (wa_op_flags(
	    json_string_value(json_object_get(req, "op"))) & WA_OP_OFFLINE)) {
		if ((rc = wa_offline_call(cli, req, &resp)) == 0 &&
		    (*text = json_dumps(resp, JSON_COMPACT)) == NULL)
			rc = WA_ENOMEM;
		if (*text != NULL)
			*len = strlen(*text);
		json_decref(resp);
	} else if (rc == 0) {
		wa_cli_warn_private(cli, req);
		rc = wa_client_call_text(cli->c, req, text, len);
	}
	json_decref(req);
	return rc;
}

int
wa_cli_request(struct wa_cli *cli, json_t *req, json_t **resp)
{
	int rc;

	*resp = NULL;
	if ((rc = wa_cli_connect(cli)) == WA_ECONNECT && (wa_op_flags(
	    json_string_value(json_object_get(req, "op"))) & WA_OP_OFFLINE))
		rc = wa_offline_call(cli, req, resp);
	else if (rc == 0) {
		wa_cli_warn_private(cli, req);
		rc = wa_client_call(cli->c, req, resp);
	}
	json_decref(req);
	return rc;
}
