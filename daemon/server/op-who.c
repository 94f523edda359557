/* op-who.c: which lease holds a port, and is it bound on the host now. */
#include "container.h"
#include "procnet.h"
#include "srv.h"

static int
wa_op_who_run(struct wa_req *r)
{
	struct wa_instance in;
	const char *ps = NULL, *pname = NULL;
	long long port = 0;
	bool bound;
	int rc, proto = WA_TCP;

	if ((rc = wa_req_int(r, "port", true, 1, 65535, &port)) != 0 ||
	    (rc = wa_req_str(r, "proto", false, &ps)) != 0)
		return rc;
	if (ps != NULL && (proto = wa_proto_parse(ps)) < 0)
		return wa_req_fail(r, WA_EINVAL, "proto: tcp or udp");
	bound = wa_procnet_inode("/proc", proto, (uint16_t)port) != 0;
	rc = wa_ledger_find_port(r->d->ledger, proto, (uint16_t)port, &in);
	if (rc == WA_ENOTFOUND) {
		char ctr[200];

		r->err = bound ? wa_host_holder(proto, (uint16_t)port) :
		    json_object();
		json_object_set_new(r->err, "bound", json_boolean(bound));
		wa_ctr_holder_text(r->err, ctr, sizeof ctr);
		return wa_req_fail(r, WA_ENOTFOUND, "no lease holds port "
		    "%lld/%s%s%s%s%s", port, wa_proto_name(proto), bound ?
		    " (it is bound on the host" : "", ctr[0] != '\0' ?
		    ", published for " : "", ctr, bound ? ")" : "");
	}
	if (rc != 0)
		return wa_req_fail(r, WA_EUNAVAIL, "ledger: %s",
		    wa_strerror(rc));
	for (size_t i = 0; i < in.nports; i++)
		if (in.ports[i].port == port && in.ports[i].proto == proto)
			pname = in.ports[i].name;
	json_object_set_new(r->resp, "port", json_integer(port));
	json_object_set_new(r->resp, "proto", json_string(wa_proto_name(proto)));
	json_object_set_new(r->resp, "port_name", pname != NULL ?
	    json_string(pname) : json_null());
	json_object_set_new(r->resp, "bound", json_boolean(bound));
	/* Who binds it: its owner, or a foreign process that should not. */
	if (bound) {
		json_t *h = wa_host_holder(proto, (uint16_t)port);

		json_object_update(r->resp, h);
		json_decref(h);
	}
	wa_lease_answer(r, &in);
	wa_instance_clear(&in);
	return 0;
}

const struct wa_op wa_op_who = {
	.name = "who", .flags = WA_OP_READ | WA_OP_OFFLINE,
	.handler = wa_op_who_run,
	.render = wa_raw_render, .done = wa_raw_done,
};
