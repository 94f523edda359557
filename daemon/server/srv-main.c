/*
 * srv-main.c: wso2-allocd's entry point: options, paths, start-up, the
 * event loop, signals and an orderly stop.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "srv.h"
#include "util.h"

/* Retention: what `history --limit` can show at most, for half a year. */
#define WA_HISTORY_MAX_AGE    (180L * 86400)
#define WA_HISTORY_MAX_EVENTS 100000L

static void
wa_usage(FILE *f)
{
	fprintf(f,
"usage: wso2-allocd [--user] [--socket PATH] [--db PATH] [--catalog DIR]...\n"
"                   [--sync full|normal] [--group NAME] [--exclude PORTS]\n"
"                   [--min-offset N] [--max-offset N] [--port-ceiling N]\n"
"                   [--max-connections N] [--max-connections-per-uid N]\n"
"                   [--idle-timeout SECS]\n"
"                   [--history-max-age DUR] [--history-max-events N]\n"
"                   [--allow-ephemeral] [--log-level LEVEL] [--foreground]\n"
"\n"
"Hands out collision-free WSO2 port offsets on a Unix socket.\n"
"  --user             per-user daemon: $XDG_RUNTIME_DIR/wso2-alloc/wso2-alloc.sock\n"
"                     and $XDG_STATE_HOME/wso2-alloc/ledger.db\n"
"  --socket PATH      socket (default %s)\n"
"  --db PATH          ledger (default %s)\n"
"  --catalog DIR      product catalog directory (repeatable; replaces the defaults)\n"
"  --sync MODE        full (default: every acknowledged lease survives a power cut)\n"
"                     or normal (survives a crash of the daemon)\n"
"  --group NAME       group that may use the system socket (mode 0660) and\n"
"                     read the ledger (0640, else 0600); with no group\n"
"                     wso2-alloc a root daemon's socket is 0666\n"
"  --exclude PORTS    ports no lease may take, e.g. 8000-8010,9000\n"
"                     (also --exclude-ports)\n"
"  --min-offset N, --max-offset N  offsets granted (default 0-%d)\n"
"  --port-ceiling N   highest port granted (default: below the ephemeral range)\n"
"  --allow-ephemeral  let ports go up to 65535 (each such lease is warned)\n"
"  --max-connections N  clients at once (default 1024; beyond: busy)\n"
"  --max-connections-per-uid N  of one user (default 128); root, the\n"
"                     daemon's user and wso2-alloc are never refused\n"
"  --idle-timeout SECS  close a connection on which nothing moves, not even\n"
"                     its answers (default 300; 0: never)\n"
"  --history-max-age DUR  prune events older than DUR (30d, 12h; default\n"
"                     180d; 0: never)\n"
"  --history-max-events N  keep the newest N events (default %ld; 0: all)\n"
"  --log-level LEVEL  err, warning, notice, info (default) or debug\n"
"  --foreground       accepted for scripts: wso2-allocd never forks\n"
"  --reserve-kernel-ports  put leased ports in ip_local_reserved_ports (root)\n",
	    WA_SYSTEM_SOCKET, WA_SYSTEM_DB, WA_OFFSET_MAX,
	    WA_HISTORY_MAX_EVENTS);
}

static int
wa_num(const char *opt, const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "wso2-allocd: %s: '%s' is not a number in "
		    "%ld-%ld\n", opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int
wa_options(struct wa_config *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", no_argument, NULL, 'u' },
		{ "socket", required_argument, NULL, 's' },
		{ "db", required_argument, NULL, 'd' },
		{ "catalog", required_argument, NULL, 'c' },
		{ "sync", required_argument, NULL, 'y' },
		{ "group", required_argument, NULL, 'g' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "exclude-ports", required_argument, NULL, 'x' },
		{ "allow-ephemeral", no_argument, NULL, 'E' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "foreground", no_argument, NULL, 'F' },
		{ "min-offset", required_argument, NULL, 'm' },
		{ "max-offset", required_argument, NULL, 'M' },
		{ "port-ceiling", required_argument, NULL, 'P' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "max-connections-per-uid", required_argument, NULL, 'K' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "reserve-kernel-ports", no_argument, NULL, 'R' },
		{ "history-max-age", required_argument, NULL, 'A' },
		{ "history-max-events", required_argument, NULL, 'N' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bool ephemeral = false;
	long v;
	int ch;

	c->sync = WA_SYNC_FULL;
	c->max_conns = 1024;
	c->max_conns_uid = 128;
	c->idle_timeout = 300;
	c->min_offset = 0;
	c->max_offset = WA_OFFSET_MAX;
	c->history_max_age = WA_HISTORY_MAX_AGE;
	c->history_max_events = WA_HISTORY_MAX_EVENTS;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'u': c->user = true; break;
		case 'R': c->reserve_kernel_ports = true; break;
		case 's': c->socket_path = optarg; break;
		case 'd': c->db_path = optarg; break;
		case 'c':
			if (c->ncatalog_dirs == 8) {
				fprintf(stderr, "wso2-allocd: at most 8 "
				    "--catalog\n");
				return 64;
			}
			c->catalog_dirs[c->ncatalog_dirs++] = optarg;
			break;
		case 'y':
			if (strcmp(optarg, "full") == 0)
				c->sync = WA_SYNC_FULL;
			else if (strcmp(optarg, "normal") == 0)
				c->sync = WA_SYNC_NORMAL;
			else {
				fprintf(stderr, "wso2-allocd: --sync: full or "
				    "normal\n");
				return 64;
			}
			break;
		case 'g': c->group = optarg; break;
		case 'x': c->exclude = optarg; break;
		case 'E': ephemeral = true; break;
		case 'F': break;
		case 'L':
			if (wa_log_set_level(optarg) != 0) {
				fprintf(stderr, "wso2-allocd: --log-level: err, "
				    "warning, notice, info or debug\n");
				return 64;
			}
			break;
		case 'm': case 'M': case 'P': case 'C': case 'K': case 'i':
			if (wa_num(argv[optind - 1], optarg,
			    ch == 'C' || ch == 'K' ? 1 : 0,
			    ch == 'C' || ch == 'K' ? 100000 : ch == 'i' ? 86400 :
			    65535, &v) != 0)
				return 64;
			if (ch == 'm') c->min_offset = (int)v;
			else if (ch == 'M') c->max_offset = (int)v;
			else if (ch == 'P') c->port_ceiling = (int)v;
			else if (ch == 'C') c->max_conns = (size_t)v;
			else if (ch == 'K') c->max_conns_uid = (size_t)v;
			else c->idle_timeout = (unsigned)v;
			break;
		case 'A':
			if (strcmp(optarg, "0") == 0)
				c->history_max_age = 0;
			else if (wa_duration_parse(optarg, &v) == 0)
				c->history_max_age = v;
			else {
				fprintf(stderr, "wso2-allocd: --history-max-age: "
				    "'%s' is not a duration (90d, 12h, 0)\n",
				    optarg);
				return 64;
			}
			break;
		case 'N':
			if (wa_num("--history-max-events", optarg, 0, 1000000000L,
			    &c->history_max_events) != 0)
				return 64;
			break;
		case 'V': printf("wso2-allocd %s\n", WA_VERSION); return 0;
		case 'h': wa_usage(stdout); return 0;
		default: wa_usage(stderr); return 64;
		}
	}
	/* An explicit ceiling wins over --allow-ephemeral's 65535. */
	if (ephemeral && c->port_ceiling == 0)
		c->port_ceiling = 65535;
	if (optind != argc || c->min_offset > c->max_offset) {
		wa_usage(stderr);
		return 64;
	}
	return -1;
}

static char *
wa_join(const char *dir, const char *file)
{
	size_t n;
	char *p;

	if (dir == NULL)
		return NULL;
	n = strlen(dir) + strlen(file) + 2;
	if ((p = malloc(n)) != NULL)
		snprintf(p, n, "%s/%s", dir, file);
	return p;
}

/* Defaults: system paths, or the per-user ones under --user. */
static int
wa_paths(struct wa_daemon *d)
{
	char *rt = NULL, *st = NULL;
	int rc = 0;

	if (d->cfg.user) {
		rt = wa_user_runtime_dir();
		st = wa_user_state_dir();
	}
	d->socket_path = d->cfg.socket_path != NULL ?
	    strdup(d->cfg.socket_path) : d->cfg.user ?
	    wa_join(rt, "wso2-alloc.sock") : strdup(WA_SYSTEM_SOCKET);
	d->db_path = d->cfg.db_path != NULL ? strdup(d->cfg.db_path) :
	    d->cfg.user ? wa_join(st, "ledger.db") : strdup(WA_SYSTEM_DB);
	if (d->socket_path == NULL || d->db_path == NULL) {
		fprintf(stderr, "wso2-allocd: cannot form the socket or "
		    "ledger path (set HOME or XDG_STATE_HOME)\n");
		rc = 1;
	} else if (d->cfg.db_path == NULL) {
		char *slash, dir[PATH_MAX];

		snprintf(dir, sizeof dir, "%s", d->db_path);
		if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
			*slash = '\0';
			wa_mkdir_p(dir, d->cfg.user ? 0700 : 0755);
		}
	}
	free(rt);
	free(st);
	return rc;
}

/*
 * Every connection is a descriptor: the soft limit goes up to the hard
 * one.  Who always gets in: root, our own user, the service user (root
 * again when it does not exist).
 */
static void
wa_limits(struct wa_daemon *d)
{
	struct passwd *pw;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			wa_log(WA_LOG_WARNING, "cannot raise the open files "
			    "limit: %s", strerror(errno));
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < d->cfg.max_conns + 64)
		wa_log(WA_LOG_WARNING, "open files limit %llu: fewer than "
		    "--max-connections %zu clients fit",
		    (unsigned long long)rl.rlim_cur, d->cfg.max_conns);
	d->self_uid = geteuid();
	d->service_uid = (pw = getpwnam(WA_SERVICE_USER)) != NULL ?
	    pw->pw_uid : 0;
}

static void
wa_close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void
wa_stop(struct wa_daemon *d, const char *why)
{
	if (d->stopping)
		return;
	d->stopping = true;
	wa_log_hold(false);
	wa_log(WA_LOG_NOTICE, "%s: stopping", why);
	wa_notify("STOPPING=1");
	/* What ran is committed; lines read but not run are dropped with
	 * their connections, so the stop waits for one iteration at most. */
	wa_batch_drain(d);
	wa_refused_stop(d);
	uv_close((uv_handle_t *)&d->listener, NULL);
	wa_conn_close_all(d);
	wa_reaper_stop(d);
	wa_prune_stop(d);
	wa_ckpt_stop(d);
	uv_close((uv_handle_t *)&d->committer, NULL);
	uv_close((uv_handle_t *)&d->sigterm, NULL);
	uv_close((uv_handle_t *)&d->sigint, NULL);
	uv_close((uv_handle_t *)&d->sighup, NULL);
	if (d->shutdown_armed)
		uv_close((uv_handle_t *)&d->shutdown, NULL);
}

static void
wa_signal_cb(uv_signal_t *s, int signum)
{
	struct wa_daemon *d = s->data;

	if (signum == SIGHUP)
		wa_catalog_reload(d);
	else
		wa_stop(d, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void
wa_signals(struct wa_daemon *d)
{
	uv_signal_init(d->loop, &d->sigterm);
	uv_signal_init(d->loop, &d->sigint);
	uv_signal_init(d->loop, &d->sighup);
	d->sigterm.data = d->sigint.data = d->sighup.data = d;
	uv_signal_start(&d->sigterm, wa_signal_cb, SIGTERM);
	uv_signal_start(&d->sigint, wa_signal_cb, SIGINT);
	uv_signal_start(&d->sighup, wa_signal_cb, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
}

int
main(int argc, char **argv)
{
	static struct wa_daemon d;
	char err[1024];
	uv_loop_t *loop = uv_default_loop();
	int rc;

	if ((rc = wa_options(&d.cfg, argc, argv)) >= 0)
		return rc;
	/*
	 * Keep freed heap for the next request: giving it back to the
	 * kernel after every burst (brk) cost more than the requests.
	 */
	mallopt(M_TOP_PAD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
	wa_log_init();
	wa_limits(&d);
	if (wa_paths(&d) != 0)
		return 1;
	err[0] = '\0';
	if ((rc = wa_daemon_init(&d, loop, err, sizeof err)) != 0) {
		wa_log(WA_LOG_ERR, "%s", *err ? err : wa_strerror(rc));
		rc = rc == WA_ELOCKED ? 75 : 1;
		goto out;
	}
	/* Loading the catalog and the ledger left freed heap behind: give it
	 * back once (the pads above keep it from then on). */
	malloc_trim(0);
	if ((rc = wa_kernel_init(&d)) != 0) {
		rc = 1;
		goto out;
	}
	if ((rc = wa_listen_open(&d)) != 0) {
		rc = 1;
		goto out;
	}
	wa_conn_start(&d);
	uv_check_init(loop, &d.committer);
	d.committer.data = &d;
	uv_check_start(&d.committer, wa_batch_check_cb);
	wa_signals(&d);
	d.stop = wa_stop;
	wa_ckpt_start(&d);
	wa_reaper_start(&d);
	wa_prune_start(&d);
	wa_refused_start(&d);
	wa_log(WA_LOG_NOTICE, "wso2-allocd %s serving %s, ledger %s (sync "
	    "%s), %zu products, ports below %d", WA_VERSION, d.socket_path,
	    d.db_path, d.cfg.sync == WA_SYNC_FULL ? "full" : "normal",
	    d.cat->nproducts, d.alloc.port_ceiling + 1);
	wa_notify("READY=1");
	wa_log_hold(true);
	uv_run(loop, UV_RUN_DEFAULT);
	wa_log_hold(false);
	wa_listen_remove(&d);
	wa_log(WA_LOG_NOTICE, "stopped");
	rc = 0;
out:
	uv_walk(loop, wa_close_walk, NULL);
	uv_run(loop, UV_RUN_DEFAULT);
	uv_loop_close(loop);
	wa_daemon_free(&d);
	return rc;
}
