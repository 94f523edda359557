/*
 * alloc.c: port math and the offset allocator.  Pure computation over a
 * portmap; the daemon feeds it the layers it reads from /proc and the
 * ledger.
 */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "wso2alloc.h"

/* A port is taken when any layer marks it. */
static inline uint64_t
wa_taken_word(const struct wa_portmap *m, int proto, size_t w)
{
	return m->bits[WA_LAYER_LEASE][proto][w] |
	    m->bits[WA_LAYER_EXCLUDED][proto][w] |
	    m->bits[WA_LAYER_RESERVED][proto][w] |
	    m->bits[WA_LAYER_HOST][proto][w];
}

static inline bool
wa_taken(const struct wa_portmap *m, int proto, int port)
{
	return (wa_taken_word(m, proto, (size_t)port >> 6) >> (port & 63)) & 1;
}

int
wa_port_effective(const struct wa_port_def *d, int offset)
{
	long p = d->port;

	if (d->shifts)
		p += offset;
	if (p < 1 || p > 65535)
		return -1;
	return (int)p;
}

static bool
wa_name_in(const char *name, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* Every name must be one of the product's ports. */
static int
wa_names_check(const struct wa_product *p, const char *const *names,
    size_t n, const char *what, char *err, size_t errlen)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < p->nports; j++)
			if (names[i] != NULL &&
			    strcmp(names[i], p->ports[j].name) == 0)
				break;
		if (j == p->nports) {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "%s: %s has no port named "
				    "'%s'", what, p->id,
				    names[i] != NULL ? names[i] : "(null)");
			return WA_EINVAL;
		}
	}
	return 0;
}

int
wa_port_select(const struct wa_product *p, const char *const *with,
    size_t nwith, const char *const *without, size_t nwithout,
    const struct wa_port_def **sel, size_t *nsel, char *err, size_t errlen)
{
	const struct wa_port_def *d;
	size_t i, n = 0;
	int rc;

	*nsel = 0;
	if ((rc = wa_names_check(p, with, nwith, "with", err, errlen)) != 0 ||
	    (rc = wa_names_check(p, without, nwithout, "without", err,
	    errlen)) != 0)
		return rc;
	for (i = 0; i < p->nports; i++) {
		d = &p->ports[i];
		if (d->open != WA_OPEN_DEFAULT &&
		    !wa_name_in(d->name, with, nwith))
			continue;
		if (wa_name_in(d->name, without, nwithout))
			continue;
		sel[n++] = d;
	}
	*nsel = n;
	return 0;
}

void
wa_alloc_opts_init(struct wa_alloc_opts *o)
{
	o->min_offset = 0;
	o->max_offset = WA_OFFSET_MAX;
	o->ephemeral_lo = 32768;
	o->ephemeral_hi = 60999;
	o->port_ceiling = o->ephemeral_lo - 1;
	o->preferred = -1;
	o->requested = -1;
}

static void
wa_conflict_fill(struct wa_conflict *c, const struct wa_portmap *m,
    const struct wa_port_def *d, int port)
{
	memset(c, 0, sizeof(*c));
	c->def = d;
	c->port = port;
	c->proto = d->proto;
	c->fixed = !d->shifts;
	if (port >= 1 && port <= 65535)
		c->hold = wa_portmap_state(m, d->proto, (uint16_t)port,
		    &c->holder);
}

/*
 * The fixed ports do not depend on the offset: when one is taken or
 * above the ceiling, no offset can work.  Checked once, first.
 */
static int
wa_alloc_fixed(const struct wa_portmap *m,
    const struct wa_port_def *const *sel, size_t nsel, int ceiling,
    struct wa_conflict *c)
{
	size_t i;

	for (i = 0; i < nsel; i++) {
		if (sel[i]->shifts)
			continue;
		if (sel[i]->port < 1 || sel[i]->port > ceiling) {
			wa_conflict_fill(c, m, sel[i], sel[i]->port);
			return WA_EINVAL;
		}
		if (wa_taken(m, sel[i]->proto, sel[i]->port)) {
			wa_conflict_fill(c, m, sel[i], sel[i]->port);
			return WA_ECONFLICT;
		}
	}
	return 0;
}

/* The first shifting port taken at off, or -1 when all are free. */
static int
wa_alloc_blocked(const struct wa_portmap *m,
    const struct wa_port_def *const *sel, size_t nsel, int off)
{
	size_t i;

	for (i = 0; i < nsel; i++)
		if (sel[i]->shifts &&
		    wa_taken(m, sel[i]->proto, sel[i]->port + off))
			return (int)i;
	return -1;
}

/* 64 taken-bits of proto starting at port: bit i is port + i. */
static inline uint64_t
wa_taken_run(const struct wa_portmap *m, int proto, int port)
{
	size_t w = (size_t)port >> 6;
	unsigned sh = (unsigned)port & 63;
	uint64_t run;

	run = wa_taken_word(m, proto, w) >> sh;
	if (sh != 0 && w + 1 < WA_BITMAP_WORDS)
		run |= wa_taken_word(m, proto, w + 1) << (64 - sh);
	return run;
}

/*
 * Lowest free offset in [lo, hi], 64 candidates at a time: bit i of
 * blocked is set when some port is taken at offset off + i, so each
 * window costs one shifted word per port.
 */
/* The 64 offsets from off (none past hi) that a shifting port blocks. */
static uint64_t
wa_alloc_window(const struct wa_portmap *m,
    const struct wa_port_def *const *sel, size_t nsel, int off, int hi)
{
	uint64_t blocked = 0;
	size_t i;

	/* Offsets past hi are out of bounds, never candidates. */
	if (hi - off < 63)
		blocked = ~(uint64_t)0 << (hi - off + 1);
	for (i = 0; i < nsel && ~blocked != 0; i++)
		if (sel[i]->shifts)
			blocked |= wa_taken_run(m, sel[i]->proto,
			    sel[i]->port + off);
	return blocked;
}

static int
wa_alloc_search(const struct wa_portmap *m,
    const struct wa_port_def *const *sel, size_t nsel, int lo, int hi)
{
	uint64_t blocked;
	int off;

	for (off = lo; off <= hi; off += 64)
		if (~(blocked = wa_alloc_window(m, sel, nsel, off, hi)) != 0)
			return off + __builtin_ctzll(~blocked);
	return -1;
}

/*
 * How many offsets the search could still return: those in [lo, hi]
 * whose shifting ports are all free, 64 at a time as the search goes
 * (one exact count of 32,768 offsets costs what one search does).
 */
static long
wa_alloc_tally(const struct wa_portmap *m,
    const struct wa_port_def *const *sel, size_t nsel, int lo, int hi)
{
	long n = 0;
	int off;

	for (off = lo; off <= hi; off += 64)
		n += __builtin_popcountll(~wa_alloc_window(m, sel, nsel, off,
		    hi));
	return n;
}

static bool
wa_alloc_ephemeral(const struct wa_port_def *const *sel, size_t nsel,
    int off, const struct wa_alloc_opts *o)
{
	size_t i;
	int p;

	for (i = 0; i < nsel; i++) {
		p = wa_port_effective(sel[i], off);
		if (p >= o->ephemeral_lo && p <= o->ephemeral_hi)
			return true;
	}
	return false;
}

/* An explicit offset: granted as is, or refused with the reason. */
static int
wa_alloc_requested(const struct wa_portmap *m,
    const struct wa_port_def *const *sel, size_t nsel, int ceiling,
    int maxbase, const struct wa_alloc_opts *o, struct wa_alloc_result *r)
{
	size_t i;
	int off = o->requested, b, rc;

	if (off < o->min_offset || off > o->max_offset)
		return WA_EINVAL;
	for (i = 0; i < nsel; i++) {
		if (sel[i]->shifts && sel[i]->port == maxbase &&
		    maxbase + off > ceiling) {
			wa_conflict_fill(&r->conflict, m, sel[i],
			    maxbase + off);
			return WA_EINVAL;
		}
	}
	if ((rc = wa_alloc_fixed(m, sel, nsel, ceiling, &r->conflict)) != 0)
		return rc;
	if ((b = wa_alloc_blocked(m, sel, nsel, off)) >= 0) {
		wa_conflict_fill(&r->conflict, m, sel[b], sel[b]->port + off);
		return WA_ECONFLICT;
	}
	r->offset = off;
	return 0;
}

int
wa_alloc_find(const struct wa_portmap *m,
    const struct wa_port_def *const *sel, size_t nsel,
    const struct wa_alloc_opts *o, struct wa_alloc_result *r)
{
	size_t i;
	int ceiling, maxbase = 0, hi, off, rc;

	memset(r, 0, sizeof(*r));
	r->offset = -1;
	if (o->min_offset < 0 || o->max_offset > WA_OFFSET_MAX ||
	    o->min_offset > o->max_offset || o->port_ceiling < 1)
		return WA_EINVAL;
	ceiling = o->port_ceiling > 65535 ? 65535 : o->port_ceiling;
	for (i = 0; i < nsel; i++)
		if (sel[i]->shifts && sel[i]->port > maxbase)
			maxbase = sel[i]->port;

	if (o->requested >= 0) {
		rc = wa_alloc_requested(m, sel, nsel, ceiling, maxbase, o, r);
		goto out;
	}
	if ((rc = wa_alloc_fixed(m, sel, nsel, ceiling, &r->conflict)) != 0) {
		if (rc == WA_ECONFLICT)
			rc = WA_EEXHAUSTED;
		goto out;
	}
	/* Offsets above hi push the highest shifting port over the ceiling. */
	hi = ceiling - maxbase;
	if (hi > o->max_offset)
		hi = o->max_offset;
	off = -1;
	if (o->preferred >= o->min_offset && o->preferred <= hi &&
	    wa_alloc_blocked(m, sel, nsel, o->preferred) < 0)
		off = o->preferred;
	if (off < 0 && (off = wa_alloc_search(m, sel, nsel, o->min_offset,
	    hi)) < 0) {
		rc = WA_EEXHAUSTED;
		goto out;
	}
	r->offset = off;
	rc = 0;
out:
	if (rc == 0)
		r->ephemeral = wa_alloc_ephemeral(sel, nsel, r->offset, o);
	return rc;
}

void
wa_alloc_range(const struct wa_port_def *const *sel, size_t nsel,
    const struct wa_alloc_opts *o, int *lo, int *hi)
{
	int ceiling = o->port_ceiling > 65535 ? 65535 : o->port_ceiling;
	int maxbase = 0;

	for (size_t i = 0; i < nsel; i++)
		if (sel[i]->shifts && sel[i]->port > maxbase)
			maxbase = sel[i]->port;
	*lo = o->min_offset;
	*hi = ceiling - maxbase < o->max_offset ? ceiling - maxbase :
	    o->max_offset;
}

int
wa_alloc_hold(struct wa_portmap *m, const struct wa_port_def *const *sel,
    size_t nsel, int offset, uint32_t holder, struct wa_conflict *c)
{
	struct wa_conflict scratch;
	size_t i;
	int port, rc = 0;

	if (c == NULL)
		c = &scratch;
	memset(c, 0, sizeof(*c));
	for (i = 0; i < nsel; i++) {
		if ((port = wa_port_effective(sel[i], offset)) < 0) {
			wa_conflict_fill(c, m, sel[i], sel[i]->port + offset);
			rc = WA_EINVAL;
			break;
		}
		if (wa_portmap_lease(m, sel[i]->proto, (uint16_t)port,
		    holder) != 0) {
			wa_conflict_fill(c, m, sel[i], port);
			rc = WA_ECONFLICT;
			break;
		}
	}
	/* All or nothing: give back what this call took. */
	if (rc != 0)
		wa_alloc_unhold(m, sel, i, offset, holder);
	return rc;
}

void
wa_alloc_unhold(struct wa_portmap *m, const struct wa_port_def *const *sel,
    size_t nsel, int offset, uint32_t holder)
{
	size_t i;
	int port;

	for (i = 0; i < nsel; i++)
		if ((port = wa_port_effective(sel[i], offset)) > 0)
			wa_portmap_unlease(m, sel[i]->proto, (uint16_t)port,
			    holder);
}

static const char *
wa_conflict_reason(const struct wa_conflict *c, const char *holder_name,
    const char *holder_port, char *tmp, size_t len)
{
	switch (c->hold) {
	case WA_HOLD_LEASE:
		if (holder_name != NULL)
			snprintf(tmp, len, "is held by %s%s%s", holder_name,
			    holder_port != NULL ? " as its " : "",
			    holder_port != NULL ? holder_port : "");
		else
			snprintf(tmp, len, "is held by lease #%u",
			    (unsigned)c->holder);
		return tmp;
	case WA_HOLD_EXCLUDED:
		return "is excluded by configuration";
	case WA_HOLD_RESERVED:
		return "is reserved by the kernel";
	case WA_HOLD_HOST:
		return "is in use on the host";
	case WA_HOLD_FREE:
		break;
	}
	return "lies outside the allowed port range";
}

void
wa_conflict_format(const struct wa_conflict *c, const char *product,
    const char *holder_name, const char *holder_port, char *buf, size_t len)
{
	char tmp[200];

	if (len == 0)
		return;
	if (c == NULL || c->def == NULL) {
		snprintf(buf, len, "no offset fits every port");
		return;
	}
	snprintf(buf, len, "port %d/%s (%s)%s%s%s %s", c->port,
	    wa_proto_name(c->proto), c->def->name,
	    product != NULL ? " of " : "", product != NULL ? product : "",
	    c->fixed ? " does not shift with the offset and" : "",
	    wa_conflict_reason(c, holder_name, holder_port, tmp, sizeof(tmp)));
}

long
wa_alloc_count(const struct wa_portmap *m,
    const struct wa_port_def *const *sel, size_t nsel,
    const struct wa_alloc_opts *o)
{
	struct wa_conflict c;
	size_t i;
	int ceiling, maxbase = 0, hi;

	if (o->min_offset < 0 || o->max_offset > WA_OFFSET_MAX ||
	    o->min_offset > o->max_offset || o->port_ceiling < 1)
		return 0;
	ceiling = o->port_ceiling > 65535 ? 65535 : o->port_ceiling;
	for (i = 0; i < nsel; i++)
		if (sel[i]->shifts && sel[i]->port > maxbase)
			maxbase = sel[i]->port;
	if (wa_alloc_fixed(m, sel, nsel, ceiling, &c) != 0)
		return 0;
	hi = ceiling - maxbase;
	if (hi > o->max_offset)
		hi = o->max_offset;
	return hi < o->min_offset ? 0 :
	    wa_alloc_tally(m, sel, nsel, o->min_offset, hi);
}
