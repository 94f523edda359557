/* op-products.c: the catalog, as loaded from its JSON files. */
#include <stdio.h>
#include <string.h>

#include "srv.h"
#include "suggest.h"

int
wa_unknown_product(struct wa_req *r, const char *id)
{
	struct wa_suggestion s[3];
	size_t n = wa_catalog_suggest(r->d->cat, id, s, 3), len;
	char near[256] = "";
	json_t *ids = json_array();

	for (size_t i = 0; i < n; i++) {
		len = strlen(near);
		snprintf(near + len, sizeof near - len, "%s%s", i == 0 ? "" :
		    i + 1 == n ? " or " : ", ", s[i].as);
		len = strlen(near);
		if (s[i].as != s[i].p->id)
			snprintf(near + len, sizeof near - len, " (%s)",
			    s[i].p->id);
		json_array_append_new(ids, json_string(s[i].p->id));
	}
	r->err = json_pack("{so}", "suggestions", ids);
	if (n == 0)
		return wa_req_fail(r, WA_EPRODUCT, "unknown product '%.64s' "
		    "(wso2-alloc products lists them)", id);
	return wa_req_fail(r, WA_EPRODUCT, "unknown product '%.64s': did you "
	    "mean %s? (wso2-alloc products lists them)", id, near);
}

static int
wa_op_products_run(struct wa_req *r)
{
	const struct wa_product *p;
	const char *id;
	int rc;

	if ((rc = wa_req_str(r, "id", false, &id)) != 0)
		return rc;
	if (id != NULL && (p = wa_catalog_find(r->d->cat, id)) == NULL)
		return wa_unknown_product(r, id);
	/* The files' text as it is: no tree is built. */
	WA_RAW(r)->key = "products";
	wa_out_put(&WA_RAW(r)->out, "[", 1);
	for (size_t i = 0, n = 0; i < r->d->cat->nproducts; i++) {
		p = &r->d->cat->products[i];
		if (id != NULL && p != wa_catalog_find(r->d->cat, id))
			continue;
		if (n++ > 0)
			wa_out_put(&WA_RAW(r)->out, ",", 1);
		wa_out_put(&WA_RAW(r)->out, p->json, p->json_len);
	}
	wa_out_put(&WA_RAW(r)->out, "]", 1);
	return 0;
}

const struct wa_op wa_op_products = {
	.name = "products", .handler = wa_op_products_run,
	.render = wa_raw_render, .done = wa_raw_done,
};
