/* op-next.c: the offset a lease of a product's default ports would get
 * now, and how many are still free, without taking one: for planning a
 * host before anything is leased. */
#include <stdlib.h>
#include <string.h>

#include "srv.h"

#define WA_NEXT_MAXPORTS 128

static int
wa_next_cmp(const void *a, const void *b, void *arg)
{
	const struct wa_port_def *x = *(const struct wa_port_def *const *)a;
	const struct wa_port_def *y = *(const struct wa_port_def *const *)b;
	int offset = *(const int *)arg;

	return wa_port_effective(x, offset) - wa_port_effective(y, offset);
}

/* The ports at offset, ascending as every other answer lists them. */
static json_t *
wa_next_ports(const struct wa_port_def **sel, size_t n, int offset)
{
	json_t *a = json_array();

	qsort_r(sel, n, sizeof sel[0], wa_next_cmp, &offset);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{sssiss}", "name",
		    sel[i]->name, "port", wa_port_effective(sel[i], offset),
		    "proto", wa_proto_name(sel[i]->proto)));
	return a;
}

static int
wa_op_next_run(struct wa_req *r)
{
	const struct wa_port_def *sel[WA_NEXT_MAXPORTS];
	const struct wa_product *p;
	struct wa_alloc_opts o = r->d->alloc;
	struct wa_alloc_result res;
	const char *id;
	size_t nsel;
	int rc;

	if ((rc = wa_req_str(r, "product", true, &id)) != 0)
		return rc;
	if ((p = wa_catalog_find(r->d->cat, id)) == NULL)
		return wa_unknown_product(r, id);
	if (p->nports > WA_NEXT_MAXPORTS || wa_port_select(p, NULL, 0, NULL,
	    0, sel, &nsel, r->msg, sizeof r->msg) != 0)
		return wa_req_fail(r, WA_EINVAL, "%s: its ports cannot be "
		    "selected", p->id);
	/* The search a lease without --offset or a previous one runs. */
	o.preferred = o.requested = -1;
	memset(&res, 0, sizeof res);
	wa_host_refresh(r->d);
	if ((rc = wa_alloc_find(r->d->map, sel, nsel, &o, &res)) != 0)
		return wa_req_fail(r, rc, "no offset of %s has every default "
		    "port free", p->id);
	json_object_set_new(r->resp, "product", json_string(p->id));
	json_object_set_new(r->resp, "offset", json_integer(res.offset));
	json_object_set_new(r->resp, "free", json_integer(wa_alloc_count(
	    r->d->map, sel, nsel, &o)));
	json_object_set_new(r->resp, "ports", wa_next_ports(sel, nsel,
	    res.offset));
	return 0;
}

const struct wa_op wa_op_next = {
	.name = "next", .flags = WA_OP_READ, .handler = wa_op_next_run,
};
