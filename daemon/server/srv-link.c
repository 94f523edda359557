/*
 * srv-link.c: a lease's links ("role=NAME,..."): each role one the
 * product declares (catalog links), each NAME an active lease of a
 * product the role allows, so config never wires a node to ports that
 * are someone else's or no one's.
 */
#include <string.h>

#include "catalog.h"
#include "ledger.h"
#include "srv.h"

/* One "role=NAME" of len bytes at s. */
static int
wa_link_one(struct wa_req *r, const struct wa_product *p, const char *self,
    const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	const struct wa_link_def *l;
	struct wa_instance in;
	char role[65], name[65];
	size_t i;
	int rc;

	if (eq == NULL || eq == s || (size_t)(eq - s) >= sizeof role ||
	    len - (size_t)(eq - s) - 1 >= sizeof name)
		return wa_req_fail(r, WA_EINVAL, "link '%.*s': ROLE=NAME "
		    "expected", (int)(len > 80 ? 80 : len), s);
	snprintf(role, sizeof role, "%.*s", (int)(eq - s), s);
	snprintf(name, sizeof name, "%.*s", (int)(len - (size_t)(eq - s) - 1),
	    eq + 1);
	if ((l = wa_product_link(p, role)) == NULL)
		return wa_req_fail(r, WA_EINVAL, "link %s=%s: %s has no role "
		    "'%s'%s", role, name, p->id, role, p->nlinks > 0 ?
		    " (see its links in the products op)" : "");
	if (self != NULL && strcmp(self, name) == 0)
		return wa_req_fail(r, WA_EINVAL, "link %s=%s: a lease cannot "
		    "be linked to itself", role, name);
	memset(&in, 0, sizeof in);
	rc = wa_ledger_find(r->d->ledger, name, &in);
	if (rc == WA_ENOTFOUND)
		return wa_req_fail(r, WA_EINVAL, "link %s=%s: no lease named "
		    "%s", role, name, name);
	if (rc != 0)
		return wa_req_fail(r, WA_EUNAVAIL, "ledger: %s",
		    wa_strerror(rc));
	if (in.state != WA_STATE_ACTIVE)
		rc = wa_req_fail(r, WA_EINVAL, "link %s=%s: %s is %s, not "
		    "leased: lease it again first", role, name, name,
		    wa_state_name(in.state));
	for (i = 0; rc == 0 && i < l->nproducts; i++)
		if (strcmp(l->products[i], in.product) == 0)
			break;
	if (rc == 0 && i == l->nproducts)
		rc = wa_req_fail(r, WA_EINVAL, "link %s=%s: %s is %s, which "
		    "cannot be %s's %s", role, name, name, in.product, p->id,
		    role);
	wa_instance_clear(&in);
	return rc;
}

int
wa_link_check(struct wa_req *r, const struct wa_product *p, const char *self,
    const char *link)
{
	const char *e;
	int rc;

	for (const char *s = link; s != NULL; s = e != NULL ? e + 1 : NULL) {
		e = strchr(s, ',');
		if ((rc = wa_link_one(r, p, self, s, e != NULL ?
		    (size_t)(e - s) : strlen(s))) != 0)
			return rc;
	}
	return 0;
}
