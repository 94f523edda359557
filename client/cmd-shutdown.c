/*
 * cmd-shutdown.c: wso2-alloc shutdown: stop the daemon (its owner or
 * root), and wait until it has exited.  Never starts one.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

/* Whether pid has exited: gone, or a zombie its parent has not reaped. */
static bool
wa_shutdown_gone(pid_t pid)
{
	char path[64], buf[512], *p;
	size_t n = 0;
	FILE *f;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "re")) != NULL) {
		n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	/* The state follows the command name's closing parenthesis. */
	return (p = strrchr(buf, ')')) != NULL && (p[1] == ' ') &&
	    (p[2] == 'Z' || p[2] == 'X');
}

/* Up to 10 s for the daemon to commit, close and exit. */
static bool
wa_shutdown_wait(pid_t pid)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	for (int i = 0; i < 500; i++) {
		if (wa_shutdown_gone(pid))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static int
wa_shutdown_exec(struct wa_cli *cli, int argc, char **argv)
{
	json_t *resp;
	long long pid;
	int rc;

	(void)argc;
	(void)argv;
	cli->no_start = true;
	rc = wa_cli_request(cli, wa_shutdown_req(), &resp);
	if (rc == WA_ECONNECT) {
		printf("no daemon answers on %s: none to stop\n",
		    wa_term_str(cli->socket));
		return 0;
	}
	if (rc != 0)
		return wa_cli_fail(cli, "shutdown", rc);
	pid = wa_json_int(resp, "pid", 0);
	json_decref(resp);
	if (pid <= 0 || pid > 0x7fffffffLL)
		return wa_cli_fail(cli, "shutdown", WA_EPROTO);
	/* The pid is the daemon's own word: waited on, never signalled. */
	if (!wa_shutdown_wait((pid_t)pid)) {
		fprintf(stderr, "wso2-alloc: shutdown: wso2-allocd (pid %lld) "
		    "is still running after 10 s\n", pid);
		return WA_EXIT_UNAVAILABLE;
	}
	if (cli->json) {
		json_t *out = json_pack("{sIsb}", "pid", (json_int_t)pid,
		    "stopped", 1);

		wa_json_print(out);
		json_decref(out);
	} else
		printf("wso2-allocd (pid %lld) on %s stopped\n", pid,
		    wa_term_str(cli->socket));
	return 0;
}

const struct wa_cmd_entry wa_cmd_shutdown = {
	.name = "shutdown", .usage = "",
	.summary = "stop the daemon (its owner or root) and wait until it exits",
	.exec = wa_shutdown_exec,
};
