/*
 * fuzz_request.c: request framing and dispatch against a real ledger on
 * a temporary file.  Any input is split into lines as the connection
 * does, each line goes through wa_dispatch, and the batch commits: the
 * daemon must answer every line and never crash or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct wa_daemon wa_d;
static uv_loop_t wa_loop;

static void
wa_fuzz_init(void)
{
	static char dir[] = "/tmp/wa-fuzz.XXXXXX";
	char err[512], *db;

	if (mkdtemp(dir) == NULL)
		abort();
	db = malloc(strlen(dir) + 16);
	sprintf(db, "%s/ledger.db", dir);
	wa_d.db_path = db;
	wa_d.socket_path = strdup("/nonexistent");
	wa_d.cfg.sync = WA_SYNC_NORMAL;
	wa_d.cfg.max_offset = WA_OFFSET_MAX;
	wa_d.cfg.catalog_dirs[0] = WA_SOURCE_CATALOG;
	wa_d.cfg.ncatalog_dirs = 1;
	uv_loop_init(&wa_loop);
	if (wa_daemon_init(&wa_d, &wa_loop, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz init: %s\n", err);
		abort();
	}
	/* As srv-main.c starts them (the loop itself never runs here). */
	wa_ckpt_start(&wa_d);
	wa_reaper_start(&wa_d);
	wa_prune_start(&wa_d);
	wa_refused_start(&wa_d);
}

static int
wa_fuzz_name(void *arg, const struct wa_instance *in)
{
	json_t *names = arg;

	json_array_append_new(names, json_string(in->name));
	return 0;
}

/*
 * Release everything once 32 leases are active: leases pile up across
 * inputs, and each one made every later list longer and every
 * per-input leak check slower (2,700 runs a minute instead of 500,000).
 */
static void
wa_fuzz_trim(void)
{
	struct wa_ledger_filter f = { NULL, WA_STATE_ACTIVE, -1 };
	struct wa_peer root = { 0, 0, (pid_t)getpid() };
	struct wa_answer a;
	json_t *names = json_array(), *v;
	char line[128];
	size_t i;
	int flags;

	if (wa_d.cache.n <= 32 ||
	    wa_ledger_list(wa_d.ledger, &f, wa_fuzz_name, names) != 0)
		goto out;
	json_array_foreach(names, i, v) {
		snprintf(line, sizeof line, "{\"op\":\"release\","
		    "\"name\":\"%s\"}", json_string_value(v));
		wa_dispatch(&wa_d, &root, line, strlen(line), &flags, &a);
		wa_answer_clear(&a);
	}
	wa_batch_commit(&wa_d);
out:
	json_decref(names);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wa_peer peer = { 1000, 1000, (pid_t)getpid() };
	const char *p = (const char *)data, *end = p + size, *nl;
	struct wa_answer a;
	int flags;

	if (wa_d.ledger == NULL)
		wa_fuzz_init();
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl - p > 0 && nl - p < WA_MAX_LINE) {
			wa_dispatch(&wa_d, &peer, p, (size_t)(nl - p), &flags,
			    &a);
			/* Every line gets one line of answer, ok or not. */
			if (a.text == NULL || a.len == 0 ||
			    a.text[a.len - 1] != '\n' ||
			    memchr(a.text, '\n', a.len) != a.text + a.len - 1 ||
			    strstr(a.text, "\"ok\":") == NULL)
				abort();
			wa_answer_clear(&a);
		}
		p = nl + 1;
	}
	wa_batch_commit(&wa_d);
	wa_fuzz_trim();
	/* Finished checkpoints report back, as in the daemon's loop. */
	uv_run(&wa_loop, UV_RUN_NOWAIT);
	return 0;
}
