/*
 * offline.c: list, show, who and history straight from the ledger file,
 * read-only, for when no daemon answers.  The answers have the daemon's
 * shape, so the commands print them the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ledger.h"
#include "render.h"
#include "util.h"

static char wa_offline_msg[512];

const char *
wa_offline_error(void)
{
	return wa_offline_msg[0] ? wa_offline_msg : NULL;
}

struct wa_off {
	struct wa_catalog *cat;
	json_t *out;
	struct wa_out *rows;        /* a brief list: the daemon's rows */
	size_t nrows;
};

static int
wa_off_lease(void *arg, const struct wa_instance *in)
{
	struct wa_off *o = arg;

	if (o->rows != NULL) {
		if (o->nrows++ > 0)
			wa_out_put(o->rows, ",", 1);
		wa_instance_brief(o->rows, in);
		return o->rows->failed ? WA_ENOMEM : 0;
	}
	json_array_append_new(o->out, wa_instance_json(o->cat, in, 32768,
	    60999, false));
	return 0;
}

static int
wa_off_event(void *arg, const struct wa_event *ev)
{
	json_array_append_new(arg, wa_event_json(ev));
	return 0;
}

/*
 * The ledger of the daemon the socket names: --db, the system ledger for
 * the system socket, the caller's for the user socket.  Of a daemon
 * someone else chose the ledger is unknown: NULL, and nothing is read.
 */
static char *
wa_off_path(struct wa_cli *cli)
{
	char *st, *user, *p = NULL;
	size_t n;

	if (cli->db != NULL)
		return strdup(cli->db);
	if (cli->socket == NULL)
		return NULL;
	if (strcmp(cli->socket, WA_SYSTEM_SOCKET) == 0)
		return strdup(WA_SYSTEM_DB);
	user = wa_socket_path_user();
	st = wa_user_state_dir();
	if (user != NULL && st != NULL && strcmp(user, cli->socket) == 0) {
		n = strlen(st) + sizeof "/ledger.db";
		if ((p = malloc(n)) != NULL)
			snprintf(p, n, "%s/ledger.db", st);
	}
	free(user);
	free(st);
	return p;
}

/* A brief list read offline: the rows the daemon would write. */
static int
wa_off_brief(struct wa_ledger *l, struct wa_off *o,
    const struct wa_ledger_filter *f, json_t *resp)
{
	struct wa_out rows = { NULL, 0, 0, false };
	json_t *a = NULL;
	int rc;

	o->rows = &rows;
	wa_out_put(&rows, "[", 1);
	if ((rc = wa_ledger_list(l, f, wa_off_lease, o)) == 0) {
		wa_out_put(&rows, "]", 1);
		if (rows.failed || (a = json_loadb(rows.p, rows.len, 0,
		    NULL)) == NULL)
			rc = WA_ENOMEM;
	}
	o->rows = NULL;
	wa_out_free(&rows);
	if (rc == 0) {
		json_object_set_new(resp, "columns", wa_brief_columns());
		json_object_set_new(resp, "rows", a);
	}
	return rc;
}

static int
wa_off_run(struct wa_ledger *l, struct wa_off *o, json_t *req, json_t *resp)
{
	const char *op = json_string_value(json_object_get(req, "op"));
	const char *name = json_string_value(json_object_get(req, "name"));
	struct wa_ledger_filter f = { NULL, WA_STATE_ACTIVE, -1 };
	struct wa_instance in;
	json_t *v;
	int rc;

	if (strcmp(op, "list") == 0) {
		const char *state = json_string_value(json_object_get(req,
		    "state"));
		const struct wa_product *p;

		/* The daemon's filters: an alias names its product, "all"
		 * every state. */
		f.product = json_string_value(json_object_get(req, "product"));
		if (f.product != NULL && o->cat != NULL &&
		    (p = wa_catalog_find(o->cat, f.product)) != NULL)
			f.product = p->id;
		if (state != NULL && strcmp(state, "all") == 0)
			f.state = -1;
		else if (state != NULL && (f.state = wa_state_parse(state)) < 0)
			return WA_EINVAL;
		if ((v = json_object_get(req, "owner_uid")) != NULL)
			f.owner_uid = (long)json_integer_value(v);
		if (json_is_true(json_object_get(req, "brief")))
			return wa_off_brief(l, o, &f, resp);
		o->out = json_array();
		rc = wa_ledger_list(l, &f, wa_off_lease, o);
		json_object_set_new(resp, "leases", o->out);
		return rc;
	}
	if (strcmp(op, "history") == 0) {
		v = json_array();
		rc = wa_ledger_history(l, name, (int)json_integer_value(
		    json_object_get(req, "limit")), wa_off_event, v);
		json_object_set_new(resp, "events", v);
		return rc;
	}
	if (strcmp(op, "show") == 0)
		rc = wa_ledger_find(l, name, &in);
	else if (strcmp(op, "who") == 0) {
		int proto = wa_proto_parse(json_string_value(json_object_get(
		    req, "proto")));
		int port = (int)json_integer_value(json_object_get(req, "port"));

		rc = wa_ledger_find_port(l, proto < 0 ? WA_TCP : proto,
		    (uint16_t)port, &in);
		if (rc == 0) {
			json_object_set_new(resp, "port", json_integer(port));
			json_object_set_new(resp, "proto", json_string(
			    wa_proto_name(proto < 0 ? WA_TCP : proto)));
			for (size_t i = 0; i < in.nports; i++)
				if (in.ports[i].port == port)
					json_object_set_new(resp, "port_name",
					    json_string(in.ports[i].name));
			json_object_set_new(resp, "bound", json_null());
		}
	} else
		return WA_EINVAL;
	if (rc == 0) {
		json_object_set_new(resp, "lease", wa_instance_json(o->cat, &in,
		    32768, 60999, true));
		wa_instance_clear(&in);
	}
	return rc;
}

int
wa_offline_call(struct wa_cli *cli, json_t *req, json_t **resp)
{
	struct wa_ledger_opts lo = { .sync = WA_SYNC_FULL,
	    .busy_timeout_ms = 1000, .readonly = true };
	struct wa_off o = { NULL, NULL, NULL, 0 };
	struct wa_ledger *l = NULL;
	const char *dirs[2];
	char *path = wa_off_path(cli), err[256];
	json_t *r = NULL;
	int rc;

	*resp = NULL;
	if (path == NULL) {
		snprintf(wa_offline_msg, sizeof wa_offline_msg, "no daemon "
		    "answers on %s, and which ledger it keeps is not known: "
		    "name it with --db PATH to read it", cli->socket != NULL ?
		    cli->socket : "(no socket)");
		return WA_ECONNECT;
	}
	fprintf(stderr, "wso2-alloc: no daemon answers on %s; read the "
	    "ledger %s directly (read-only)\n", cli->socket != NULL ?
	    wa_term_str(cli->socket) : "(no socket)", wa_term_str(path));
	if ((rc = wa_ledger_open(&l, path, &lo, err, sizeof err)) != 0) {
		snprintf(wa_offline_msg, sizeof wa_offline_msg, "%s", err);
		rc = WA_ECONNECT;
		goto out;
	}
	wa_catalog_load(&o.cat, dirs, wa_catalog_default_dirs(dirs), NULL, 0);
	r = json_pack("{sb}", "ok", 1);
	if ((rc = wa_off_run(l, &o, req, r)) == 0) {
		*resp = r;
		r = NULL;
	} else if (rc == WA_ENOTFOUND)
		snprintf(wa_offline_msg, sizeof wa_offline_msg, "not in the "
		    "ledger %s", path);
out:
	json_decref(r);
	wa_catalog_free(o.cat);
	wa_ledger_close(l);
	free(path);
	return rc;
}
