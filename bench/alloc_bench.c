/*
 * alloc_bench.c: microseconds per allocation (find + hold) with 10, 100,
 * 1,000 and 5,000 active leases of mixed products.
 *
 * usage: alloc_bench [catalog-dir]   (default schema/products)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "catalog.h"
#include "wso2alloc.h"

#define WA_BENCH_PROBES 2000

/* One API Manager in five: the mix a shared test host tends to run. */
static const char *wa_bench_ids[] = { "apim-4", "mi-4", "is-7", "mi-4",
    "is-7" };
#define WA_BENCH_NIDS (sizeof(wa_bench_ids) / sizeof(*wa_bench_ids))

struct wa_bench_sel {
	const struct wa_port_def *d[64];
	size_t n;
};

static double
wa_bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* find + hold; returns the offset, or a negative error. */
static int
wa_bench_take(struct wa_portmap *m, const struct wa_bench_sel *s,
    const struct wa_alloc_opts *o, uint32_t holder)
{
	struct wa_alloc_result r;
	int rc;

	if ((rc = wa_alloc_find(m, s->d, s->n, o, &r)) != 0)
		return rc;
	if ((rc = wa_alloc_hold(m, s->d, s->n, r.offset, holder, NULL)) != 0)
		return rc;
	return r.offset;
}

/*
 * Fill the map with n leases, then time WA_BENCH_PROBES more (each
 * released again so n stay active).  Returns leases placed.
 */
static int
wa_bench_run(struct wa_portmap *m, const struct wa_bench_sel *sels, int n,
    const struct wa_alloc_opts *o, double *fill_us, double *probe_us,
    int *maxoff)
{
	const struct wa_bench_sel *s;
	double t0, spent = 0;
	int i, off;

	wa_portmap_init(m);
	*maxoff = 0;
	t0 = wa_bench_now_us();
	for (i = 0; i < n; i++) {
		off = wa_bench_take(m, &sels[i % WA_BENCH_NIDS], o,
		    (uint32_t)i + 1);
		if (off < 0)
			return i;
		if (off > *maxoff)
			*maxoff = off;
	}
	*fill_us = (wa_bench_now_us() - t0) / n;
	for (i = 0; i < WA_BENCH_PROBES; i++) {
		s = &sels[i % WA_BENCH_NIDS];
		t0 = wa_bench_now_us();
		off = wa_bench_take(m, s, o, (uint32_t)(n + 1 + i));
		spent += wa_bench_now_us() - t0;
		if (off < 0)
			return -1;
		wa_alloc_unhold(m, s->d, s->n, off, (uint32_t)(n + 1 + i));
	}
	*probe_us = spent / WA_BENCH_PROBES;
	return n;
}

static int
wa_bench_select(const struct wa_catalog *cat, struct wa_bench_sel *sels)
{
	const struct wa_product *p;
	char err[256];
	size_t i;

	for (i = 0; i < WA_BENCH_NIDS; i++) {
		if ((p = wa_catalog_find(cat, wa_bench_ids[i])) == NULL ||
		    p->nports > 64) {
			fprintf(stderr, "alloc_bench: no product %s\n",
			    wa_bench_ids[i]);
			return -1;
		}
		if (wa_port_select(p, NULL, 0, NULL, 0, sels[i].d, &sels[i].n,
		    err, sizeof(err)) != 0) {
			fprintf(stderr, "alloc_bench: %s\n", err);
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const int counts[] = { 10, 100, 1000, 5000 };
	struct wa_bench_sel sels[WA_BENCH_NIDS];
	struct wa_catalog *cat = NULL;
	struct wa_portmap *m = NULL;
	struct wa_alloc_opts o;
	const char *dirs[1];
	char err[512];
	double fill = 0, probe = 0;
	size_t i;
	int placed, maxoff, rc = 1;

	dirs[0] = argc > 1 ? argv[1] : "schema/products";
	if (wa_catalog_load(&cat, dirs, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "alloc_bench: %s\n", err);
		goto out;
	}
	if (wa_bench_select(cat, sels) != 0 ||
	    (m = malloc(sizeof(*m))) == NULL)
		goto out;
	printf("products cycled: apim-4 (%zu ports), mi-4 (%zu), is-7 (%zu), "
	    "mi-4, is-7; %d timed allocations (find + hold) per row, each "
	    "released again\n", sels[0].n, sels[1].n, sels[2].n,
	    WA_BENCH_PROBES);
	printf("%8s  %12s  %14s  %10s  %s\n", "active", "us/alloc",
	    "us/alloc fill", "max offset", "port ceiling");
	for (i = 0; i < sizeof(counts) / sizeof(*counts); i++) {
		wa_alloc_opts_init(&o);
		placed = wa_bench_run(m, sels, counts[i], &o, &fill, &probe,
		    &maxoff);
		/* Below the ephemeral range only so many instances fit. */
		if (placed != counts[i]) {
			o.port_ceiling = 65535;
			placed = wa_bench_run(m, sels, counts[i], &o, &fill,
			    &probe, &maxoff);
		}
		if (placed < 0) {
			printf("%8d  no room left for the timed allocations\n",
			    counts[i]);
			continue;
		}
		if (placed != counts[i]) {
			printf("%8d  only %d leases fit even with ceiling "
			    "65535\n", counts[i], placed);
			continue;
		}
		printf("%8d  %12.2f  %14.2f  %10d  %d%s\n", counts[i], probe,
		    fill, maxoff, o.port_ceiling, o.port_ceiling == 65535 ?
		    " (raised: more leases than fit below 32768)" : "");
	}
	rc = 0;
out:
	free(m);
	if (cat != NULL)
		wa_catalog_free(cat);
	return rc;
}
