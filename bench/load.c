/*
 * load.c: the load generator for wso2-allocd and, for comparison, for
 * portpicker's portserver.  C client processes (each its own pid, as
 * portserver requires) send N requests in all and the figures are
 * printed as one line: requests per second, p50/p99/max latency (of
 * the lease round trip alone for wso2) and the clients' CPU time per
 * request (user and system, from getrusage of the children).
 *
 *   load wso2 SOCKET C N [PRODUCT]   each request: lease then release
 *                                    (two round trips on one connection)
 *   load portserver @NAME C N        each request: connect, "<pid>\n",
 *                                    read the port (one per connection)
 *                                    N: requests in all, or "SECSs": each
 *                                    client runs that many seconds
 *   load capture SOCKET PRODUCT      the daemon's answers to one lease of
 *                                    PRODUCT and its release, as lines
 *                                    "PRODUCT lease|release JSON" (for
 *                                    bench/noop_server)
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
#include <sys/resource.h>
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

static char wa_answer[65536];   /* the last answer wa_rpc read */

/* Send a line, read a line; 0 when the answer contains want. */
static int
wa_rpc(int fd, const char *req, const char *want)
{
	char *buf = wa_answer;
	size_t n = 0;
	ssize_t r;

	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
		return -1;
	for (;;) {
		r = recv(fd, buf + n, sizeof wa_answer - 1 - n, 0);
		if (r <= 0)
			return n > 0 && want == NULL ? 0 : -1;
		n += (size_t)r;
		if (memchr(buf, '\n', n) != NULL || n == sizeof wa_answer - 1)
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

/* What a run's clients share. */
struct wa_run {
	const char *mode, *path, *product;
	double secs;            /* > 0: each client runs this long */
	size_t per;             /* a client's latency slots: its most requests */
	int ready;              /* a byte from each client once connected */
	int start;              /* EOF: the clock starts */
	int *done;              /* requests each client made */
	double *lat;
};

/* One client: requests until per or the run's time, latencies in lat. */
static int
wa_client(const struct wa_run *r, int k)
{
	char req[256], name[64], b = 0;
	double *lat = r->lat + (size_t)k * r->per, end;
	int fd = -1, fails = 0, wso2 = strcmp(r->mode, "wso2") == 0;
	size_t i;

	if (wso2 && (fd = wa_dial(r->path)) < 0)
		return 1;
	/* Connected before the clock starts: fork and connect are not timed. */
	if (write(r->ready, &b, 1) != 1)
		return 1;
	while (read(r->start, &b, 1) < 0 && errno == EINTR)
		;
	end = wa_now() + r->secs;
	for (i = 0; i < r->per && (r->secs == 0 || wa_now() < end); i++) {
		double t0 = wa_now();

		if (wso2) {
			snprintf(name, sizeof name, "load-%d-%zu", k, i);
			snprintf(req, sizeof req, "{\"op\":\"lease\",\"product\":"
			    "\"%s\",\"name\":\"%s\"}\n", r->product, name);
			if (wa_rpc(fd, req, "\"ok\":true") != 0)
				fails++;
			lat[i] = wa_now() - t0;
			snprintf(req, sizeof req, "{\"op\":\"release\",\"name\":"
			    "\"%s\"}\n", name);
			if (wa_rpc(fd, req, "\"ok\":true") != 0)
				fails++;
		} else {
			int pfd = wa_dial(r->path);

			snprintf(req, sizeof req, "%ld\n", (long)getpid());
			if (pfd < 0 || wa_rpc(pfd, req, NULL) != 0)
				fails++;
			if (pfd >= 0)
				close(pfd);
			lat[i] = wa_now() - t0;
		}
	}
	r->done[k] = (int)i;
	if (fd >= 0)
		close(fd);
	return fails;
}

/* The daemon's answers to a lease and its release, for noop_server:
 * under a name as long as most of the load's and never one of them. */
static int
wa_capture(const char *path, const char *product)
{
	char req[256];
	int fd, rc = 1;

	if ((fd = wa_dial(path)) < 0)
		return 1;
	snprintf(req, sizeof req, "{\"op\":\"lease\",\"product\":\"%s\","
	    "\"name\":\"load-00-000\"}\n", product);
	if (wa_rpc(fd, req, "\"ok\":true") != 0)
		goto out;
	printf("%s lease %s", product, wa_answer);
	if (wa_rpc(fd, "{\"op\":\"release\",\"name\":\"load-00-000\"}\n",
	    "\"ok\":true") != 0)
		goto out;
	printf("%s release %s", product, wa_answer);
	rc = 0;
out:
	close(fd);
	return rc;
}

/* User and system time of the waited-for children, in seconds. */
static double
wa_children_cpu(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_CHILDREN, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
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

/* Fork the clients, start them together once all are connected, and
 * print the run's line. */
static int
wa_load_bench(struct wa_run *r, int c)
{
	int ready[2], start[2], status, fails = 0;
	size_t slots = r->per * (size_t)c, len, total = 0;
	double t0, elapsed;
	char b;

	len = slots * sizeof *r->lat + (size_t)c * sizeof *r->done;
	r->lat = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r->lat == MAP_FAILED || pipe(ready) != 0 || pipe(start) != 0)
		return 70;
	r->done = (int *)(r->lat + slots);
	r->ready = ready[1];
	r->start = start[0];
	for (int k = 0; k < c; k++)
		if (fork() == 0) {
			close(start[1]);
			_exit(wa_client(r, k) != 0);
		}
	close(ready[1]);
	for (int k = 0; k < c && read(ready[0], &b, 1) == 1; k++)
		;
	t0 = wa_now();
	close(start[1]);
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fails++;
	elapsed = wa_now() - t0;
	for (int k = 0; k < c; k++) {
		memmove(r->lat + total, r->lat + (size_t)k * r->per,
		    (size_t)r->done[k] * sizeof *r->lat);
		total += (size_t)r->done[k];
	}
	if (total == 0)
		return 1;
	qsort(r->lat, total, sizeof *r->lat, wa_cmp);
	printf("%-10s clients %3d  requests %6zu  %9.0f req/s  p50 %8.3f ms  "
	    "p99 %8.3f ms  max %8.3f ms  failed clients %d  cpu %8.1f "
	    "us/req\n", r->mode, c, total, (double)total / elapsed,
	    r->lat[total / 2] * 1e3,
	    r->lat[(size_t)((double)total * 0.99)] * 1e3,
	    r->lat[total - 1] * 1e3, fails,
	    wa_children_cpu() / (double)total * 1e6);
	munmap(r->lat, len);
	return fails != 0;
}

int
main(int argc, char **argv)
{
	struct wa_run r;
	char *end;
	double n;
	int c;

	if (argc >= 4 && strcmp(argv[1], "spawn") == 0 && atoi(argv[2]) > 0)
		return wa_spawn_bench(atoi(argv[2]), argv + 3);
	if (argc == 4 && strcmp(argv[1], "capture") == 0)
		return wa_capture(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "list") == 0)
		return wa_list_bench(argv[2], atoi(argv[3]) > 0 ?
		    atoi(argv[3]) : 1);
	if (argc < 5 || (strcmp(argv[1], "wso2") != 0 &&
	    strcmp(argv[1], "portserver") != 0)) {
		fprintf(stderr, "usage: load wso2 SOCKET CLIENTS "
		    "REQUESTS|SECSs [PRODUCT]\n"
		    "       load portserver @NAME CLIENTS REQUESTS|SECSs\n"
		    "       load capture SOCKET PRODUCT\n"
		    "       load list SOCKET REQUESTS\n"
		    "       load spawn RUNS COMMAND [ARG...]\n");
		return 64;
	}
	memset(&r, 0, sizeof r);
	r.mode = argv[1];
	r.path = argv[2];
	r.product = argc > 5 ? argv[5] : "mi";
	c = atoi(argv[3]);
	n = strtod(argv[4], &end);
	if (strcmp(end, "s") == 0 && n > 0 && n <= 600) {
		/* Room for 50,000 requests a second a client, not touched
		 * unless used. */
		r.secs = n;
		r.per = (size_t)(n * 50000) + 1000;
	} else if (*end == '\0' && n >= 1)
		r.per = (size_t)n / (size_t)(c > 0 ? c : 1);
	if (c < 1 || r.per < 1)
		return 64;
	return wa_load_bench(&r, c);
}
