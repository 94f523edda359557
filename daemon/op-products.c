/* op-products.c: the catalog, as loaded from its JSON files. */
#include "srv.h"

static int
wa_op_products_run(struct wa_req *r)
{
	const struct wa_product *p;
	const char *id;
	int rc;

	if ((rc = wa_req_str(r, "id", false, &id)) != 0)
		return rc;
	if (id != NULL && (p = wa_catalog_find(r->d->cat, id)) == NULL)
		return wa_req_fail(r, WA_EPRODUCT, "unknown product '%.64s'",
		    id);
	/* The files' text as it is: no tree is built. */
	r->raw_key = "products";
	wa_out_put(&r->raw, "[", 1);
	for (size_t i = 0, n = 0; i < r->d->cat->nproducts; i++) {
		p = &r->d->cat->products[i];
		if (id != NULL && p != wa_catalog_find(r->d->cat, id))
			continue;
		if (n++ > 0)
			wa_out_put(&r->raw, ",", 1);
		wa_out_put(&r->raw, p->json, p->json_len);
	}
	wa_out_put(&r->raw, "]", 1);
	return 0;
}

const struct wa_op wa_op_products = { "products", 0, wa_op_products_run };
