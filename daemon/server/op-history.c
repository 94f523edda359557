/* op-history.c: the event history, of one instance or all, oldest first. */
#include "srv.h"

static int
wa_history_one(void *arg, const struct wa_event *ev)
{
	return json_array_append_new(arg, wa_event_json(ev)) == 0 ? 0 :
	    WA_ENOMEM;
}

static int
wa_op_history_run(struct wa_req *r)
{
	const char *name;
	long long limit = 50;
	json_t *events;
	int rc;

	if ((rc = wa_req_str(r, "name", false, &name)) != 0 ||
	    (rc = wa_req_int(r, "limit", false, 1, 100000, &limit)) != 0)
		return rc;
	events = json_array();
	if ((rc = wa_ledger_history(r->d->ledger, name, (int)limit,
	    wa_history_one, events)) != 0) {
		json_decref(events);
		return wa_req_fail(r, WA_EUNAVAIL, "ledger: %s",
		    wa_strerror(rc));
	}
	json_object_set_new(r->resp, "events", events);
	return 0;
}

const struct wa_op wa_op_history = {
	.name = "history", .flags = WA_OP_READ | WA_OP_OFFLINE,
	.handler = wa_op_history_run,
};
