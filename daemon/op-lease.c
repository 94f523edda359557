/* op-lease.c: grant a lease (see docs/protocol.md, "lease semantics"). */
#include "srv.h"

static int
wa_op_lease_run(struct wa_req *r)
{
	return wa_lease_grant(r, false);
}

const struct wa_op wa_op_lease = { "lease", WA_OP_WRITE, wa_op_lease_run };
