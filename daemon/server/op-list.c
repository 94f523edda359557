/* op-list.c: leases by product, owner and state (default: active, served
 * from the daemon's mirror); ports without their descriptions (show and
 * products have them); brief: a table of rows (render.h). */
#include <string.h>

#include "srv.h"

struct wa_list_ctx {
	struct wa_daemon *d;
	struct wa_out *rows;
	bool brief;
	size_t n;
};

static int
wa_list_one(void *arg, const struct wa_instance *in)
{
	struct wa_list_ctx *c = arg;

	if (c->n++ > 0)
		wa_out_put(c->rows, ",", 1);
	if (c->brief)
		wa_instance_brief(c->rows, in);
	else
		wa_instance_write(c->rows, c->d->cat, in,
		    c->d->alloc.ephemeral_lo, c->d->alloc.ephemeral_hi, false);
	return c->rows->failed ? WA_ENOMEM : 0;
}

static int
wa_op_list_run(struct wa_req *r)
{
	struct wa_ledger_filter f = { NULL, WA_STATE_ACTIVE, -1 };
	struct wa_list_ctx c = { r->d, &WA_RAW(r)->out, false, 0 };
	const struct wa_product *p;
	const char *state = NULL;
	long long owner = -1;
	bool brief = false;
	int rc;

	if ((rc = wa_req_str(r, "product", false, &f.product)) != 0 ||
	    (rc = wa_req_str(r, "state", false, &state)) != 0 ||
	    (rc = wa_req_int(r, "owner_uid", false, 0, 0xffffffffLL,
	    &owner)) != 0 ||
	    (rc = wa_req_bool(r, "brief", &brief)) != 0)
		return rc;
	f.owner_uid = (long)owner;
	/* An alias lists its product; a retired id is still listed. */
	if (f.product != NULL && (p = wa_catalog_find(r->d->cat,
	    f.product)) != NULL)
		f.product = p->id;
	if (state != NULL && strcmp(state, "all") == 0)
		f.state = -1;
	else if (state != NULL && (f.state = wa_state_parse(state)) < 0) {
		rc = wa_req_fail(r, WA_EINVAL, "state: '%.32s' is not active, "
		    "released, expired, reclaimed or all", state);
		return rc;
	}
	if (brief)
		json_object_set_new(r->resp, "columns", wa_brief_columns());
	c.brief = brief;
	WA_RAW(r)->key = brief ? "rows" : "leases";
	if (f.state == WA_STATE_ACTIVE) {
		/* The common case, from memory. */
		if ((rc = wa_leases_list(r->d, f.product, f.owner_uid, brief,
		    &WA_RAW(r)->out)) != 0)
			rc = wa_req_fail(r, WA_EUNAVAIL, "%s", wa_strerror(rc));
		return rc;
	}
	/* Other states only in the ledger. */
	wa_out_put(c.rows, "[", 1);
	if ((rc = wa_ledger_list(r->d->ledger, &f, wa_list_one, &c)) != 0)
		return wa_req_fail(r, WA_EUNAVAIL, "ledger: %s",
		    wa_strerror(rc));
	wa_out_put(c.rows, "]", 1);
	return 0;
}

const struct wa_op wa_op_list = {
	.name = "list", .flags = WA_OP_READ | WA_OP_OFFLINE,
	.handler = wa_op_list_run,
	.render = wa_raw_render, .done = wa_raw_done,
};
