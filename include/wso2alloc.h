/*
 * wso2alloc.h: the public surface of libwso2alloc.
 *
 * Connect to wso2-allocd over its Unix socket and make one call per
 * protocol operation (docs/protocol.md).  Results are jansson objects
 * shaped exactly as the protocol's response fields; the caller owns every
 * json_t it receives (json_decref).  Errors are negative WA_E* codes;
 * wa_strerror() describes them and wa_client_error() returns the
 * daemon's error object of the last failed call, for the details.
 */
#ifndef WSO2ALLOC_H
#define WSO2ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WA_VERSION "0.1.0"
#define WA_PROTOCOL_VERSION 1
#define WA_MAX_LINE (64 * 1024)

/*
 * Error codes: name, protocol code, message, the CLI's exit status (a
 * sysexits-like name, WA_EXIT_* in client/cmd.h).  The protocol code is
 * what travels in {"error": {"code": ...}}; codes without one are local.
 */
#define WA_ERRNO_MAP(XX)                                                     \
	XX(ENOMEM, -1, "internal", "out of memory", SOFTWARE)                \
	XX(EINVAL, -2, "invalid", "invalid argument", DATAERR)               \
	XX(ENOTFOUND, -3, "not_found", "no such lease", NOTFOUND)            \
	XX(ECONFLICT, -4, "conflict", "port conflict", CONFLICT)             \
	XX(EEXHAUSTED, -5, "exhausted", "no free offset", CONFLICT)          \
	XX(EFORBIDDEN, -6, "forbidden", "permission denied", NOPERM)         \
	XX(EBUSY, -7, "busy", "daemon busy", UNAVAILABLE)                    \
	XX(EPRODUCT, -8, "unknown_product", "unknown product", DATAERR)      \
	XX(EBADREQ, -9, "bad_request", "malformed request", USAGE)           \
	XX(ETOOLARGE, -10, "too_large", "request too large", USAGE)          \
	XX(EUNKNOWNOP, -11, "unknown_op", "unknown operation", USAGE)        \
	XX(EUNAVAIL, -12, "unavailable",                                     \
	    "ledger cannot be written", SOFTWARE)                            \
	XX(EINTERNAL, -13, "internal", "internal error", SOFTWARE)           \
	XX(EFULL, -14, "unavailable", "disk full", SOFTWARE)                 \
	XX(EREADONLY, -15, "unavailable", "ledger is read-only", SOFTWARE)   \
	XX(ECORRUPT, -16, "unavailable", "ledger is corrupt", SOFTWARE)      \
	XX(ELOCKED, -17, "unavailable",                                      \
	    "ledger in use by another daemon", SOFTWARE)                     \
	XX(ESCHEMA, -18, "unavailable",                                      \
	    "ledger schema newer than this binary", SOFTWARE)                \
	XX(ECATALOG, -19, "invalid", "invalid catalog", DATAERR)             \
	XX(EIO, -20, "internal", "input/output error", SOFTWARE)             \
	XX(ECONNECT, -21, NULL, "daemon unreachable", UNAVAILABLE)           \
	XX(EPROTO, -22, NULL, "malformed response from daemon", SOFTWARE)    \
	XX(EDBBUSY, -23, "busy", "ledger busy", UNAVAILABLE)                 \
	XX(EUNTRUSTED, -24, NULL, "daemon or socket not trusted", NOPERM)

typedef enum {
	WA_OK = 0,
#define WA_ERRNO_ENUM(name, val, code, msg, exit) WA_##name = (val),
	WA_ERRNO_MAP(WA_ERRNO_ENUM)
#undef WA_ERRNO_ENUM
	WA_ERRNO_LAST = -25
} wa_errno_t;

/* A sentence for an error code. */
const char *wa_strerror(int err);
/* The protocol code ("not_found", ...) or NULL for local-only errors. */
const char *wa_err_code(int err);
/* The error for a protocol code; WA_EINTERNAL when unknown. */
int wa_err_from_code(const char *code);

/* Where a client looks for the daemon: --socket, $WSO2_ALLOC_SOCKET,
 * the system socket for root or when it exists, else the user socket.
 * Returns a malloc'd path or NULL when no candidate can be formed. */
#define WA_SYSTEM_SOCKET "/run/wso2-alloc/wso2-alloc.sock"
/* The account the packaged system daemon runs as. */
#define WA_SERVICE_USER "wso2-alloc"
char *wa_socket_path_user(void);
char *wa_socket_path_resolve(const char *explicit_path);

typedef struct wa_client wa_client;

/*
 * Connect; WA_ECONNECT when nobody answers at path.  As tmux does, only
 * to a socket (not a symlink) in a directory that belongs to the caller,
 * root or WA_SERVICE_USER and that no one else may write, served by a
 * daemon running as one of those: else WA_EUNTRUSTED.  wa_client_connect
 * also says why it failed, naming the path and the owner found, in err.
 */
int wa_client_open(wa_client **out, const char *path);
int wa_client_connect(wa_client **out, const char *path, char *err,
    size_t errlen);
/* The daemon's uid (SO_PEERCRED): root or WA_SERVICE_USER for the host's
 * daemon, the caller's own for a private one. */
uid_t wa_client_peer_uid(const wa_client *c);
void wa_client_close(wa_client *c);
/* Send one request (borrowed) and read its response.  On success the
 * whole response object is stored in *resp (new reference).  On a daemon
 * error the error object is kept for wa_client_error(). */
int wa_client_call(wa_client *c, json_t *req, json_t **resp);
/* The {"code","message",...} object of the last failed call, or NULL.
 * Borrowed: valid until the next call. */
const json_t *wa_client_error(const wa_client *c);

struct wa_lease_request {
	const char *product;       /* required: id or alias */
	const char *name;          /* NULL: the daemon picks one */
	const char *home;          /* carbon home, may be NULL */
	int offset;                /* -1: let the daemon choose */
	const char *const *with;   /* extra port names */
	size_t nwith;
	const char *const *without; /* default port names to leave out */
	size_t nwithout;
	pid_t pid;                 /* 0: not bound to a process */
	long ttl;                  /* seconds; 0: no lifetime */
	json_t *labels;            /* borrowed string map, may be NULL */
	const char *link;          /* "role=NAME[,ROLE=NAME]", may be NULL */
	json_t *ports;             /* borrowed {port name: host port}, may be
	                            * NULL: a container's published ports */
	bool adopt;                /* record a server already running */
};

/*
 * The request each call below sends, one builder per op (new reference,
 * NULL when out of memory): for a caller with its own connection, as
 * the command line has.  docs/protocol.md describes the fields.
 */
json_t *wa_lease_req(const struct wa_lease_request *r);
json_t *wa_release_req(const char *name);
json_t *wa_renew_req(const char *name, long ttl);
json_t *wa_attach_req(const char *name, pid_t pid);
json_t *wa_show_req(const char *name);
/* owner_uid < 0 and NULL strings mean "any"; brief: a table's rows. */
json_t *wa_list_req(const char *product, long owner_uid, const char *state,
    bool brief);
json_t *wa_who_req(int port, const char *proto);
json_t *wa_ports_req(const char *product);
json_t *wa_products_req(const char *id);
json_t *wa_history_req(const char *name, int limit);
/* The offset a lease of product's default ports would get now. */
json_t *wa_next_req(const char *product);
json_t *wa_status_req(void);
json_t *wa_ping_req(void);
json_t *wa_metrics_req(void);
json_t *wa_shutdown_req(void);

/* Each stores the protocol's lease object (or list, ...) in *out. */
int wa_lease(wa_client *c, const struct wa_lease_request *r, json_t **lease);
int wa_release(wa_client *c, const char *name, json_t **lease);
int wa_renew(wa_client *c, const char *name, long ttl, json_t **lease);
int wa_attach(wa_client *c, const char *name, pid_t pid, json_t **lease);
int wa_show(wa_client *c, const char *name, json_t **lease);
/* owner_uid < 0 and NULL strings mean "any". */
int wa_list(wa_client *c, const char *product, long owner_uid,
    const char *state, json_t **leases);
int wa_who(wa_client *c, int port, const char *proto, json_t **resp);
int wa_ports(wa_client *c, const char *product, json_t **ports);
int wa_products(wa_client *c, const char *id, json_t **products);
int wa_history(wa_client *c, const char *name, int limit, json_t **events);
int wa_status(wa_client *c, json_t **status);
int wa_ping(wa_client *c);

#ifdef __cplusplus
}
#endif
#endif /* WSO2ALLOC_H */
