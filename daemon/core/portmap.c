/*
 * portmap.c: the host port map.  One bit per port, protocol and layer;
 * leased ports also record their holder so a conflict can name it.
 */
#include <string.h>

#include "portmap.h"
#include "wso2alloc.h"

static inline bool
wa_bit_get(const uint64_t *w, uint16_t port)
{
	return (w[port >> 6] >> (port & 63)) & 1;
}

static inline void
wa_bit_put(uint64_t *w, uint16_t port, bool on)
{
	uint64_t mask = (uint64_t)1 << (port & 63);

	if (on)
		w[port >> 6] |= mask;
	else
		w[port >> 6] &= ~mask;
}

static bool
wa_portmap_valid(int layer, int proto)
{
	return layer >= 0 && layer < WA_NLAYER && proto >= 0 &&
	    proto < WA_NPROTO;
}

void
wa_portmap_init(struct wa_portmap *m)
{
	memset(m, 0, sizeof(*m));
}

int
wa_portmap_lease(struct wa_portmap *m, int proto, uint16_t port,
    uint32_t holder)
{
	uint64_t *w;

	if (!wa_portmap_valid(WA_LAYER_LEASE, proto) || port == 0)
		return WA_EINVAL;
	w = m->bits[WA_LAYER_LEASE][proto];
	if (wa_bit_get(w, port))
		return WA_ECONFLICT;
	wa_bit_put(w, port, true);
	m->holder[proto][port] = holder;
	return 0;
}

void
wa_portmap_unlease(struct wa_portmap *m, int proto, uint16_t port,
    uint32_t holder)
{
	uint64_t *w;

	if (!wa_portmap_valid(WA_LAYER_LEASE, proto))
		return;
	w = m->bits[WA_LAYER_LEASE][proto];
	/* Another lease may have taken the port since: leave it alone. */
	if (!wa_bit_get(w, port) || m->holder[proto][port] != holder)
		return;
	wa_bit_put(w, port, false);
	m->holder[proto][port] = 0;
}

void
wa_portmap_set(struct wa_portmap *m, int layer, int proto, uint16_t port,
    bool on)
{
	if (!wa_portmap_valid(layer, proto))
		return;
	wa_bit_put(m->bits[layer][proto], port, on);
	if (layer == WA_LAYER_LEASE && !on)
		m->holder[proto][port] = 0;
}

void
wa_portmap_clear_layer(struct wa_portmap *m, int layer)
{
	if (layer < 0 || layer >= WA_NLAYER)
		return;
	memset(m->bits[layer], 0, sizeof(m->bits[layer]));
	if (layer == WA_LAYER_LEASE)
		memset(m->holder, 0, sizeof(m->holder));
}

enum wa_hold
wa_portmap_state(const struct wa_portmap *m, int proto, uint16_t port,
    uint32_t *holder)
{
	static const enum wa_hold order[WA_NLAYER] = {
		[WA_LAYER_LEASE] = WA_HOLD_LEASE,
		[WA_LAYER_EXCLUDED] = WA_HOLD_EXCLUDED,
		[WA_LAYER_RESERVED] = WA_HOLD_RESERVED,
		[WA_LAYER_HOST] = WA_HOLD_HOST,
	};
	int layer;

	if (holder != NULL)
		*holder = 0;
	if (proto < 0 || proto >= WA_NPROTO)
		return WA_HOLD_FREE;
	for (layer = 0; layer < WA_NLAYER; layer++) {
		if (!wa_bit_get(m->bits[layer][proto], port))
			continue;
		if (layer == WA_LAYER_LEASE && holder != NULL)
			*holder = m->holder[proto][port];
		return order[layer];
	}
	return WA_HOLD_FREE;
}

const char *
wa_hold_name(enum wa_hold h)
{
	/* The protocol's holder_kind values (docs/protocol.md). */
	switch (h) {
	case WA_HOLD_FREE: return "free";
	case WA_HOLD_LEASE: return "lease";
	case WA_HOLD_EXCLUDED: return "excluded";
	case WA_HOLD_RESERVED: return "reserved";
	case WA_HOLD_HOST: return "host";
	}
	return "unknown";
}
