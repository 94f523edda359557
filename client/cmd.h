/*
 * cmd.h: the wso2-alloc command table.  Each command lives in its own
 * cmd-<name>.c and describes itself with one wa_cmd_entry; the
 * dispatcher in wso2-alloc.c only walks the table.
 */
#ifndef WA_CMD_H
#define WA_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "wso2alloc.h"

/* Exit codes (sysexits where one fits); see wso2-alloc(1). */
enum {
	WA_EXIT_OK = 0,
	WA_EXIT_NOTFOUND = 1,
	WA_EXIT_CONFLICT = 3,
	WA_EXIT_USAGE = 64,
	WA_EXIT_DATAERR = 65,
	WA_EXIT_UNAVAILABLE = 69,
	WA_EXIT_SOFTWARE = 70,
	WA_EXIT_NOPERM = 77
};

struct wa_cli {
	const char *socket_opt;     /* -s/--socket */
	const char *db;             /* --db, for reads with the daemon down */
	bool json;
	bool no_start;
	char *socket;               /* resolved */
	bool started;               /* a daemon was started */
	bool warned;                /* the private-daemon warning was said */
	int start_errno;            /* why it could not be, or 0 */
	char why[512];              /* why connecting failed, or "" */
	char started_log[256];      /* the started daemon's log directory */
	wa_client *c;
	char **args;                /* the positional arguments, counted */
	int nargs;                  /* against min_args/max_args */
};

/* One row of a command's --help: an option or argument, as typed, and
 * what it does; text NULL keeps it out of --help (completion helpers). */
struct wa_cmd_help {
	const char *what;
	const char *text;
};

struct wa_cmd_entry {
	const char *name;
	const char *usage;
	const char *summary;
	const char *shortopts;
	const struct option *opts;
	const struct wa_cmd_help *help;  /* ends with { NULL, NULL } */
	int min_args, max_args;     /* positional, -1: any */
	int (*exec)(struct wa_cli *cli, int argc, char **argv);
};

/* wso2-alloc.c */
int wa_cli_connect(struct wa_cli *cli);
/* Send req (stolen) to the daemon; when none answers, an op the daemon's
 * table marks WA_OP_OFFLINE runs here on its ledger file (offline.c). */
int wa_cli_request(struct wa_cli *cli, json_t *req, json_t **resp);
/* The same for an answer printed from its text: *text (malloc'd,
 * NUL-terminated, *len bytes) is the daemon's line, unchecked, or the
 * ledger reader's answer written out. */
int wa_cli_request_text(struct wa_cli *cli, json_t *req, char **text,
    size_t *len);
int wa_cli_fail(struct wa_cli *cli, const char *what, int err);
int wa_cli_usage(const struct wa_cmd_entry *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int wa_exit_code(int err);
void wa_json_print(json_t *j);
/* Parse a command's options into handler-visible state: each command
 * calls getopt_long itself with e->shortopts and e->opts, after
 * wa_cmd_run has checked them and counted the arguments. */

/* dispatch.c */
/* Run one command line (argv[0] the command's name): --help, --json
 * after the command, unknown options and argument counts are handled
 * here, once, before e->exec. */
int wa_cmd_run(struct wa_cli *cli, const struct wa_cmd_entry *e, int argc,
    char **argv);

/* help.c */
/* The command's usage, summary and one described line per option. */
void wa_cmd_help_print(FILE *f, const struct wa_cmd_entry *e);
/* "usage: wso2-alloc NAME USAGE", wrapped under its start. */
void wa_cmd_usage_print(FILE *f, const struct wa_cmd_entry *e);
/* Rows of an option table, the text wrapped to the terminal's width. */
void wa_help_rows(FILE *f, const struct wa_cmd_help *rows);
/* The row describing option opt (its long name), or NULL. */
const struct wa_cmd_help *wa_cmd_help_find(const struct wa_cmd_entry *e,
    const char *opt);
/* The options for completion, one a line, hidden ones left out. */
void wa_cmd_complete_print(FILE *f, const struct wa_cmd_entry *e);

/* cmd-lease.c: the lease options, shared with exec. */
#define WA_LEASE_OPTS \
	{ "product", required_argument, NULL, 'p' }, \
	{ "name", required_argument, NULL, 'n' }, \
	{ "home", required_argument, NULL, 'H' }, \
	{ "offset", required_argument, NULL, 'o' }, \
	{ "with", required_argument, NULL, 'w' }, \
	{ "without", required_argument, NULL, 'W' }, \
	{ "pid", required_argument, NULL, 'P' }, \
	{ "ttl", required_argument, NULL, 't' }, \
	{ "label", required_argument, NULL, 'l' }, \
	{ "link", required_argument, NULL, 'k' }, \
	{ "format", required_argument, NULL, 'f' }, \
	{ "container", no_argument, NULL, 'C' }
#define WA_LEASE_HELP \
	{ "--product P", "the product: an id or alias that 'wso2-alloc " \
	    "products' lists (required)" }, \
	{ "--name N", "the lease's name (default: the base name of --home, " \
	    "else ID-N); the same request again returns the same lease" }, \
	{ "--home DIR", "the server's carbon home, kept with the lease for " \
	    "config and scan" }, \
	{ "--offset K", "exactly this offset, or a conflict naming what is " \
	    "in the way (default: the name's previous offset when free, else " \
	    "the lowest free one)" }, \
	{ "--with PORT", "also reserve this conditional or listed port, by " \
	    "name (repeatable; 'wso2-alloc products ID' lists them)" }, \
	{ "--without PORT", "leave out this default port (repeatable)" }, \
	{ "--ttl DUR", "end the lease after DUR (30s, 15m, 2h, 7d) unless " \
	    "renewed" }, \
	{ "--label K=V", "a label kept with the lease (repeatable)" }, \
	{ "--link ROLE=NAME", "this instance uses lease NAME as ROLE " \
	    "(control-plane, gateway, traffic-manager, key-manager; km for " \
	    "API-M 2.x): config writes NAME's ports (repeatable)" }, \
	{ "--container", "for a server in a container that keeps its " \
	    "shipped offset inside: host ports for --format docker|compose" }
/* The lease options as parsed: the library's request and what it
 * points into (wa_lease_args_free). */
#define WA_LEASE_MAXV 64
struct wa_lease_args {
	struct wa_lease_request r;
	const char *with[WA_LEASE_MAXV], *without[WA_LEASE_MAXV];
	char *home;                 /* --home made absolute */
	char *link;                 /* every --link, comma-separated */
	json_t *labels;
	const char *format;         /* NULL: not given */
	bool no_offset_arg;
};
/* 0, or the exit code of a usage or data error (said on stderr). */
int wa_lease_parse(const struct wa_cmd_entry *e, int argc, char **argv,
    struct wa_lease_args *a);
void wa_lease_args_free(struct wa_lease_args *a);
/* wa_cli_fail, and the holder's user name when the name is taken. */
int wa_lease_fail(struct wa_cli *cli, const char *what, int err);

/* output.c */
/* s with control characters and bytes that are not UTF-8 escaped, for a
 * terminal; "-" for NULL.  Valid until 16 more calls. */
const char *wa_term_str(const char *s);
void wa_term_puts(FILE *f, const char *s);
struct wa_table;
struct wa_table *wa_table_new(const char *const *headers, size_t ncols);
void wa_table_add(struct wa_table *t, const char *const *cells);
void wa_table_print(struct wa_table *t, FILE *f);
void wa_table_free(struct wa_table *t);
bool wa_lease_valid(const json_t *lease);
/* WA_EPROTO, nothing printed, for a lease that is not one. */
int wa_lease_print(FILE *f, const json_t *lease, const char *format);
const char *wa_lease_formats(void);
bool wa_lease_format_ok(const char *format);
void wa_env_name(const char *port_name, char *buf, size_t len);
const char *wa_json_str(const json_t *o, const char *key);
long long wa_json_int(const json_t *o, const char *key, long long def);
int wa_labels_add(json_t *labels, const char *kv);
int wa_port_arg(const char *arg, int *port, const char **proto);
/* uid's user name (its number when it has none), looked up once. */
void wa_user_name(long long uid, char *buf, size_t len);

/* cmd-check.c: check's findings ({kind, lease, message}), and how many
 * leases it compared; the kinds a finding has, NULL-terminated. */
int wa_check_collect(struct wa_cli *cli, json_t **findings, size_t *nleases);
extern const char *const wa_check_kinds[];

/* scan.c */
struct wa_catalog;
struct wa_catalog *wa_cli_catalog(void);
json_t *wa_scan_servers(const struct wa_catalog *cat);
const json_t *wa_scan_lease(const json_t *leases, const json_t *server);

/* jsonpass.c: member key of the JSON object in text (NUL-terminated) to
 * f as wa_json_print would print {key: value}, but for \u escapes of
 * what moves a terminal; WA_EPROTO, nothing printed, unless text is
 * JSON that has it. */
int wa_json_print_member(const char *text, size_t len, const char *key,
    FILE *f);

/* promjson.c: Prometheus' text format as a JSON object (new reference). */
json_t *wa_prom_json(const char *text);

/* offline.c: reads from the ledger file when the daemon is down */
int wa_offline_call(struct wa_cli *cli, json_t *req, json_t **resp);
/* The last offline call's {"code","message"}, or NULL. */
const json_t *wa_offline_error(void);

/* The command table: one row per command, in --help's order; its
 * cmd-NAME.c defines wa_cmd_NAME. */
#define WA_CMDS(X) \
	X(lease) \
	X(release) \
	X(renew) \
	X(list) \
	X(show) \
	X(who) \
	X(ports) \
	X(products) \
	X(next) \
	X(history) \
	X(status) \
	X(exec) \
	X(attach) \
	X(scan) \
	X(check) \
	X(config) \
	X(export) \
	X(shutdown)
#define WA_CMD_DECL(n) extern const struct wa_cmd_entry wa_cmd_##n;
WA_CMDS(WA_CMD_DECL)

#endif
