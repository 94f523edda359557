/*
 * replay.c: a daemon that answers with given bytes.  The client connects
 * to a socket of ours; before the command runs, the accepted end is
 * loaded with the answer and shut for writing, so the command reads it
 * (every line it waits for, then end of file) as it would a daemon's.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd.h"
#include "replay.h"

static const struct wa_cmd_entry *const wa_replay_cmds[] = {
	&wa_cmd_lease, &wa_cmd_release, &wa_cmd_renew, &wa_cmd_list,
	&wa_cmd_show, &wa_cmd_who, &wa_cmd_ports, &wa_cmd_products,
	&wa_cmd_history, &wa_cmd_status, &wa_cmd_exec, &wa_cmd_attach,
	&wa_cmd_scan, &wa_cmd_check, &wa_cmd_config, &wa_cmd_export,
	&wa_cmd_shutdown,
};

static char wa_replay_tmp[] = "/tmp/wa-replay.XXXXXX";
static char wa_replay_sock[sizeof wa_replay_tmp + 16];
static int wa_replay_fd = -1;

int
wa_replay_init(void)
{
	struct sockaddr_un sa;

	if (mkdtemp(wa_replay_tmp) == NULL)
		return -1;
	snprintf(wa_replay_sock, sizeof wa_replay_sock, "%s/sock",
	    wa_replay_tmp);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", wa_replay_sock);
	if ((wa_replay_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
	    0)) < 0 || bind(wa_replay_fd, (struct sockaddr *)&sa,
	    sizeof sa) != 0 || listen(wa_replay_fd, 4) != 0)
		return -1;
	return 0;
}

const char *
wa_replay_dir(void)
{
	return wa_replay_tmp;
}

/* The answer into the daemon's end, as much as the socket takes. */
static void
wa_replay_load(int fd, const char *answer, size_t len)
{
	int size = 4 * 1024 * 1024;
	ssize_t w;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (len > 0 && (w = write(fd, answer, len)) > 0) {
		answer += w;
		len -= (size_t)w;
	}
	shutdown(fd, SHUT_WR);
}

static const struct wa_cmd_entry *
wa_replay_find(const char *name)
{
	for (size_t i = 0; i < sizeof wa_replay_cmds /
	    sizeof wa_replay_cmds[0]; i++)
		if (strcmp(wa_replay_cmds[i]->name, name) == 0)
			return wa_replay_cmds[i];
	return NULL;
}

int
wa_replay(const char *answer, size_t len, bool json,
    const char *const *argv, FILE *out)
{
	const struct wa_cmd_entry *e = wa_replay_find(argv[0]);
	FILE *so = stdout, *se = stderr;
	struct wa_cli cli;
	char *args[32];
	int argc, fd, rc;

	if (e == NULL)
		return -1;
	for (argc = 0; argv[argc] != NULL && argc < 31; argc++)
		args[argc] = (char *)argv[argc];
	args[argc] = NULL;
	memset(&cli, 0, sizeof cli);
	cli.json = json;
	cli.no_start = true;
	if (wa_client_open(&cli.c, wa_replay_sock) != 0)
		return -1;
	if ((fd = accept(wa_replay_fd, NULL, NULL)) < 0) {
		wa_client_close(cli.c);
		return -1;
	}
	wa_replay_load(fd, answer, len);
	optind = 0;
	/* The commands print to stdout and stderr: glibc lets us point
	 * them elsewhere, and the sanitizers keep writing to fd 2. */
	fflush(stdout);
	stdout = stderr = out;
	rc = wa_cmd_run(&cli, e, argc, args);
	fflush(out);
	stdout = so;
	stderr = se;
	close(fd);
	wa_client_close(cli.c);
	free(cli.socket);
	return rc;
}

void
wa_replay_done(void)
{
	if (wa_replay_fd >= 0)
		close(wa_replay_fd);
	wa_replay_fd = -1;
	unlink(wa_replay_sock);
	rmdir(wa_replay_tmp);
}
