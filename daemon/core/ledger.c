/*
 * ledger.c: the ledger's queries: leases, their changes and events,
 * refusals, retention, and the reads.  The connection and transactions
 * are ledger-db.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger-int.h"
#include "util.h"
#include "wso2alloc.h"

#define WA_COLS "id, name, product, offset, state, owner_uid, pid, " \
	"pid_start, created, renewed, expires, labels, home, note, ports"

/* An event's instance: its row's name, or the name it was written with. */
#define WA_EV_COLS "e.id, e.time, e.kind, coalesce(i.name, e.name), " \
	"e.product, e.offset, e.uid, e.pid, e.detail, e.repeats, e.last_time " \
	"FROM events e LEFT JOIN instances i ON i.id = e.instance_id"

/*
 * No RETURNING on the write path: SQLite buffers its rows in an ephemeral
 * table, a pager opened and freed per statement, which cost more than the
 * extra SELECT by the unique name.
 */
static const char *const wa_sql[ST_COUNT] = {
	[ST_ACTIVE] = "SELECT id, product, offset, ports FROM instances "
	    "WHERE name = ?1 AND state = 'active'",
	[ST_LOOKUP] = "SELECT id, state = 'active' FROM instances "
	    "WHERE name = ?1",
	[ST_UPSERT] = "INSERT INTO instances (name, product, offset, state, "
	    "owner_uid, pid, pid_start, created, renewed, expires, labels, "
	    "home, note, ports) VALUES (?1, ?2, ?3, 'active', ?4, ?5, ?6, ?7, "
	    "?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (name) DO UPDATE SET "
	    "product = excluded.product, offset = excluded.offset, "
	    "state = 'active', owner_uid = excluded.owner_uid, "
	    "pid = excluded.pid, pid_start = excluded.pid_start, "
	    "created = excluded.created, renewed = excluded.renewed, "
	    "expires = excluded.expires, labels = excluded.labels, "
	    "home = excluded.home, note = excluded.note, "
	    "ports = excluded.ports",
	[ST_INS_PORT] = "INSERT INTO leased_ports (proto, port, instance_id) "
	    "VALUES (?1, ?2, ?3)",
	[ST_INS_EVENT] = "INSERT INTO events (time, kind, instance_id, name, "
	    "product, offset, uid, pid, detail, reason) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_RENEW] = "UPDATE instances SET renewed = ?2, expires = ?3 "
	    "WHERE id = ?1",
	[ST_END] = "UPDATE instances SET state = ?2, renewed = ?3, "
	    "ports = NULL WHERE id = ?1",
	/* By key, and only the lease's own. */
	[ST_DEL_PORT] = "DELETE FROM leased_ports WHERE proto = ?1 AND "
	    "port = ?2 AND instance_id = ?3",
	[ST_ATTACH] = "UPDATE instances SET pid = ?2, pid_start = ?3 "
	    "WHERE id = ?1",
	[ST_FIND] = "SELECT " WA_COLS " FROM instances WHERE name = ?1",
	[ST_FIND_ID] = "SELECT " WA_COLS " FROM instances WHERE id = ?1",
	[ST_FIND_PORT] = "SELECT instance_id FROM leased_ports "
	    "WHERE proto = ?1 AND port = ?2",
	[ST_LIST] = "SELECT " WA_COLS " FROM instances "
	    "WHERE (?1 IS NULL OR product = ?1) AND "
	    "(?2 IS NULL OR state = ?2) AND (?3 IS NULL OR owner_uid = ?3) "
	    "ORDER BY name",
	[ST_HISTORY] = "SELECT * FROM (SELECT " WA_EV_COLS " "
	    "ORDER BY e.id DESC LIMIT ?1) ORDER BY 1",
	/* Two index seeks: the events of the row, and those written with
	 * the name before it had one. */
	[ST_HISTORY_OF] = "SELECT * FROM (SELECT " WA_EV_COLS " "
	    "WHERE e.instance_id = (SELECT id FROM instances WHERE name = ?1) "
	    "OR e.name = ?1 ORDER BY e.id DESC LIMIT ?2) ORDER BY 1",
	[ST_LOAD] = "SELECT instance_id, proto, port FROM leased_ports",
	/* A range of the name index: "p-" <= name < "p." ('.' follows
	 * '-'), not a scan of every instance ever leased. */
	[ST_NAMES] = "SELECT substr(name, length(?1) + 2) FROM instances "
	    "WHERE name >= ?1 || '-' AND name < ?1 || '.'",
	[ST_NEXT_EXPIRY] = "SELECT min(expires) FROM instances "
	    "WHERE state = 'active' AND expires IS NOT NULL",
	[ST_COUNTS] = "SELECT product, count(*) FROM instances "
	    "WHERE state = 'active' GROUP BY product ORDER BY product",
	[ST_NEVENTS] = "SELECT count(*) FROM events",
	[ST_EXPIRED] = "SELECT name FROM instances WHERE state = 'active' "
	    "AND expires IS NOT NULL AND expires <= ?1 ORDER BY expires",
	/* kind 6: WA_EV_REFUSED, as the partial index events_refused. */
	[ST_LAST_REFUSED] = "SELECT id, time FROM events WHERE kind = 6 "
	    "AND uid = ?1 AND product IS ?2 AND reason = ?3 "
	    "ORDER BY id DESC LIMIT 1",
	/* Checked against uid and reason: a row of a batch that failed to
	 * commit may have left its id to another event. */
	[ST_REPEAT] = "UPDATE events SET repeats = repeats + ?3, "
	    "last_time = ?2 WHERE id = ?1 AND kind = 6 AND uid = ?4 "
	    "AND reason = ?5",
	[ST_EV_BOUNDS] = "SELECT (SELECT min(id) FROM events), "
	    "(SELECT max(id) FROM events)",
	[ST_EV_HEAD] = "SELECT id, max(time, coalesce(last_time, 0)) "
	    "FROM events ORDER BY id LIMIT ?1",
	/* Ended instances whose last events go with ?1: a lookup by id per
	 * pruned event, not a walk of every instance.  An event written
	 * by name is older than any row of that name (wa_event_insert). */
	[ST_PRUNE_INST] = "DELETE FROM instances WHERE state <> 'active' AND "
	    "id IN (SELECT instance_id FROM events WHERE id <= ?1) AND "
	    "NOT EXISTS (SELECT 1 FROM events e WHERE e.instance_id = "
	    "instances.id AND e.id > ?1)",
	[ST_PRUNE_EV] = "DELETE FROM events WHERE id <= ?1",
};

static sqlite3_stmt *
wa_stmt(struct wa_ledger *l, enum wa_st id)
{
	return wa_prepared(l, id, wa_sql[id]);
}

static void
wa_bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void
wa_bind_nonzero(sqlite3_stmt *s, int i, int64_t v)
{
	if (v != 0)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/*
 * An event names its instance by the row's id, or by name when there is
 * no row of that name (iid 0): such an event is older than any row the
 * name gets later, which pruning relies on.  reason: a refusal's, NULL
 * for any other event.
 */
static int
wa_event_insert(struct wa_ledger *l, enum wa_event_kind kind, int64_t iid,
    const char *name, const char *product, int offset, uid_t uid, pid_t pid,
    const char *detail, const char *reason)
{
	sqlite3_stmt *s = wa_stmt(l, ST_INS_EVENT);

	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	sqlite3_bind_int64(s, 1, wa_now_ms());
	sqlite3_bind_int(s, 2, (int)kind);
	wa_bind_nonzero(s, 3, iid);
	wa_bind_text_or_null(s, 4, iid == 0 ? name : NULL);
	wa_bind_text_or_null(s, 5, product);
	if (offset >= 0)
		sqlite3_bind_int(s, 6, offset);
	sqlite3_bind_int64(s, 7, (int64_t)uid);
	wa_bind_nonzero(s, 8, pid);
	wa_bind_text_or_null(s, 9, detail);
	wa_bind_text_or_null(s, 10, reason);
	return wa_step_done(s);
}

/* The row id of name (0: none) and whether it is active. */
static int
wa_lookup(struct wa_ledger *l, const char *name, int64_t *id, bool *active)
{
	sqlite3_stmt *s = wa_stmt(l, ST_LOOKUP);
	int rc;

	*id = 0;
	*active = false;
	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*active = sqlite3_column_int(s, 1) != 0;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    wa_sqlite_err(sqlite3_extended_errcode(l->db));
	wa_done(s);
	return rc;
}

/* The unique keys of in's ports: WA_ECONFLICT when one is held. */
static int
wa_port_keys_add(struct wa_ledger *l, const struct wa_instance *in)
{
	sqlite3_stmt *s;
	int rc;

	for (size_t i = 0; i < in->nports; i++) {
		if ((s = wa_stmt(l, ST_INS_PORT)) == NULL)
			return wa_sqlite_err(sqlite3_extended_errcode(l->db));
		sqlite3_bind_text(s, 1, wa_proto_name(in->ports[i].proto), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(s, 2, in->ports[i].port);
		sqlite3_bind_int64(s, 3, in->id);
		if ((rc = wa_step_done(s)) != 0)
			return rc;
	}
	return 0;
}

/* Delete the keys of the ports packed in text, those of row id only. */
static int
wa_port_keys_drop(struct wa_ledger *l, int64_t id, const char *text)
{
	struct wa_port_entry e;
	sqlite3_stmt *s;
	int rc;

	while ((rc = wa_ports_next(&text, &e)) == 1) {
		if ((s = wa_stmt(l, ST_DEL_PORT)) == NULL)
			return wa_sqlite_err(sqlite3_extended_errcode(l->db));
		sqlite3_bind_text(s, 1, wa_proto_name(e.proto), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(s, 2, e.port);
		sqlite3_bind_int64(s, 3, id);
		if ((rc = wa_step_done(s)) != 0)
			return rc;
	}
	return rc;
}

static int
wa_lease_body(struct wa_ledger *l, struct wa_instance *in,
    enum wa_event_kind kind, const char *detail)
{
	sqlite3_stmt *s;
	int64_t id;
	bool active;
	int rc;

	if ((rc = wa_lookup(l, in->name, &id, &active)) != 0)
		return rc;
	if (active)     /* the name is active already */
		return WA_ECONFLICT;
	if ((rc = wa_ports_pack(&l->pack, &l->packcap, in->ports,
	    in->nports)) != 0)
		return rc;
	if ((s = wa_stmt(l, ST_UPSERT)) == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	if (in->created == 0)
		in->created = wa_now_ms();
	in->renewed = in->created;
	sqlite3_bind_text(s, 1, in->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, in->product, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, in->offset);
	sqlite3_bind_int64(s, 4, (int64_t)in->owner_uid);
	wa_bind_nonzero(s, 5, in->pid);
	wa_bind_nonzero(s, 6, (int64_t)in->pid_start);
	sqlite3_bind_int64(s, 7, in->created);
	wa_bind_nonzero(s, 8, in->expires);
	sqlite3_bind_text(s, 9, in->labels != NULL ? in->labels : "{}", -1,
	    SQLITE_STATIC);
	wa_bind_text_or_null(s, 10, in->home);
	wa_bind_text_or_null(s, 11, in->note);
	wa_bind_text_or_null(s, 12, in->nports > 0 ? l->pack : NULL);
	if ((rc = wa_step_done(s)) != 0)
		return rc;
	/* A sticky row keeps its id; a new one takes the rowid. */
	in->id = id != 0 ? id : sqlite3_last_insert_rowid(l->db);
	in->state = WA_STATE_ACTIVE;
	if ((rc = wa_port_keys_add(l, in)) != 0)
		return rc;
	return wa_event_insert(l, kind, in->id, in->name, in->product,
	    in->offset, in->owner_uid, in->pid, detail, NULL);
}

int
wa_ledger_lease(struct wa_ledger *l, struct wa_instance *inst,
    enum wa_event_kind kind, const char *detail)
{
	int rc;

	if ((rc = wa_write_begin(l)) != 0)
		return rc;
	return wa_write_end(l, wa_lease_body(l, inst, kind, detail));
}

/* The id, product and offset of an active name, for its event, and
 * its packed ports when ports is not NULL. */
static int
wa_find_active(struct wa_ledger *l, const char *name, int64_t *id,
    char **product, int *offset, char **ports)
{
	sqlite3_stmt *s = wa_stmt(l, ST_ACTIVE);
	int rc;

	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*product = strdup((const char *)sqlite3_column_text(s, 1));
		*offset = sqlite3_column_int(s, 2);
		rc = *product != NULL ? 0 : WA_ENOMEM;
		if (rc == 0 && ports != NULL && sqlite3_column_type(s, 3) !=
		    SQLITE_NULL && (*ports = strdup((const char *)
		    sqlite3_column_text(s, 3))) == NULL)
			rc = WA_ENOMEM;
	} else
		rc = rc == SQLITE_DONE ? WA_ENOTFOUND :
		    wa_sqlite_err(sqlite3_extended_errcode(l->db));
	wa_done(s);
	return rc;
}

/* What one change to an active row binds besides its id (?1). */
struct wa_change {
	enum wa_st st;
	int64_t a, b;               /* ?2 and ?3 (0 binds NULL) */
	const char *text;           /* ?2 as text instead, when set */
	bool del_ports;             /* the row's ports' keys go too */
	enum wa_event_kind kind;
	uid_t uid;
	pid_t pid;
	const char *detail;
};

/*
 * renew, end and attach: in one write, find name's active row, update
 * it, append the event.  WA_ENOTFOUND when name is not active.
 */
static int
wa_change_active(struct wa_ledger *l, const char *name,
    const struct wa_change *c)
{
	sqlite3_stmt *s;
	char *product = NULL, *ports = NULL;
	int64_t id = 0;
	int rc, offset = -1;

	if ((rc = wa_write_begin(l)) != 0)
		return rc;
	if ((rc = wa_find_active(l, name, &id, &product, &offset,
	    c->del_ports ? &ports : NULL)) != 0)
		goto out;
	if ((s = wa_stmt(l, c->st)) == NULL)
		goto sqlerr;
	sqlite3_bind_int64(s, 1, id);
	if (c->text != NULL)
		sqlite3_bind_text(s, 2, c->text, -1, SQLITE_STATIC);
	else
		wa_bind_nonzero(s, 2, c->a);
	wa_bind_nonzero(s, 3, c->b);
	if ((rc = wa_step_done(s)) != 0)
		goto out;
	if (c->del_ports && (rc = wa_port_keys_drop(l, id, ports)) != 0)
		goto out;
	rc = wa_event_insert(l, c->kind, id, name, product, offset, c->uid,
	    c->pid, c->detail, NULL);
	goto out;
sqlerr:
	rc = wa_sqlite_err(sqlite3_extended_errcode(l->db));
out:
	free(ports);
	free(product);
	return wa_write_end(l, rc);
}

int
wa_ledger_renew(struct wa_ledger *l, const char *name, int64_t renewed,
    int64_t expires, uid_t uid, pid_t pid)
{
	struct wa_change c = { .st = ST_RENEW,
	    .a = renewed != 0 ? renewed : wa_now_ms(), .b = expires,
	    .kind = WA_EV_RENEWED, .uid = uid, .pid = pid };

	return wa_change_active(l, name, &c);
}

int
wa_ledger_end(struct wa_ledger *l, const char *name, enum wa_state to,
    uid_t uid, pid_t pid, const char *detail)
{
	static const enum wa_event_kind kinds[] = { WA_EV_LEASED,
	    WA_EV_RELEASED, WA_EV_EXPIRED, WA_EV_RECLAIMED };
	struct wa_change c = { .st = ST_END, .text = wa_state_name(to),
	    .b = wa_now_ms(), .del_ports = true, .kind = kinds[to], .uid = uid,
	    .pid = pid, .detail = detail };

	if (to == WA_STATE_ACTIVE)
		return WA_EINVAL;
	return wa_change_active(l, name, &c);
}

int
wa_ledger_attach(struct wa_ledger *l, const char *name, pid_t pid,
    unsigned long long start, uid_t uid, pid_t by_pid)
{
	char detail[64];
	struct wa_change c = { .st = ST_ATTACH, .a = pid,
	    .b = (int64_t)start, .kind = WA_EV_ATTACHED, .uid = uid,
	    .pid = by_pid, .detail = detail };

	snprintf(detail, sizeof detail, "{\"pid\": %ld}", (long)pid);
	return wa_change_active(l, name, &c);
}

/* The id of f's last refusal if it began at or after since, else 0. */
static int
wa_last_refusal(struct wa_ledger *l, const struct wa_refusal *f,
    int64_t since, int64_t *id, int64_t *first)
{
	sqlite3_stmt *s = wa_stmt(l, ST_LAST_REFUSED);
	int rc;

	*id = 0;
	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	sqlite3_bind_int64(s, 1, (int64_t)f->uid);
	wa_bind_text_or_null(s, 2, f->product);
	sqlite3_bind_text(s, 3, f->reason, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_int64(s, 1) >= since) {
		*id = sqlite3_column_int64(s, 0);
		*first = sqlite3_column_int64(s, 1);
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    wa_sqlite_err(sqlite3_extended_errcode(l->db));
	wa_done(s);
	return rc;
}

static int
wa_repeat_body(struct wa_ledger *l, int64_t id, uid_t uid,
    const char *reason, long n, int64_t last)
{
	sqlite3_stmt *s = wa_stmt(l, ST_REPEAT);

	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, last);
	sqlite3_bind_int64(s, 3, n);
	sqlite3_bind_int64(s, 4, (int64_t)uid);
	sqlite3_bind_text(s, 5, reason, -1, SQLITE_STATIC);
	return wa_step_done(s);
}

int
wa_ledger_repeat(struct wa_ledger *l, int64_t id, uid_t uid,
    const char *reason, long n, int64_t last)
{
	int rc;

	if (reason == NULL || n <= 0)
		return WA_EINVAL;
	if ((rc = wa_write_begin(l)) != 0)
		return rc;
	return wa_write_end(l, wa_repeat_body(l, id, uid, reason, n, last));
}

/* A new refusal row, by the instance's id when the name has a row. */
static int
wa_refusal_insert(struct wa_ledger *l, const struct wa_refusal *f,
    int64_t *id)
{
	int64_t iid = 0;
	bool active;
	int rc;

	rc = f->name != NULL ? wa_lookup(l, f->name, &iid, &active) : 0;
	if (rc == 0 && (rc = wa_event_insert(l, WA_EV_REFUSED, iid, f->name,
	    f->product, f->offset, f->uid, f->pid, f->detail,
	    f->reason)) == 0)
		*id = sqlite3_last_insert_rowid(l->db);
	return rc;
}

int
wa_ledger_refused(struct wa_ledger *l, const struct wa_refusal *f,
    int64_t window, int64_t *idp, int64_t *firstp)
{
	int64_t now = wa_now_ms(), id = 0, first = now;
	int rc;

	if ((rc = wa_write_begin(l)) != 0)
		return rc;
	if (f->reason != NULL && window > 0)
		rc = wa_last_refusal(l, f, now - window, &id, &first);
	if (rc == 0 && id != 0)
		rc = wa_repeat_body(l, id, f->uid, f->reason, 1, now);
	else if (rc == 0)
		rc = wa_refusal_insert(l, f, &id);
	if ((rc = wa_write_end(l, rc)) == 0) {
		if (idp != NULL)
			*idp = id;
		if (firstp != NULL)
			*firstp = first;
	}
	return rc;
}

/* The oldest and newest event ids; 0 and 0 when there are none. */
static int
wa_event_bounds(struct wa_ledger *l, int64_t *lo, int64_t *hi)
{
	sqlite3_stmt *s = wa_stmt(l, ST_EV_BOUNDS);
	int rc;

	*lo = *hi = 0;
	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*lo = sqlite3_column_int64(s, 0);
		*hi = sqlite3_column_int64(s, 1);
	}
	rc = rc == SQLITE_ROW ? 0 :
	    wa_sqlite_err(sqlite3_extended_errcode(l->db));
	wa_done(s);
	return rc;
}

/* Raise *cut to the last of the oldest events (at most chunk) that all
 * ended before before: the history is pruned from its start only. */
static int
wa_event_aged(struct wa_ledger *l, int64_t before, int chunk, int64_t *cut)
{
	sqlite3_stmt *s = wa_stmt(l, ST_EV_HEAD);
	int rc;

	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	sqlite3_bind_int(s, 1, chunk);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW &&
	    sqlite3_column_int64(s, 1) < before)
		if (sqlite3_column_int64(s, 0) > *cut)
			*cut = sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 :
	    wa_sqlite_err(sqlite3_extended_errcode(l->db));
	wa_done(s);
	return rc;
}

/* Delete the events up to cut, and the ended instances they leave
 * without any. */
static int
wa_prune_body(struct wa_ledger *l, int64_t cut, long *deleted)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = wa_stmt(l, ST_PRUNE_INST)) == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	sqlite3_bind_int64(s, 1, cut);
	if ((rc = wa_step_done(s)) != 0)
		return rc;
	if ((s = wa_stmt(l, ST_PRUNE_EV)) == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	sqlite3_bind_int64(s, 1, cut);
	if ((rc = wa_step_done(s)) == 0)
		*deleted = sqlite3_changes(l->db);
	return rc;
}

int
wa_ledger_prune(struct wa_ledger *l, int64_t before, long keep, int chunk,
    long *deleted)
{
	int64_t lo, hi, cut = 0;
	int rc;

	*deleted = 0;
	if (chunk <= 0)
		return WA_EINVAL;
	if ((rc = wa_event_bounds(l, &lo, &hi)) != 0 || hi == 0)
		return rc;
	/* Events are appended (rowid max + 1) and pruned oldest first, so
	 * their ids have no gaps: the newest keep are those above hi - keep. */
	if (keep > 0 && hi - lo + 1 > keep)
		cut = hi - keep;
	if (before > 0 && (rc = wa_event_aged(l, before, chunk, &cut)) != 0)
		return rc;
	if (cut < lo)
		return 0;
	if (cut - lo >= chunk)
		cut = lo + chunk - 1;
	/* No fsync of its own (a chunk lost to a power cut is pruned again):
	 * the next commit made durable fsyncs its frames along. */
	if (!l->in_tx && wa_sync_level(l) == WA_SYNC_FULL)
		wa_sync_set(l, WA_SYNC_NORMAL);
	if ((rc = wa_write_begin(l)) == 0) {
		rc = wa_prune_body(l, cut, deleted);
		if ((rc = wa_write_end(l, rc)) != 0)
			*deleted = 0;
	}
	if (!l->in_tx)
		wa_sync_set(l, wa_sync_level(l));
	return rc;
}

static char *
wa_col_strdup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL ? strdup((const char *)t) : NULL;
}

/* Fill in from the current row (WA_COLS), ports included. */
static int
wa_instance_row(sqlite3_stmt *s, struct wa_instance *in)
{
	memset(in, 0, sizeof *in);
	in->id = sqlite3_column_int64(s, 0);
	in->name = wa_col_strdup(s, 1);
	in->product = wa_col_strdup(s, 2);
	in->offset = sqlite3_column_int(s, 3);
	in->state = (enum wa_state)wa_state_parse(
	    (const char *)sqlite3_column_text(s, 4));
	in->owner_uid = (uid_t)sqlite3_column_int64(s, 5);
	in->pid = (pid_t)sqlite3_column_int64(s, 6);
	in->pid_start = (unsigned long long)sqlite3_column_int64(s, 7);
	in->created = sqlite3_column_int64(s, 8);
	in->renewed = sqlite3_column_int64(s, 9);
	in->expires = sqlite3_column_int64(s, 10);
	in->labels = wa_col_strdup(s, 11);
	in->home = wa_col_strdup(s, 12);
	in->note = wa_col_strdup(s, 13);
	if (in->name == NULL || in->product == NULL || in->labels == NULL)
		return WA_ENOMEM;
	/* Only an active lease holds ports. */
	if (in->state != WA_STATE_ACTIVE)
		return 0;
	return wa_ports_unpack((const char *)sqlite3_column_text(s, 14), in);
}

/* One row by a bound key; WA_ENOTFOUND when there is none. */
static int
wa_find_one(struct wa_ledger *l, sqlite3_stmt *s, struct wa_instance *out)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		rc = wa_instance_row(s, out);
	else
		rc = rc == SQLITE_DONE ? WA_ENOTFOUND :
		    wa_sqlite_err(sqlite3_extended_errcode(l->db));
	wa_done(s);
	if (rc != 0 && rc != WA_ENOTFOUND)
		wa_instance_clear(out);
	return rc;
}

int
wa_ledger_find(struct wa_ledger *l, const char *name, struct wa_instance *out)
{
	sqlite3_stmt *s = wa_stmt(l, ST_FIND);

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	return wa_find_one(l, s, out);
}

int
wa_ledger_find_id(struct wa_ledger *l, int64_t id, struct wa_instance *out)
{
	sqlite3_stmt *s = wa_stmt(l, ST_FIND_ID);

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	sqlite3_bind_int64(s, 1, id);
	return wa_find_one(l, s, out);
}

int
wa_ledger_find_port(struct wa_ledger *l, int proto, uint16_t port,
    struct wa_instance *out)
{
	sqlite3_stmt *s = wa_stmt(l, ST_FIND_PORT);
	int64_t id = 0;
	int rc;

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	sqlite3_bind_text(s, 1, wa_proto_name(proto), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, port);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? WA_ENOTFOUND :
	    wa_sqlite_err(sqlite3_extended_errcode(l->db));
	wa_done(s);
	return rc != 0 ? rc : wa_ledger_find_id(l, id, out);
}

int
wa_ledger_list(struct wa_ledger *l, const struct wa_ledger_filter *f,
    wa_instance_cb cb, void *arg)
{
	struct wa_instance in;
	sqlite3_stmt *s = wa_stmt(l, ST_LIST);
	int rc, stop = 0;

	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	if (f != NULL && f->product != NULL)
		sqlite3_bind_text(s, 1, f->product, -1, SQLITE_STATIC);
	if (f != NULL && f->state >= 0 && f->state <= WA_STATE_RECLAIMED)
		sqlite3_bind_text(s, 2, wa_state_name(f->state), -1,
		    SQLITE_STATIC);
	if (f != NULL && f->owner_uid >= 0)
		sqlite3_bind_int64(s, 3, f->owner_uid);
	while (stop == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* Cleared even if half filled. */
		if ((rc = wa_instance_row(s, &in)) == 0)
			stop = cb(arg, &in);
		wa_instance_clear(&in);
		if (rc != 0)
			break;
	}
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		rc = 0;
	else if (rc > 0)
		rc = wa_sqlite_err(rc);
	wa_done(s);
	return rc != 0 ? rc : stop;
}

int
wa_ledger_history(struct wa_ledger *l, const char *name, int limit,
    wa_event_cb cb, void *arg)
{
	sqlite3_stmt *s = wa_stmt(l, name != NULL ? ST_HISTORY_OF : ST_HISTORY);
	struct wa_event ev;
	int rc, stop = 0, k;

	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	if (name != NULL)
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, name != NULL ? 2 : 1, limit > 0 ? limit : -1);
	while (stop == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&ev, 0, sizeof ev);
		ev.id = sqlite3_column_int64(s, 0);
		ev.time = sqlite3_column_int64(s, 1);
		k = sqlite3_column_int(s, 2);
		ev.kind = (enum wa_event_kind)(k >= 0 && k <= WA_EV_ATTACHED ?
		    k : 0);
		ev.instance = wa_col_strdup(s, 3);
		ev.product = wa_col_strdup(s, 4);
		ev.offset = sqlite3_column_type(s, 5) == SQLITE_NULL ? -1 :
		    sqlite3_column_int(s, 5);
		ev.uid = (uid_t)sqlite3_column_int64(s, 6);
		ev.pid = (pid_t)sqlite3_column_int64(s, 7);
		ev.detail = wa_col_strdup(s, 8);
		ev.repeats = (long)sqlite3_column_int64(s, 9);
		ev.last_time = sqlite3_column_int64(s, 10);
		stop = cb(arg, &ev);
		wa_event_clear(&ev);
	}
	if (stop == 0)
		rc = rc == SQLITE_DONE ? 0 :
		    wa_sqlite_err(sqlite3_extended_errcode(l->db));
	else
		rc = stop;
	wa_done(s);
	return rc;
}

int
wa_ledger_load(struct wa_ledger *l, struct wa_portmap *m)
{
	sqlite3_stmt *s = wa_stmt(l, ST_LOAD);
	int rc, proto;

	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	wa_portmap_clear_layer(m, WA_LAYER_LEASE);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		proto = wa_proto_parse((const char *)sqlite3_column_text(s, 1));
		wa_portmap_lease(m, proto == WA_UDP ? WA_UDP : WA_TCP,
		    (uint16_t)sqlite3_column_int(s, 2),
		    (uint32_t)sqlite3_column_int64(s, 0));
	}
	rc = rc == SQLITE_DONE ? 0 :
	    wa_sqlite_err(sqlite3_extended_errcode(l->db));
	wa_done(s);
	return rc;
}

int
wa_ledger_next_name(struct wa_ledger *l, const char *prefix, char *buf,
    size_t len)
{
	sqlite3_stmt *s = wa_stmt(l, ST_NAMES);
	unsigned char *used = NULL;
	size_t cap = 0, n;
	char *end;
	long v;
	int rc;

	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
	/* Mark the numeric suffixes in use; the first gap is the answer. */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		if (t == NULL || *t < '1' || *t > '9')
			continue;
		v = strtol(t, &end, 10);
		if (*end != '\0' || v <= 0 || v > 10000000)
			continue;
		if ((size_t)v >= cap) {
			size_t ncap = ((size_t)v + 1) * 2;
			unsigned char *nu = realloc(used, ncap);

			if (nu == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			memset(nu + cap, 0, ncap - cap);
			used = nu;
			cap = ncap;
		}
		used[v] = 1;
	}
	wa_done(s);
	if (rc != SQLITE_DONE) {
		free(used);
		return wa_sqlite_err(rc == SQLITE_NOMEM ? rc :
		    sqlite3_extended_errcode(l->db));
	}
	for (n = 1; n < cap && used[n]; n++)
		;
	free(used);
	if ((size_t)snprintf(buf, len, "%s-%zu", prefix, n) >= len)
		return WA_EINVAL;
	return 0;
}

int64_t
wa_ledger_next_expiry(struct wa_ledger *l)
{
	sqlite3_stmt *s = wa_stmt(l, ST_NEXT_EXPIRY);
	int64_t t = 0;

	if (s == NULL)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		t = sqlite3_column_int64(s, 0);
	wa_done(s);
	return t;
}

int
wa_ledger_expired(struct wa_ledger *l, int64_t now, wa_name_cb cb, void *arg)
{
	sqlite3_stmt *s;
	int rc, stop = 0;

	/* Private statement: the callback may end leases as we walk. */
	if (sqlite3_prepare_v2(l->db, wa_sql[ST_EXPIRED], -1, &s, NULL) !=
	    SQLITE_OK)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	sqlite3_bind_int64(s, 1, now);
	while (stop == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
		stop = cb(arg, (const char *)sqlite3_column_text(s, 0));
	if (stop == 0)
		rc = rc == SQLITE_DONE ? 0 :
		    wa_sqlite_err(sqlite3_extended_errcode(l->db));
	else
		rc = stop;
	sqlite3_finalize(s);
	return rc;
}

int
wa_ledger_counts(struct wa_ledger *l, wa_count_cb cb, void *arg,
    long *events)
{
	sqlite3_stmt *s = wa_stmt(l, ST_COUNTS);
	int rc;

	if (s == NULL)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb != NULL)
			cb(arg, (const char *)sqlite3_column_text(s, 0),
			    (long)sqlite3_column_int64(s, 1));
	wa_done(s);
	if (rc != SQLITE_DONE)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	if (events != NULL) {
		if ((s = wa_stmt(l, ST_NEVENTS)) == NULL)
			return wa_sqlite_err(sqlite3_extended_errcode(l->db));
		*events = sqlite3_step(s) == SQLITE_ROW ?
		    (long)sqlite3_column_int64(s, 0) : 0;
		wa_done(s);
	}
	return 0;
}

/* A query of its own, prepared per call: it runs once per scrape. */
int
wa_ledger_tally(struct wa_ledger *l, wa_tally_cb cb, void *arg)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(l->db, "SELECT product, state, count(*) FROM "
	    "instances GROUP BY product, state", -1, &s, NULL) != SQLITE_OK)
		return wa_sqlite_err(sqlite3_extended_errcode(l->db));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		cb(arg, (const char *)sqlite3_column_text(s, 0),
		    wa_state_parse((const char *)sqlite3_column_text(s, 1)),
		    (long)sqlite3_column_int64(s, 2));
	rc = rc == SQLITE_DONE ? 0 :
	    wa_sqlite_err(sqlite3_extended_errcode(l->db));
	sqlite3_finalize(s);
	return rc;
}

/* Every write appends an event, so before this connection's first commit
 * the newest event's time is the last commit's. */
int64_t
wa_ledger_last_commit(struct wa_ledger *l)
{
	sqlite3_stmt *s = NULL;

	if (l->committed != 0)
		return l->committed;
	if (sqlite3_prepare_v2(l->db, "SELECT time FROM events ORDER BY id "
	    "DESC LIMIT 1", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		l->committed = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return l->committed;
}
