/*
 * catalog.c: load and validate the product port catalog.  Every error
 * names the file, the product and the field, because the person reading
 * it is the one who just dropped a file into products.d.
 */
#include <dirent.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "jsonout.h"
#include "util.h"
#include "wso2alloc.h"

struct wa_ctx {
	const char *path;
	const char *id;
	char *err;
	size_t errlen;
};

/* "where.key", or just "key" at the top level. */
static const char *
wa_field(char *buf, size_t len, const char *where, const char *key)
{
	snprintf(buf, len, "%s%s%s", where, *where ? "." : "", key);
	return buf;
}

static int
wa_open_parse(const char *s)
{
	if (strcmp(s, "default") == 0)
		return WA_OPEN_DEFAULT;
	if (strcmp(s, "conditional") == 0)
		return WA_OPEN_CONDITIONAL;
	if (strcmp(s, "listed") == 0)
		return WA_OPEN_LISTED;
	return -1;
}

static int
wa_fail(struct wa_ctx *c, const char *field, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->err != NULL && c->errlen > 0) {
		if (c->id != NULL)
			snprintf(c->err, c->errlen, "%s: product %s: %s: %s",
			    c->path, c->id, field, msg);
		else
			snprintf(c->err, c->errlen, "%s: %s: %s", c->path,
			    field, msg);
	}
	return WA_ECATALOG;
}

/* Every key of obj must be one of the NULL-terminated allowed names. */
static int
wa_check_keys(struct wa_ctx *c, json_t *obj, const char *where,
    const char *const *allowed)
{
	const char *key;
	json_t *v;
	char field[128];

	json_object_foreach(obj, key, v) {
		size_t i;

		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], key) == 0)
				break;
		if (allowed[i] == NULL) {
			snprintf(field, sizeof field, "%s%s%s", where,
			    *where ? "." : "", key);
			return wa_fail(c, field, "unknown field");
		}
	}
	return 0;
}

/* A required (or optional, may be JSON null when nullable) string. */
static int
wa_get_str(struct wa_ctx *c, json_t *obj, const char *where,
    const char *key, bool required, bool nullable, char **out)
{
	json_t *v = json_object_get(obj, key);
	char field[128];

	snprintf(field, sizeof field, "%s%s%s", where, *where ? "." : "", key);
	*out = NULL;
	if (v == NULL || (json_is_null(v) && nullable)) {
		if (required && v == NULL)
			return wa_fail(c, field, "missing required field");
		return 0;
	}
	if (!json_is_string(v))
		return wa_fail(c, field, "must be a string");
	if ((*out = strdup(json_string_value(v))) == NULL)
		return WA_ENOMEM;
	return 0;
}

static int
wa_get_int(struct wa_ctx *c, json_t *obj, const char *where,
    const char *key, long lo, long hi, long *out)
{
	json_t *v = json_object_get(obj, key);
	char field[128];

	snprintf(field, sizeof field, "%s%s%s", where, *where ? "." : "", key);
	if (v == NULL)
		return wa_fail(c, field, "missing required field");
	if (!json_is_integer(v))
		return wa_fail(c, field, "must be an integer");
	if (json_integer_value(v) < lo || json_integer_value(v) > hi)
		return wa_fail(c, field, "%lld is outside %ld-%ld",
		    (long long)json_integer_value(v), lo, hi);
	*out = (long)json_integer_value(v);
	return 0;
}

static int
wa_get_strv(struct wa_ctx *c, json_t *obj, const char *key, char ***out,
    size_t *n)
{
	json_t *v = json_object_get(obj, key), *e;
	char field[64];
	size_t i;

	if (out != NULL)
		*out = NULL;
	*n = 0;
	if (v == NULL)
		return 0;
	if (!json_is_array(v))
		return wa_fail(c, key, "must be an array of strings");
	if (json_array_size(v) == 0)
		return 0;
	/* out NULL: validate only (notes are kept in the json alone). */
	if (out != NULL &&
	    (*out = calloc(json_array_size(v), sizeof **out)) == NULL)
		return WA_ENOMEM;
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || *json_string_value(e) == '\0') {
			snprintf(field, sizeof field, "%s[%zu]", key, i);
			return wa_fail(c, field, "must be a non-empty string");
		}
		if (out == NULL)
			continue;
		if (((*out)[i] = strdup(json_string_value(e))) == NULL)
			return WA_ENOMEM;
		(*n)++;
	}
	return 0;
}

static bool
wa_name_ok(const char *s, bool dots)
{
	if (s == NULL || *s == '\0' || strlen(s) > 64)
		return false;
	if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    *s == '-' || (dots && *s == '.')))
			return false;
	return true;
}

static int
wa_port_description_json(struct wa_port_def *d)
{
	struct wa_out o = { NULL, 0, 0, false };

	wa_out_string(&o, d->description, strlen(d->description));
	if ((d->description_json = wa_out_line(&o,
	    &d->description_json_len)) == NULL)
		return WA_ENOMEM;
	d->description_json[--d->description_json_len] = '\0';
	return 0;
}

static int
wa_parse_port(struct wa_ctx *c, json_t *jp, size_t idx,
    struct wa_port_def *d)
{
	static const char *const keys[] = { "name", "port", "proto", "shifts",
	    "open", "description", "config", "source", NULL };
	char where[32], field[64];
	char *s = NULL;
	json_t *v;
	long port;
	int rc;

	snprintf(where, sizeof where, "ports[%zu]", idx);
	if (!json_is_object(jp))
		return wa_fail(c, where, "must be an object");
	if ((rc = wa_check_keys(c, jp, where, keys)) != 0 ||
	    (rc = wa_get_str(c, jp, where, "name", true, false, &d->name)) != 0 ||
	    (rc = wa_get_int(c, jp, where, "port", 1, 65535, &port)) != 0 ||
	    (rc = wa_get_str(c, jp, where, "description", true, false,
	    &d->description)) != 0 ||
	    (rc = wa_get_str(c, jp, where, "config", false, true,
	    &d->config)) != 0 ||
	    (rc = wa_get_str(c, jp, where, "source", true, false,
	    &d->source)) != 0)
		return rc;
	d->port = (uint16_t)port;
	if ((rc = wa_port_description_json(d)) != 0)
		return rc;
	if (!wa_name_ok(d->name, false))
		return wa_fail(c, wa_field(field, sizeof field, where, "name"),
		    "'%s' must be kebab-case [a-z0-9-], at most 64 "
		    "characters", d->name);
	if ((rc = wa_get_str(c, jp, where, "proto", true, false, &s)) != 0)
		return rc;
	rc = wa_proto_parse(s);
	if (rc < 0)
		rc = wa_fail(c, wa_field(field, sizeof field, where, "proto"),
		    "'%s' is not \"tcp\" or \"udp\"", s);
	free(s);
	if (rc < 0)
		return rc;
	d->proto = (uint8_t)rc;
	if ((rc = wa_get_str(c, jp, where, "open", true, false, &s)) != 0)
		return rc;
	if ((rc = wa_open_parse(s)) < 0)
		rc = wa_fail(c, wa_field(field, sizeof field, where, "open"),
		    "'%s' is not \"default\", \"conditional\" or "
		    "\"listed\"", s);
	free(s);
	if (rc < 0)
		return rc;
	d->open = (uint8_t)rc;
	wa_field(field, sizeof field, where, "shifts");
	v = json_object_get(jp, "shifts");
	if (v == NULL)
		return wa_fail(c, field, "missing required field");
	if (!json_is_boolean(v))
		return wa_fail(c, field, "must be true or false");
	d->shifts = json_is_true(v);
	return 0;
}

static int
wa_parse_ports(struct wa_ctx *c, json_t *root, struct wa_product *p)
{
	json_t *jp = json_object_get(root, "ports"), *e;
	size_t i, j;
	int rc;

	if (jp == NULL)
		return wa_fail(c, "ports", "missing required field");
	if (!json_is_array(jp) || json_array_size(jp) == 0)
		return wa_fail(c, "ports", "must be a non-empty array");
	if ((p->ports = calloc(json_array_size(jp), sizeof *p->ports)) == NULL)
		return WA_ENOMEM;
	json_array_foreach(jp, i, e) {
		p->nports++;
		if ((rc = wa_parse_port(c, e, i, &p->ports[i])) != 0)
			return rc;
		for (j = 0; j < i; j++) {
			char where[32];

			snprintf(where, sizeof where, "ports[%zu]", i);
			if (p->ports[j].port == p->ports[i].port &&
			    p->ports[j].proto == p->ports[i].proto)
				return wa_fail(c, where, "port %u/%s is already "
				    "ports[%zu] (%s)", p->ports[i].port,
				    wa_proto_name(p->ports[i].proto), j,
				    p->ports[j].name);
			if (strcmp(p->ports[j].name, p->ports[i].name) == 0)
				return wa_fail(c, where, "name '%s' is already "
				    "ports[%zu]", p->ports[i].name, j);
		}
	}
	return 0;
}

static int
wa_parse_offset(struct wa_ctx *c, json_t *root, struct wa_product *p)
{
	static const char *const keys[] = { "kind", "file", "flag", "script",
	    "description", NULL };
	json_t *o = json_object_get(root, "offset");
	char *desc = NULL;
	int rc;

	if (o == NULL)
		return wa_fail(c, "offset", "missing required field");
	if (!json_is_object(o))
		return wa_fail(c, "offset", "must be an object");
	if ((rc = wa_check_keys(c, o, "offset", keys)) != 0 ||
	    (rc = wa_get_str(c, o, "offset", "kind", false, true,
	    &p->offset_kind)) != 0 ||
	    (rc = wa_get_str(c, o, "offset", "file", false, true,
	    &p->offset_file)) != 0 ||
	    (rc = wa_get_str(c, o, "offset", "flag", false, true,
	    &p->offset_flag)) != 0 ||
	    (rc = wa_get_str(c, o, "offset", "script", false, true,
	    &p->offset_script)) != 0 ||
	    (rc = wa_get_str(c, o, "offset", "description", true, false,
	    &desc)) != 0)
		return rc;
	free(desc);
	if (p->offset_kind != NULL && strcmp(p->offset_kind, "toml") != 0 &&
	    strcmp(p->offset_kind, "carbon-xml") != 0 &&
	    strcmp(p->offset_kind, "yaml") != 0)
		return wa_fail(c, "offset.kind", "must be \"toml\", "
		    "\"carbon-xml\", \"yaml\" or null");
	return 0;
}

static int
wa_parse_link(struct wa_ctx *c, json_t *jl, size_t idx, struct wa_link_def *l)
{
	static const char *const keys[] = { "role", "products", "description",
	    NULL };
	char where[32], *desc = NULL;
	int rc;

	snprintf(where, sizeof where, "links[%zu]", idx);
	if (!json_is_object(jl))
		return wa_fail(c, where, "must be an object");
	if ((rc = wa_check_keys(c, jl, where, keys)) != 0 ||
	    (rc = wa_get_str(c, jl, where, "role", true, false,
	    &l->role)) != 0 ||
	    (rc = wa_get_str(c, jl, where, "description", true, false,
	    &desc)) != 0 ||
	    (rc = wa_get_strv(c, jl, "products", &l->products,
	    &l->nproducts)) != 0)
		return rc;
	free(desc);
	if (!wa_name_ok(l->role, false))
		return wa_fail(c, where, "role '%s' must be kebab-case", l->role);
	if (l->nproducts == 0)
		return wa_fail(c, where, "products: at least one product");
	return 0;
}

static int
wa_parse_url(struct wa_ctx *c, json_t *ju, size_t idx,
    const struct wa_product *p, struct wa_url_def *u)
{
	static const char *const keys[] = { "key", "port", "role", "create",
	    "source", NULL };
	char where[32], *src = NULL;
	int rc;

	snprintf(where, sizeof where, "urls[%zu]", idx);
	if (!json_is_object(ju))
		return wa_fail(c, where, "must be an object");
	if ((rc = wa_check_keys(c, ju, where, keys)) != 0 ||
	    (rc = wa_get_str(c, ju, where, "key", true, false, &u->key)) != 0 ||
	    (rc = wa_get_str(c, ju, where, "port", false, false,
	    &u->port)) != 0 ||
	    (rc = wa_get_str(c, ju, where, "role", false, false,
	    &u->role)) != 0 ||
	    (rc = wa_get_str(c, ju, where, "create", false, false,
	    &u->create)) != 0 ||
	    (rc = wa_get_str(c, ju, where, "source", true, false, &src)) != 0)
		return rc;
	free(src);
	if (strchr(u->key, '.') == NULL || strchr(u->key, ' ') != NULL)
		return wa_fail(c, where, "key '%s' must be a dotted TOML path",
		    u->key);
	if (u->role != NULL && wa_product_link(p, u->role) == NULL)
		return wa_fail(c, where, "role '%s' is not in links", u->role);
	if (u->role == NULL && (u->port == NULL || u->create != NULL))
		return wa_fail(c, where, "a key of this instance needs a port "
		    "and creates nothing");
	if (u->role == NULL && wa_product_port(p, u->port) == NULL)
		return wa_fail(c, where, "port '%s' is not in ports", u->port);
	if (u->port == NULL && u->create == NULL)
		return wa_fail(c, where, "needs a port or a create value");
	return 0;
}

/* links, then urls (which name links' roles and ports): both optional. */
static int
wa_parse_wiring(struct wa_ctx *c, json_t *root, struct wa_product *p)
{
	json_t *jl = json_object_get(root, "links");
	json_t *ju = json_object_get(root, "urls"), *e;
	size_t i;
	int rc;

	if (jl != NULL && !json_is_array(jl))
		return wa_fail(c, "links", "must be an array");
	if (ju != NULL && !json_is_array(ju))
		return wa_fail(c, "urls", "must be an array");
	if (jl != NULL && json_array_size(jl) > 0 && (p->links =
	    calloc(json_array_size(jl), sizeof *p->links)) == NULL)
		return WA_ENOMEM;
	json_array_foreach(jl, i, e) {
		p->nlinks++;
		if ((rc = wa_parse_link(c, e, i, &p->links[i])) != 0)
			return rc;
		if (wa_product_link(p, p->links[i].role) != &p->links[i])
			return wa_fail(c, "links", "role '%s' given twice",
			    p->links[i].role);
	}
	if (ju != NULL && json_array_size(ju) > 0 && (p->urls =
	    calloc(json_array_size(ju), sizeof *p->urls)) == NULL)
		return WA_ENOMEM;
	json_array_foreach(ju, i, e) {
		p->nurls++;
		if ((rc = wa_parse_url(c, e, i, p, &p->urls[i])) != 0)
			return rc;
	}
	return 0;
}

int
wa_product_parse(struct wa_product *p, const char *text, size_t len,
    const char *path, char *err, size_t errlen)
{
	static const char *const keys[] = { "id", "aliases", "name",
	    "versions", "internal_offset", "home_patterns", "offset",
	    "sources", "notes", "ports", "links", "urls", NULL };
	struct wa_ctx c = { path, NULL, err, errlen };
	json_error_t jerr;
	json_t *root;
	size_t nnotes;
	long io;
	int rc;

	memset(p, 0, sizeof *p);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: line %d column %d: invalid "
			    "JSON: %s", path, jerr.line, jerr.column, jerr.text);
		return WA_ECATALOG;
	}
	if (!json_is_object(root)) {
		rc = wa_fail(&c, "(top level)", "must be an object");
		goto out;
	}
	if ((rc = wa_get_str(&c, root, "", "id", true, false, &p->id)) != 0)
		goto out;
	if (!wa_name_ok(p->id, true)) {
		rc = wa_fail(&c, "id", "'%s' must be [a-z0-9][a-z0-9.-]*",
		    p->id);
		goto out;
	}
	c.id = p->id;
	if ((rc = wa_check_keys(&c, root, "", keys)) != 0 ||
	    (rc = wa_get_str(&c, root, "", "name", true, false, &p->name)) != 0 ||
	    (rc = wa_get_str(&c, root, "", "versions", true, false,
	    &p->versions)) != 0 ||
	    (rc = wa_get_int(&c, root, "", "internal_offset", 0, 65535,
	    &io)) != 0 ||
	    (rc = wa_get_strv(&c, root, "aliases", &p->aliases,
	    &p->naliases)) != 0 ||
	    (rc = wa_get_strv(&c, root, "home_patterns", &p->home_patterns,
	    &p->nhome_patterns)) != 0 ||
	    (rc = wa_parse_offset(&c, root, p)) != 0 ||
	    (rc = wa_parse_ports(&c, root, p)) != 0 ||
	    (rc = wa_parse_wiring(&c, root, p)) != 0)
		goto out;
	if ((rc = wa_get_strv(&c, root, "notes", NULL, &nnotes)) != 0)
		goto out;
	if (json_object_get(root, "sources") != NULL &&
	    !json_is_string(json_object_get(root, "sources"))) {
		rc = wa_fail(&c, "sources", "must be a string");
		goto out;
	}
	p->internal_offset = (int)io;
	if ((p->path = strdup(path)) == NULL ||
	    (p->json = wa_json_line(root, &p->json_len)) == NULL)
		rc = WA_ENOMEM;
	else
		p->json[--p->json_len] = '\0';   /* no newline */
out:
	json_decref(root);
	if (rc != 0)
		wa_product_clear(p);
	return rc;
}

static void
wa_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
wa_product_clear(struct wa_product *p)
{
	for (size_t i = 0; p->ports != NULL && i < p->nports; i++) {
		free(p->ports[i].name);
		free(p->ports[i].description);
		free(p->ports[i].description_json);
		free(p->ports[i].config);
		free(p->ports[i].source);
	}
	free(p->ports);
	for (size_t i = 0; p->urls != NULL && i < p->nurls; i++) {
		free(p->urls[i].key);
		free(p->urls[i].port);
		free(p->urls[i].role);
		free(p->urls[i].create);
	}
	free(p->urls);
	for (size_t i = 0; p->links != NULL && i < p->nlinks; i++) {
		free(p->links[i].role);
		wa_strv_free(p->links[i].products, p->links[i].nproducts);
	}
	free(p->links);
	wa_strv_free(p->aliases, p->naliases);
	wa_strv_free(p->home_patterns, p->nhome_patterns);
	free(p->id);
	free(p->name);
	free(p->versions);
	free(p->offset_kind);
	free(p->offset_file);
	free(p->offset_flag);
	free(p->offset_script);
	free(p->path);
	free(p->json);
	memset(p, 0, sizeof *p);
}

void
wa_catalog_free(struct wa_catalog *cat)
{
	if (cat == NULL)
		return;
	for (size_t i = 0; i < cat->nproducts; i++)
		wa_product_clear(&cat->products[i]);
	free(cat->products);
	free(cat);
}

static bool
wa_product_named(const struct wa_product *p, const char *name)
{
	if (strcmp(p->id, name) == 0)
		return true;
	for (size_t i = 0; i < p->naliases; i++)
		if (strcmp(p->aliases[i], name) == 0)
			return true;
	return false;
}

const struct wa_product *
wa_catalog_find(const struct wa_catalog *cat, const char *id)
{
	for (size_t i = 0; cat != NULL && id != NULL && i < cat->nproducts; i++)
		if (wa_product_named(&cat->products[i], id))
			return &cat->products[i];
	return NULL;
}

const struct wa_port_def *
wa_product_port(const struct wa_product *p, const char *name)
{
	for (size_t i = 0; i < p->nports; i++)
		if (strcmp(p->ports[i].name, name) == 0)
			return &p->ports[i];
	return NULL;
}

const struct wa_link_def *
wa_product_link(const struct wa_product *p, const char *role)
{
	for (size_t i = 0; i < p->nlinks; i++)
		if (p->links[i].role != NULL && strcmp(p->links[i].role,
		    role) == 0)
			return &p->links[i];
	return NULL;
}

/* Add p to cat; a product with a known id replaces the earlier one. */
static int
wa_catalog_add(struct wa_catalog *cat, struct wa_product *p,
    const bool *from_this_dir, char *err, size_t errlen)
{
	struct wa_product *np;
	size_t i;

	for (i = 0; i < cat->nproducts; i++) {
		if (strcmp(cat->products[i].id, p->id) != 0)
			continue;
		if (from_this_dir[i]) {
			snprintf(err, errlen, "%s: product %s: id: already "
			    "defined in %s", p->path, p->id,
			    cat->products[i].path);
			return WA_ECATALOG;
		}
		wa_product_clear(&cat->products[i]);
		cat->products[i] = *p;
		return 1;
	}
	np = realloc(cat->products, (cat->nproducts + 1) * sizeof *np);
	if (np == NULL)
		return WA_ENOMEM;
	cat->products = np;
	cat->products[cat->nproducts++] = *p;
	return 0;
}

/* Aliases are names too: none may name two products. */
static int
wa_catalog_check_aliases(const struct wa_catalog *cat, char *err,
    size_t errlen)
{
	for (size_t i = 0; i < cat->nproducts; i++) {
		const struct wa_product *p = &cat->products[i];

		for (size_t a = 0; a < p->naliases; a++)
			for (size_t k = 0; k < cat->nproducts; k++) {
				if (k == i || !wa_product_named(&cat->products[k],
				    p->aliases[a]))
					continue;
				snprintf(err, errlen, "%s: product %s: aliases: "
				    "'%s' already names product %s (%s)",
				    p->path, p->id, p->aliases[a],
				    cat->products[k].id, cat->products[k].path);
				return WA_ECATALOG;
			}
	}
	return 0;
}

static int
wa_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json names of dir, sorted, for a deterministic load order. */
static int
wa_dir_list(const char *dir, char ***names, size_t *n)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL, **nv;
	size_t cnt = 0, len;

	if ((d = opendir(dir)) == NULL)
		return WA_ENOTFOUND;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if ((nv = realloc(v, (cnt + 1) * sizeof *v)) == NULL)
			goto fail;
		v = nv;
		if ((v[cnt] = strdup(de->d_name)) == NULL)
			goto fail;
		cnt++;
	}
	closedir(d);
	/* An empty directory leaves v NULL, which qsort may not be given. */
	if (cnt > 1)
		qsort(v, cnt, sizeof *v, wa_name_cmp);
	*names = v;
	*n = cnt;
	return 0;
fail:
	closedir(d);
	wa_strv_free(v, cnt);
	return WA_ENOMEM;
}

static int
wa_catalog_load_dir(struct wa_catalog *cat, const char *dir, char *err,
    size_t errlen)
{
	char **names = NULL, path[PATH_MAX], *text;
	bool *mine = NULL;
	size_t n = 0, len, i;
	struct wa_product p;
	int rc;

	if ((rc = wa_dir_list(dir, &names, &n)) != 0) {
		snprintf(err, errlen, "%s: cannot read the catalog directory",
		    dir);
		return rc == WA_ENOTFOUND ? WA_ECATALOG : rc;
	}
	/* Which products came from this directory, for duplicate ids. */
	if ((mine = calloc(cat->nproducts + n + 1, sizeof *mine)) == NULL) {
		rc = WA_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if ((text = wa_file_read(path, &len)) == NULL) {
			snprintf(err, errlen, "%s: cannot be read", path);
			rc = WA_ECATALOG;
			goto out;
		}
		rc = wa_product_parse(&p, text, len, path, err, errlen);
		free(text);
		if (rc != 0)
			goto out;
		rc = wa_catalog_add(cat, &p, mine, err, errlen);
		if (rc < 0) {
			wa_product_clear(&p);
			goto out;
		}
		for (size_t k = 0; k < cat->nproducts; k++)
			if (strcmp(cat->products[k].id, p.id) == 0)
				mine[k] = true;
		rc = 0;
	}
out:
	free(mine);
	wa_strv_free(names, n);
	return rc;
}

int
wa_catalog_load(struct wa_catalog **out, const char *const *dirs,
    size_t ndirs, char *err, size_t errlen)
{
	struct wa_catalog *cat;
	char dummy[8];
	int rc = 0;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	*out = NULL;
	if ((cat = calloc(1, sizeof *cat)) == NULL)
		return WA_ENOMEM;
	for (size_t i = 0; i < ndirs; i++) {
		/* Only the first directory is required to exist. */
		if (i > 0 && access(dirs[i], F_OK) != 0)
			continue;
		if ((rc = wa_catalog_load_dir(cat, dirs[i], err, errlen)) != 0)
			goto out;
	}
	if (cat->nproducts == 0) {
		snprintf(err, errlen, "%s: no product files (*.json)",
		    ndirs > 0 ? dirs[0] : "(no directory)");
		rc = WA_ECATALOG;
		goto out;
	}
	rc = wa_catalog_check_aliases(cat, err, errlen);
out:
	if (rc != 0)
		wa_catalog_free(cat);
	else
		*out = cat;
	return rc;
}

/* The number of '/'-separated components of s. */
static size_t
wa_components(const char *s)
{
	size_t n = 1;

	for (; *s != '\0'; s++)
		if (*s == '/')
			n++;
	return n;
}

/* The tail of path with n components (trailing slashes stripped). */
static const char *
wa_tail(const char *path, size_t plen, size_t n)
{
	const char *p = path + plen;

	while (p > path) {
		p--;
		if (*p == '/' && --n == 0)
			return p + 1;
	}
	return n == 1 ? path : NULL;
}

const struct wa_product *
wa_catalog_match_home(const struct wa_catalog *cat, const char *home)
{
	const struct wa_product *best = NULL;
	size_t best_comp = 0, best_len = 0, len;
	char buf[PATH_MAX];

	if (cat == NULL || home == NULL || strlen(home) >= sizeof buf)
		return NULL;
	strcpy(buf, home);
	len = strlen(buf);
	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = '\0';
	for (size_t i = 0; i < cat->nproducts; i++) {
		const struct wa_product *p = &cat->products[i];

		for (size_t k = 0; k < p->nhome_patterns; k++) {
			const char *pat = p->home_patterns[k], *tail;
			size_t comp = wa_components(pat);

			tail = wa_tail(buf, len, comp);
			if (tail == NULL || fnmatch(pat, tail, FNM_PATHNAME) != 0)
				continue;
			if (comp > best_comp || (comp == best_comp &&
			    strlen(pat) > best_len)) {
				best = p;
				best_comp = comp;
				best_len = strlen(pat);
			}
		}
	}
	return best;
}

bool
wa_product_runtime(const struct wa_product *p, char *buf, size_t len)
{
	const char *f = p != NULL ? p->offset_file : NULL, *slash;
	size_t n;

	if (f == NULL || strncmp(f, "conf/", 5) != 0 ||
	    (slash = strchr(f + 5, '/')) == NULL ||
	    strcmp(slash, "/deployment.yaml") != 0 ||
	    (n = (size_t)(slash - (f + 5))) == 0 || n >= len)
		return false;
	memcpy(buf, f + 5, n);
	buf[n] = '\0';
	return true;
}

/* The id up to "-<runtime>" (a whole component), else all of it. */
static size_t
wa_runtime_stem(const char *id, const char *runtime)
{
	size_t n = strlen(runtime);

	for (const char *s = strchr(id, '-'); s != NULL; s = strchr(s + 1, '-'))
		if (strncmp(s + 1, runtime, n) == 0 &&
		    (s[n + 1] == '\0' || s[n + 1] == '-'))
			return (size_t)(s - id);
	return strlen(id);
}

const struct wa_product *
wa_catalog_runtime(const struct wa_catalog *cat, const struct wa_product *p,
    const char *runtime)
{
	char own[64], other[64];
	size_t stem, qstem;

	if (p == NULL || runtime == NULL || *runtime == '\0' ||
	    !wa_product_runtime(p, own, sizeof own) ||
	    strcmp(own, runtime) == 0)
		return p;
	stem = wa_runtime_stem(p->id, own);
	for (size_t i = 0; i < cat->nproducts; i++) {
		const struct wa_product *q = &cat->products[i];

		if (!wa_product_runtime(q, other, sizeof other) ||
		    strcmp(other, runtime) != 0)
			continue;
		qstem = wa_runtime_stem(q->id, other);
		if (qstem == stem && strncmp(q->id, p->id, stem) == 0)
			return q;
	}
	return NULL;
}

static bool
wa_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

size_t
wa_catalog_default_dirs(const char *dirs[2])
{
	const char *env = getenv("WSO2_ALLOC_CATALOG");
	char exe[PATH_MAX], build[PATH_MAX];
	ssize_t n;

	if (env != NULL && *env != '\0')
		dirs[0] = env;
	else {
		dirs[0] = WA_INSTALL_CATALOG;
		/* A binary in the build tree reads the source tree's files. */
		n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (n > 0) {
			exe[n] = '\0';
			if (realpath(WA_BUILD_DIR, build) != NULL &&
			    wa_under(exe, build))
				dirs[0] = WA_SOURCE_CATALOG;
		}
	}
	dirs[1] = WA_ETC_CATALOG;
	return 2;
}

const char *
wa_proto_name(int proto)
{
	return proto == WA_UDP ? "udp" : "tcp";
}

int
wa_proto_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "tcp") == 0)
		return WA_TCP;
	if (strcmp(s, "udp") == 0)
		return WA_UDP;
	return -1;
}

const char *
wa_open_name(int open)
{
	switch (open) {
	case WA_OPEN_DEFAULT: return "default";
	case WA_OPEN_CONDITIONAL: return "conditional";
	default: return "listed";
	}
}
