/* op-release.c: end a lease by its owner (or root); ports come free. */
#include "srv.h"

static int
wa_op_release_run(struct wa_req *r)
{
	struct wa_instance in;
	const char *name;
	int rc;

	if ((rc = wa_req_str(r, "name", true, &name)) != 0 ||
	    (rc = wa_lease_lookup(r, name, true, &in)) != 0)
		return rc;
	if ((rc = wa_leases_end(r->d, &in, WA_STATE_RELEASED, r->peer.uid,
	    r->peer.pid, NULL)) != 0)
		rc = wa_req_fail(r, WA_EUNAVAIL, "ledger: %s", wa_strerror(rc));
	else {
		in.state = WA_STATE_RELEASED;
		wa_lease_answer(r, &in);
	}
	wa_instance_clear(&in);
	return rc;
}

const struct wa_op wa_op_release = {
	.name = "release", .flags = WA_OP_WRITE, .handler = wa_op_release_run,
	.render = wa_raw_render, .done = wa_raw_done,
};
