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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ledger.h"
#include "util.h"
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

/* A fresh ledger: the database and whatever SQLite kept beside it. */
static void
wa_reset(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char p[160];

	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", wa_path, sfx[i]);
		unlink(p);
	}
}

static struct wa_ledger *
wa_open(void)
{
	struct wa_ledger *l;
	char err[256];

	if (wa_ledger_open(&l, wa_path, NULL, err, sizeof err) != 0)
		fail_msg("%s", err);
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
		wa_reset();
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
	wa_reset();
	assert_int_equal(sqlite3_open(wa_path, &db), SQLITE_OK);
	sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(wa_ledger_open(&l, wa_path, NULL, err, sizeof err),
	    WA_ESCHEMA);
	assert_non_null(strstr(err, "99"));
	snprintf(want, sizeof want, "%zu", wa_nmigrations);
	assert_non_null(strstr(err, want));
	wa_reset();
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
	wa_reset();
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
	assert_int_equal(wa_ledger_renew(l, "a", 0, 123456789, 1000, 1), 0);
	assert_int_equal(wa_ledger_next_expiry(l), 123456789);
	assert_int_equal(wa_ledger_attach(l, "b", 1, 42, 1000, 1), 0);
	assert_int_equal(wa_ledger_find(l, "b", &in), 0);
	assert_int_equal(in.pid, 1);
	assert_int_equal(in.pid_start, 42);
	wa_instance_clear(&in);
	assert_int_equal(wa_ledger_refused(l, &(struct wa_refusal){ "c",
	    "apim-4", 37, 1000, 1, NULL, "{\"port\":8280}" }, 0, NULL,
	    NULL), 0);
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

/* Lease name for product and owner with no labels: "{}" comes back. */
static int
wa_lease_as(struct wa_ledger *l, const char *name, const char *product,
    uid_t uid, int64_t expires, const int *ports)
{
	struct wa_lease_port lp[8];
	struct wa_instance in;
	size_t n = 0;

	memset(&in, 0, sizeof in);
	for (; ports[n] != 0; n++)
		lp[n] = (struct wa_lease_port){ "p", (uint16_t)ports[n],
		    (uint8_t)(n % 2 ? WA_UDP : WA_TCP) };
	in.name = (char *)name;
	in.product = (char *)product;
	in.owner_uid = uid;
	in.expires = expires;
	in.ports = lp;
	in.nports = n;
	return wa_ledger_lease(l, &in, WA_EV_LEASED, NULL);
}

static int
wa_collect_hist(void *arg, const struct wa_event *ev)
{
	char *out = arg;

	sprintf(out + strlen(out), "%s:%s,", ev->instance,
	    wa_event_name(ev->kind));
	return 0;
}

static int
wa_stop_at_second(void *arg, const struct wa_instance *in)
{
	int *seen = arg;

	(void)in;
	return ++*seen == 2 ? 77 : 0;
}

static int
wa_collect_counts(void *arg, const char *product, long active)
{
	char *out = arg;

	sprintf(out + strlen(out), "%s=%ld,", product, active);
	return 0;
}

static int
wa_expire_each(void *arg, const char *name)
{
	struct wa_ledger *l = arg;

	return wa_ledger_end(l, name, WA_STATE_EXPIRED, 0, 0, NULL);
}

static void
test_find_and_list_filters(void **state)
{
	struct wa_ledger *l;
	struct wa_instance in, by_id;
	struct wa_ledger_filter f;
	char out[256];
	int seen = 0;

	(void)state;
	wa_reset();
	l = wa_open();
	/* Ports given out of order come back sorted by port. */
	assert_int_equal(wa_lease_as(l, "k", "mi-4", 1001, 0,
	    (int[]){ 8290, 8253, 9201, 0 }), 0);
	assert_int_equal(wa_lease_as(l, "j", "apim-4", 1001, 0,
	    (int[]){ 9443, 0 }), 0);
	assert_int_equal(wa_lease_as(l, "i", "mi-4", 1002, 0,
	    (int[]){ 8291, 0 }), 0);
	assert_int_equal(wa_ledger_end(l, "i", WA_STATE_RELEASED, 1002, 0,
	    NULL), 0);
	assert_int_equal(wa_ledger_find(l, "k", &in), 0);
	assert_string_equal(in.labels, "{}");
	assert_null(in.home);
	assert_null(in.note);
	assert_int_equal(in.nports, 3);
	assert_int_equal(in.ports[0].port, 8253);
	assert_int_equal(in.ports[1].port, 8290);
	assert_int_equal(in.ports[1].proto, WA_TCP);
	assert_int_equal(in.ports[0].proto, WA_UDP);
	assert_int_equal(in.ports[2].port, 9201);
	assert_int_equal(wa_ledger_find_id(l, in.id, &by_id), 0);
	assert_string_equal(by_id.name, "k");
	assert_int_equal(by_id.nports, 3);
	wa_instance_clear(&by_id);
	assert_int_equal(wa_ledger_find_port(l, WA_UDP, 8253, &by_id), 0);
	assert_int_equal(by_id.id, in.id);
	wa_instance_clear(&by_id);
	wa_instance_clear(&in);
	assert_int_equal(wa_ledger_find(l, "nope", &in), WA_ENOTFOUND);
	assert_int_equal(wa_ledger_find_id(l, 424242, &in), WA_ENOTFOUND);
	/* A released instance no longer holds its port. */
	assert_int_equal(wa_ledger_find_port(l, WA_TCP, 8291, &in),
	    WA_ENOTFOUND);

	f = (struct wa_ledger_filter){ "mi-4", -1, -1 };
	out[0] = '\0';
	assert_int_equal(wa_ledger_list(l, &f, wa_collect, out), 0);
	assert_string_equal(out, "i,k,");
	f = (struct wa_ledger_filter){ NULL, -1, 1001 };
	out[0] = '\0';
	assert_int_equal(wa_ledger_list(l, &f, wa_collect, out), 0);
	assert_string_equal(out, "j,k,");
	f = (struct wa_ledger_filter){ "mi-4", WA_STATE_RELEASED, 1002 };
	out[0] = '\0';
	assert_int_equal(wa_ledger_list(l, &f, wa_collect, out), 0);
	assert_string_equal(out, "i,");
	f = (struct wa_ledger_filter){ "apim-4", WA_STATE_RELEASED, -1 };
	out[0] = '\0';
	assert_int_equal(wa_ledger_list(l, &f, wa_collect, out), 0);
	assert_string_equal(out, "");
	out[0] = '\0';
	assert_int_equal(wa_ledger_list(l, NULL, wa_collect, out), 0);
	assert_string_equal(out, "i,j,k,");
	/* The callback's non-zero value stops the walk and comes back. */
	assert_int_equal(wa_ledger_list(l, NULL, wa_stop_at_second, &seen), 77);
	assert_int_equal(seen, 2);

	out[0] = '\0';
	assert_int_equal(wa_ledger_counts(l, wa_collect_counts, out, NULL), 0);
	assert_string_equal(out, "apim-4=1,mi-4=1,");
	wa_ledger_close(l);
}

static void
test_history_all_instances(void **state)
{
	struct wa_ledger *l;
	char out[512];

	(void)state;
	wa_reset();
	l = wa_open();
	assert_int_equal(wa_lease_as(l, "h1", "mi-4", 0, 0, (int[]){ 1, 0 }),
	    0);
	assert_int_equal(wa_lease_as(l, "h2", "mi-4", 0, 0, (int[]){ 2, 0 }),
	    0);
	assert_int_equal(wa_ledger_renew(l, "h1", 0, 0, 0, 0), 0);
	assert_int_equal(wa_ledger_end(l, "h2", WA_STATE_RECLAIMED, 0, 0,
	    "{\"why\":\"dead\"}"), 0);
	assert_int_equal(wa_ledger_refused(l, &(struct wa_refusal){ "h3",
	    "mi-4", -1, 0, 0, NULL, NULL }, 0, NULL, NULL), 0);
	out[0] = '\0';
	assert_int_equal(wa_ledger_history(l, NULL, 0, wa_collect_hist, out),
	    0);
	assert_string_equal(out, "h1:leased,h2:leased,h1:renewed,"
	    "h2:reclaimed,h3:refused,");
	out[0] = '\0';
	assert_int_equal(wa_ledger_history(l, NULL, 3, wa_collect_hist, out),
	    0);
	assert_string_equal(out, "h1:renewed,h2:reclaimed,h3:refused,");
	out[0] = '\0';
	assert_int_equal(wa_ledger_history(l, "h1", 10, wa_collect_hist, out),
	    0);
	assert_string_equal(out, "h1:leased,h1:renewed,");
	out[0] = '\0';
	assert_int_equal(wa_ledger_history(l, "none", 0, wa_collect_hist,
	    out), 0);
	assert_string_equal(out, "");
	/* h3 refused before it had a row, then leased; h1 refused while
	 * it has one: each history holds its refusal. */
	assert_int_equal(wa_lease_as(l, "h3", "mi-4", 0, 0, (int[]){ 3, 0 }),
	    0);
	assert_int_equal(wa_ledger_refused(l, &(struct wa_refusal){ "h1",
	    "mi-4", -1, 0, 0, NULL, NULL }, 0, NULL, NULL), 0);
	out[0] = '\0';
	assert_int_equal(wa_ledger_history(l, "h3", 10, wa_collect_hist, out),
	    0);
	assert_string_equal(out, "h3:refused,h3:leased,");
	out[0] = '\0';
	assert_int_equal(wa_ledger_history(l, "h1", 10, wa_collect_hist, out),
	    0);
	assert_string_equal(out, "h1:leased,h1:renewed,h1:refused,");
	/* Renew and attach only touch active leases. */
	assert_int_equal(wa_ledger_renew(l, "h2", 0, 0, 0, 0), WA_ENOTFOUND);
	assert_int_equal(wa_ledger_attach(l, "h2", 1, 1, 0, 0), WA_ENOTFOUND);
	assert_int_equal(wa_ledger_end(l, "h1", WA_STATE_ACTIVE, 0, 0, NULL),
	    WA_EINVAL);
	wa_ledger_close(l);
}

static void
test_next_name(void **state)
{
	struct wa_ledger *l;
	char buf[32];

	(void)state;
	wa_reset();
	l = wa_open();
	assert_int_equal(wa_ledger_next_name(l, "mi", buf, sizeof buf), 0);
	assert_string_equal(buf, "mi-1");
	assert_int_equal(wa_lease_as(l, "mi-1", "mi-4", 0, 0, (int[]){ 0 }), 0);
	assert_int_equal(wa_lease_as(l, "mi-2", "mi-4", 0, 0, (int[]){ 0 }), 0);
	assert_int_equal(wa_lease_as(l, "mi-4", "mi-4", 0, 0, (int[]){ 0 }), 0);
	/* Names that only look alike do not count. */
	assert_int_equal(wa_lease_as(l, "mi-03", "mi-4", 0, 0, (int[]){ 0 }),
	    0);
	assert_int_equal(wa_lease_as(l, "mi-3x", "mi-4", 0, 0, (int[]){ 0 }),
	    0);
	assert_int_equal(wa_lease_as(l, "mix-3", "mi-4", 0, 0, (int[]){ 0 }),
	    0);
	/* Any state holds the name: a released mi-2 keeps its number. */
	assert_int_equal(wa_ledger_end(l, "mi-2", WA_STATE_RELEASED, 0, 0,
	    NULL), 0);
	assert_int_equal(wa_ledger_next_name(l, "mi", buf, sizeof buf), 0);
	assert_string_equal(buf, "mi-3");
	assert_int_equal(wa_lease_as(l, "mi-3", "mi-4", 0, 0, (int[]){ 0 }), 0);
	assert_int_equal(wa_ledger_next_name(l, "mi", buf, sizeof buf), 0);
	assert_string_equal(buf, "mi-5");
	assert_int_equal(wa_ledger_next_name(l, "mi", buf, 4), WA_EINVAL);
	wa_ledger_close(l);
}

static void
test_expiry(void **state)
{
	struct wa_ledger *l;
	struct wa_instance in;
	char out[128];

	(void)state;
	wa_reset();
	l = wa_open();
	assert_int_equal(wa_ledger_next_expiry(l), 0);
	assert_int_equal(wa_lease_as(l, "forever", "mi-4", 0, 0,
	    (int[]){ 10, 0 }), 0);
	assert_int_equal(wa_ledger_next_expiry(l), 0);
	assert_int_equal(wa_lease_as(l, "late", "mi-4", 0, 3000,
	    (int[]){ 11, 0 }), 0);
	assert_int_equal(wa_lease_as(l, "early", "mi-4", 0, 1000,
	    (int[]){ 12, 0 }), 0);
	assert_int_equal(wa_lease_as(l, "mid", "mi-4", 0, 2000,
	    (int[]){ 13, 0 }), 0);
	assert_int_equal(wa_ledger_next_expiry(l), 1000);
	/* The callback ends each as it goes; "late" is not due yet. */
	assert_int_equal(wa_ledger_expired(l, 2000, wa_expire_each, l), 0);
	assert_int_equal(wa_ledger_next_expiry(l), 3000);
	assert_int_equal(wa_ledger_find(l, "mid", &in), 0);
	assert_int_equal(in.state, WA_STATE_EXPIRED);
	assert_int_equal(in.nports, 0);
	wa_instance_clear(&in);
	assert_int_equal(wa_ledger_find(l, "late", &in), 0);
	assert_int_equal(in.state, WA_STATE_ACTIVE);
	wa_instance_clear(&in);
	out[0] = '\0';
	assert_int_equal(wa_ledger_history(l, NULL, 2, wa_collect_hist, out),
	    0);
	assert_string_equal(out, "early:expired,mid:expired,");
	wa_ledger_close(l);
}

static void
test_load_portmap(void **state)
{
	struct wa_portmap *m = malloc(sizeof *m);
	struct wa_ledger *l;
	struct wa_instance a, b;
	uint32_t holder;

	(void)state;
	assert_non_null(m);
	wa_reset();
	l = wa_open();
	assert_int_equal(wa_lease_as(l, "la", "mi-4", 0, 0,
	    (int[]){ 8290, 8290, 0 }), 0);      /* tcp and udp 8290 */
	assert_int_equal(wa_lease_as(l, "lb", "mi-4", 0, 0,
	    (int[]){ 9443, 0 }), 0);
	assert_int_equal(wa_lease_as(l, "lc", "mi-4", 0, 0,
	    (int[]){ 9444, 0 }), 0);
	assert_int_equal(wa_ledger_end(l, "lc", WA_STATE_RELEASED, 0, 0,
	    NULL), 0);
	assert_int_equal(wa_ledger_find(l, "la", &a), 0);
	assert_int_equal(wa_ledger_find(l, "lb", &b), 0);
	wa_portmap_init(m);
	/* A stale lease in the map is forgotten: the ledger is the truth. */
	assert_int_equal(wa_portmap_lease(m, WA_TCP, 7000, 99), 0);
	assert_int_equal(wa_ledger_load(l, m), 0);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 8290, &holder),
	    WA_HOLD_LEASE);
	assert_int_equal(holder, (uint32_t)a.id);
	assert_int_equal(wa_portmap_state(m, WA_UDP, 8290, &holder),
	    WA_HOLD_LEASE);
	assert_int_equal(holder, (uint32_t)a.id);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 9443, &holder),
	    WA_HOLD_LEASE);
	assert_int_equal(holder, (uint32_t)b.id);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 9444, &holder),
	    WA_HOLD_FREE);
	assert_int_equal(wa_portmap_state(m, WA_TCP, 7000, &holder),
	    WA_HOLD_FREE);
	wa_instance_clear(&a);
	wa_instance_clear(&b);
	free(m);
	wa_ledger_close(l);
}

static void
test_sticky_offset(void **state)
{
	struct wa_ledger *l;
	struct wa_instance in;

	(void)state;
	wa_reset();
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
	wa_reset();
	l = wa_open();
	assert_int_equal(wa_lease_ports(l, "a", 0, (int[]){ 8280, 0 }), 0);
	assert_int_equal(wa_lease_ports(l, "b", 37, (int[]){ 8317, 8280, 0 }),
	    WA_ECONFLICT);
	/* Nothing of b was left behind: no row, no port, no event. */
	assert_int_equal(wa_count("SELECT count(*) FROM instances WHERE "
	    "name = 'b'"), 0);
	assert_int_equal(wa_count("SELECT count(*) FROM leased_ports"), 1);
	assert_int_equal(wa_count("SELECT count(*) FROM events"), 1);
	/* A released b's sticky row is not spoilt by a refused re-lease. */
	assert_int_equal(wa_lease_ports(l, "b", 37, (int[]){ 8317, 0 }), 0);
	assert_int_equal(wa_ledger_end(l, "b", WA_STATE_RELEASED, 0, 0, NULL),
	    0);
	assert_int_equal(wa_lease_ports(l, "b", 38, (int[]){ 8280, 0 }),
	    WA_ECONFLICT);
	assert_int_equal(wa_count("SELECT offset FROM instances WHERE "
	    "name = 'b' AND state = 'released'"), 37);
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
	wa_reset();
	l = wa_open();
	assert_int_equal(wa_ledger_begin(l), 0);
	assert_int_equal(wa_ledger_savepoint(l), 0);
	assert_int_equal(wa_lease_ports(l, "one", 0, (int[]){ 10, 0 }), 0);
	assert_int_equal(wa_ledger_savepoint_release(l), 0);
	assert_int_equal(wa_ledger_savepoint(l), 0);
	assert_int_equal(wa_lease_ports(l, "two", 0, (int[]){ 20, 0 }), 0);
	wa_ledger_savepoint_rollback(l);    /* this request only */
	assert_int_equal(wa_ledger_savepoint(l), 0);
	/* Its row and its first port were written before the conflict:
	 * the request's rollback takes them back. */
	assert_int_equal(wa_lease_ports(l, "three", 0, (int[]){ 30, 10, 0 }),
	    WA_ECONFLICT);
	wa_ledger_savepoint_rollback(l);
	/* Outside a request (the reaper's writes), a write takes back its
	 * own half. */
	assert_int_equal(wa_lease_ports(l, "four", 0, (int[]){ 40, 10, 0 }),
	    WA_ECONFLICT);
	assert_int_equal(wa_ledger_commit(l), 0);
	assert_int_equal(wa_count("SELECT count(*) FROM instances"), 1);
	assert_int_equal(wa_count("SELECT count(*) FROM instances WHERE "
	    "name = 'one'"), 1);
	assert_int_equal(wa_count("SELECT count(*) FROM leased_ports"), 1);
	assert_int_equal(wa_count("SELECT count(*) FROM events"), 1);
	wa_ledger_close(l);
}

/* A ledger of schema version v, made with the migrations up to v only,
 * then sql run on it. */
static void
wa_make_version(size_t v, const char *sql)
{
	sqlite3 *db;
	char pragma[64];

	wa_reset();
	assert_int_equal(sqlite3_open(wa_path, &db), SQLITE_OK);
	for (size_t i = 0; i < v; i++)
		assert_int_equal(sqlite3_exec(db, wa_migrations[i], NULL, NULL,
		    NULL), SQLITE_OK);
	snprintf(pragma, sizeof pragma, "PRAGMA user_version = %zu", v);
	assert_int_equal(sqlite3_exec(db, pragma, NULL, NULL, NULL),
	    SQLITE_OK);
	if (sql != NULL)
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
		    SQLITE_OK);
	sqlite3_close(db);
}

static void
test_port_names_packed(void **state)
{
	struct wa_lease_port lp[3] = { { "b,1=2", 7002, WA_UDP },
	    { "a%2C", 7001, WA_TCP }, { "=", 7002, WA_TCP } };
	struct wa_instance in = { .name = "n", .product = "mi-4",
	    .ports = lp, .nports = 3 }, got;
	struct wa_ledger *l;

	(void)state;
	/* v1 kept port names in rows of their own; v2 packs them into
	 * the lease's row, with the separators escaped. */
	wa_make_version(3, "INSERT INTO instances (id, name, product, offset, "
	    "state, owner_uid, created, renewed) VALUES (5, 'w', 'mi-4', 0, "
	    "'active', 0, 1, 1); INSERT INTO leased_ports VALUES "
	    "(5, 7003, 'tcp', 'x=y'), (5, 7001, 'udp', 'a,b'), "
	    "(5, 7001, 'tcp', '50%')");
	l = wa_open();
	assert_true(wa_ledger_schema_version(l) > 3);
	assert_int_equal(wa_ledger_find(l, "w", &got), 0);
	assert_int_equal(got.nports, 3);
	assert_string_equal(got.ports[0].name, "50%");
	assert_int_equal(got.ports[0].proto, WA_TCP);
	assert_string_equal(got.ports[1].name, "a,b");
	assert_int_equal(got.ports[1].proto, WA_UDP);
	assert_string_equal(got.ports[2].name, "x=y");
	assert_int_equal(got.ports[2].port, 7003);
	wa_instance_clear(&got);
	assert_int_equal(wa_ledger_end(l, "w", WA_STATE_RELEASED, 0, 0, NULL),
	    0);
	assert_int_equal(wa_count("SELECT count(*) FROM leased_ports"), 0);
	/* Written by v2, read back the same, in port and protocol order. */
	assert_int_equal(wa_ledger_lease(l, &in, WA_EV_LEASED, NULL), 0);
	assert_int_equal(wa_ledger_find_port(l, WA_UDP, 7002, &got), 0);
	assert_string_equal(got.name, "n");
	assert_int_equal(got.nports, 3);
	assert_string_equal(got.ports[0].name, "a%2C");
	assert_string_equal(got.ports[1].name, "=");
	assert_string_equal(got.ports[2].name, "b,1=2");
	assert_int_equal(got.ports[2].proto, WA_UDP);
	wa_instance_clear(&got);
	assert_int_equal(wa_count("SELECT count(*) FROM leased_ports WHERE "
	    "instance_id = (SELECT id FROM instances WHERE name = 'n')"), 3);
	assert_int_equal(wa_ledger_end(l, "n", WA_STATE_EXPIRED, 0, 0, NULL),
	    0);
	assert_int_equal(wa_count("SELECT count(*) FROM leased_ports"), 0);
	wa_ledger_close(l);
}

static void
test_disk_full(void **state)
{
	struct wa_ledger *l;
	struct wa_instance in;
	char *note, name[16];
	int rc = 0, i;

	(void)state;
	wa_reset();
	l = wa_open();
	assert_int_equal(wa_lease_ports(l, "kept", 0, (int[]){ 5, 0 }), 0);
	assert_int_equal(wa_ledger_exec(l, "PRAGMA max_page_count = 12"), 0);
	note = malloc(3000);
	memset(note, 'n', 2999);
	note[2999] = '\0';
	memset(&in, 0, sizeof in);
	in.product = "apim-4";
	in.note = note;
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "f%d", i);
		in.name = name;
		if ((rc = wa_ledger_lease(l, &in, WA_EV_LEASED, NULL)) != 0)
			break;
	}
	free(note);
	assert_int_equal(rc, WA_EFULL);
	assert_string_equal(wa_strerror(rc), "disk full");
	assert_true(i > 0);
	/* The failed lease left nothing, and the ledger still reads. */
	assert_int_equal(wa_ledger_find(l, name, &in), WA_ENOTFOUND);
	wa_ledger_close(l);
	/* Everything committed before is still there. */
	l = wa_open();
	assert_int_equal(wa_ledger_find(l, "kept", &in), 0);
	wa_instance_clear(&in);
	for (int j = 0; j < i; j++) {
		snprintf(name, sizeof name, "f%d", j);
		assert_int_equal(wa_ledger_find(l, name, &in), 0);
		assert_int_equal(in.state, WA_STATE_ACTIVE);
		wa_instance_clear(&in);
	}
	assert_int_equal(wa_count("SELECT count(*) FROM events"), i + 1);
	wa_ledger_close(l);
}

static void
test_readonly(void **state)
{
	struct wa_ledger_opts o = { .sync = WA_SYNC_FULL,
	    .busy_timeout_ms = 100, .readonly = true };
	struct wa_ledger *l, *ro;
	struct wa_instance in;

	(void)state;
	wa_reset();
	l = wa_open();
	assert_int_equal(wa_lease_ports(l, "r", 0, (int[]){ 5, 0 }), 0);
	/* A reader does not take the lock: it works beside the daemon. */
	assert_int_equal(wa_ledger_open(&ro, wa_path, &o, NULL, 0), 0);
	assert_int_equal(wa_ledger_find(ro, "r", &in), 0);
	wa_instance_clear(&in);
	assert_int_equal(wa_lease_ports(ro, "w", 0, (int[]){ 6, 0 }),
	    WA_EREADONLY);
	wa_ledger_close(ro);
	/* SQLite's own refusal (root ignores chmod): query_only. */
	assert_int_equal(wa_ledger_exec(l, "PRAGMA query_only = ON"), 0);
	assert_int_equal(wa_lease_ports(l, "w", 0, (int[]){ 6, 0 }),
	    WA_EREADONLY);
	assert_int_equal(wa_ledger_end(l, "r", WA_STATE_RELEASED, 0, 0, NULL),
	    WA_EREADONLY);
	assert_false(wa_ledger_in_tx(l));
	assert_int_equal(wa_ledger_exec(l, "PRAGMA query_only = OFF"), 0);
	assert_int_equal(wa_ledger_find(l, "r", &in), 0);
	assert_int_equal(in.state, WA_STATE_ACTIVE);
	wa_instance_clear(&in);
	assert_int_equal(wa_ledger_find(l, "w", &in), WA_ENOTFOUND);
	wa_ledger_close(l);
}

static void
test_readonly_file(void **state)
{
	struct wa_ledger *l;
	char err[256];
	int rc;

	(void)state;
	if (geteuid() == 0)
		skip();     /* root writes through chmod 0444 */
	wa_reset();
	l = wa_open();
	assert_int_equal(wa_lease_ports(l, "r", 0, (int[]){ 5, 0 }), 0);
	wa_ledger_close(l);
	/* A read-only file, then a read-only directory as well. */
	assert_int_equal(chmod(wa_path, 0444), 0);
	for (int i = 0; i < 2; i++) {
		if (i == 1)
			assert_int_equal(chmod(wa_dir, 0555), 0);
		err[0] = '\0';
		rc = wa_ledger_open(&l, wa_path, NULL, err, sizeof err);
		assert_int_equal(rc, WA_EREADONLY);
		assert_non_null(strstr(err, wa_path));
	}
	assert_int_equal(chmod(wa_dir, 0700), 0);
	assert_int_equal(chmod(wa_path, 0600), 0);
	/* The data was never touched. */
	l = wa_open();
	assert_int_equal(wa_count("SELECT count(*) FROM instances"), 1);
	wa_ledger_close(l);
}

static void
test_corrupt_file(void **state)
{
	struct wa_ledger *l;
	char err[256];
	FILE *f;

	(void)state;
	wa_reset();
	assert_non_null(f = fopen(wa_path, "w"));
	for (int i = 0; i < 512; i++)
		fputs("this is not a database ", f);
	fclose(f);
	assert_int_equal(wa_ledger_open(&l, wa_path, NULL, err, sizeof err),
	    WA_ECORRUPT);
	assert_non_null(strstr(err, "corrupt"));
	assert_non_null(strstr(err, wa_path));
	wa_reset();
}

/*
 * With manual checkpoints SQLite never checkpoints inside a commit: the
 * log only grows until the checkpointer (a second connection, as on the
 * daemon's worker thread) backfills it, and the next write restarts it.
 */
static void
test_manual_checkpoint(void **state)
{
	struct wa_ledger_opts o = { .sync = WA_SYNC_NORMAL,
	    .busy_timeout_ms = 1000, .manual_checkpoint = true };
	struct wa_ledger *l, *ck;
	char err[256], name[32];
	int frames = 0, done = -1, port;

	(void)state;
	wa_reset();
	assert_int_equal(wa_ledger_open(&l, wa_path, &o, err, sizeof err), 0);
	for (int i = 0; i < 400; i++) {
		snprintf(name, sizeof name, "c-%d", i);
		port = 10000 + i;
		assert_int_equal(wa_lease_ports(l, name, i,
		    (int[]){ port, 0 }), 0);
		/* SQLite's own checkpoint would restart the log at 1,000. */
		assert_true(wa_ledger_wal_frames(l) > frames);
		frames = wa_ledger_wal_frames(l);
	}
	assert_true(frames > 1000);
	assert_int_equal(wa_ledger_checkpointer_open(l, &ck), 0);
	assert_int_equal(wa_ledger_checkpoint(ck, &done), 0);
	assert_int_equal(done, frames);
	assert_int_equal(wa_lease_ports(l, "after", 500, (int[]){ 20000, 0 }),
	    0);
	assert_true(wa_ledger_wal_frames(l) < 20);
	wa_ledger_close(ck);
	wa_ledger_close(l);
	/* Every lease made it into the database file proper. */
	l = wa_open();
	assert_int_equal(wa_ledger_next_expiry(l), 0);
	{
		struct wa_instance in;

		assert_int_equal(wa_ledger_find(l, "c-399", &in), 0);
		assert_int_equal(in.offset, 399);
		wa_instance_clear(&in);
	}
	wa_ledger_close(l);
}

/* Without the option the hook is SQLite's: frames are not counted. */
static void
test_auto_checkpoint_default(void **state)
{
	struct wa_ledger *l;

	(void)state;
	wa_reset();
	l = wa_open();
	assert_int_equal(wa_lease_ports(l, "x", 0, (int[]){ 9443, 0 }), 0);
	assert_int_equal(wa_ledger_wal_frames(l), 0);
	wa_ledger_close(l);
}

static void
test_second_opener_locked(void **state)
{
	struct wa_ledger *l, *l2;
	char err[256], want[32];

	(void)state;
	wa_reset();
	l = wa_open();
	assert_int_equal(wa_ledger_open(&l2, wa_path, NULL, err, sizeof err),
	    WA_ELOCKED);
	assert_non_null(strstr(err, "in use by another wso2-allocd"));
	snprintf(want, sizeof want, "(pid %ld)", (long)getpid());
	assert_non_null(strstr(err, want));
	assert_null(l2);
	wa_ledger_close(l);
	l = wa_open();
	wa_ledger_close(l);
}

/* A refusal of uid for apim-4 with reason; the row's id. */
static int64_t
wa_refuse(struct wa_ledger *l, uid_t uid, const char *product,
    const char *reason, int64_t window)
{
	struct wa_refusal f = { "r", product, 0, uid, 1, reason, NULL };
	int64_t id = 0, first = 0;

	assert_int_equal(wa_ledger_refused(l, &f, window, &id, &first), 0);
	assert_true(id > 0);
	assert_true(first > 0);
	return id;
}

static int
wa_collect_repeats(void *arg, const struct wa_event *ev)
{
	char *out = arg;

	sprintf(out + strlen(out), "%s:%ld%s,", wa_event_name(ev->kind),
	    ev->repeats, ev->last_time != 0 ? "+" : "");
	return 0;
}

static void
test_refusals_coalesce(void **state)
{
	struct wa_ledger *l;
	char out[256] = "";
	int64_t id;

	(void)state;
	wa_reset();
	l = wa_open();
	id = wa_refuse(l, 1000, "apim-4", "lease", 60000);
	/* The same uid, product and reason: the same row, counted. */
	for (int i = 0; i < 99; i++)
		assert_true(wa_refuse(l, 1000, "apim-4", "lease", 60000) == id);
	assert_int_equal(wa_count("SELECT count(*) FROM events"), 1);
	assert_int_equal(wa_count("SELECT repeats FROM events"), 100);
	/* Any other uid, product or reason, or none: a row of its own. */
	assert_true(wa_refuse(l, 1001, "apim-4", "lease", 60000) != id);
	assert_true(wa_refuse(l, 1000, "mi-4", "lease", 60000) != id);
	assert_true(wa_refuse(l, 1000, "apim-4", "host", 60000) != id);
	assert_true(wa_refuse(l, 1000, "apim-4", NULL, 60000) != id);
	assert_true(wa_refuse(l, 1000, "apim-4", NULL, 60000) != id);
	assert_int_equal(wa_count("SELECT count(*) FROM events"), 6);
	/* Counts kept elsewhere are added; only to the row they belong to. */
	assert_int_equal(wa_ledger_repeat(l, id, 1000, "lease", 50,
	    wa_now_ms()), 0);
	assert_int_equal(wa_ledger_repeat(l, id, 1001, "lease", 7,
	    wa_now_ms()), 0);
	assert_int_equal(wa_ledger_repeat(l, id, 1000, "host", 7,
	    wa_now_ms()), 0);
	assert_int_equal(wa_count("SELECT repeats FROM events WHERE id = 1"),
	    150);
	/* Only the count and its time may change. */
	assert_int_not_equal(wa_ledger_exec(l, "UPDATE events SET uid = 0"), 0);
	/* Once the window is over, a new row. */
	assert_int_equal(wa_ledger_exec(l, "UPDATE events SET repeats = "
	    "repeats WHERE id = 1"), 0);
	usleep(20000);
	assert_true(wa_refuse(l, 1000, "apim-4", "lease", 10) != id);
	assert_int_equal(wa_ledger_history(l, NULL, 0, wa_collect_repeats,
	    out), 0);
	assert_string_equal(out, "refused:150+,refused:1,refused:1,"
	    "refused:1,refused:1,refused:1,refused:1,");
	wa_ledger_close(l);
}

/* n events, refusals of no reason, one transaction. */
static void
wa_events(struct wa_ledger *l, int n)
{
	assert_int_equal(wa_ledger_begin(l), 0);
	for (int i = 0; i < n; i++)
		wa_refuse(l, 1000, "apim-4", NULL, 0);
	assert_int_equal(wa_ledger_commit(l), 0);
}

static void
test_prune_by_count(void **state)
{
	struct wa_ledger *l;
	long deleted;

	(void)state;
	wa_reset();
	l = wa_open();
	/* Nothing to prune in an empty history, or within the cap. */
	assert_int_equal(wa_ledger_prune(l, 0, 10, 100, &deleted), 0);
	assert_int_equal(deleted, 0);
	wa_events(l, 30);
	assert_int_equal(wa_ledger_prune(l, 0, 30, 100, &deleted), 0);
	assert_int_equal(deleted, 0);
	/* A chunk at a time, the oldest first, down to the newest keep. */
	assert_int_equal(wa_ledger_prune(l, 0, 10, 8, &deleted), 0);
	assert_int_equal(deleted, 8);
	assert_int_equal(wa_count("SELECT min(id) FROM events"), 9);
	assert_int_equal(wa_ledger_prune(l, 0, 10, 100, &deleted), 0);
	assert_int_equal(deleted, 12);
	assert_int_equal(wa_count("SELECT count(*) FROM events"), 10);
	assert_int_equal(wa_count("SELECT min(id) FROM events"), 21);
	assert_int_equal(wa_ledger_prune(l, 0, 10, 100, &deleted), 0);
	assert_int_equal(deleted, 0);
	/* New events keep the ids contiguous: the cap stays exact. */
	wa_events(l, 5);
	assert_int_equal(wa_ledger_prune(l, 0, 10, 100, &deleted), 0);
	assert_int_equal(deleted, 5);
	assert_int_equal(wa_count("SELECT count(*) FROM events"), 10);
	assert_int_equal(wa_ledger_prune(l, 0, 0, 0, &deleted), WA_EINVAL);
	wa_ledger_close(l);
}

static void
test_prune_by_age(void **state)
{
	struct wa_ledger *l;
	int64_t now = wa_now_ms();
	long deleted;

	(void)state;
	wa_reset();
	l = wa_open();
	/* old: leased and released long ago; live: leased long ago, still
	 * active; back: released long ago, leased again now. */
	assert_int_equal(wa_lease_ports(l, "old", 0, (int[]){ 100, 0 }), 0);
	assert_int_equal(wa_ledger_end(l, "old", WA_STATE_RELEASED, 0, 0,
	    NULL), 0);
	assert_int_equal(wa_lease_ports(l, "live", 1, (int[]){ 101, 0 }), 0);
	assert_int_equal(wa_lease_ports(l, "back", 2, (int[]){ 102, 0 }), 0);
	assert_int_equal(wa_ledger_end(l, "back", WA_STATE_RELEASED, 0, 0,
	    NULL), 0);
	/* A refusal that began long ago but repeats now is not old. */
	wa_refuse(l, 1000, "apim-4", "lease", 60000);
	assert_int_equal(wa_ledger_exec(l, "DROP TRIGGER "
	    "events_append_only_update"), 0);
	assert_int_equal(wa_ledger_exec(l, "UPDATE events SET time = 1000"),
	    0);
	assert_int_equal(wa_ledger_exec(l, "UPDATE events SET last_time = "
	    "strftime('%s', 'now') * 1000 WHERE kind = 6"), 0);
	assert_int_equal(wa_lease_ports(l, "back", 2, (int[]){ 102, 0 }), 0);
	wa_events(l, 3);
	assert_int_equal(wa_count("SELECT count(*) FROM events"), 10);
	/* The old prefix goes, up to the first event that is not old. */
	assert_int_equal(wa_ledger_prune(l, now - 60000, 0, 100, &deleted),
	    0);
	assert_int_equal(deleted, 5);
	assert_int_equal(wa_count("SELECT count(*) FROM events"), 5);
	assert_int_equal(wa_count("SELECT min(kind = 6) FROM events "
	    "WHERE id = (SELECT min(id) FROM events)"), 1);
	/* An ended instance left without events goes; an active one, or
	 * one with newer events, stays. */
	assert_int_equal(wa_count("SELECT count(*) FROM instances WHERE "
	    "name = 'old'"), 0);
	assert_int_equal(wa_count("SELECT count(*) FROM instances WHERE "
	    "name IN ('live', 'back') AND state = 'active'"), 2);
	assert_int_equal(wa_ledger_end(l, "live", WA_STATE_RELEASED, 0, 0,
	    NULL), 0);
	assert_int_equal(wa_ledger_prune(l, now - 60000, 0, 100, &deleted),
	    0);
	assert_int_equal(deleted, 0);
	assert_int_equal(wa_count("SELECT count(*) FROM instances"), 2);
	wa_ledger_close(l);
}

/* Whatever the umask and whatever an older version left: 0600 alone,
 * 0640 and the group with one. */
static void
test_file_modes(void **state)
{
	static const char *const sfx[] = { "", "-wal", "-shm", ".lock" };
	struct wa_ledger_opts o = { .mode = 0640, .has_group = true,
	    .group = getegid() };
	struct wa_ledger *l;
	struct stat st;
	char p[160];
	mode_t old = umask(022);

	(void)state;
	for (int pass = 0; pass < 3; pass++) {
		wa_reset();
		if (pass == 2) {
			/* An older version's ledger, 0644. */
			l = wa_open();
			wa_ledger_close(l);
			assert_int_equal(chmod(wa_path, 0644), 0);
		}
		if (pass == 1)
			assert_int_equal(wa_ledger_open(&l, wa_path, &o, NULL,
			    0), 0);
		else
			l = wa_open();
		assert_int_equal(wa_lease_ports(l, "m", 0, (int[]){ 1, 0 }), 0);
		for (size_t i = 0; i < 4; i++) {
			snprintf(p, sizeof p, "%s%s", wa_path, sfx[i]);
			assert_int_equal(stat(p, &st), 0);
			assert_int_equal(st.st_mode & 0777, pass == 1 ? 0640 :
			    0600);
			assert_int_equal(st.st_gid, getegid());
		}
		wa_ledger_close(l);
	}
	umask(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations_from_every_version),
		cmocka_unit_test(test_newer_ledger_refused),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_find_and_list_filters),
		cmocka_unit_test(test_history_all_instances),
		cmocka_unit_test(test_next_name),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_load_portmap),
		cmocka_unit_test(test_sticky_offset),
		cmocka_unit_test(test_unique_refuses_collision),
		cmocka_unit_test(test_batch_savepoints),
		cmocka_unit_test(test_port_names_packed),
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_readonly_file),
		cmocka_unit_test(test_corrupt_file),
		cmocka_unit_test(test_second_opener_locked),
		cmocka_unit_test(test_manual_checkpoint),
		cmocka_unit_test(test_auto_checkpoint_default),
		cmocka_unit_test(test_refusals_coalesce),
		cmocka_unit_test(test_prune_by_count),
		cmocka_unit_test(test_prune_by_age),
		cmocka_unit_test(test_file_modes),
	};

	return cmocka_run_group_tests(tests, wa_setup, wa_teardown);
}
