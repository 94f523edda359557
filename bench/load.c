/*
 * load.c: the load generator for wso2-allocd and, for comparison, for
 * portpicker's portserver.  C client processes (each its own pid, as
 * portserver requires) send N requests in all and the figures are
 * printed as one line: requests per second and p50/p99/max latency (of
 * the lease round trip alone for wso2).
 *
 *   load wso2 SOCKET C N [PRODUCT]   each request: lease then release
 *                                    (two round trips on one connection)
 *   load portserver @NAME C N        each request: connect, "<pid>\n",
 *                                    read the port (one per connection)
 *   load list SOCKET N               N list requests, one connection each
 *                                    (as the CLI makes): mean and max time
 *                                    to the answer's last byte
 *   load spawn N CMD [ARG...]        run CMD N times, one after another:
 *                                    process start to exit (a CLI's cold
 *                                    latency), stdout to /dev/null
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
wa_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
wa_dial(const char *path)
{
	struct sockaddr_un sa;
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0';   /* abstract namespace */
	else
		len = sizeof sa;
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, len) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Send a line, read a line; 0 when the answer contains want. */
static int
wa_rpc(int fd, const char *req, const char *want)
{
	static char buf[65536];
	size_t n = 0;
	ssize_t r;

	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
		return -1;
	for (;;) {
		r = recv(fd, buf + n, sizeof buf - 1 - n, 0);
		if (r <= 0)
			return n > 0 && want == NULL ? 0 : -1;
		n += (size_t)r;
		if (memchr(buf, '\n', n) != NULL || n == sizeof buf - 1)
			break;
	}
	buf[n] = '\0';
	return want == NULL || strstr(buf, want) != NULL ? 0 : -1;
}

static int
wa_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One client: count requests, latencies in lat[]. */
static int
wa_client(const char *mode, const char *path, int k, int count,
    const char *product, double *lat)
{
	char req[256], name[64];
	int fd = -1, fails = 0;

	if (strcmp(mode, "wso2") == 0 && (fd = wa_dial(path)) < 0)
		return count;
	for (int i = 0; i < count; i++) {
		double t0 = wa_now();

		if (strcmp(mode, "wso2") == 0) {
			snprintf(name, sizeof name, "load-%d-%d", k, i);
			snprintf(req, sizeof req, "{\"op\":\"lease\",\"product\":"
			    "\"%s\",\"name\":\"%s\"}\n", product, name);
			if (wa_rpc(fd, req, "\"ok\":true") != 0)
				fails++;
			lat[i] = wa_now() - t0;
			snprintf(req, sizeof req, "{\"op\":\"release\",\"name\":"
			    "\"%s\"}\n", name);
			if (wa_rpc(fd, req, "\"ok\":true") != 0)
				fails++;
		} else {
			int pfd = wa_dial(path);

			snprintf(req, sizeof req, "%ld\n", (long)getpid());
			if (pfd < 0 || wa_rpc(pfd, req, NULL) != 0)
				fails++;
			if (pfd >= 0)
				close(pfd);
			lat[i] = wa_now() - t0;
		}
	}
	if (fd >= 0)
		close(fd);
	return fails;
}

/* Time N list round trips, the whole answer read. */
static int
wa_list_bench(const char *path, int n)
{
	static const char req[] = "{\"op\":\"list\"}\n";
	static char buf[1 << 16];
	double sum = 0, max = 0;
	size_t bytes = 0;

	for (int i = 0; i < n; i++) {
		double t0 = wa_now(), t;
		int fd = wa_dial(path);
		ssize_t r = 0;

		bytes = 0;
		if (fd < 0 || send(fd, req, sizeof req - 1, MSG_NOSIGNAL) < 0)
			return 1;
		while ((r = recv(fd, buf, sizeof buf, 0)) > 0) {
			bytes += (size_t)r;
			if (buf[r - 1] == '\n')
				break;
		}
		close(fd);
		if (r <= 0)
			return 1;
		t = wa_now() - t0;
		sum += t;
		max = t > max ? t : max;
	}
	printf("list       requests %6d  mean %8.3f ms  max %8.3f ms  "
	    "answer %zu bytes\n", n, sum / n * 1e3, max * 1e3, bytes);
	return 0;
}

extern char **environ;

/* Time N runs of argv[0]; any failed run fails the benchmark. */
static int
wa_spawn_bench(int n, char **argv)
{
	posix_spawn_file_actions_t fa;
	double *lat, sum = 0;
	int status;
	pid_t pid;

	if ((lat = calloc((size_t)n, sizeof *lat)) == NULL)
		return 70;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	for (int i = 0; i < n; i++) {
		double t0 = wa_now();

		if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0 ||
		    waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "load: %s failed on run %d\n", argv[0],
			    i + 1);
			free(lat);
			return 1;
		}
		lat[i] = wa_now() - t0;
		sum += lat[i];
	}
	posix_spawn_file_actions_destroy(&fa);
	qsort(lat, (size_t)n, sizeof *lat, wa_cmp);
	printf("spawn      runs %6d  mean %8.3f ms  p50 %8.3f ms  max %8.3f ms"
	    "  %s\n", n, sum / n * 1e3, lat[n / 2] * 1e3, lat[n - 1] * 1e3,
	    argv[0]);
	free(lat);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *mode, *path, *product;
	double *lat, t0, elapsed;
	int c, n, per, status, fails = 0;
	size_t total;

	if (argc >= 4 && strcmp(argv[1], "spawn") == 0 && atoi(argv[2]) > 0)
		return wa_spawn_bench(atoi(argv[2]), argv + 3);
	if (argc == 4 && strcmp(argv[1], "list") == 0)
		return wa_list_bench(argv[2], atoi(argv[3]) > 0 ?
		    atoi(argv[3]) : 1);
	if (argc < 5 || (strcmp(argv[1], "wso2") != 0 &&
	    strcmp(argv[1], "portserver") != 0)) {
		fprintf(stderr, "usage: load wso2 SOCKET CLIENTS REQUESTS "
		    "[PRODUCT]\n       load portserver @NAME CLIENTS REQUESTS\n"
		    "       load list SOCKET REQUESTS\n"
		    "       load spawn RUNS COMMAND [ARG...]\n");
		return 64;
	}
	mode = argv[1];
	path = argv[2];
	c = atoi(argv[3]);
	n = atoi(argv[4]);
	product = argc > 5 ? argv[5] : "mi";
	if (c < 1 || n < c)
		return 64;
	per = n / c;
	total = (size_t)per * (size_t)c;
	lat = mmap(NULL, total * sizeof *lat, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (lat == MAP_FAILED)
		return 70;
	t0 = wa_now();
	for (int k = 0; k < c; k++)
		if (fork() == 0)
			_exit(wa_client(mode, path, k, per, product,
			    lat + (size_t)k * (size_t)per) != 0);
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fails++;
	elapsed = wa_now() - t0;
	qsort(lat, total, sizeof *lat, wa_cmp);
	printf("%-10s clients %3d  requests %6zu  %9.0f req/s  p50 %8.3f ms  "
	    "p99 %8.3f ms  max %8.3f ms  failed clients %d\n", mode, c, total,
	    (double)total / elapsed, lat[total / 2] * 1e3,
	    lat[(size_t)((double)total * 0.99)] * 1e3, lat[total - 1] * 1e3,
	    fails);
	munmap(lat, total * sizeof *lat);
	return fails != 0;
}
