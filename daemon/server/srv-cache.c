/*
 * srv-cache.c: the active leases, mirrored in memory in name order, each
 * with its list form rendered once.  A list of 1,000 leases read from
 * the ledger and built as a jansson tree took 25 ms; from here it is a
 * concatenation.  The ledger stays the truth: whenever a change may not
 * have reached it (a request rolled back, a commit failed) the mirror is
 * rebuilt from it.
 */
#include <stdlib.h>
#include <string.h>

#include "srv.h"

struct wa_cached {
	struct wa_instance in;
	char *text;                 /* the list form; NULL until listed */
	size_t len;
};

static void
wa_cached_free(struct wa_cached *e)
{
	wa_instance_clear(&e->in);
	free(e->text);
	free(e);
}

/* The index of name, or where it would go (*found false). */
static size_t
wa_cache_index(const struct wa_cache *c, const char *name, bool *found)
{
	size_t lo = 0, hi = c->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(c->v[mid]->in.name, name);

		if (cmp == 0) {
			*found = true;
			return mid;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
wa_cache_clear(struct wa_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		wa_cached_free(c->v[i]);
	c->n = 0;
}

void
wa_cache_free(struct wa_daemon *d)
{
	wa_cache_clear(&d->cache);
	free(d->cache.v);
	memset(&d->cache, 0, sizeof d->cache);
}

/* Insert or replace; a failure leaves the mirror marked stale. */
void
wa_cache_put(struct wa_daemon *d, const struct wa_instance *in)
{
	struct wa_cache *c = &d->cache;
	struct wa_cached *e;
	size_t i;
	bool found;

	c->gen++;
	i = wa_cache_index(c, in->name, &found);
	if ((e = calloc(1, sizeof *e)) == NULL ||
	    wa_instance_copy(&e->in, in) != 0) {
		free(e);
		c->stale = true;
		return;
	}
	if (found) {
		wa_cached_free(c->v[i]);
		c->v[i] = e;
		return;
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap != 0 ? c->cap * 2 : 64;
		struct wa_cached **nv = realloc(c->v, ncap * sizeof *nv);

		if (nv == NULL) {
			wa_cached_free(e);
			c->stale = true;
			return;
		}
		c->v = nv;
		c->cap = ncap;
	}
	memmove(&c->v[i + 1], &c->v[i], (c->n - i) * sizeof *c->v);
	c->v[i] = e;
	c->n++;
}

void
wa_cache_drop(struct wa_daemon *d, const char *name)
{
	struct wa_cache *c = &d->cache;
	size_t i;
	bool found;

	c->gen++;
	i = wa_cache_index(c, name, &found);
	if (!found)
		return;
	wa_cached_free(c->v[i]);
	memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof *c->v);
	c->n--;
}

/* Rendered forms depend on the catalog (a product gone is a warning). */
void
wa_cache_forget_texts(struct wa_daemon *d)
{
	for (size_t i = 0; i < d->cache.n; i++) {
		free(d->cache.v[i]->text);
		d->cache.v[i]->text = NULL;
	}
}

static int
wa_cache_load_one(void *arg, const struct wa_instance *in)
{
	wa_cache_put(arg, in);
	return 0;
}

int
wa_cache_load(struct wa_daemon *d)
{
	struct wa_ledger_filter f = { NULL, WA_STATE_ACTIVE, -1 };
	int rc;

	wa_cache_clear(&d->cache);
	d->cache.stale = false;
	/* The ledger lists in name order: every put appends. */
	if ((rc = wa_ledger_list(d->ledger, &f, wa_cache_load_one, d)) != 0)
		d->cache.stale = true;
	return d->cache.stale ? (rc != 0 ? rc : WA_ENOMEM) : 0;
}

int
wa_cache_get(struct wa_daemon *d, const char *name, struct wa_instance *out)
{
	size_t i;
	bool found;
	int rc;

	memset(out, 0, sizeof *out);
	if (d->cache.stale && (rc = wa_cache_load(d)) != 0)
		return rc;
	i = wa_cache_index(&d->cache, name, &found);
	return found ? wa_instance_copy(out, &d->cache.v[i]->in) :
	    WA_ENOTFOUND;
}

static int
wa_cache_render(struct wa_daemon *d, struct wa_cached *e)
{
	struct wa_out o = { NULL, 0, 0, false };

	if (e->text != NULL)
		return 0;
	wa_instance_write(&o, d->cat, &e->in, d->alloc.ephemeral_lo,
	    d->alloc.ephemeral_hi, false);
	if ((e->text = wa_out_line(&o, &e->len)) == NULL)
		return WA_ENOMEM;
	e->len--;   /* the newline */
	return 0;
}

int
wa_cache_list(struct wa_daemon *d, const char *product, long owner_uid,
    bool brief, struct wa_out *o)
{
	struct wa_cache *c = &d->cache;
	bool first = true;
	int rc;

	if (c->stale && (rc = wa_cache_load(d)) != 0)
		return rc;
	wa_out_put(o, "[", 1);
	for (size_t i = 0; i < c->n; i++) {
		struct wa_cached *e = c->v[i];

		if ((product != NULL && strcmp(e->in.product, product) != 0) ||
		    (owner_uid >= 0 && (long)e->in.owner_uid != owner_uid))
			continue;
		if (!brief && (rc = wa_cache_render(d, e)) != 0)
			return rc;
		if (!first)
			wa_out_put(o, ",", 1);
		first = false;
		if (brief)
			wa_instance_brief(o, &e->in);
		else
			wa_out_put(o, e->text, e->len);
	}
	wa_out_put(o, "]", 1);
	return o->failed ? WA_ENOMEM : 0;
}
