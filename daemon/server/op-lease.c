/* op-lease.c: grant a lease (see docs/protocol.md, "lease semantics"). */
#include "srv.h"

static int
wa_op_lease_run(struct wa_req *r)
{
	return wa_lease_grant(r, false);
}

const struct wa_op wa_op_lease = {
	.name = "lease", .flags = WA_OP_WRITE, .handler = wa_op_lease_run,
	.rolled_back = wa_lease_refused_note,
	.render = wa_raw_render, .done = wa_raw_done,
};
