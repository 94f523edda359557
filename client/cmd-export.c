/*
 * cmd-export.c: wso2-alloc export --prometheus [FILE|-] [--every SECS]: a
 * node_exporter textfile of what an operator alerts on: the daemon's
 * metrics op (leases by product and state, the offsets each product can
 * still get, refusals, reclaims and expiries since its start, the
 * ledger), what check finds on the host, and when the file was written.
 * Labels are products, states, reasons and kinds only: a bounded set.
 * With --every the file is rewritten every SECS seconds until a signal.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "safeio.h"
#include "util.h"

static const struct option wa_export_opts[] = {
	{ "prometheus", no_argument, NULL, 'p' },
	{ "every", required_argument, NULL, 'e' },
	{ NULL, 0, NULL, 0 }
};

static const char *const wa_export_states[] = { "active", "released",
	"expired", "reclaimed" };
static const char *const wa_export_reasons[] = { "conflict", "exhausted",
	"forbidden" };

#define WA_NELEM(a) (sizeof (a) / sizeof (a)[0])

static volatile sig_atomic_t wa_export_stop;

static void
wa_export_signal(int sig)
{
	(void)sig;
	wa_export_stop = 1;
}

static void
wa_prom_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP wso2_alloc_%s %s\n# TYPE wso2_alloc_%s %s\n", name,
	    help, name, type);
}

/* A label value as the text format wants it: \, " and newline escaped. */
static void
wa_prom_value(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
}

/* name{label="value"} n, or name n without a label. */
static void
wa_prom_sample(FILE *f, const char *name, const char *label,
    const char *value, long long n)
{
	fprintf(f, "wso2_alloc_%s", name);
	if (label != NULL) {
		fprintf(f, "{%s=\"", label);
		wa_prom_value(f, value);
		fputs("\"}", f);
	}
	fprintf(f, " %lld\n", n);
}

static void
wa_export_leases(FILE *f, const json_t *m)
{
	const json_t *leases = json_object_get(m, "leases");
	const char *k;
	json_t *v;

	wa_prom_head(f, "leases", "gauge", "Leases in the ledger by product "
	    "and state (each name counts once, in its last state).");
	json_object_foreach((json_t *)leases, k, v)
		for (size_t i = 0; i < WA_NELEM(wa_export_states); i++) {
			fputs("wso2_alloc_leases{product=\"", f);
			wa_prom_value(f, k);
			fprintf(f, "\",state=\"%s\"} %lld\n",
			    wa_export_states[i],
			    wa_json_int(v, wa_export_states[i], 0));
		}
	wa_prom_head(f, "leases_active", "gauge", "Active leases per "
	    "product.");
	json_object_foreach((json_t *)leases, k, v)
		wa_prom_sample(f, "leases_active", "product", k,
		    wa_json_int(v, "active", 0));
	wa_prom_head(f, "ports_leased", "gauge", "Ports held by active "
	    "leases.");
	wa_prom_sample(f, "ports_leased", NULL, NULL,
	    wa_json_int(m, "ports_leased", 0));
	wa_prom_head(f, "free_offsets", "gauge", "Offsets a new lease of the "
	    "product's default ports could still get from the daemon.");
	json_object_foreach(json_object_get(m, "free_offsets"), k, v)
		wa_prom_sample(f, "free_offsets", "product", k,
		    (long long)json_integer_value(v));
}

static void
wa_export_counters(FILE *f, const json_t *m)
{
	const json_t *r = json_object_get(m, "refusals");

	wa_prom_head(f, "refusals_total", "counter", "Leases, releases, "
	    "renewals and attaches refused since the daemon started, by "
	    "reason.");
	for (size_t i = 0; i < WA_NELEM(wa_export_reasons); i++)
		wa_prom_sample(f, "refusals_total", "reason",
		    wa_export_reasons[i], wa_json_int(r, wa_export_reasons[i],
		    0));
	wa_prom_head(f, "leases_reclaimed_total", "counter", "Pid-bound "
	    "leases reclaimed since the daemon started (their process "
	    "exited).");
	wa_prom_sample(f, "leases_reclaimed_total", NULL, NULL,
	    wa_json_int(m, "reclaimed", 0));
	wa_prom_head(f, "leases_expired_total", "counter", "Leases whose ttl "
	    "ran out since the daemon started.");
	wa_prom_sample(f, "leases_expired_total", NULL, NULL,
	    wa_json_int(m, "expired", 0));
}

static void
wa_export_daemon(FILE *f, const json_t *m)
{
	wa_prom_head(f, "daemon_info", "gauge", "The daemon that answered: "
	    "its version and mode (system or private).");
	fputs("wso2_alloc_daemon_info{version=\"", f);
	wa_prom_value(f, wa_json_str(m, "version"));
	fputs("\",mode=\"", f);
	wa_prom_value(f, wa_json_str(m, "mode"));
	fputs("\"} 1\n", f);
	wa_prom_head(f, "daemon_start_time_seconds", "gauge", "When the "
	    "daemon started, in seconds since the epoch.");
	fprintf(f, "wso2_alloc_daemon_start_time_seconds %.3f\n",
	    wa_json_int(m, "started_ms", 0) / 1000.0);
	/* A gauge: retention prunes the history, so it goes down too. */
	wa_prom_head(f, "ledger_events", "gauge", "Events in the ledger's "
	    "history.");
	wa_prom_sample(f, "ledger_events", NULL, NULL,
	    wa_json_int(m, "events", 0));
	wa_prom_head(f, "ledger_size_bytes", "gauge", "Size of the ledger's "
	    "files: the database and its write-ahead log.");
	wa_prom_sample(f, "ledger_size_bytes", "file", "db",
	    wa_json_int(m, "ledger_bytes", 0));
	wa_prom_sample(f, "ledger_size_bytes", "file", "wal",
	    wa_json_int(m, "wal_bytes", 0));
	wa_prom_head(f, "ledger_last_commit_timestamp_seconds", "gauge",
	    "When a ledger transaction last committed, in seconds since the "
	    "epoch.");
	fprintf(f, "wso2_alloc_ledger_last_commit_timestamp_seconds %.3f\n",
	    wa_json_int(m, "last_commit_ms", 0) / 1000.0);
}

/* check's findings by kind; every kind is written, 0 when none. */
static void
wa_export_check(FILE *f, const json_t *findings)
{
	const json_t *x;
	size_t i;

	wa_prom_head(f, "check_findings", "gauge", "What wso2-alloc check "
	    "finds on the host now, by kind (owner-dead, foreign, unrecorded, "
	    "ephemeral, missing, unexpected, hidden).");
	for (const char *const *k = wa_check_kinds; *k != NULL; k++) {
		long long n = 0;

		json_array_foreach(findings, i, x)
			n += strcmp(wa_json_str(x, "kind"), *k) == 0;
		wa_prom_sample(f, "check_findings", "kind", *k, n);
	}
}

static void
wa_export_write(FILE *f, const json_t *m, const json_t *findings)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	wa_prom_head(f, "up", "gauge", "Whether wso2-allocd answered.");
	wa_prom_sample(f, "up", NULL, NULL, m != NULL);
	wa_prom_head(f, "export_timestamp_seconds", "gauge", "When this file "
	    "was written, in seconds since the epoch.");
	fprintf(f, "wso2_alloc_export_timestamp_seconds %lld.%03ld\n",
	    (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	if (m != NULL) {
		wa_export_daemon(f, m);
		wa_export_leases(f, m);
		wa_export_counters(f, m);
	}
	if (findings != NULL)
		wa_export_check(f, findings);
}

/* One export: ask, build the text, write it (atomically to a file). */
static int
wa_export_once(struct wa_cli *cli, const char *path)
{
	json_t *m = NULL, *findings = NULL;
	char *text = NULL, why[256] = "out of memory";
	size_t len = 0, nleases;
	FILE *f = stdout;
	int rc = 0;

	if (wa_cli_request(cli, wa_metrics_req(), &m) != 0) {
		json_decref(m);
		m = NULL;
	}
	if (wa_check_collect(cli, &findings, &nleases) != 0)
		findings = NULL;
	if ((path != NULL || cli->json) &&
	    (f = open_memstream(&text, &len)) == NULL) {
		rc = WA_EXIT_SOFTWARE;
		goto out;
	}
	wa_export_write(f, m, findings);
	if (f == stdout) {
		fflush(stdout);
		goto out;
	}
	if (fclose(f) != 0) {
		rc = WA_EXIT_SOFTWARE;
		goto out;
	}
	/* --json: stdout gets the same metrics, as one object. */
	if (cli->json) {
		json_t *j = wa_prom_json(text);

		wa_json_print(j);
		json_decref(j);
		fflush(stdout);
	}
	/* Written aside and renamed: the collector never reads half. */
	if (path != NULL && wa_safe_write_new(path, text, len, 0644,
	    why, sizeof why) != 0) {
		fprintf(stderr, "wso2-alloc: export: %s: cannot be written: "
		    "%s\n", path, why);
		rc = WA_EXIT_SOFTWARE;
	}
out:
	free(text);
	json_decref(m);
	json_decref(findings);
	/* The next round asks afresh: the daemon may have restarted. */
	wa_client_close(cli->c);
	cli->c = NULL;
	return rc;
}

/* Sleep until secs have passed or a signal asks to stop. */
static void
wa_export_sleep(long secs)
{
	struct timespec left = { secs, 0 };

	while (!wa_export_stop && nanosleep(&left, &left) != 0 &&
	    errno == EINTR)
		;
}

static int
wa_export_exec(struct wa_cli *cli, int argc, char **argv)
{
	struct sigaction sa;
	const char *path = NULL;
	long every = 0;
	char *end;
	int ch, rc;
	bool prom = false;

	while ((ch = getopt_long(argc, argv, "", wa_export_opts, NULL)) != -1)
		switch (ch) {
		case 'p':
			prom = true;
			break;
		case 'e':
			errno = 0;
			every = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || every < 1 ||
			    every > 86400)
				return wa_cli_usage(&wa_cmd_export, "--every: "
				    "1 to 86400 seconds");
			break;
		}
	if (!prom && !cli->json)
		return wa_cli_usage(&wa_cmd_export, "--prometheus or --json "
		    "expected");
	if (optind < argc && strcmp(argv[optind], "-") != 0)
		path = argv[optind];
	/* Observing starts nothing: a daemon that is down says up 0. */
	cli->no_start = true;
	if (every > 0) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = wa_export_signal;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	do {
		rc = wa_export_once(cli, path);
		if (every > 0)
			wa_export_sleep(every);
	} while (every > 0 && !wa_export_stop);
	return every > 0 ? 0 : rc;
}

static const struct wa_cmd_help wa_export_help[] = {
	{ "--prometheus", "the metrics in Prometheus' text format: leases by "
	    "product and state, free offsets, refusals, reclaims, expiries, "
	    "the ledger, check's findings" },
	{ "FILE", "write them to FILE, atomically, for node_exporter's textfile "
	    "collector (default, or -: stdout); with --json, stdout gets them "
	    "as one JSON object" },
	{ "--every SECS", "rewrite them every SECS seconds (1-86400) until "
	    "a signal" },
	{ NULL, NULL }
};

const struct wa_cmd_entry wa_cmd_export = {
	.name = "export", .usage = "--prometheus [FILE|-] [--every SECS]",
	.summary = "write a node_exporter textfile (atomically to FILE)",
	.shortopts = "", .opts = wa_export_opts, .help = wa_export_help,
	.max_args = 1,
	.exec = wa_export_exec,
};
