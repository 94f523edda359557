/*
 * wire.c: the catalog's URL keys (catalog.h urls) applied by config: the
 * instance's own literal ports follow its offset, a linked role's URLs
 * take the linked lease's ports.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "confwire.h"
#include "toml.h"
#include "util.h"
#include "wire.h"

#define WA_WIRE_MAX 64

const char *
wa_link_name(const char *link, const char *role, char *buf, size_t len)
{
	size_t rl = strlen(role), n;
	const char *e;

	for (const char *p = link; p != NULL && *p != '\0'; p = e != NULL ?
	    e + 1 : NULL) {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n > rl + 1 && strncmp(p, role, rl) == 0 && p[rl] == '=') {
			snprintf(buf, len, "%.*s", (int)(n - rl - 1), p + rl + 1);
			return buf;
		}
	}
	return NULL;
}

/* The port called name of lease l (of product p): as leased, else the
 * catalog's at l's offset; 0 when p has no such port. */
static int
wa_lease_port(const json_t *l, const struct wa_product *p, const char *name)
{
	const struct wa_port_def *d = wa_product_port(p, name);
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(l, "ports"), i, v)
		if (wa_json_str(v, "name") != NULL &&
		    strcmp(wa_json_str(v, "name"), name) == 0)
			return (int)wa_json_int(v, "port", 0);
	if (d == NULL)
		return 0;
	return d->shifts ? d->port + (int)wa_json_int(l, "offset", 0) : d->port;
}

/* The offset the file held before: moved ports may be at it. */
static int
wa_file_offset(const char *text)
{
	struct wa_toml_doc d;
	const struct wa_toml_node *o;
	int off = 0;

	if (wa_toml_read(text, strlen(text), &d) == 0 &&
	    (o = wa_toml_find(&d, "server.offset")) != NULL &&
	    (strncmp(o->canon, "i:", 2) == 0 || strncmp(o->canon, "s:", 2) == 0))
		off = atoi(o->canon + 2);
	wa_toml_doc_free(&d);
	return off;
}

bool
wa_links_to(const json_t *l, const char *name)
{
	const char *s = wa_json_str(l, "link"), *e;
	size_t n = strlen(name);

	for (; s != NULL; s = e != NULL ? e + 1 : NULL) {
		e = strchr(s, ',');
		if ((s = strchr(s, '=')) == NULL)
			return false;
		if ((e == NULL || s < e) && strncmp(s + 1, name, n) == 0 &&
		    (s[1 + n] == ',' || s[1 + n] == '\0'))
			return true;
	}
	return false;
}

/*
 * A lease not linked under role may be linked to: the control plane's
 * gateway is the gateway that links to it.  The first active lease (by
 * name) of a product the role allows that links to this one.
 */
static json_t *
wa_linked_back(struct wa_cli *cli, const struct wa_product *p,
    const json_t *lease, const char *role)
{
	const struct wa_link_def *d = wa_product_link(p, role);
	json_t *resp = NULL, *v, *found = NULL;
	size_t i, j;

	if (d == NULL || wa_cli_request(cli, wa_list_req(NULL, -1, NULL,
	    false), &resp) != 0)
		return NULL;
	json_array_foreach(json_object_get(resp, "leases"), i, v) {
		for (j = 0; j < d->nproducts && wa_json_str(v, "product") !=
		    NULL; j++)
			if (strcmp(d->products[j], wa_json_str(v, "product")) == 0)
				break;
		if (found == NULL && j < d->nproducts &&
		    wa_links_to(v, wa_json_str(lease, "name")))
			found = json_pack("{sO}", "lease", v);
	}
	json_decref(resp);
	return found;
}

/* The active lease linked under role (or linking back), asked once. */
static const json_t *
wa_linked(struct wa_cli *cli, const struct wa_product *p,
    const json_t *lease, const char *role, json_t **resp)
{
	char name[80];

	if (*resp != NULL)
		return json_object_get(*resp, "lease");
	if (wa_link_name(wa_json_str(lease, "link"), role, name,
	    sizeof name) == NULL) {
		*resp = wa_linked_back(cli, p, lease, role);
		if (*resp == NULL)
			*resp = json_null();
		return json_object_get(*resp, "lease");
	}
	if (wa_cli_request(cli, wa_show_req(name), resp) != 0 ||
	    !wa_lease_valid(json_object_get(*resp, "lease"))) {
		fprintf(stderr, "wso2-alloc: config: %s=%s: the linked lease "
		    "cannot be read; its keys are left as they are\n",
		    wa_term_str(role), wa_term_str(name));
		json_decref(*resp);
		*resp = json_null();
		return NULL;
	}
	return json_object_get(*resp, "lease");
}

/* The rule of a key that points at the lease linked under its role. */
static int
wa_role_rule(struct wa_cli *cli, const struct wa_catalog *cat,
    const struct wa_product *p, const json_t *lease,
    const struct wa_url_def *u, json_t **resp, struct wa_url_rule *r)
{
	const json_t *l = wa_linked(cli, p, lease, u->role, &resp[u -
	    p->urls]);
	const struct wa_product *lp;

	if (l == NULL)
		return 0;
	lp = wa_catalog_find(cat, wa_json_str(l, "product"));
	*r = (struct wa_url_rule){ u->key, NULL, 0, 0, u->create };
	if (u->port != NULL && (lp == NULL ||
	    (r->to = wa_lease_port(l, lp, u->port)) == 0)) {
		fprintf(stderr, "wso2-alloc: config: %s: the linked %s (%s) "
		    "has no port %s\n", u->key, wa_term_str(wa_json_str(l,
		    "name")), wa_term_str(wa_json_str(l, "product")), u->port);
		return WA_EXIT_DATAERR;
	}
	return 1;
}

static bool
wa_ruled(const struct wa_url_rule *r, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(r[i].key, key) == 0)
			return true;
	return false;
}

int
wa_config_wire(struct wa_cli *cli, const struct wa_catalog *cat,
    const struct wa_product *p, const json_t *lease, const char *orig,
    const char *path, char **edited)
{
	struct wa_url_rule r[WA_WIRE_MAX];
	struct wa_port_move mv[256];
	json_t *resp[WA_WIRE_MAX] = { NULL };
	int prev = wa_file_offset(orig), to, rc = 0;
	size_t nr = 0, nm = 0;
	char why[256], *out = NULL;

	/* At the previous offset first: 9443 + 5 is not another base. */
	for (size_t i = 0; i < p->nports && nm + 2 <= 256; i++) {
		if (!p->ports[i].shifts)
			continue;
		to = wa_lease_port(lease, p, p->ports[i].name);
		if (prev != 0)
			mv[nm++] = (struct wa_port_move){ p->ports[i].port +
			    prev, to };
		mv[nm++] = (struct wa_port_move){ p->ports[i].port, to };
	}
	for (size_t i = 0; i < p->nurls && i < WA_WIRE_MAX; i++) {
		if (p->urls[i].role == NULL || wa_ruled(r, nr, p->urls[i].key))
			continue;
		/* Keys of one role share its answer. */
		for (size_t j = 0; j < i; j++)
			if (p->urls[j].role != NULL && strcmp(p->urls[j].role,
			    p->urls[i].role) == 0 && resp[i] == NULL)
				resp[i] = json_incref(resp[j]);
		if ((rc = wa_role_rule(cli, cat, p, lease, &p->urls[i], resp,
		    &r[nr])) < 0 || rc > 1)
			goto out;
		nr += (size_t)rc;
		rc = 0;
	}
	/* A key a linked lease sets is not this instance's own. */
	for (size_t i = 0; i < p->nurls && i < WA_WIRE_MAX; i++)
		if (p->urls[i].role == NULL && !wa_ruled(r, nr, p->urls[i].key))
			r[nr++] = (struct wa_url_rule){ p->urls[i].key, mv, nm, 0,
			    NULL };
	if (wa_toml_set_urls(*edited, r, nr, &out, why, sizeof why) != 0) {
		fprintf(stderr, "wso2-alloc: config: %s: %s; nothing written\n",
		    wa_term_str(path), wa_term_str(why));
		rc = WA_EXIT_DATAERR;
		goto out;
	}
	free(*edited);
	*edited = out;
out:
	for (size_t i = 0; i < WA_WIRE_MAX; i++)
		json_decref(resp[i]);
	return rc;
}
