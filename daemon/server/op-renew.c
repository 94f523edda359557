/* op-renew.c: extend a lease's lifetime (owner or root). */
#include "srv.h"
#include "util.h"

static int
wa_op_renew_run(struct wa_req *r)
{
	struct wa_instance in;
	const char *name;
	long long ttl = 0;
	int64_t expires, now;
	int rc;

	if ((rc = wa_req_str(r, "name", true, &name)) != 0 ||
	    (rc = wa_req_int(r, "ttl", false, 1, 3650LL * 86400, &ttl)) != 0 ||
	    (rc = wa_lease_lookup(r, name, true, &in)) != 0)
		return rc;
	/* Without a ttl the lease keeps the lifetime it had. */
	now = wa_now_ms();
	expires = ttl > 0 ? now + ttl * 1000 : in.expires != 0 ?
	    now + (in.expires - in.renewed) : 0;
	if ((rc = wa_leases_renew(r->d, &in, now, expires, r->peer.uid,
	    r->peer.pid)) != 0)
		rc = wa_req_fail(r, WA_EUNAVAIL, "ledger: %s", wa_strerror(rc));
	else
		wa_lease_answer(r, &in);
	wa_instance_clear(&in);
	return rc;
}

const struct wa_op wa_op_renew = {
	.name = "renew", .flags = WA_OP_WRITE, .handler = wa_op_renew_run,
	.render = wa_raw_render, .done = wa_raw_done,
};
