/*
 * catalog.h: the product port catalog, loaded from JSON files
 * (schema/products/<id>.json), one product family per file.
 */
#ifndef WA_CATALOG_H
#define WA_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum wa_proto { WA_TCP = 0, WA_UDP = 1 };
#define WA_NPROTO 2

/* When a port is open: by default, with a feature, or only named. */
enum wa_open { WA_OPEN_DEFAULT, WA_OPEN_CONDITIONAL, WA_OPEN_LISTED };

struct wa_port_def {
	char *name;              /* kebab-case, unique within the product */
	uint16_t port;           /* base port at offset 0 */
	uint8_t proto;           /* enum wa_proto */
	bool shifts;             /* base + offset, else fixed */
	uint8_t open;            /* enum wa_open */
	char *description;
	char *description_json;  /* as a JSON string: every answer has it */
	size_t description_json_len;
	char *config;            /* config key that sets it, may be NULL */
	char *source;
};

/*
 * A URL-valued config key that carries a port: this instance's own
 * (role NULL) or the instance linked under role.  key is a TOML path,
 * "[]" standing for every element of an array (of tables).
 */
struct wa_url_def {
	char *key;
	char *port;              /* a port name: ours, or the role's product's */
	char *role;              /* NULL: this instance */
	char *create;            /* TOML value text ({port}: the linked port)
	                          * written when the key is absent, or NULL */
};

/* A role this product can be linked to (lease --link ROLE=NAME). */
struct wa_link_def {
	char *role;
	char **products;         /* the products a linked lease may be */
	size_t nproducts;
};

struct wa_product {
	char *id;                /* canonical, e.g. "apim-4" */
	char **aliases;
	size_t naliases;
	char *name;
	char *versions;
	int internal_offset;     /* the offset the product ships with */
	char **home_patterns;    /* fnmatch patterns on the carbon home's tail */
	size_t nhome_patterns;
	char *offset_kind;       /* "toml", "carbon-xml", "yaml" or NULL */
	char *offset_file;       /* relative to the carbon home, or NULL */
	char *offset_flag;       /* "-DportOffset" or NULL */
	char *offset_script;
	char *path;              /* the file it was loaded from */
	struct wa_port_def *ports;
	size_t nports;
	struct wa_url_def *urls;
	size_t nurls;
	struct wa_link_def *links;
	size_t nlinks;
	/* The validated file as compact JSON text, for the products op (as
	 * a jansson tree the 24 products held 1.1 MB of heap). */
	char *json;
	size_t json_len;
};

struct wa_catalog {
	struct wa_product *products;
	size_t nproducts;
};

/*
 * Load every *.json file of each directory, in order; a product whose id
 * is already known replaces the earlier one (local additions override
 * shipped files).  Missing directories after the first are skipped.  On
 * error, err names the file, the product and the field.
 */
int wa_catalog_load(struct wa_catalog **out, const char *const *dirs,
    size_t ndirs, char *err, size_t errlen);
/* Parse one product from JSON text; path is used in messages only. */
int wa_product_parse(struct wa_product *p, const char *text, size_t len,
    const char *path, char *err, size_t errlen);
void wa_product_clear(struct wa_product *p);
void wa_catalog_free(struct wa_catalog *cat);

/* By id or alias; NULL when unknown. */
const struct wa_product *wa_catalog_find(const struct wa_catalog *cat,
    const char *id);
/* The product whose home pattern matches a carbon home path, or NULL. */
const struct wa_product *wa_catalog_match_home(const struct wa_catalog *cat,
    const char *home);
/*
 * The Carbon 5 runtime a product is, from its offset file
 * (conf/<runtime>/deployment.yaml: worker, dashboard, manager, server...),
 * into buf; false when it is none.
 */
bool wa_product_runtime(const struct wa_product *p, char *buf, size_t len);
/*
 * The product a process started with -Dwso2.runtime=runtime is, when its
 * home matched p: p when p is that runtime (or no Carbon 5 runtime at
 * all), else the product of p's family (its id up to the runtime's name:
 * apim-analytics-worker, apim-analytics-dashboard) that is, else NULL
 * (the runtimes of one home listen on different ports).
 */
const struct wa_product *wa_catalog_runtime(const struct wa_catalog *cat,
    const struct wa_product *p, const char *runtime);
const struct wa_port_def *wa_product_port(const struct wa_product *p,
    const char *name);
/* The role of that name, or NULL. */
const struct wa_link_def *wa_product_link(const struct wa_product *p,
    const char *role);

/*
 * The directories a binary reads by default: the source tree's catalog
 * when it runs from the build tree, else the installed one; then the
 * local overrides in /etc/wso2-alloc/products.d.  $WSO2_ALLOC_CATALOG
 * replaces the first.  Returns the count (at most 2) stored in dirs.
 */
size_t wa_catalog_default_dirs(const char *dirs[2]);

const char *wa_proto_name(int proto);
int wa_proto_parse(const char *s);   /* -1 when neither tcp nor udp */
const char *wa_open_name(int open);

#endif
