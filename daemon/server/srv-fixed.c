/*
 * srv-fixed.c: a lease of explicit host ports ("ports" of the lease op):
 * adopting a server in a container, whose host ports are what its
 * runtime publishes, not its offset's.  Only with adopt: a new lease
 * takes an offset.
 */
#include <string.h>

#include "srv.h"

int
wa_lease_fixed(struct wa_req *r, const struct wa_product *p, bool adopt,
    struct wa_lease_port *out, const struct wa_port_def **sel, size_t *n)
{
	json_t *ports = json_object_get(r->req, "ports"), *v;
	const char *k;
	size_t i;

	*n = 0;
	if (ports == NULL || json_is_null(ports))
		return 0;
	if (!json_is_object(ports) || json_object_size(ports) == 0)
		return wa_req_fail(r, WA_EBADREQ, "ports: must be an object of "
		    "port names and host ports");
	if (!adopt)
		return wa_req_fail(r, WA_EINVAL, "ports: only with adopt (a "
		    "running server's published ports)");
	if (json_object_size(ports) > 128)
		return wa_req_fail(r, WA_EINVAL, "ports: too many");
	json_object_foreach(ports, k, v) {
		for (i = 0; i < p->nports && strcmp(p->ports[i].name, k) != 0;
		    i++)
			;
		if (i == p->nports)
			return wa_req_fail(r, WA_EINVAL, "ports: %s has no port "
			    "named '%.64s'", p->id, k);
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 65535)
			return wa_req_fail(r, WA_EINVAL, "ports: %.64s: must be "
			    "a port number 1-65535", k);
		sel[*n] = &p->ports[i];
		out[*n].name = p->ports[i].name;
		out[*n].proto = p->ports[i].proto;
		out[(*n)++].port = (uint16_t)json_integer_value(v);
	}
	for (i = 0; i < *n; i++)
		for (size_t j = 0; j < i; j++)
			if (out[i].port == out[j].port &&
			    out[i].proto == out[j].proto)
				return wa_req_fail(r, WA_EINVAL, "ports: %u/%s "
				    "given twice", out[i].port,
				    wa_proto_name(out[i].proto));
	return 0;
}

/* Free, or bound on the host (the server being adopted holds them
 * through its proxy); anything else is a conflict. */
int
wa_fixed_check(const struct wa_portmap *m, const struct wa_lease_port *ports,
    const struct wa_port_def *const *sel, size_t n, struct wa_conflict *c)
{
	enum wa_hold h;
	uint32_t holder = 0;

	for (size_t i = 0; i < n; i++) {
		h = wa_portmap_state(m, ports[i].proto, ports[i].port, &holder);
		if (h == WA_HOLD_FREE || h == WA_HOLD_HOST)
			continue;
		memset(c, 0, sizeof *c);
		c->def = sel[i];
		c->port = ports[i].port;
		c->proto = ports[i].proto;
		c->hold = h;
		c->holder = holder;
		return WA_ECONFLICT;
	}
	return 0;
}
