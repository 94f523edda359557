/* op-ports.c: every leased port, ascending, with its lease. */
#include <stdlib.h>

#include "srv.h"

struct wa_ports_ctx {
	json_t *ports;
};

static int
wa_ports_one(void *arg, const struct wa_instance *in)
{
	struct wa_ports_ctx *c = arg;

	for (size_t i = 0; i < in->nports; i++)
		json_array_append_new(c->ports, json_pack("{sisssssssssi}",
		    "port", in->ports[i].port,
		    "proto", wa_proto_name(in->ports[i].proto),
		    "name", in->ports[i].name, "lease", in->name,
		    "product", in->product, "offset", in->offset));
	return 0;
}

static int
wa_port_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t px = json_integer_value(json_object_get(x, "port"));
	json_int_t py = json_integer_value(json_object_get(y, "port"));

	return px < py ? -1 : px > py;
}

static int
wa_op_ports_run(struct wa_req *r)
{
	struct wa_ledger_filter f = { NULL, WA_STATE_ACTIVE, -1 };
	struct wa_ports_ctx c = { json_array() };
	const struct wa_product *p;
	json_t **v = NULL, *sorted;
	size_t n, i;
	int rc;

	if ((rc = wa_req_str(r, "product", false, &f.product)) != 0)
		goto out;
	if (f.product != NULL && (p = wa_catalog_find(r->d->cat,
	    f.product)) != NULL)
		f.product = p->id;
	if ((rc = wa_ledger_list(r->d->ledger, &f, wa_ports_one, &c)) != 0) {
		rc = wa_req_fail(r, WA_EUNAVAIL, "ledger: %s", wa_strerror(rc));
		goto out;
	}
	n = json_array_size(c.ports);
	if (n > 0 && (v = calloc(n, sizeof *v)) == NULL) {
		rc = WA_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		v[i] = json_array_get(c.ports, i);
	if (n > 1)
		qsort(v, n, sizeof *v, wa_port_cmp);
	sorted = json_array();
	for (i = 0; i < n; i++)
		json_array_append(sorted, v[i]);
	json_object_set_new(r->resp, "ports", sorted);
	free(v);
out:
	json_decref(c.ports);
	return rc;
}

const struct wa_op wa_op_ports = {
	.name = "ports", .flags = WA_OP_READ, .handler = wa_op_ports_run,
};
