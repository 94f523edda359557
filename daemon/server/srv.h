/*
 * srv.h: the daemon's internal interfaces: state, connections, the
 * group-commit batch, the op table and the lease logic.
 */
#ifndef WA_SRV_H
#define WA_SRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <uv.h>

#include "alloc.h"
#include "catalog.h"
#include "jsonout.h"
#include "optab.h"
#include "ledger.h"
#include "portmap.h"
#include "render.h"
#include "wso2alloc.h"

struct wa_conn;
struct wa_daemon;

struct wa_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
};

/* A change to the portmap, kept until the batch commits (srv-leases.c). */
struct wa_undo {
	bool held;              /* true: a lease took it; false: released */
	uint8_t proto;
	uint16_t port;
	uint32_t holder;
};

/* An answer, serialized as soon as it is made; the request's id and
 * its success are kept to replace it if its batch fails to commit. */
struct wa_answer {
	char *text;             /* one line with its newline; NULL: no memory */
	size_t len;
	json_t *id;             /* a reference, or NULL */
	bool ok;
};

/* A response waiting for the batch's commit. */
#define WA_RESP_WRITE 0x1       /* replaced by "unavailable" if commit fails */
#define WA_RESP_CLOSE 0x2       /* close the connection once it is sent */
#define WA_RESP_READ  0x4       /* read leases: replaced as a write is */
struct wa_pending {
	struct wa_conn *conn;
	struct wa_answer a;
	int flags;
};

/* A log line that waits for the batch's commit (srv-log.c). */
struct wa_blog {
	int prio;
	char *line;
};

struct wa_logq {
	struct wa_blog *v;
	size_t n, cap;
	size_t mark;                /* where the current request's begin */
	bool held;                  /* a batch is open */
};

/* Where the batch's answers go (srv-conn.c's connections). */
struct wa_sink {
	void (*send)(struct wa_conn *c, struct wa_answer *a, int flags);
	void (*hold)(struct wa_conn *c);       /* an answer waits for it */
	void (*release)(struct wa_conn *c);
	void (*lost)(struct wa_conn *c);       /* an answer could not wait */
	void (*flush)(struct wa_daemon *d);    /* what was sent goes out */
};

/*
 * out holds, in order: answers committed and waiting to be durable
 * ([0, ncommitted), the first nsyncing of them covered by the fdatasync
 * in flight), then those of the open transaction.
 */
struct wa_batch {
	bool open;
	const struct wa_sink *sink;
	struct wa_pending *out;
	size_t nout, capout;
	size_t ncommitted;
	size_t nsyncing;
	bool syncing;               /* sync_work is queued */
	uint64_t sync_seq;          /* the ledger's commits it covers */
	uint64_t synced_seq;        /* those the last sync ended covered */
	int sync_fd;
	int sync_errno;
	uv_work_t sync_work;
	size_t writes;
	size_t held;                /* bytes of the answers in out */
	size_t lease_mark;          /* wa_leases_mark as a request began */
};

/* What srv-leases.c keeps to take back the open batch's changes. */
struct wa_leases {
	struct wa_undo *undo;
	size_t nundo, capundo;
	bool open;                  /* changes belong to an open batch */
	bool rebuild;               /* a rolled-back request changed leases */
	unsigned long cache_mark;   /* the mirror's gen as a request began */
};

/* The active leases in memory (srv-cache.c). */
struct wa_cached;
struct wa_cache {
	struct wa_cached **v;       /* by name */
	size_t n, cap;
	unsigned long gen;          /* bumped by every change */
	bool stale;                 /* rebuild from the ledger before use */
};

/* A refusal row of the history whose repeats are counted in memory
 * (srv-refused.c). */
#define WA_REFUSED_ROWS 64
struct wa_refused_row {
	int64_t id;
	int64_t first, last;        /* ms: the row's first refusal, the last */
	uid_t uid;
	char product[80];
	const char *reason;         /* static */
	long pending;               /* repeats not written yet */
};

struct wa_config {
	bool user;
	/* The client's offline mode: the ledger read-only, no loop; only
	 * WA_OP_OFFLINE ops run. */
	bool readonly;
	const char *socket_path;
	const char *db_path;
	const char *catalog_dirs[8];
	size_t ncatalog_dirs;
	const char *group;
	const char *exclude;
	enum wa_sync sync;
	size_t max_conns;
	size_t max_conns_uid;       /* of one uid (not root's, not ours) */
	unsigned idle_timeout;      /* seconds */
	int min_offset, max_offset, port_ceiling;
	bool reserve_kernel_ports;
	long history_max_age;       /* seconds; 0: events never age out */
	long history_max_events;    /* 0: no cap */
};

/* What happened since start, for the metrics op (op-metrics.c). */
enum { WA_REFUSED_CONFLICT, WA_REFUSED_EXHAUSTED, WA_REFUSED_FORBIDDEN,
	WA_NREFUSED };
struct wa_counters {
	unsigned long long refused[WA_NREFUSED];
	unsigned long long reclaimed, expired;
};

struct wa_daemon {
	uv_loop_t *loop;
	struct wa_config cfg;
	char *socket_path;
	char *db_path;
	bool socket_activated;
	struct wa_catalog *cat;
	struct wa_ledger *ledger;
	struct wa_portmap *map;
	struct wa_alloc_opts alloc;
	int64_t started_ms;
	uint64_t host_scanned;      /* loop time of the host layer's read */
	bool stopping;
	size_t nconns;
	struct wa_conn *conns;      /* every open connection */
	struct wa_conn *runq, *runq_tail;  /* lines waiting for a turn */
	struct wa_conn *flushq;     /* answers waiting for the flush */
	char *rbuf;                 /* what connections read into first */
	uv_idle_t runner;
	uv_prepare_t flusher;       /* before the loop waits: output */
	uint64_t turn_ns;           /* when this iteration's lines began */
	uid_t self_uid, service_uid;       /* never refused a connection */
	struct wa_batch batch;
	struct wa_logq logq;
	struct wa_leases leases;
	uv_pipe_t listener;
	uv_check_t committer;
	uv_signal_t sigterm, sigint, sighup;
	uv_timer_t expiry;          /* next ttl expiry */
	uv_timer_t reconcile;       /* dead owners, foreign binds */
	unsigned reconcile_tick, reconcile_turn;
	struct wa_watch *watches;   /* pid-bound leases */
	/* The reaper's way to end a lease (srv-leases.c's). */
	void (*reap)(struct wa_daemon *d, const char *name, pid_t pid,
	    enum wa_state to, const char *why);
	unsigned long long requests;
	uint64_t kernel_admin[WA_BITMAP_WORDS];  /* reserved by the admin */
	bool kernel_dirty;          /* leases changed since the last sync */
	struct wa_cache cache;
	struct wa_ledger *ckpt;     /* the checkpointer's connection */
	uv_work_t ckpt_work;
	uv_timer_t ckpt_idle;
	bool ckpt_busy;
	int ckpt_rc;
	int ckpt_frames;            /* backfilled by the worker's last run */
	int ckpt_backfilled;        /* as the loop last learnt it */
	unsigned ckpt_retry_ms;     /* after a failure: the next delay */
	uint64_t ckpt_not_before;   /* loop time of the next try */
	uv_timer_t prune;           /* history retention */
	bool prune_failed;
	bool prune_due;             /* its timer found a batch open */
	struct wa_refused_row refused[WA_REFUSED_ROWS];
	size_t nrefused;
	uv_timer_t refused_flush;
	bool refused_due;           /* its timer found a batch open */
	struct wa_counters counters;
	/* The orderly stop (srv-main.c's; NULL where no loop runs), and
	 * the shutdown op's turn of the loop before it. */
	void (*stop)(struct wa_daemon *d, const char *why);
	uv_timer_t shutdown;
	bool shutdown_armed;
	char shutdown_why[96];
};

#define WA_OP_CTX_MAX 192

/* One request being handled. */
struct wa_req {
	struct wa_daemon *d;
	struct wa_peer peer;
	json_t *req;                /* the parsed request (borrowed) */
	json_t *resp;               /* success fields go here */
	json_t *err;                /* extra error fields (owned) */
	char msg[512];              /* error message */
	/* The op's own state (zeroed): what its hooks below need. */
	_Alignas(max_align_t) unsigned char ctx[WA_OP_CTX_MAX];
};


struct wa_op {
	const char *name;
	int flags;
	int (*handler)(struct wa_req *r);
	/* A write whose changes were rolled back (rc its error). */
	void (*rolled_back)(struct wa_req *r, int rc);
	/* The successful answer's line from resp; NULL: resp as it is. */
	char *(*render)(struct wa_req *r, json_t *resp, size_t *len);
	/* Whatever the answer, last: free ctx's contents. */
	void (*done)(struct wa_req *r);
};

/* An answer with one member pre-rendered (list, products, a lease): the
 * op's ctx, first. */
struct wa_raw {
	const char *key;            /* NULL: resp as it is */
	size_t at;                  /* how many of resp's members precede it */
	struct wa_out out;
};
char *wa_raw_render(struct wa_req *r, json_t *resp, size_t *len);
void wa_raw_done(struct wa_req *r);
#define WA_RAW(r) ((struct wa_raw *)(void *)(r)->ctx)

/* srv-log.c */
enum { WA_LOG_ERR = 3, WA_LOG_WARNING = 4, WA_LOG_NOTICE = 5,
	WA_LOG_INFO = 6, WA_LOG_DEBUG = 7 };
void wa_log(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void wa_log_init(void);
/* While the loop serves, lines wait for a flush (one write for all). */
void wa_log_hold(bool on);
void wa_log_flush(void);
/* "err", "warning", "notice", "info" (default) or "debug". */
int wa_log_set_level(const char *name);
/* Log a change: at once outside a batch, else once the batch commits
 * (nothing if it does not). */
void wa_log_change(struct wa_daemon *d, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void wa_logq_begin(struct wa_daemon *d);
/* all: the whole batch's lines, else the current request's. */
void wa_logq_drop(struct wa_daemon *d, bool all);
void wa_logq_release(struct wa_daemon *d);
void wa_logq_flush(struct wa_daemon *d);
void wa_logq_free(struct wa_daemon *d);

/* srv-listen.c */
int wa_listen_open(struct wa_daemon *d);
void wa_listen_remove(struct wa_daemon *d);
void wa_notify(const char *state);

/* srv-conn.c */
void wa_conn_start(struct wa_daemon *d);
void wa_conn_accept(uv_stream_t *server, int status);
/* Takes text (one line, malloc'd). */
void wa_conn_send(struct wa_conn *c, char *text, size_t len,
    bool close_after);
void wa_conn_close(struct wa_conn *c);
void wa_conn_close_all(struct wa_daemon *d);
void wa_conn_unref(struct wa_conn *c);
void wa_conn_ref(struct wa_conn *c);

/* srv-answer.c */
json_t *wa_error_resp(json_t *id, int err, const char *msg, json_t *extra);
/* An error answer; id may be NULL. */
void wa_answer_error(struct wa_answer *a, json_t *id, int err,
    const char *msg);
void wa_answer_clear(struct wa_answer *a);

/* srv-ops.c: parse, validate and dispatch one line into a; *flags gets
 * WA_RESP_WRITE or WA_RESP_READ after an op that wrote or read leases. */
void wa_dispatch(struct wa_daemon *d, const struct wa_peer *peer,
    const char *line, size_t len, int *flags, struct wa_answer *a);

/* srv-req.c: for handlers */
int wa_req_fail(struct wa_req *r, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Typed field access: missing is fine (returns 0 / def), wrong type
 * fails the request with bad_request. */
int wa_req_str(struct wa_req *r, const char *key, bool required,
    const char **out);
int wa_req_int(struct wa_req *r, const char *key, bool required,
    long long lo, long long hi, long long *out);
int wa_req_bool(struct wa_req *r, const char *key, bool *out);
bool wa_req_may_change(const struct wa_req *r, uid_t owner);
/* 0 when the caller may bind a lease to pid (its own, or root), else
 * the request fails forbidden. */
int wa_req_own_pid(struct wa_req *r, pid_t pid);

/* srv-batch.c: group commit */
int wa_batch_write_begin(struct wa_daemon *d);
/* Keep the request's writes (rc 0) or roll them back; non-zero when they
 * were rolled back although rc was 0 (the savepoint would not release). */
int wa_batch_write_end(struct wa_daemon *d, int rc);
/* Takes a's contents. */
void wa_batch_respond(struct wa_daemon *d, struct wa_conn *c,
    struct wa_answer *a, int flags);
void wa_batch_commit(struct wa_daemon *d);
/* Commit and make durable now, on this thread: every answer goes. */
void wa_batch_drain(struct wa_daemon *d);
void wa_batch_free(struct wa_daemon *d);
void wa_batch_check_cb(uv_check_t *h);

/* srv-leases.c: the one writer of a lease's copies (ledger rows, port
 * map, mirror, watches, kernel's reserved ports). */
int wa_leases_load(struct wa_daemon *d);
int wa_leases_add(struct wa_daemon *d, struct wa_instance *in,
    enum wa_event_kind kind);
int wa_leases_renew(struct wa_daemon *d, struct wa_instance *in, int64_t now,
    int64_t expires, uid_t uid, pid_t pid);
int wa_leases_attach(struct wa_daemon *d, struct wa_instance *in, pid_t pid,
    unsigned long long start, uid_t uid, pid_t by);
int wa_leases_end(struct wa_daemon *d, const struct wa_instance *in,
    enum wa_state to, uid_t uid, pid_t pid, const char *detail);
int wa_leases_get(struct wa_daemon *d, const char *name,
    struct wa_instance *out);
int wa_leases_find(struct wa_daemon *d, const char *name,
    struct wa_instance *out);
int wa_leases_list(struct wa_daemon *d, const char *product, long owner_uid,
    bool brief, struct wa_out *o);
/* A request's changes begin; they are kept or taken back from mark. */
size_t wa_leases_mark(struct wa_daemon *d);
void wa_leases_rollback(struct wa_daemon *d, size_t mark);
/* After the batch's commit (ok) or its failure. */
void wa_leases_committed(struct wa_daemon *d, bool ok);
/* Every copy again from the ledger. */
void wa_leases_rebuild(struct wa_daemon *d);
void wa_leases_free(struct wa_daemon *d);

/* srv-cache.c: written by srv-leases.c only. */
int wa_cache_load(struct wa_daemon *d);
void wa_cache_put(struct wa_daemon *d, const struct wa_instance *in);
void wa_cache_drop(struct wa_daemon *d, const char *name);
void wa_cache_forget_texts(struct wa_daemon *d);
/* A copy of name's active lease; WA_ENOTFOUND when it has none. */
int wa_cache_get(struct wa_daemon *d, const char *name,
    struct wa_instance *out);
void wa_cache_free(struct wa_daemon *d);
/* The JSON array of active leases (filters NULL / -1: any), name order;
 * brief: the rows of a brief list. */
int wa_cache_list(struct wa_daemon *d, const char *product, long owner_uid,
    bool brief, struct wa_out *o);

/* srv-ckpt.c: WAL checkpoints off the loop; note after every commit. */
void wa_ckpt_start(struct wa_daemon *d);
void wa_ckpt_note(struct wa_daemon *d);
void wa_ckpt_before_begin(struct wa_daemon *d);
void wa_ckpt_stop(struct wa_daemon *d);

/* srv-refused.c: refusals for the history, repeats counted in memory;
 * f->detail is made from err and msg when a row is written. */
void wa_refused_note(struct wa_daemon *d, struct wa_refusal *f,
    const json_t *err, const char *msg);
void wa_refused_start(struct wa_daemon *d);
/* Writes the counts kept. */
void wa_refused_stop(struct wa_daemon *d);
/* The flush its timer put off for an open batch, once it closed. */
void wa_refused_deferred(struct wa_daemon *d);

/* srv-prune.c: history retention, off the request path */
void wa_prune_start(struct wa_daemon *d);
void wa_prune_stop(struct wa_daemon *d);
/* The pruning its timer put off for an open batch, once it closed. */
void wa_prune_deferred(struct wa_daemon *d);

/* srv-lease.c */
int wa_lease_grant(struct wa_req *r, bool adopt);
/* srv-link.c: refuse a link to an unknown role or a lease not active. */
int wa_link_check(struct wa_req *r, const struct wa_product *p,
    const char *self, const char *link);
/* op-lease's rolled_back hook: a refusal goes into the history. */
void wa_lease_refused_note(struct wa_req *r, int rc);
/* The answer's "lease" member, after the members resp has now, as the
 * protocol shows it; the op renders with wa_raw_render. */
void wa_lease_answer(struct wa_req *r, const struct wa_instance *in);
/* Find a lease by name for a request: not_found / forbidden filled. */
int wa_lease_lookup(struct wa_req *r, const char *name, bool must_own,
    struct wa_instance *out);

/* srv-host.c: the host's bound ports, read at most every 100 ms. */
void wa_host_refresh(struct wa_daemon *d);
/* Describe who holds a port on the host: pid, cmdline, unit. */
json_t *wa_host_holder(int proto, uint16_t port);
/* srv-fixed.c: the explicit host ports of an adopted container. */
int wa_lease_fixed(struct wa_req *r, const struct wa_product *p, bool adopt,
    struct wa_lease_port *out, const struct wa_port_def **sel, size_t *n);
int wa_fixed_check(const struct wa_portmap *m, const struct wa_lease_port *ports,
    const struct wa_port_def *const *sel, size_t n, struct wa_conflict *c);
/* A port bound on the host only for its holder's user (a proxy's: its
 * container's) or root: forbidden, the holder named, else. */
int wa_fixed_owned(struct wa_req *r, const struct wa_lease_port *ports,
    size_t n);

/* srv-ctr.c: a container's lease and the processes standing for it. */
bool wa_ctr_lease(const struct wa_instance *in);
/* pid (or a descendant) holds one of in's host ports, or they are
 * published for the container pid runs in. */
bool wa_ctr_lease_pid(const struct wa_instance *in, pid_t pid);
/* Of in's ports in mask (bit i: ports[i]), those a container runtime's
 * process holds on the host. */
uint64_t wa_ctr_runtime_held(const struct wa_instance *in, uint64_t mask);
/* An adopt of pid without explicit ports: refused (invalid) when pid
 * runs in a network namespace of its own, whose ports are not the
 * host's; 0 when it does not, or when that cannot be seen. */
int wa_ctr_adopt_check(struct wa_req *r, pid_t pid);

/* srv-reaper.c: ttl expiry and pid-bound leases */
int wa_reaper_start(struct wa_daemon *d);
void wa_reaper_stop(struct wa_daemon *d);
void wa_reaper_rearm(struct wa_daemon *d);
int wa_reaper_watch(struct wa_daemon *d, const char *name, pid_t pid,
    unsigned long long start);
void wa_reaper_unwatch(struct wa_daemon *d, const char *name);
/* After a failed commit: watches and expiry as the ledger has them. */
void wa_reaper_resync(struct wa_daemon *d);

/* srv-kernel.c: --reserve-kernel-ports */
int wa_kernel_init(struct wa_daemon *d);
int wa_kernel_sync(struct wa_daemon *d);

/* srv-state.c */
int wa_daemon_init(struct wa_daemon *d, uv_loop_t *loop, char *err,
    size_t errlen);
void wa_daemon_free(struct wa_daemon *d);
int wa_catalog_reload(struct wa_daemon *d);

/* op-metrics.c: the counters, bumped where things happen. */
void wa_metrics_refused(struct wa_daemon *d, int err);
void wa_metrics_ended(struct wa_daemon *d, enum wa_state to);

/* op-products.c: unknown_product, naming the nearest ids. */
int wa_unknown_product(struct wa_req *r, const char *id);

#endif
