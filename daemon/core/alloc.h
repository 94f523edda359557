/*
 * alloc.h: port math and the offset allocator.  Plain computation over a
 * portmap: no I/O, shared by the daemon, the client and the tests.
 */
#ifndef WA_ALLOC_H
#define WA_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "portmap.h"

#define WA_OFFSET_MAX 65535

/* Effective port for an offset; -1 when it leaves 1..65535. */
int wa_port_effective(const struct wa_port_def *d, int offset);

/*
 * The ports a lease reserves: the product's default ports, plus the
 * named conditional/listed ones in with, less the named default ones in
 * without.  sel must hold p->nports entries.  WA_EINVAL when a name is
 * unknown (err says which).
 */
int wa_port_select(const struct wa_product *p, const char *const *with,
    size_t nwith, const char *const *without, size_t nwithout,
    const struct wa_port_def **sel, size_t *nsel, char *err, size_t errlen);

struct wa_alloc_opts {
	int min_offset;      /* default 0 */
	int max_offset;      /* default WA_OFFSET_MAX */
	int port_ceiling;    /* highest port granted; default ephemeral_lo - 1 */
	int ephemeral_lo;    /* ip_local_port_range, default 32768 */
	int ephemeral_hi;    /* default 60999 */
	int preferred;       /* sticky offset tried first, -1 none */
	int requested;       /* explicit offset: granted or refused, -1 none */
};
void wa_alloc_opts_init(struct wa_alloc_opts *o);

struct wa_conflict {
	const struct wa_port_def *def;  /* the product's port that collides */
	int port;                       /* effective port */
	int proto;
	enum wa_hold hold;
	uint32_t holder;                /* instance id when hold is a lease */
	bool fixed;                     /* the port does not shift */
};

struct wa_alloc_result {
	int offset;
	bool ephemeral;      /* a granted port lies in the ephemeral range */
	struct wa_conflict conflict;  /* why requested/every offset failed */
};

/*
 * Find an offset whose every selected port is free.  Returns 0 with
 * r->offset; WA_ECONFLICT when the requested offset is taken (conflict
 * filled); WA_EINVAL when requested is out of range or a port leaves
 * 1..port_ceiling; WA_EEXHAUSTED when no offset fits (conflict filled
 * when a fixed port blocks every offset).
 */
int wa_alloc_find(const struct wa_portmap *m,
    const struct wa_port_def *const *sel, size_t nsel,
    const struct wa_alloc_opts *o, struct wa_alloc_result *r);

/* How many offsets wa_alloc_find's search could still pick: for a
 * product with a shifting port, each one it would grant if requested. */
long wa_alloc_count(const struct wa_portmap *m,
    const struct wa_port_def *const *sel, size_t nsel,
    const struct wa_alloc_opts *o);

/* The offsets at which every selected port that shifts stays within
 * o's port ceiling, bounded by its min and max offset (hi < lo: none). */
void wa_alloc_range(const struct wa_port_def *const *sel, size_t nsel,
    const struct wa_alloc_opts *o, int *lo, int *hi);

/* Mark/unmark the ports of a lease; the first is all or nothing. */
int wa_alloc_hold(struct wa_portmap *m, const struct wa_port_def *const *sel,
    size_t nsel, int offset, uint32_t holder, struct wa_conflict *c);
void wa_alloc_unhold(struct wa_portmap *m,
    const struct wa_port_def *const *sel, size_t nsel, int offset,
    uint32_t holder);

/*
 * One line describing a conflict, e.g. "port 4000/tcp of apim-4 does not
 * shift with the offset and is held by apim-1 as its hazelcast" or "port
 * 9443/tcp (servlet-https) is in use on the host".  holder_name names the
 * lease, holder_port (may be NULL) which of its ports it is.
 */
void wa_conflict_format(const struct wa_conflict *c, const char *product,
    const char *holder_name, const char *holder_port, char *buf, size_t len);

#endif
