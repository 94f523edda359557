/* op-status.c: what an operator asks first: who, where, how much. */
#include <unistd.h>

#include "srv.h"
#include "util.h"

static int
wa_status_count(void *arg, const char *product, long active)
{
	json_object_set_new(arg, product, json_integer(active));
	return 0;
}

static int
wa_op_status_run(struct wa_req *r)
{
	struct wa_daemon *d = r->d;
	json_t *leases = json_object();
	long events = 0, active = 0;
	const char *k;
	json_t *v;
	int rc;

	if ((rc = wa_ledger_counts(d->ledger, wa_status_count, leases,
	    &events)) != 0) {
		json_decref(leases);
		return wa_req_fail(r, WA_EUNAVAIL, "ledger: %s",
		    wa_strerror(rc));
	}
	json_object_foreach(leases, k, v)
		active += (long)json_integer_value(v);
	json_object_set_new(r->resp, "version", json_string(WA_VERSION));
	json_object_set_new(r->resp, "protocol",
	    json_integer(WA_PROTOCOL_VERSION));
	json_object_set_new(r->resp, "pid", json_integer(getpid()));
	json_object_set_new(r->resp, "uptime",
	    json_integer((wa_now_ms() - d->started_ms) / 1000));
	json_object_set_new(r->resp, "socket", json_string(d->socket_path));
	/* Private: no other user's client talks to it (the client's rule). */
	json_object_set_new(r->resp, "mode", json_string(d->cfg.user ||
	    !wa_uid_system(geteuid()) ? "private" : "system"));
	json_object_set_new(r->resp, "uid", json_integer(geteuid()));
	json_object_set_new(r->resp, "ledger", json_string(d->db_path));
	json_object_set_new(r->resp, "schema_version",
	    json_integer(wa_ledger_schema_version(d->ledger)));
	json_object_set_new(r->resp, "sync", json_string(
	    wa_ledger_sync(d->ledger) == WA_SYNC_NORMAL ? "normal" : "full"));
	json_object_set_new(r->resp, "catalog",
	    json_integer((json_int_t)d->cat->nproducts));
	json_object_set_new(r->resp, "leases", leases);
	json_object_set_new(r->resp, "active", json_integer(active));
	json_object_set_new(r->resp, "events", json_integer(events));
	json_object_set_new(r->resp, "connections",
	    json_integer((json_int_t)d->nconns));
	json_object_set_new(r->resp, "requests",
	    json_integer((json_int_t)d->requests));
	return 0;
}

const struct wa_op wa_op_status = {
	.name = "status", .flags = WA_OP_READ, .handler = wa_op_status_run,
};
