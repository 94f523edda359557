/*
 * test_srv_readonly.c: the daemon's state built read-only, as the
 * client's offline mode builds it, runs only the ops flagged
 * WA_OP_OFFLINE; every other op, writes first, is refused unavailable and
 * the ledger file stays as it was, byte for byte.  (The client never
 * sends them there: this is the dispatcher's own guard.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "optab.h"
#include "srv.h"
#include "util.h"

static char dir[] = "/tmp/wa-srv-ro-XXXXXX";
static char db[128];

static void
wa_init_ro(struct wa_daemon *d)
{
	char err[512];

	memset(d, 0, sizeof *d);
	d->cfg.readonly = true;
	d->cfg.catalog_dirs[0] = WA_SOURCE_CATALOG;
	d->cfg.ncatalog_dirs = 1;
	d->db_path = strdup(db);
	assert_int_equal(wa_daemon_init(d, NULL, err, sizeof err), 0);
}

/* The answer's error code, or "ok". */
static char *
wa_run(struct wa_daemon *d, const char *line)
{
	struct wa_peer peer = { 0, 0, getpid() };
	struct wa_answer a;
	json_t *r;
	char *code;
	int flags;

	wa_dispatch(d, &peer, line, strlen(line), &flags, &a);
	r = json_loadb(a.text, a.len, 0, NULL);
	assert_non_null(r);
	code = strdup(json_is_true(json_object_get(r, "ok")) ? "ok" :
	    json_string_value(json_object_get(json_object_get(r, "error"),
	    "code")));
	json_decref(r);
	wa_answer_clear(&a);
	return code;
}

static void
test_only_offline_ops(void **state)
{
	static const char *const refused[] = {
		"{\"op\":\"lease\",\"product\":\"apim\",\"name\":\"b\"}",
		"{\"op\":\"release\",\"name\":\"a\"}",
		"{\"op\":\"renew\",\"name\":\"a\",\"ttl\":60}",
		"{\"op\":\"attach\",\"name\":\"a\",\"pid\":1}",
		"{\"op\":\"next\",\"product\":\"apim\"}",
		"{\"op\":\"ports\"}",
		"{\"op\":\"status\"}",
		"{\"op\":\"metrics\"}",
		"{\"op\":\"shutdown\"}",
	};
	static const char *const ran[][2] = {
		{ "{\"op\":\"list\"}", "ok" },
		{ "{\"op\":\"show\",\"name\":\"a\"}", "not_found" },
		{ "{\"op\":\"who\",\"port\":9443}", "not_found" },
		{ "{\"op\":\"history\"}", "ok" },
	};
	struct wa_daemon d;
	size_t len0, len1;
	char *before, *after, *code;

	(void)state;
	before = wa_file_read(db, &len0);
	assert_non_null(before);
	wa_init_ro(&d);
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		code = wa_run(&d, refused[i]);
		assert_string_equal(code, "unavailable");
		free(code);
	}
	for (size_t i = 0; i < sizeof ran / sizeof ran[0]; i++) {
		code = wa_run(&d, ran[i][0]);
		assert_string_equal(code, ran[i][1]);
		free(code);
	}
	wa_daemon_free(&d);
	after = wa_file_read(db, &len1);
	assert_non_null(after);
	assert_true(len0 == len1 && memcmp(before, after, len0) == 0);
	free(before);
	free(after);
}

/* The table's flags say the same. */
static void
test_flags(void **state)
{
	(void)state;
	assert_true(wa_op_flags("list") & WA_OP_OFFLINE);
	assert_true(wa_op_flags("who") & WA_OP_OFFLINE);
	assert_false(wa_op_flags("lease") & WA_OP_OFFLINE);
	assert_int_equal(wa_op_flags("nonesuch"), 0);
}

/* An empty ledger, made by a writer. */
static int
setup(void **state)
{
	struct wa_ledger_opts lo = { .sync = WA_SYNC_FULL };
	struct wa_ledger *l;

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(db, sizeof db, "%s/ledger.db", dir);
	if (wa_ledger_open(&l, db, &lo, NULL, 0) != 0)
		return -1;
	wa_ledger_close(l);
	return 0;
}

static int
teardown(void **state)
{
	char p[160];

	(void)state;
	for (const char *s = ""; s != NULL; s = *s == '\0' ? "-wal" :
	    strcmp(s, "-wal") == 0 ? "-shm" : strcmp(s, "-shm") == 0 ?
	    ".lock" : NULL) {
		snprintf(p, sizeof p, "%s%s", db, s);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_offline_ops),
		cmocka_unit_test(test_flags),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
