/*
 * portmap.h: the host port map, one 65,536-bit bitmap per protocol and
 * layer.  Leased ports also remember their holder (a ledger instance id),
 * so a conflict can name it.
 */
#ifndef WA_PORTMAP_H
#define WA_PORTMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog.h"

/* Why a port is not free, in the order they are reported. */
enum wa_hold {
	WA_HOLD_FREE = 0,
	WA_HOLD_LEASE,      /* an active lease: holder is its instance id */
	WA_HOLD_EXCLUDED,   /* excluded by configuration */
	WA_HOLD_RESERVED,   /* ip_local_reserved_ports */
	WA_HOLD_HOST        /* bound on the host right now */
};

enum wa_layer { WA_LAYER_LEASE, WA_LAYER_EXCLUDED, WA_LAYER_RESERVED,
	WA_LAYER_HOST, WA_NLAYER };

#define WA_BITMAP_WORDS (65536 / 64)

struct wa_portmap {
	uint64_t bits[WA_NLAYER][WA_NPROTO][WA_BITMAP_WORDS];
	/* Instance id per leased port; 0 when not leased. */
	uint32_t holder[WA_NPROTO][65536];
};

void wa_portmap_init(struct wa_portmap *m);
/* WA_ECONFLICT when the port is already leased (by anyone). */
int wa_portmap_lease(struct wa_portmap *m, int proto, uint16_t port,
    uint32_t holder);
/* Clears the lease only when holder matches. */
void wa_portmap_unlease(struct wa_portmap *m, int proto, uint16_t port,
    uint32_t holder);
void wa_portmap_set(struct wa_portmap *m, int layer, int proto,
    uint16_t port, bool on);
void wa_portmap_clear_layer(struct wa_portmap *m, int layer);
/* The first reason (in enum order) the port is taken; holder for leases. */
enum wa_hold wa_portmap_state(const struct wa_portmap *m, int proto,
    uint16_t port, uint32_t *holder);
const char *wa_hold_name(enum wa_hold h);

#endif
