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
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "util.h"

#ifndef WA_SBINDIR
#define WA_SBINDIR "/usr/sbin"
#endif

int
wa_exit_code(int err)
{
	switch (err) {
	case 0: return WA_EXIT_OK;
	case WA_ENOTFOUND: return WA_EXIT_NOTFOUND;
	case WA_ECONFLICT: case WA_EEXHAUSTED: return WA_EXIT_CONFLICT;
	case WA_EBADREQ: case WA_ETOOLARGE: case WA_EUNKNOWNOP:
		return WA_EXIT_USAGE;
	case WA_EINVAL: case WA_EPRODUCT: case WA_ECATALOG:
		return WA_EXIT_DATAERR;
	case WA_ECONNECT: case WA_EBUSY: case WA_EDBBUSY:
		return WA_EXIT_UNAVAILABLE;
	case WA_EFORBIDDEN: return WA_EXIT_NOPERM;
	default: return WA_EXIT_SOFTWARE;
	}
}

/* One line on stderr: the daemon's message when it gave one. */
int
wa_cli_fail(struct wa_cli *cli, const char *what, int err)
{
	const json_t *e = cli->c != NULL ? wa_client_error(cli->c) : NULL;
	const char *msg = e != NULL ? json_string_value(json_object_get(e,
	    "message")) : NULL;

	if (cli->json && e != NULL) {
		json_t *out = json_pack("{sbsO}", "ok", 0, "error", e);

		wa_json_print(out);
		json_decref(out);
	}
	if (msg == NULL && wa_offline_error() != NULL)
		msg = wa_offline_error();
	if (msg == NULL && err == WA_ECONNECT) {
		fprintf(stderr, "wso2-alloc: %s: no daemon answers on %s", what,
		    cli->socket != NULL ? cli->socket : "(no socket)");
		if (cli->no_start)
			fprintf(stderr, " (--no-start)\n");
		else if (cli->start_errno != 0)
			fprintf(stderr, " and wso2-allocd could not be started: "
			    "%s\n", strerror(cli->start_errno));
		else if (cli->started)
			fprintf(stderr, "; the wso2-allocd --user it started "
			    "did not answer (see wso2-allocd.log in the state "
			    "directory)\n");
		else
			fputc('\n', stderr);
		return wa_exit_code(err);
	}
	fprintf(stderr, "wso2-alloc: %s: %s\n", what, msg != NULL ? msg :
	    wa_strerror(err));
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
	fprintf(stderr, "\nusage: wso2-alloc %s %s\n", e->name, e->usage);
	return WA_EXIT_USAGE;
}

void
wa_json_print(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
}

/* The daemon beside this binary (the build tree), installed, or PATH. */
static void
wa_daemon_exec(void)
{
	char exe[PATH_MAX], path[PATH_MAX + 16], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *const argv[] = { "wso2-allocd", "--user", NULL };

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
 * Start `wso2-allocd --user` detached, its log in the state directory.
 * A close-on-exec pipe brings back the daemon's pid and, when no exec
 * worked, its errno: so a missing binary is said at once, and a daemon
 * that dies is not waited for.
 */
static int
wa_daemon_start(struct wa_cli *cli, pid_t *daemon)
{
	char *state = wa_user_state_dir(), log[PATH_MAX];
	pid_t pid;
	int fd, status, p[2], e;

	*daemon = 0;
	if (state == NULL)
		return WA_ECONNECT;
	wa_mkdir_p(state, 0700);
	snprintf(log, sizeof log, "%s/wso2-allocd.log", state);
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
		if ((fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		    0600)) >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		wa_daemon_exec();
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

int
wa_cli_connect(struct wa_cli *cli)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	char *user;
	bool is_user, gone = false;
	pid_t daemon;
	int rc, i;

	if (cli->c != NULL)
		return 0;
	if ((cli->socket = wa_socket_path_resolve(cli->socket_opt)) == NULL)
		return WA_ECONNECT;
	if ((rc = wa_client_open(&cli->c, cli->socket)) != WA_ECONNECT)
		return rc;
	user = wa_socket_path_user();
	is_user = user != NULL && strcmp(user, cli->socket) == 0;
	free(user);
	/* Only the per-user daemon is ours to start. */
	if (cli->no_start || !is_user || wa_daemon_start(cli, &daemon) != 0)
		return WA_ECONNECT;
	/*
	 * About 5 s.  Ours may exit at once because a racing client's daemon
	 * holds the ledger: one more try after it is gone, for that one.
	 */
	for (i = 0; i < 250; i++) {
		if ((rc = wa_client_open(&cli->c, cli->socket)) == 0)
			return 0;
		if (gone)
			break;
		nanosleep(&ts, NULL);
		gone = kill(daemon, 0) != 0 && errno == ESRCH;
	}
	return WA_ECONNECT;
}

int
wa_cli_request(struct wa_cli *cli, json_t *req, json_t **resp, bool offline)
{
	int rc;

	*resp = NULL;
	if ((rc = wa_cli_connect(cli)) == WA_ECONNECT && offline) {
		fprintf(stderr, "wso2-alloc: daemon not running; read the "
		    "ledger directly (read-only)\n");
		rc = wa_offline_call(cli, req, resp);
	} else if (rc == 0)
		rc = wa_client_call(cli->c, req, resp);
	json_decref(req);
	return rc;
}
