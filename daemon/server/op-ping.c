/* op-ping.c: liveness, and the protocol version for clients to check. */
#include "srv.h"

static int
wa_op_ping_run(struct wa_req *r)
{
	json_object_set_new(r->resp, "protocol",
	    json_integer(WA_PROTOCOL_VERSION));
	return 0;
}

const struct wa_op wa_op_ping = {
	.name = "ping", .handler = wa_op_ping_run,
};
