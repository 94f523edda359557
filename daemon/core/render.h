/*
 * render.h: leases and events as the protocol shows them, shared by the
 * daemon and by the client's read-only ledger access.
 */
#ifndef WA_RENDER_H
#define WA_RENDER_H

#include <jansson.h>

#include "catalog.h"
#include "jsonout.h"
#include "lease.h"

/* A lease as one JSON object, written to o without a jansson tree;
 * cat may be NULL (no port descriptions then).  Without describe the
 * ports carry no description: a list repeats the catalog's text for
 * every lease, two thirds of its bytes. */
void wa_instance_write(struct wa_out *o, const struct wa_catalog *cat,
    const struct wa_instance *in, int ephemeral_lo, int ephemeral_hi,
    bool describe);
json_t *wa_event_json(const struct wa_event *ev);

/*
 * A brief list is a table: column names once, then one array per lease
 * (what a table prints; a third of the bytes of the objects, and a
 * client parses it in a fifth of the time).
 */
json_t *wa_brief_columns(void);
void wa_instance_brief(struct wa_out *o, const struct wa_instance *in);

#endif
