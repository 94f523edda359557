/*
 * wa_flood.c: many connections at once, for the fairness tests.
 *
 *   wa_flood SOCKET --ping
 *       one ping; print "ok MS", "busy MS" or "error MS" (round trip)
 *   wa_flood SOCKET --hold N SECS
 *       open N connections and ping on each; print "held A busy B lost L",
 *       then keep the held ones open SECS seconds
 *   wa_flood SOCKET --pipeline C BYTES LINE SECS
 *       C connections each send LINE repeated, up to BYTES bytes or what
 *       the socket takes, and never read; print "sent C", keep them open
 *       SECS seconds (0: close at once)
 *   wa_flood SOCKET --leases C N PRODUCT PREFIX
 *       C connections each pipeline N leases (PREFIX-k-i) while reading
 *       the answers; print each acknowledged lease's name, one a line
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
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

static double
wa_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Ping on fd; 1: ok, 2: busy, 0: anything else. */
static int
wa_ping_fd(int fd)
{
	static const char req[] = "{\"op\":\"ping\"}\n";
	char buf[512];
	size_t n = 0;
	ssize_t r;

	(void)!send(fd, req, sizeof req - 1, MSG_NOSIGNAL);
	while (n < sizeof buf - 1 && (r = recv(fd, buf + n,
	    sizeof buf - 1 - n, 0)) > 0) {
		n += (size_t)r;
		if (memchr(buf, '\n', n) != NULL)
			break;
	}
	buf[n] = '\0';
	if (strstr(buf, "\"ok\":true") != NULL)
		return 1;
	return strstr(buf, "\"busy\"") != NULL ? 2 : 0;
}

static int
wa_ping(const char *path)
{
	static const char *what[] = { "error", "ok", "busy" };
	double t0 = wa_ms();
	int fd = wa_dial(path), rc = fd < 0 ? 0 : wa_ping_fd(fd);

	printf("%s %.0f\n", what[rc], wa_ms() - t0);
	return 0;
}

static int
wa_hold(const char *path, int n, int secs)
{
	int *fds = calloc((size_t)n, sizeof *fds), held = 0, busy = 0;

	if (fds == NULL)
		return 2;
	for (int i = 0; i < n; i++)
		fds[i] = wa_dial(path);
	for (int i = 0; i < n; i++) {
		int rc = fds[i] < 0 ? 0 : wa_ping_fd(fds[i]);

		held += rc == 1;
		busy += rc == 2;
		if (rc != 1 && fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
	printf("held %d busy %d lost %d\n", held, busy, n - held - busy);
	fflush(stdout);
	sleep((unsigned)secs);
	free(fds);
	return 0;
}

static int
wa_pipeline(const char *path, int c, size_t bytes, const char *line,
    int secs)
{
	size_t len = strlen(line) + 1, n = bytes / len;
	int fds[256];
	char *buf;
	ssize_t w;

	if (c > 256 || n == 0 || (buf = malloc(n * len)) == NULL)
		return 2;
	for (size_t i = 0; i < n; i++) {
		memcpy(buf + i * len, line, len - 1);
		buf[i * len + len - 1] = '\n';
	}
	for (int k = 0; k < c; k++)
		if ((fds[k] = wa_dial(path)) < 0)
			return 2;
	/* As much as each socket takes at once: a queue on every one. */
	for (int k = 0; k < c; k++)
		for (size_t off = 0; off < n * len; off += (size_t)w)
			if ((w = send(fds[k], buf + off, n * len - off,
			    MSG_NOSIGNAL | MSG_DONTWAIT)) <= 0)
				break;
	if (secs == 0)
		for (int k = 0; k < c; k++)
			close(fds[k]);
	printf("sent %d\n", c);
	fflush(stdout);
	free(buf);
	sleep((unsigned)secs);
	return 0;
}

/* Print the name of an acknowledged lease: one write, so the lines of
 * the processes do not mix. */
static void
wa_ack(const char *line)
{
	const char *p = strstr(line, "\"name\":\""), *e;
	char out[128];

	if (strstr(line, "\"ok\":true") == NULL || p == NULL)
		return;
	p += 8;
	if ((e = strchr(p, '"')) == NULL || e - p > 100)
		return;
	snprintf(out, sizeof out, "%.*s\n", (int)(e - p), p);
	(void)!write(1, out, strlen(out));
}

/* Send out[0, outlen) on a new connection as the socket takes it while
 * reading the answers as they come (a pipelining client that reads),
 * until n answers or the end. */
static int
wa_stream(const char *path, const char *out, size_t outlen, long n,
    void (*answer)(const char *))
{
	static char in[1 << 20];
	size_t off = 0, inlen = 0;
	long answered = 0;
	int fd = wa_dial(path);

	if (fd < 0)
		return 1;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (answered < n) {
		struct pollfd p = { fd, POLLIN | (off < outlen ? POLLOUT : 0),
		    0 };
		ssize_t r;
		char *nl;

		if (poll(&p, 1, -1) < 0)
			return 1;
		if ((p.revents & POLLOUT) && (r = send(fd, out + off,
		    outlen - off, MSG_NOSIGNAL)) > 0)
			off += (size_t)r;
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = recv(fd, in + inlen, sizeof in - inlen, 0);
		if (r <= 0 && !(r < 0 && errno == EAGAIN))
			break;
		inlen += r > 0 ? (size_t)r : 0;
		while ((nl = memchr(in, '\n', inlen)) != NULL) {
			*nl = '\0';
			answer(in);
			answered++;
			inlen -= (size_t)(nl + 1 - in);
			memmove(in, nl + 1, inlen);
		}
	}
	close(fd);
	return 0;
}

static int
wa_leases(const char *path, int c, int n, const char *product,
    const char *prefix)
{
	int status;

	for (int k = 0; k < c; k++) {
		char *out;
		size_t len = 0;

		if (fork() != 0)
			continue;
		if ((out = malloc((size_t)n * 256)) == NULL)
			_exit(1);
		for (int i = 0; i < n; i++)
			len += (size_t)snprintf(out + len, 256, "{\"op\":"
			    "\"lease\",\"product\":\"%s\",\"name\":\"%s-%d-%d\"}"
			    "\n", product, prefix, k, i);
		_exit(wa_stream(path, out, len, n, wa_ack));
	}
	while (wait(&status) > 0)
		;
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[2], "--ping") == 0)
		return wa_ping(argv[1]);
	if (argc == 5 && strcmp(argv[2], "--hold") == 0)
		return wa_hold(argv[1], atoi(argv[3]), atoi(argv[4]));
	if (argc == 7 && strcmp(argv[2], "--pipeline") == 0)
		return wa_pipeline(argv[1], atoi(argv[3]),
		    (size_t)atol(argv[4]), argv[5], atoi(argv[6]));
	if (argc == 7 && strcmp(argv[2], "--leases") == 0)
		return wa_leases(argv[1], atoi(argv[3]), atoi(argv[4]),
		    argv[5], argv[6]);
	fprintf(stderr, "usage: see wa_flood.c\n");
	return 64;
}
