/*
 * ledger-int.h: what the ledger's two files share: the connection, its
 * statement cache and the helpers every query uses.  ledger-db.c opens,
 * locks, migrates, checkpoints and runs transactions; ledger.c holds
 * the queries.  Nothing outside those two includes this.
 */
#ifndef WA_LEDGER_INT_H
#define WA_LEDGER_INT_H

#include <sqlite3.h>

#include "ledger.h"

/* The cached statements: the queries' text is ledger.c's, the
 * transactions' ledger-db.c's. */
enum wa_st {
	ST_ACTIVE, ST_LOOKUP, ST_UPSERT, ST_INS_PORT, ST_INS_EVENT, ST_RENEW,
	ST_END, ST_DEL_PORT, ST_ATTACH, ST_FIND, ST_FIND_ID, ST_FIND_PORT,
	ST_LIST, ST_HISTORY, ST_HISTORY_OF, ST_LOAD, ST_NAMES, ST_NEXT_EXPIRY,
	ST_COUNTS, ST_NEVENTS, ST_EXPIRED, ST_LAST_REFUSED, ST_REPEAT,
	ST_EV_BOUNDS, ST_EV_HEAD, ST_PRUNE_INST, ST_PRUNE_EV,
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_SP_REQ, ST_REL_REQ, ST_RB_REQ,
	ST_SP_OP, ST_REL_OP, ST_RB_OP, ST_SYNC_FULL, ST_SYNC_NORMAL, ST_COUNT
};

struct wa_ledger {
	sqlite3 *db;
	char *path;
	int lockfd;
	int mode;                   /* of the files */
	bool has_group;
	gid_t group;
	bool readonly;
	bool in_tx;
	bool in_req;                /* in a request's savepoint */
	enum wa_sync sync;
	bool own_sync;              /* FULL is the caller's fdatasync of walfd */
	int walfd;                  /* -1 until the first wa_ledger_sync_fd */
	int version;
	int wal_frames;             /* as the WAL hook last saw it */
	int64_t committed;          /* time of the last commit, 0: none seen */
	uint64_t commits;           /* made by this connection */
	sqlite3_stmt *st[ST_COUNT];
	char *pack;                 /* a lease's ports, packed for its row */
	size_t packcap;
};

/* SQLite's result codes as WA_E* codes. */
int wa_sqlite_err(int rc);
int wa_exec(struct wa_ledger *l, const char *sql);
/* Statement id of l's cache, prepared from sql on its first use. */
sqlite3_stmt *wa_prepared(struct wa_ledger *l, enum wa_st id,
    const char *sql);
void wa_done(sqlite3_stmt *s);
int wa_step_done(sqlite3_stmt *s);
int wa_sync_set(struct wa_ledger *l, enum wa_sync sync);
/* The level SQLite itself runs at: NORMAL when the caller syncs. */
enum wa_sync wa_sync_level(const struct wa_ledger *l);
/* Open and close one write: its own transaction, a savepoint, or
 * nothing inside a request's savepoint. */
int wa_write_begin(struct wa_ledger *l);
int wa_write_end(struct wa_ledger *l, int rc);

/*
 * A lease's ports in its row (ledger-ports.c): "name=port/proto" entries
 * joined by ',', a name's '%', ',' and '=' escaped as %XX.
 */
struct wa_port_entry {
	const char *name;           /* escaped, namelen bytes */
	size_t namelen;
	uint16_t port;
	int proto;
};
/* Pack n ports into *buf (grown as needed, *cap its size). */
int wa_ports_pack(char **buf, size_t *cap, const struct wa_lease_port *p,
    size_t n);
/* The entry at *s, which moves past it: 1, 0 at the end, or WA_ECORRUPT. */
int wa_ports_next(const char **s, struct wa_port_entry *e);
/* Fill in's ports from text (NULL: none), in port and protocol order. */
int wa_ports_unpack(const char *text, struct wa_instance *in);

#endif
