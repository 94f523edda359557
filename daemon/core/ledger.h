/*
 * ledger.h: the durable SQLite record of every instance and every lease
 * event.  The ledger is the source of truth; the daemon's portmap is a
 * cache of its active leases.
 *
 * Write calls run inside the current transaction when one is open
 * (wa_ledger_begin), else in one BEGIN IMMEDIATE transaction of their
 * own.  A failed write leaves nothing behind, except inside a request's
 * savepoint (wa_ledger_savepoint): the caller rolls that back.
 * Times are milliseconds since the Unix epoch; 0 means none.
 * The lease and event model is lease.h's.
 */
#ifndef WA_LEDGER_H
#define WA_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lease.h"
#include "portmap.h"

struct wa_ledger;

enum wa_sync { WA_SYNC_FULL, WA_SYNC_NORMAL };

struct wa_ledger_opts {
	enum wa_sync sync;      /* default FULL */
	int busy_timeout_ms;    /* default 5000 */
	bool readonly;          /* no lock, no migrations, query_only */
	/* No checkpoint inside a commit: the caller runs them (below). */
	bool manual_checkpoint;
	/* With sync FULL: SQLite commits without syncing and the caller
	 * makes commits durable with wa_ledger_sync_fd (off its loop)
	 * before it acknowledges them. */
	bool own_sync;
	/* The files' mode (0: 0600), whatever the umask, less the owner's
	 * write on a ledger made read-only.  With has_group, their group. */
	int mode;
	bool has_group;
	gid_t group;
};

struct wa_ledger_filter {
	const char *product;         /* NULL: any */
	int state;                   /* -1: any */
	long owner_uid;              /* -1: any */
};

int wa_ledger_open(struct wa_ledger **out, const char *path,
    const struct wa_ledger_opts *o, char *err, size_t errlen);
void wa_ledger_close(struct wa_ledger *l);
int wa_ledger_schema_version(const struct wa_ledger *l);
int wa_ledger_latest_version(void);   /* of the compiled-in migrations */
const char *wa_ledger_path(const struct wa_ledger *l);
enum wa_sync wa_ledger_sync(const struct wa_ledger *l);
/* The last SQLite message, for logs. */
const char *wa_ledger_errmsg(const struct wa_ledger *l);

/*
 * WAL checkpoints off the writer's thread.  SQLite would copy the log
 * back into the database inside every 1,000th page's commit (10 ms here,
 * and fsyncs), a stall every client waiting on that commit would see.
 * wal_frames: the log's length after the last commit.  The checkpointer
 * is a second connection to the same file, for one other thread.  A
 * checkpoint is PASSIVE (it never blocks the writer); *backfilled gets
 * the frames now in the database.  The writer restarts the log only when
 * its transaction begins with every frame backfilled.
 */
int wa_ledger_wal_frames(const struct wa_ledger *l);
int wa_ledger_checkpointer_open(const struct wa_ledger *l,
    struct wa_ledger **out);
int wa_ledger_checkpoint(struct wa_ledger *l, int *backfilled);

/*
 * With own_sync: *fd gets a descriptor of the WAL whose fdatasync, from
 * any thread, makes every commit made so far durable; -1 when commits
 * need nothing more (sync NORMAL, or SQLite syncs them itself).
 */
int wa_ledger_sync_fd(struct wa_ledger *l, int *fd);
/* With own_sync, a count of the commits made (a sync started at n
 * covers the first n); 0 when commits need no sync of the caller's. */
uint64_t wa_ledger_commit_seq(const struct wa_ledger *l);

/* Transactions and savepoints, for group commit. */
int wa_ledger_begin(struct wa_ledger *l);
int wa_ledger_commit(struct wa_ledger *l);
void wa_ledger_rollback(struct wa_ledger *l);
int wa_ledger_savepoint(struct wa_ledger *l);
int wa_ledger_savepoint_release(struct wa_ledger *l);
void wa_ledger_savepoint_rollback(struct wa_ledger *l);
bool wa_ledger_in_tx(const struct wa_ledger *l);

/*
 * Record an active lease: inserts the instance or reactivates the row of
 * that name, with its ports, holds their keys (unique over active leases:
 * WA_ECONFLICT if the database already holds one), appends a
 * leased/adopted event.
 * inst->id and created are filled.
 */
int wa_ledger_lease(struct wa_ledger *l, struct wa_instance *inst,
    enum wa_event_kind kind, const char *detail);
/* renewed: the time of the renewal (0: now), as the caller keeps it. */
int wa_ledger_renew(struct wa_ledger *l, const char *name, int64_t renewed,
    int64_t expires, uid_t uid, pid_t pid);
/* End an active lease (released, expired or reclaimed): its ports are
 * freed, the offset kept for stickiness.  WA_ENOTFOUND if not active. */
int wa_ledger_end(struct wa_ledger *l, const char *name, enum wa_state to,
    uid_t uid, pid_t pid, const char *detail);
int wa_ledger_attach(struct wa_ledger *l, const char *name, pid_t pid,
    unsigned long long start, uid_t uid, pid_t by_pid);
/*
 * A refused request, for the history.  When the newest refusal of the
 * same uid, product and reason began less than window ms ago, its count
 * goes up instead of a row being added.  *id and *first (may be NULL):
 * the row written, and when its first refusal was.
 */
int wa_ledger_refused(struct wa_ledger *l, const struct wa_refusal *f,
    int64_t window, int64_t *id, int64_t *first);
/* n more repeats of refusal id (of uid and reason), the last at last;
 * nothing if that row is gone. */
int wa_ledger_repeat(struct wa_ledger *l, int64_t id, uid_t uid,
    const char *reason, long n, int64_t last);
/*
 * Retention: delete the oldest events, at most chunk of them, that began
 * before before (ms; 0: none by age) or lie beyond the newest keep (0: no
 * cap), and the ended instances those were the last events of.
 * *deleted gets the number of events deleted; chunk means more remain.
 */
int wa_ledger_prune(struct wa_ledger *l, int64_t before, long keep,
    int chunk, long *deleted);

/* Reads.  Instances are filled with malloc'd strings: wa_instance_clear. */
int wa_ledger_find(struct wa_ledger *l, const char *name,
    struct wa_instance *out);
int wa_ledger_find_id(struct wa_ledger *l, int64_t id,
    struct wa_instance *out);
int wa_ledger_find_port(struct wa_ledger *l, int proto, uint16_t port,
    struct wa_instance *out);
/* cb returns non-zero to stop (that value is returned); it may read and
 * write the ledger, but not list again (the walk's statement is shared). */
typedef int (*wa_instance_cb)(void *arg, const struct wa_instance *inst);
int wa_ledger_list(struct wa_ledger *l, const struct wa_ledger_filter *f,
    wa_instance_cb cb, void *arg);
typedef int (*wa_event_cb)(void *arg, const struct wa_event *ev);
/* Oldest first; the newest limit events (limit <= 0: all). */
int wa_ledger_history(struct wa_ledger *l, const char *name, int limit,
    wa_event_cb cb, void *arg);
/* Mark every active lease's ports in m's lease layer. */
int wa_ledger_load(struct wa_ledger *l, struct wa_portmap *m);
/* The lowest n >= 1 with no instance named "<prefix>-<n>". */
int wa_ledger_next_name(struct wa_ledger *l, const char *prefix,
    char *buf, size_t len);
/* The earliest expires_at among active leases, 0 if none. */
int64_t wa_ledger_next_expiry(struct wa_ledger *l);
/* The names of active leases whose expires_at is at or before now; the
 * callback may end them as it goes. */
typedef int (*wa_name_cb)(void *arg, const char *name);
int wa_ledger_expired(struct wa_ledger *l, int64_t now, wa_name_cb cb,
    void *arg);
/* Run raw SQL (tests, maintenance: e.g. PRAGMA max_page_count). */
int wa_ledger_exec(struct wa_ledger *l, const char *sql);
typedef int (*wa_count_cb)(void *arg, const char *product, long active);
int wa_ledger_counts(struct wa_ledger *l, wa_count_cb cb, void *arg,
    long *events);
/* Instances by product and state (the state as wa_state_parse gives). */
typedef void (*wa_tally_cb)(void *arg, const char *product, int state,
    long n);
int wa_ledger_tally(struct wa_ledger *l, wa_tally_cb cb, void *arg);
/* When a transaction last committed (ms), 0 for an empty ledger. */
int64_t wa_ledger_last_commit(struct wa_ledger *l);

#endif
