/*
 * wa_raw.c: a raw protocol client for the integration tests.
 *
 *   wa_raw SOCKET                 send stdin's lines, print each answer
 *   wa_raw SOCKET --bytes         send stdin as it is, print what comes back
 *   wa_raw SOCKET --half          send stdin without its end, then vanish
 *   wa_raw SOCKET --hold N SECS   open N connections, keep them SECS, print
 *                                 how many were answered "busy"
 *   wa_raw SOCKET --storm C N PRODUCT
 *                                 C processes lease N leases in all; print
 *                                 each acknowledged lease as one JSON line
 *   wa_raw SOCKET --idle SECS     connect, say nothing for SECS, print
 *                                 "closed" if the daemon hung up
 *   wa_raw SOCKET --flood N [FIRST]
 *                                 send N products requests (after the line
 *                                 FIRST), never read; print "closed" once
 *                                 the daemon hangs up
 *   wa_raw --listen PORT SECS     listen on 127.0.0.1:PORT for SECS
 *   wa_raw --notify PATH SECS     receive sd_notify datagrams on PATH
 *                                 ('@' for abstract), print each; stop after
 *                                 SECS without one
 *   wa_raw --activate SOCK PROG ARG...
 *                                 socket activation as systemd does it:
 *                                 listen on SOCK as fd 3, set LISTEN_FDS=1
 *                                 and LISTEN_PID, exec PROG
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int
wa_dial(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int
wa_send(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read one line into buf (at most cap-1 bytes kept). */
static ssize_t
wa_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	char c;

	for (;;) {
		ssize_t r = recv(fd, &c, 1, 0);

		if (r <= 0)
			return n > 0 ? (ssize_t)n : -1;
		if (c == '\n')
			break;
		if (n + 1 < cap)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

static int
wa_lines(const char *path)
{
	static char line[2 * 1024 * 1024], resp[1 << 20];
	int fd = wa_dial(path);

	if (fd < 0) {
		perror("connect");
		return 2;
	}
	while (fgets(line, sizeof line, stdin) != NULL) {
		if (wa_send(fd, line, strlen(line)) != 0 ||
		    wa_line(fd, resp, sizeof resp) < 0) {
			printf("(closed)\n");
			return 0;
		}
		printf("%s\n", resp);
		fflush(stdout);
	}
	close(fd);
	return 0;
}

static int
wa_bytes(const char *path, int half)
{
	char buf[65536];
	size_t n;
	ssize_t r;
	int fd = wa_dial(path);

	if (fd < 0)
		return 2;
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
		if (wa_send(fd, buf, n) != 0)
			break;
	if (half) {
		close(fd);
		return 0;
	}
	shutdown(fd, SHUT_WR);
	while ((r = recv(fd, buf, sizeof buf, 0)) > 0)
		fwrite(buf, 1, (size_t)r, stdout);
	close(fd);
	return 0;
}

static int
wa_hold(const char *path, int n, int secs)
{
	int *fds = calloc((size_t)n, sizeof *fds), busy = 0, open_ = 0;
	char buf[512];

	for (int i = 0; i < n; i++)
		if ((fds[i] = wa_dial(path)) >= 0)
			open_++;
	sleep((unsigned)secs);
	for (int i = 0; i < n; i++) {
		struct timeval tv = { 0, 1000 };

		if (fds[i] < 0)
			continue;
		setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		if (recv(fds[i], buf, sizeof buf - 1, MSG_DONTWAIT) > 0 &&
		    strstr(buf, "\"busy\"") != NULL)
			busy++;
		close(fds[i]);
	}
	printf("open %d busy %d\n", open_, busy);
	free(fds);
	return 0;
}

static int
wa_storm(const char *path, int c, int n, const char *product)
{
	static char resp[1 << 20];
	char req[256];
	int status, fails = 0;

	for (int k = 0; k < c; k++) {
		if (fork() != 0)
			continue;
		int fd = wa_dial(path), mine = n / c + (k < n % c);

		for (int i = 0; fd >= 0 && i < mine; i++) {
			snprintf(req, sizeof req, "{\"op\":\"lease\",\"product\":"
			    "\"%s\",\"name\":\"storm-%d-%d\"}\n", product, k, i);
			if (wa_send(fd, req, strlen(req)) != 0 ||
			    wa_line(fd, resp, sizeof resp) < 0)
				_exit(1);
			/* One line per acknowledged lease, for the checker. */
			if (strstr(resp, "\"ok\":true") != NULL) {
				printf("%s\n", resp);
				fflush(stdout);
			}
		}
		_exit(fd < 0);
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fails++;
	return fails != 0;
}

static int
wa_idle(const char *path, int secs)
{
	char c;
	int fd = wa_dial(path);

	if (fd < 0)
		return 2;
	sleep((unsigned)secs);
	printf("%s\n", recv(fd, &c, 1, MSG_DONTWAIT) == 0 ? "closed" : "open");
	return 0;
}

/* A client that asks and never reads: the daemon must drop it. */
static int
wa_flood(const char *path, int n, const char *first)
{
	static const char req[] = "{\"op\":\"products\"}\n";
	size_t len = sizeof req - 1, off = 0, total;
	char *buf;
	int fd = wa_dial(path), i = 0;
	ssize_t w;

	if (fd < 0)
		return 2;
	/* A write first makes the answers wait for its batch's commit; all
	 * of it in as few sends as possible, so one read sees many lines. */
	total = (first != NULL ? strlen(first) + 1 : 0) + (size_t)n * len;
	if ((buf = malloc(total)) == NULL)
		return 2;
	if (first != NULL) {
		memcpy(buf, first, strlen(first));
		buf[strlen(first)] = '\n';
		off = strlen(first) + 1;
	}
	for (i = 0; i < n; i++)
		memcpy(buf + off + (size_t)i * len, req, len);
	for (off = 0; off < total; off += (size_t)w)
		if ((w = send(fd, buf + off, total - off, MSG_NOSIGNAL)) <= 0)
			break;
	i = (int)((off > total ? total : off) / len);
	printf("%s after %d requests\n", off < total ? "closed" : "open", i);
	free(buf);
	return 0;
}

static int
wa_listen(int port, int secs)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(fd, 1) != 0) {
		perror("listen");
		return 2;
	}
	printf("listening %d pid %ld\n", port, (long)getpid());
	fflush(stdout);
	sleep((unsigned)secs);
	return 0;
}

static int
wa_notify_recv(const char *path, int secs)
{
	struct sockaddr_un sa;
	struct timeval tv = { secs, 0 };
	socklen_t len;
	char buf[4096];
	ssize_t r;
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	else
		len = sizeof sa;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) != 0) {
		perror("bind");
		return 2;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	printf("ready\n");
	fflush(stdout);
	while ((r = recv(fd, buf, sizeof buf - 1, 0)) >= 0) {
		buf[r] = '\0';
		printf("%s\n", buf);
		fflush(stdout);
	}
	return 0;
}

static int
wa_activate(const char *path, char **argv)
{
	struct sockaddr_un sa;
	char pid[32];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(fd, 128) != 0) {
		perror("listen");
		return 2;
	}
	if (fd != 3) {
		if (dup2(fd, 3) < 0)
			return 2;
		close(fd);
	}
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	setenv("LISTEN_FDS", "1", 1);
	setenv("LISTEN_PID", pid, 1);
	execv(argv[0], argv);
	perror(argv[0]);
	return 127;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--notify") == 0)
		return wa_notify_recv(argv[2], atoi(argv[3]));
	if (argc >= 4 && strcmp(argv[1], "--activate") == 0)
		return wa_activate(argv[2], argv + 3);
	if (argc >= 4 && strcmp(argv[1], "--listen") == 0)
		return wa_listen(atoi(argv[2]), atoi(argv[3]));
	if (argc == 2)
		return wa_lines(argv[1]);
	if (argc == 3 && strcmp(argv[2], "--bytes") == 0)
		return wa_bytes(argv[1], 0);
	if (argc == 3 && strcmp(argv[2], "--half") == 0)
		return wa_bytes(argv[1], 1);
	if (argc == 4 && strcmp(argv[2], "--idle") == 0)
		return wa_idle(argv[1], atoi(argv[3]));
	if ((argc == 4 || argc == 5) && strcmp(argv[2], "--flood") == 0)
		return wa_flood(argv[1], atoi(argv[3]), argc == 5 ? argv[4] :
		    NULL);
	if (argc == 5 && strcmp(argv[2], "--hold") == 0)
		return wa_hold(argv[1], atoi(argv[3]), atoi(argv[4]));
	if (argc == 6 && strcmp(argv[2], "--storm") == 0)
		return wa_storm(argv[1], atoi(argv[3]), atoi(argv[4]), argv[5]);
	fprintf(stderr, "usage: see wa_raw.c\n");
	return 64;
}
