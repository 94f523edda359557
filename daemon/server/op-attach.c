/* op-attach.c: bind an existing lease to a process after it started. */
#include <limits.h>

#include "procnet.h"
#include "srv.h"

static int
wa_op_attach_run(struct wa_req *r)
{
	struct wa_instance in;
	unsigned long long start;
	const char *name;
	long long pid = 0;
	int rc;

	if ((rc = wa_req_str(r, "name", true, &name)) != 0 ||
	    (rc = wa_req_int(r, "pid", true, 1, INT_MAX, &pid)) != 0)
		return rc;
	if (wa_proc_start_time((pid_t)pid, &start) != 0)
		return wa_req_fail(r, WA_EINVAL, "pid %lld: no such process",
		    pid);
	if ((rc = wa_lease_lookup(r, name, true, &in)) != 0)
		return rc;
	/* A container's lease ends with a process that stands for it: a
	 * docker run -d client's exits at once. */
	if (wa_ctr_lease(&in) && !wa_ctr_lease_pid(&in, (pid_t)pid)) {
		rc = wa_req_fail(r, WA_EINVAL, "pid %lld neither holds nor has "
		    "published any of %s's host ports: attach the container's "
		    "process or its runtime's (docker-proxy, conmon, "
		    "rootlessport) that holds them", pid, name);
		wa_instance_clear(&in);
		return rc;
	}
	/* A container's runtime process may be root's: it holds ports the
	 * lease was granted as the caller's (srv-fixed.c). */
	if (!wa_ctr_lease(&in) && (rc = wa_req_own_pid(r, (pid_t)pid)) != 0) {
		wa_instance_clear(&in);
		return rc;
	}
	if ((rc = wa_leases_attach(r->d, &in, (pid_t)pid, start, r->peer.uid,
	    r->peer.pid)) != 0)
		rc = wa_req_fail(r, WA_EUNAVAIL, "ledger: %s", wa_strerror(rc));
	else
		wa_lease_answer(r, &in);
	wa_instance_clear(&in);
	return rc;
}

const struct wa_op wa_op_attach = {
	.name = "attach", .flags = WA_OP_WRITE, .handler = wa_op_attach_run,
	.render = wa_raw_render, .done = wa_raw_done,
};
