/* op-show.c: one lease by name, in any state. */
#include "srv.h"

static int
wa_op_show_run(struct wa_req *r)
{
	struct wa_instance in;
	const char *name;
	int rc;

	if ((rc = wa_req_str(r, "name", true, &name)) != 0 ||
	    (rc = wa_lease_lookup(r, name, false, &in)) != 0)
		return rc;
	wa_lease_answer(r, &in);
	wa_instance_clear(&in);
	return 0;
}

const struct wa_op wa_op_show = {
	.name = "show", .flags = WA_OP_READ | WA_OP_OFFLINE,
	.handler = wa_op_show_run,
	.render = wa_raw_render, .done = wa_raw_done,
};
