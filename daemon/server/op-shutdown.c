/*
 * op-shutdown.c: stop the daemon at its owner's (or root's) request: a
 * private daemon has no systemctl to stop it.  The answer goes out
 * first; the orderly stop (the batch committed, every connection closed)
 * follows on the loop's next turn.
 */
#include <stdio.h>
#include <unistd.h>

#include "srv.h"
#include "util.h"

static void
wa_shutdown_cb(uv_timer_t *t)
{
	struct wa_daemon *d = t->data;

	d->stop(d, d->shutdown_why);
}

static int
wa_op_shutdown_run(struct wa_req *r)
{
	struct wa_daemon *d = r->d;
	uid_t owner = geteuid();
	char who[64];

	if (r->peer.uid != 0 && r->peer.uid != owner)
		return wa_req_fail(r, WA_EFORBIDDEN, "only root or the daemon's "
		    "owner, %s, may stop it", wa_uid_name(owner, who,
		    sizeof who));
	if (d->stop == NULL)
		return wa_req_fail(r, WA_EUNAVAIL, "this daemon cannot be "
		    "stopped by request");
	json_object_set_new(r->resp, "pid", json_integer(getpid()));
	if (d->stopping || d->shutdown_armed)
		return 0;
	snprintf(d->shutdown_why, sizeof d->shutdown_why, "shutdown asked by "
	    "uid %lu (pid %ld)", (unsigned long)r->peer.uid,
	    (long)r->peer.pid);
	if (uv_timer_init(d->loop, &d->shutdown) != 0)
		return wa_req_fail(r, WA_EINTERNAL, "cannot arm the stop");
	d->shutdown.data = d;
	d->shutdown_armed = true;
	uv_timer_start(&d->shutdown, wa_shutdown_cb, 0, 0);
	return 0;
}

const struct wa_op wa_op_shutdown = {
	.name = "shutdown", .handler = wa_op_shutdown_run,
};
