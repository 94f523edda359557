/*
 * test_ledger.c: the SQLite ledger on real temporary files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ledger.h"
#include "wso2alloc.h"

extern const char *const wa_migrations[];
extern const size_t wa_nmigrations;

static char wa_dir[64], wa_path[128];

static int
wa_setup(void **state)
{
	(void)state;
	strcpy(wa_dir, "/tmp/wa-ledger.XXXXXX");
	if (mkdtemp(wa_dir) == NULL)
		return -1;
	snprintf(wa_path, sizeof wa_path, "%s/ledger.db", wa_dir);
	return 0;
}

static int
wa_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", wa_dir);
	return system(cmd);
}

static struct wa_ledger *
wa_open(void)
{
	struct wa_ledger *l;
	char err[256];

	assert_int_equal(wa_ledger_open(&l, wa_path, NULL, err, sizeof err), 0);
	return l;
}

/* Lease name with one tcp port per entry of ports (0-terminated). */
static int
wa_lease_ports(struct wa_ledger *l, const char *name, int offset,
    const int *ports)
{
	struct wa_lease_port lp[8];
	struct wa_instance in;
	size_t n = 0;

	memset(&in, 0, sizeof in);
	for (; ports[n] != 0; n++)
		lp[n] = (struct wa_lease_port){ "p", (uint16_t)ports[n], WA_TCP };
	in.name = (char *)name;
	in.product = "apim-4";
	in.offset = offset;
	in.owner_uid = 1000;
	in.ports = lp;
	in.nports = n;
	in.labels = "{\"env\":\"dev\"}";
	return wa_ledger_lease(l, &in, WA_EV_LEASED, NULL);
}

static long
wa_count(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long v = -1;

	assert_int_equal(sqlite3_open(wa_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void
test_migrations_from_every_version(void **state)
{
	struct wa_ledger *l;
	sqlite3 *db;
	char sql[64];

	(void)state;
	assert_true(wa_nmigrations >= 2);
	for (size_t from = 0; from < wa_nmigrations; from++) {
		unlink(wa_path);
		assert_int_equal(sqlite3_open(wa_path, &db), SQLITE_OK);
		for (size_t v = 0; v < from; v++) {
			assert_int_equal(sqlite3_exec(db, wa_migrations[v], NULL,
			    NULL, NULL), SQLITE_OK);
			snprintf(sql, sizeof sql, "PRAGMA user_version = %zu",
			    v + 1);
			assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
			    SQLITE_OK);
		}
		sqlite3_close(db);
		l = wa_open();
		assert_int_equal(wa_ledger_schema_version(l),
		    (int)wa_nmigrations);
		/* The latest schema works: home is a column since 002. */
		assert_int_equal(wa_lease_ports(l, "m", 0, (int[]){ 9443, 0 }),
		    0);
		wa_ledger_close(l);
	}
}

static void
test_newer_ledger_refused(void **state)
{
	struct wa_ledger *l;
	sqlite3 *db;
	char err[256], want[64];

	(void)state;
	unlink(wa_path);
	assert_int_equal(sqlite3_open(wa_path, &db), SQLITE_OK);
	sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(wa_ledger_open(&l, wa_path, NULL, err, sizeof err),
	    WA_ESCHEMA);
	assert_non_null(strstr(err, "99"));
	snprintf(want, sizeof want, "%zu", wa_nmigrations);
	assert_non_null(strstr(err, want));
	unlink(wa_path);
}

static int
wa_collect(void *arg, const struct wa_instance *in)
{
	strcat(arg, in->name);
	strcat(arg, ",");
	return 0;
}

static int
wa_collect_ev(void *arg, const struct wa_event *ev)
{
	strcat(arg, wa_event_name(ev->kind));
	strcat(arg, ",");
	return 0;
}

static void
test_round_trip(void **state)
{
	struct wa_ledger *l;
	struct wa_instance in;
	struct wa_portmap *m = malloc(sizeof *m);
	struct wa_ledger_filter f = { NULL, WA_STATE_ACTIVE, -1 };
	char names[256] = "", evs[256] = "", buf[64];
	uint32_t holder;
	long events;

	(void)state;
	unlink(wa_path);
	l = wa_open();
	assert_int_equal(wa_lease_ports(l, "a", 0, (int[]){ 9443, 9763, 0 }), 0);
	assert_int_equal(wa_lease_ports(l, "b", 1, (int[]){ 9444, 0 }), 0);
	assert_int_equal(wa_ledger_find(l, "a", &in), 0);
	assert_int_equal(in.offset, 0);
	assert_int_equal(in.state, WA_STATE_ACTIVE);
	assert_int_equal(in.nports, 2);
	assert_int_equal(in.ports[0].port, 9443);
	assert_string_equal(in.labels, "{\"env\":\"dev\"}");
	assert_true(in.created > 0);
	wa_instance_clear(&in);
	assert_int_equal(wa_ledger_find_port(l, WA_TCP, 9444, &in), 0);
	assert_string_equal(in.name, "b");
	wa_instance_clear(&in);
	assert_int_equal(wa_ledger_find_port(l, WA_UDP, 9444, &in),
	    WA_ENOTFOUND);
	assert_int_equal(wa_ledger_renew(l, "a", 123456789, 1000, 1), 0);
	assert_int_equal(wa_ledger_next_expiry(l), 123456789);
	assert_int_equal(wa_ledger_attach(l, "b", 1, 42, 1000, 1), 0);
	assert_int_equal(wa_ledger_find(l, "b", &in), 0);
	assert_int_equal(in.pid, 1);
	assert_int_equal(in.pid_start, 42);
	wa_instance_clear(&in);
	assert_int_equal(wa_ledger_refused(l, "c", "apim-4", 37, 1000, 1,
	    "{\"port\":8280}"), 0);
	wa_portmap_init(m);
	assert_int_equal(wa_ledger_load(l, m), 0);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 9763, &holder),
	    WA_HOLD_LEASE);
	assert_int_equal(wa_ledger_list(l, &f, wa_collect, names), 0);
	assert_string_equal(names, "a,b,");
	assert_int_equal(wa_ledger_next_name(l, "b", buf, sizeof buf), 0);
	assert_string_equal(buf, "b-1");
	for (int s = WA_STATE_RELEASED; s <= WA_STATE_RECLAIMED; s++) {
		assert_int_equal(wa_lease_ports(l, "x", 5, (int[]){ 100, 0 }), 0);
		assert_int_equal(wa_ledger_end(l, "x", (enum wa_state)s, 0, 0,
		    NULL), 0);
		assert_int_equal(wa_ledger_find(l, "x", &in), 0);
		assert_int_equal(in.state, s);
		assert_int_equal(in.nports, 0);
		wa_instance_clear(&in);
	}
	assert_int_equal(wa_ledger_end(l, "x", WA_STATE_RELEASED, 0, 0, NULL),
	    WA_ENOTFOUND);
	assert_int_equal(wa_ledger_history(l, "x", 0, wa_collect_ev, evs), 0);
	assert_string_equal(evs, "leased,released,leased,expired,leased,"
	    "reclaimed,");
	evs[0] = '\0';
	assert_int_equal(wa_ledger_history(l, "x", 2, wa_collect_ev, evs), 0);
	assert_string_equal(evs, "leased,reclaimed,");
	assert_int_equal(wa_ledger_counts(l, NULL, NULL, &events), 0);
	assert_int_equal(events, 2 + 1 + 1 + 1 + 6);
	free(m);
	wa_ledger_close(l);
}

static void
test_sticky_offset(void **state)
{
	struct wa_ledger *l;
	struct wa_instance in;

	(void)state;
	unlink(wa_path);
	l = wa_open();
	assert_int_equal(wa_lease_ports(l, "s", 7, (int[]){ 9450, 0 }), 0);
	assert_int_equal(wa_ledger_end(l, "s", WA_STATE_RELEASED, 0, 0, NULL), 0);
	assert_int_equal(wa_ledger_find(l, "s", &in), 0);
	assert_int_equal(in.state, WA_STATE_RELEASED);
	assert_int_equal(in.offset, 7);
	wa_instance_clear(&in);
	/* Reactivating the name reuses its row. */
	assert_int_equal(wa_lease_ports(l, "s", 7, (int[]){ 9450, 0 }), 0);
	assert_int_equal(wa_count("SELECT count(*) FROM instances"), 1);
	wa_ledger_close(l);
}

static void
test_unique_refuses_collision(void **state)
{
	struct wa_ledger *l;

	(void)state;
	unlink(wa_path);
	l = wa_open();
	assert_int_equal(wa_lease_ports(l, "a", 0, (int[]){ 8280, 0 }), 0);
	assert_int_equal(wa_lease_ports(l, "b", 37, (int[]){ 8317, 8280, 0 }),
	    WA_ECONFLICT);
	/* Nothing of b was left behind. */
	assert_int_equal(wa_count("SELECT count(*) FROM instances WHERE "
	    "name = 'b'"), 0);
	assert_int_equal(wa_count("SELECT count(*) FROM leased_ports"), 1);
	/* An active name cannot be leased twice either. */
	assert_int_equal(wa_lease_ports(l, "a", 1, (int[]){ 1, 0 }),
	    WA_ECONFLICT);
	wa_ledger_close(l);
}

static void
test_batch_savepoints(void **state)
{
	struct wa_ledger *l;

	(void)state;
	unlink(wa_path);
	l = wa_open();
	assert_int_equal(wa_ledger_begin(l), 0);
	assert_int_equal(wa_ledger_savepoint(l), 0);
	assert_int_equal(wa_lease_ports(l, "one", 0, (int[]){ 10, 0 }), 0);
	assert_int_equal(wa_ledger_savepoint_release(l), 0);
	assert_int_equal(wa_ledger_savepoint(l), 0);
	assert_int_equal(wa_lease_ports(l, "two", 0, (int[]){ 20, 0 }), 0);
	wa_ledger_savepoint_rollback(l);    /* this request only */
	assert_int_equal(wa_ledger_savepoint(l), 0);
	assert_int_equal(wa_lease_ports(l, "three", 0, (int[]){ 10, 0 }),
	    WA_ECONFLICT);
	wa_ledger_savepoint_rollback(l);
	assert_int_equal(wa_ledger_commit(l), 0);
	assert_int_equal(wa_count("SELECT count(*) FROM instances"), 1);
	assert_int_equal(wa_count("SELECT count(*) FROM instances WHERE "
	    "name = 'one'"), 1);
	wa_ledger_close(l);
}

static void
test_disk_full(void **state)
{
	struct wa_ledger *l;
	struct wa_instance in;
	char *note;
	int rc = 0, i;

	(void)state;
	unlink(wa_path);
	l = wa_open();
	assert_int_equal(wa_lease_ports(l, "kept", 0, (int[]){ 5, 0 }), 0);
	assert_int_equal(wa_ledger_exec(l, "PRAGMA max_page_count = 12"), 0);
	note = malloc(3000);
	memset(note, 'n', 2999);
	note[2999] = '\0';
	memset(&in, 0, sizeof in);
	in.product = "apim-4";
	in.note = note;
	for (i = 0; i < 100 && rc == 0; i++) {
		char name[16];

		snprintf(name, sizeof name, "f%d", i);
		in.name = name;
		rc = wa_ledger_lease(l, &in, WA_EV_LEASED, NULL);
	}
	free(note);
	assert_int_equal(rc, WA_EFULL);
	assert_string_equal(wa_strerror(rc), "disk full");
	wa_ledger_close(l);
	/* Everything committed before is still there. */
	l = wa_open();
	assert_int_equal(wa_ledger_find(l, "kept", &in), 0);
	wa_instance_clear(&in);
	wa_ledger_close(l);
}

static void
test_readonly(void **state)
{
	struct wa_ledger_opts o = { WA_SYNC_FULL, 100, true };
	struct wa_ledger *l, *ro;
	struct wa_instance in;

	(void)state;
	unlink(wa_path);
	l = wa_open();
	assert_int_equal(wa_lease_ports(l, "r", 0, (int[]){ 5, 0 }), 0);
	/* A reader does not take the lock: it works beside the daemon. */
	assert_int_equal(wa_ledger_open(&ro, wa_path, &o, NULL, 0), 0);
	assert_int_equal(wa_ledger_find(ro, "r", &in), 0);
	wa_instance_clear(&in);
	assert_int_equal(wa_lease_ports(ro, "w", 0, (int[]){ 6, 0 }),
	    WA_EREADONLY);
	wa_ledger_close(ro);
	wa_ledger_close(l);
}

static void
test_corrupt_file(void **state)
{
	struct wa_ledger *l;
	char err[256];
	FILE *f;

	(void)state;
	unlink(wa_path);
	assert_non_null(f = fopen(wa_path, "w"));
	for (int i = 0; i < 512; i++)
		fputs("this is not a database ", f);
	fclose(f);
	assert_int_equal(wa_ledger_open(&l, wa_path, NULL, err, sizeof err),
	    WA_ECORRUPT);
	assert_non_null(strstr(err, "corrupt"));
	assert_non_null(strstr(err, wa_path));
	unlink(wa_path);
}

static void
test_second_opener_locked(void **state)
{
	struct wa_ledger *l, *l2;
	char err[256];

	(void)state;
	unlink(wa_path);
	l = wa_open();
	assert_int_equal(wa_ledger_open(&l2, wa_path, NULL, err, sizeof err),
	    WA_ELOCKED);
	assert_non_null(strstr(err, "in use by another wso2-allocd"));
	wa_ledger_close(l);
	l = wa_open();
	wa_ledger_close(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations_from_every_version),
		cmocka_unit_test(test_newer_ledger_refused),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_sticky_offset),
		cmocka_unit_test(test_unique_refuses_collision),
		cmocka_unit_test(test_batch_savepoints),
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_corrupt_file),
		cmocka_unit_test(test_second_opener_locked),
	};

	return cmocka_run_group_tests(tests, wa_setup, wa_teardown);
}
