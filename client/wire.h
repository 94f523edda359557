/*
 * wire.h: what config adds to the offset edit of a deployment.toml: the
 * instance's own literal URL ports and the URLs of its linked leases.
 */
#ifndef WA_WIRE_H
#define WA_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "catalog.h"
#include "cmd.h"

/* The NAME linked under role in a lease's "role=NAME,..." link, into
 * buf; NULL when there is none. */
const char *wa_link_name(const char *link, const char *role, char *buf,
    size_t len);
/* Whether lease l links to name under any role. */
bool wa_links_to(const json_t *l, const char *name);
/*
 * *edited (the offset edit of orig, replaced) with the catalog's url keys
 * of p applied: 0, or an exit code with the reason said on stderr.
 */
int wa_config_wire(struct wa_cli *cli, const struct wa_catalog *cat,
    const struct wa_product *p, const json_t *lease, const char *orig,
    const char *path, char **edited);

#endif
