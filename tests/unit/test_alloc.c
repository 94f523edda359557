/*
 * test_alloc.c: port math and the offset allocator, on the real product
 * catalog (schema/products).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "catalog.h"
#include "wso2alloc.h"

static struct wa_catalog *wa_cat;

struct wa_fix {
	struct wa_portmap *m;
	struct wa_alloc_opts o;
};

/* A product's selected ports, kept together. */
struct wa_sel {
	const struct wa_product *p;
	const struct wa_port_def *d[64];
	size_t n;
};

static int
wa_group_setup(void **state)
{
	const char *dirs[1] = { WA_SOURCE_CATALOG };
	char err[512];

	(void)state;
	if (wa_catalog_load(&wa_cat, dirs, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "catalog: %s\n", err);
		return -1;
	}
	return 0;
}

static int
wa_group_teardown(void **state)
{
	(void)state;
	wa_catalog_free(wa_cat);
	return 0;
}

static int
wa_setup(void **state)
{
	struct wa_fix *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->m = malloc(sizeof(*f->m))) == NULL) {
		free(f);
		return -1;
	}
	wa_portmap_init(f->m);
	wa_alloc_opts_init(&f->o);
	*state = f;
	return 0;
}

static int
wa_teardown(void **state)
{
	struct wa_fix *f = *state;

	free(f->m);
	free(f);
	return 0;
}

static void
wa_select(struct wa_sel *s, const char *id, const char *with)
{
	const char *w[1] = { with };
	char err[256];

	s->p = wa_catalog_find(wa_cat, id);
	assert_non_null(s->p);
	assert_true(s->p->nports <= 64);
	assert_int_equal(wa_port_select(s->p, w, with != NULL ? 1 : 0, NULL,
	    0, s->d, &s->n, err, sizeof(err)), 0);
	assert_true(s->n > 0);
}

/* find + hold, as the daemon does; returns the offset or the error. */
static int
wa_take(struct wa_fix *f, const struct wa_sel *s, uint32_t holder,
    struct wa_alloc_result *r)
{
	struct wa_alloc_result tmp;
	int rc;

	if (r == NULL)
		r = &tmp;
	if ((rc = wa_alloc_find(f->m, s->d, s->n, &f->o, r)) != 0)
		return rc;
	assert_int_equal(wa_alloc_hold(f->m, s->d, s->n, r->offset, holder,
	    NULL), 0);
	return r->offset;
}

static bool
wa_has_port(const struct wa_sel *s, int offset, int proto, int port)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->d[i]->proto == proto &&
		    wa_port_effective(s->d[i], offset) == port)
			return true;
	return false;
}

/* Adds a lease's ports to seen; fails on a port already there. */
static void
wa_seen_add(uint8_t seen[WA_NPROTO][65536], const struct wa_sel *s,
    int offset)
{
	size_t i;
	int port;

	for (i = 0; i < s->n; i++) {
		port = wa_port_effective(s->d[i], offset);
		assert_true(port > 0);
		if (seen[s->d[i]->proto][port]) {
			fail_msg("%s at %d: port %d/%s taken twice", s->p->id,
			    offset, port, wa_proto_name(s->d[i]->proto));
		}
		seen[s->d[i]->proto][port] = 1;
	}
}

static void
test_seed_examples(void **state)
{
	static const int mi3[] = { 8283, 8246, 9194, 9157 };
	struct wa_sel mi, apim;
	size_t i;

	(void)state;
	wa_select(&mi, "mi", NULL);
	assert_string_equal(mi.p->id, "mi-4");
	assert_int_equal(mi.n, 4);
	for (i = 0; i < 4; i++)
		assert_true(wa_has_port(&mi, 3, WA_TCP, mi3[i]));
	/* Left at its internal offset, MI sits on 8290, 8253, 9201, 9164. */
	assert_true(wa_has_port(&mi, mi.p->internal_offset, WA_TCP, 8290));
	assert_true(wa_has_port(&mi, mi.p->internal_offset, WA_TCP, 9164));

	wa_select(&apim, "apim", NULL);
	assert_string_equal(apim.p->id, "apim-4");
	assert_true(wa_has_port(&apim, 1, WA_TCP, 9764));
	assert_false(wa_has_port(&apim, 1, WA_TCP, 9763));
}

static void
test_port_effective(void **state)
{
	struct wa_port_def shift = { .port = 9443, .shifts = true };
	struct wa_port_def fixed = { .port = 4000, .shifts = false };

	(void)state;
	assert_int_equal(wa_port_effective(&shift, 0), 9443);
	assert_int_equal(wa_port_effective(&shift, 57), 9500);
	assert_int_equal(wa_port_effective(&shift, 65535 - 9443), 65535);
	assert_int_equal(wa_port_effective(&shift, 65536 - 9443), -1);
	assert_int_equal(wa_port_effective(&fixed, 0), 4000);
	assert_int_equal(wa_port_effective(&fixed, 1000), 4000);
}

static void
test_port_select(void **state)
{
	const struct wa_product *p = wa_catalog_find(wa_cat, "apim-4");
	const struct wa_port_def *sel[64];
	const char *with[] = { "hazelcast-member" };
	const char *without[] = { "servlet-http" };
	const char *bad[] = { "no-such-port" };
	size_t i, ndef = 0, n = 99;
	char err[256] = "";

	(void)state;
	assert_non_null(p);
	for (i = 0; i < p->nports; i++)
		ndef += p->ports[i].open == WA_OPEN_DEFAULT;
	assert_int_equal(wa_port_select(p, NULL, 0, NULL, 0, sel, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, ndef);
	for (i = 0; i < n; i++)
		assert_int_equal(sel[i]->open, WA_OPEN_DEFAULT);

	assert_int_equal(wa_port_select(p, with, 1, without, 1, sel, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, ndef);
	for (i = 0; i < n; i++)
		assert_string_not_equal(sel[i]->name, "servlet-http");
	for (i = 0; i < n; i++)
		if (strcmp(sel[i]->name, "hazelcast-member") == 0)
			break;
	assert_true(i < n);

	assert_int_equal(wa_port_select(p, bad, 1, NULL, 0, sel, &n, err,
	    sizeof(err)), WA_EINVAL);
	assert_non_null(strstr(err, "no-such-port"));
	err[0] = '\0';
	assert_int_equal(wa_port_select(p, NULL, 0, bad, 1, sel, &n, err,
	    sizeof(err)), WA_EINVAL);
	assert_non_null(strstr(err, "no-such-port"));
}

static void
test_200_apims(void **state)
{
	struct wa_fix *f = *state;
	static uint8_t seen[WA_NPROTO][65536];
	struct wa_sel apim;
	uint32_t i;
	int off;

	memset(seen, 0, sizeof(seen));
	wa_select(&apim, "apim-4", NULL);
	for (i = 1; i <= 200; i++) {
		off = wa_take(f, &apim, i, NULL);
		assert_true(off >= 0);
		if (i == 1)
			assert_int_equal(off, 0);
		/* Each of these takes a port of the APIM at offset 0. */
		assert_int_not_equal(off, 37);
		assert_int_not_equal(off, 52);
		assert_int_not_equal(off, 78);
		assert_int_not_equal(off, 100);
		wa_seen_add(seen, &apim, off);
	}
}

static void
test_mi_blocks_apim(void **state)
{
	struct wa_fix *f = *state;
	static const int blocked[] = { 10, 47, 65 };
	struct wa_alloc_result r;
	struct wa_sel mi, apim;
	char msg[256];
	size_t i;
	int off;

	wa_select(&mi, "mi-4", NULL);
	wa_select(&apim, "apim-4", NULL);
	assert_int_equal(wa_alloc_hold(f->m, mi.d, mi.n,
	    mi.p->internal_offset, 501, NULL), 0);
	for (i = 0; i < 3; i++) {
		f->o.requested = blocked[i];
		assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o,
		    &r), WA_ECONFLICT);
		assert_int_equal(r.conflict.hold, WA_HOLD_LEASE);
		assert_int_equal(r.conflict.holder, 501);
		assert_false(r.conflict.fixed);
		assert_true(wa_has_port(&mi, mi.p->internal_offset, WA_TCP,
		    r.conflict.port));
		wa_conflict_format(&r.conflict, apim.p->id, "mi-4-1", NULL, msg,
		    sizeof(msg));
		assert_non_null(strstr(msg, "is held by mi-4-1"));
	}
	/* Left to itself, the allocator steers clear of all three. */
	f->o.requested = -1;
	for (i = 0; i < 80; i++) {
		off = wa_take(f, &apim, 600 + (uint32_t)i, NULL);
		assert_int_not_equal(off, 10);
		assert_int_not_equal(off, 47);
		assert_int_not_equal(off, 65);
	}
}

static void
test_is_apim_carbon(void **state)
{
	struct wa_fix *f = *state;
	struct wa_alloc_result r;
	struct wa_sel is, apim;

	wa_select(&is, "is", NULL);
	wa_select(&apim, "apim-4", NULL);
	assert_int_equal(wa_alloc_hold(f->m, is.d, is.n, 0, 1, NULL), 0);
	/* APIM at k collides with IS at k - 52 (9711 + 52 = 9763). */
	f->o.requested = 52;
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r),
	    WA_ECONFLICT);
	assert_int_equal(r.conflict.port, 9763);
	assert_int_equal(r.conflict.holder, 1);
	f->o.requested = -1;
	assert_true(wa_take(f, &apim, 2, &r) > 0);
}

/* A fixed-seed generator: the same sequence on every libc. */
static uint32_t
wa_rand(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

static void
test_random_mix(void **state)
{
	struct wa_fix *f = *state;
	static const char *ids[] = { "apim-4", "mi-4", "is-7" };
	static uint8_t seen[WA_NPROTO][65536];
	static struct wa_sel sels[3];
	struct {
		int kind, offset;
		bool active;
	} leases[300];
	uint64_t seed = 20260424;
	size_t i, j, active = 0;
	int k, off, p;
	uint32_t h;

	for (k = 0; k < 3; k++)
		wa_select(&sels[k], ids[k], NULL);
	for (i = 0; i < 300; i++) {
		k = (int)(wa_rand(&seed) % 3);
		off = wa_take(f, &sels[k], (uint32_t)i + 1, NULL);
		assert_true(off >= 0);
		leases[i].kind = k;
		leases[i].offset = off;
		leases[i].active = true;
		/* Release one lease in five so the map gets holes. */
		if (wa_rand(&seed) % 5 == 0) {
			j = wa_rand(&seed) % (i + 1);
			if (leases[j].active) {
				wa_alloc_unhold(f->m, sels[leases[j].kind].d,
				    sels[leases[j].kind].n, leases[j].offset,
				    (uint32_t)j + 1);
				leases[j].active = false;
			}
		}
	}
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 300; i++) {
		if (!leases[i].active)
			continue;
		active++;
		wa_seen_add(seen, &sels[leases[i].kind], leases[i].offset);
	}
	assert_true(active > 200);
	/* The map holds exactly the active leases' ports, with holders. */
	for (k = 0; k < WA_NPROTO; k++)
		for (p = 1; p < 65536; p++)
			assert_int_equal(wa_portmap_state(f->m, k, (uint16_t)p,
			    NULL) == WA_HOLD_LEASE, seen[k][p] != 0);
	for (i = 0; i < 300; i++) {
		const struct wa_sel *s = &sels[leases[i].kind];

		if (!leases[i].active)
			continue;
		for (j = 0; j < s->n; j++) {
			wa_portmap_state(f->m, s->d[j]->proto, (uint16_t)
			    wa_port_effective(s->d[j], leases[i].offset), &h);
			assert_int_equal(h, i + 1);
		}
	}
}

static void
test_requested_offset(void **state)
{
	struct wa_fix *f = *state;
	struct wa_alloc_result r;
	struct wa_sel apim;
	char msg[256];
	int lo, hi;

	wa_select(&apim, "apim-4", NULL);
	assert_int_equal(wa_take(f, &apim, 1, NULL), 0);
	f->o.requested = 37;
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r),
	    WA_ECONFLICT);
	assert_int_equal(r.conflict.port, 8280);
	assert_int_equal(r.conflict.proto, WA_TCP);
	assert_string_equal(r.conflict.def->name, "passthrough-https");
	assert_int_equal(r.conflict.holder, 1);
	wa_conflict_format(&r.conflict, NULL, "apim-4-1", NULL, msg, sizeof(msg));
	assert_string_equal(msg,
	    "port 8280/tcp (passthrough-https) is held by apim-4-1");
	wa_conflict_format(&r.conflict, "apim-4", "apim-4-1", NULL, msg,
	    sizeof(msg));
	assert_string_equal(msg,
	    "port 8280/tcp (passthrough-https) of apim-4 is held by apim-4-1");
	/* The holder's own name for the port: at offset 0 it is 8280. */
	wa_conflict_format(&r.conflict, "apim-4", "apim-4-1",
	    "passthrough-http", msg, sizeof(msg));
	assert_string_equal(msg, "port 8280/tcp (passthrough-https) of apim-4 "
	    "is held by apim-4-1 as its passthrough-http");

	f->o.requested = 5;
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r), 0);
	assert_int_equal(r.offset, 5);
	assert_null(r.conflict.def);

	/* Outside [min, max], or a port beyond the ceiling: invalid. */
	f->o.max_offset = 100;
	f->o.requested = 101;
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r),
	    WA_EINVAL);
	f->o.max_offset = WA_OFFSET_MAX;
	f->o.requested = 32768 - 11111;
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r),
	    WA_EINVAL);
	f->o.requested = 32767 - 11111;
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r), 0);
	/* The range the refusal states is the one the allocator applies. */
	wa_alloc_range(apim.d, apim.n, &f->o, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 32767 - 11111);
	f->o.max_offset = 100;
	f->o.min_offset = 3;
	wa_alloc_range(apim.d, apim.n, &f->o, &lo, &hi);
	assert_int_equal(lo, 3);
	assert_int_equal(hi, 100);
}

static void
test_sticky_offset(void **state)
{
	struct wa_fix *f = *state;
	struct wa_alloc_result r;
	struct wa_sel apim;

	wa_select(&apim, "apim-4", NULL);
	f->o.preferred = 7;
	assert_int_equal(wa_take(f, &apim, 1, &r), 7);
	/* Taken now: the lowest free offset replaces it. */
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r), 0);
	assert_int_equal(r.offset, 0);
	/* Reused when free again, though lower offsets are free too. */
	wa_alloc_unhold(f->m, apim.d, apim.n, 7, 1);
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r), 0);
	assert_int_equal(r.offset, 7);
	/* A preferred offset outside [min, max] is not honoured. */
	f->o.min_offset = 10;
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r), 0);
	assert_int_equal(r.offset, 10);
}

static void
test_fixed_port(void **state)
{
	struct wa_fix *f = *state;
	struct wa_alloc_result r;
	struct wa_sel apim;
	char msg[256];

	wa_select(&apim, "apim-4", "hazelcast-member");
	assert_int_equal(wa_take(f, &apim, 1, NULL), 0);
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r),
	    WA_EEXHAUSTED);
	assert_true(r.conflict.fixed);
	assert_int_equal(r.conflict.port, 4000);
	assert_int_equal(r.conflict.hold, WA_HOLD_LEASE);
	assert_int_equal(r.conflict.holder, 1);
	wa_conflict_format(&r.conflict, apim.p->id, "apim-4-1", NULL, msg,
	    sizeof(msg));
	assert_string_equal(msg, "port 4000/tcp (hazelcast-member) of apim-4 "
	    "does not shift with the offset and is held by apim-4-1");

	f->o.requested = 3;
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r),
	    WA_ECONFLICT);
	assert_true(r.conflict.fixed);
	assert_int_equal(r.conflict.port, 4000);
	/* Without the member port, a second APIM fits. */
	f->o.requested = -1;
	wa_select(&apim, "apim-4", NULL);
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r), 0);
	assert_true(r.offset > 0);
}

static void
test_exhaustion(void **state)
{
	struct wa_fix *f = *state;
	struct wa_alloc_result r;
	struct wa_sel apim;
	uint32_t i;

	wa_select(&apim, "apim-4", NULL);
	f->o.min_offset = 0;
	f->o.max_offset = 2;
	for (i = 1; i <= 3; i++)
		assert_int_equal(wa_take(f, &apim, i, NULL), (int)i - 1);
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r),
	    WA_EEXHAUSTED);
	assert_null(r.conflict.def);
	assert_int_equal(r.offset, -1);
	/* A range so high every port passes the ceiling is exhausted too. */
	f->o.min_offset = 30000;
	f->o.max_offset = 30010;
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r),
	    WA_EEXHAUSTED);
	f->o.min_offset = 5;
	f->o.max_offset = 4;
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r),
	    WA_EINVAL);
}

static void
test_host_layers(void **state)
{
	struct wa_fix *f = *state;
	struct wa_alloc_result r;
	struct wa_sel apim;
	char msg[256];
	size_t i;

	wa_select(&apim, "apim-4", NULL);
	wa_portmap_set(f->m, WA_LAYER_HOST, WA_TCP, 9443, true);
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r), 0);
	assert_true(r.offset > 0);
	for (i = 0; i < apim.n; i++)
		assert_int_equal(wa_portmap_state(f->m, apim.d[i]->proto,
		    (uint16_t)wa_port_effective(apim.d[i], r.offset), NULL),
		    WA_HOLD_FREE);

	f->o.requested = 0;
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r),
	    WA_ECONFLICT);
	assert_int_equal(r.conflict.hold, WA_HOLD_HOST);
	wa_conflict_format(&r.conflict, NULL, NULL, NULL, msg, sizeof(msg));
	assert_string_equal(msg,
	    "port 9443/tcp (servlet-https) is in use on the host");

	wa_portmap_set(f->m, WA_LAYER_RESERVED, WA_TCP, 9443, true);
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r),
	    WA_ECONFLICT);
	wa_conflict_format(&r.conflict, NULL, NULL, NULL, msg, sizeof(msg));
	assert_string_equal(msg,
	    "port 9443/tcp (servlet-https) is reserved by the kernel");

	wa_portmap_set(f->m, WA_LAYER_EXCLUDED, WA_TCP, 9443, true);
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r),
	    WA_ECONFLICT);
	wa_conflict_format(&r.conflict, NULL, NULL, NULL, msg, sizeof(msg));
	assert_string_equal(msg,
	    "port 9443/tcp (servlet-https) is excluded by configuration");
}

static void
test_ceiling_and_ephemeral(void **state)
{
	struct wa_fix *f = *state;
	struct wa_alloc_result r;
	struct wa_sel apim, apimc;
	size_t i;

	wa_select(&apim, "apim-4", NULL);
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r), 0);
	assert_false(r.ephemeral);

	/* Above the default ceiling only once it is raised. */
	f->o.requested = 30000;
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r),
	    WA_EINVAL);
	f->o.port_ceiling = 65535;
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r), 0);
	assert_int_equal(r.offset, 30000);
	assert_true(r.ephemeral);

	/* Offset 20000 puts 11111 at 31111, below 32768: not ephemeral. */
	f->o.requested = 20000;
	assert_int_equal(wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r), 0);
	assert_false(r.ephemeral);
	for (i = 0; i < apim.n; i++)
		assert_true(wa_port_effective(apim.d[i], 20000) < 32768);

	/* A fixed port above the ceiling cannot be granted at all. */
	f->o.requested = -1;
	f->o.port_ceiling = 32767;
	wa_select(&apimc, "apim-4", "cluster-multicast");
	assert_int_equal(wa_alloc_find(f->m, apimc.d, apimc.n, &f->o, &r),
	    WA_EINVAL);
	assert_int_equal(r.conflict.port, 45564);
	assert_true(r.conflict.fixed);
	f->o.port_ceiling = 65535;
	assert_int_equal(wa_alloc_find(f->m, apimc.d, apimc.n, &f->o, &r), 0);
	assert_true(r.ephemeral);
}

/* The lowest free offset, the slow obvious way. */
static int
wa_naive_lowest(const struct wa_portmap *m, const struct wa_sel *s, int hi)
{
	size_t i;
	int off, port;

	for (off = 0; off <= hi; off++) {
		for (i = 0; i < s->n; i++) {
			port = wa_port_effective(s->d[i], off);
			if (wa_portmap_state(m, s->d[i]->proto, (uint16_t)port,
			    NULL) != WA_HOLD_FREE)
				break;
		}
		if (i == s->n)
			return off;
	}
	return -1;
}

static void
test_lowest_matches_naive(void **state)
{
	struct wa_fix *f = *state;
	struct wa_alloc_result r;
	struct wa_sel apim;
	uint64_t seed = 7;
	int round, k, want, rc, hi;

	wa_select(&apim, "apim-4", NULL);
	hi = f->o.port_ceiling - 11111;
	for (round = 0; round < 40; round++) {
		wa_portmap_init(f->m);
		/* Dense random holds in every layer, denser in later rounds. */
		for (k = 0; k < 2000 + round * 400; k++)
			wa_portmap_set(f->m, (int)(wa_rand(&seed) % WA_NLAYER),
			    WA_TCP, (uint16_t)(5000 + wa_rand(&seed) % 28000),
			    true);
		want = wa_naive_lowest(f->m, &apim, hi);
		rc = wa_alloc_find(f->m, apim.d, apim.n, &f->o, &r);
		if (want < 0) {
			assert_int_equal(rc, WA_EEXHAUSTED);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(r.offset, want);
		}
	}
}

/* The count of free offsets is what asking for each one grants. */
static void
test_count_matches_requests(void **state)
{
	struct wa_fix *f = *state;
	struct wa_alloc_result r;
	struct wa_sel sels[3];
	static const char *ids[] = { "apim-4", "mi-4", "is-7" };
	static const int ranges[][2] = { { 0, 65535 }, { 3, 70 }, { 100, 100 },
	    { 20000, 30000 }, { 64, 127 } };
	uint64_t seed = 17;
	long want;
	int k, round, off;

	for (k = 0; k < 3; k++)
		wa_select(&sels[k], ids[k], NULL);
	for (round = 0; round < 10; round++) {
		struct wa_alloc_opts o = f->o;

		wa_portmap_init(f->m);
		for (k = 0; k < 300 * round; k++)
			wa_portmap_set(f->m, (int)(wa_rand(&seed) % WA_NLAYER),
			    (int)(wa_rand(&seed) % WA_NPROTO), (uint16_t)(4000 +
			    wa_rand(&seed) % 30000), true);
		o.min_offset = ranges[round % 5][0];
		o.max_offset = ranges[round % 5][1];
		for (k = 0; k < 3; k++) {
			want = 0;
			for (off = o.min_offset; off <= o.max_offset; off++) {
				o.requested = off;
				if (wa_alloc_find(f->m, sels[k].d, sels[k].n, &o,
				    &r) == 0)
					want++;
			}
			o.requested = -1;
			if (wa_alloc_count(f->m, sels[k].d, sels[k].n, &o) !=
			    want)
				fail_msg("%s, round %d: counted %ld, granted %ld",
				    ids[k], round, wa_alloc_count(f->m,
				    sels[k].d, sels[k].n, &o), want);
		}
	}
	/* Every end of a 64-offset window, on the last map. */
	for (int hi = 5; hi <= 140; hi++) {
		struct wa_alloc_opts o = f->o;

		o.min_offset = 5;
		o.max_offset = hi;
		want = 0;
		for (off = 5; off <= hi; off++) {
			o.requested = off;
			want += wa_alloc_find(f->m, sels[0].d, sels[0].n, &o,
			    &r) == 0;
		}
		o.requested = -1;
		assert_int_equal(wa_alloc_count(f->m, sels[0].d, sels[0].n,
		    &o), want);
	}
	/* A fixed port taken: no offset at all. */
	wa_select(&sels[0], "apim-4", "cluster-multicast");
	f->o.port_ceiling = 65535;
	assert_true(wa_alloc_count(f->m, sels[0].d, sels[0].n, &f->o) > 0);
	wa_portmap_set(f->m, WA_LAYER_HOST, WA_UDP, 45564, true);
	wa_portmap_set(f->m, WA_LAYER_HOST, WA_TCP, 45564, true);
	assert_int_equal(wa_alloc_count(f->m, sels[0].d, sels[0].n, &f->o), 0);
}

static void
test_hold_all_or_nothing(void **state)
{
	struct wa_fix *f = *state;
	struct wa_conflict c;
	struct wa_sel apim;
	size_t i;

	wa_select(&apim, "apim-4", NULL);
	assert_true(apim.n > 3);
	assert_int_equal(wa_portmap_lease(f->m, apim.d[3]->proto,
	    (uint16_t)wa_port_effective(apim.d[3], 2), 42), 0);
	assert_int_equal(wa_alloc_hold(f->m, apim.d, apim.n, 2, 1, &c),
	    WA_ECONFLICT);
	assert_ptr_equal(c.def, apim.d[3]);
	assert_int_equal(c.holder, 42);
	for (i = 0; i < apim.n; i++) {
		uint32_t h = 0;

		wa_portmap_state(f->m, apim.d[i]->proto,
		    (uint16_t)wa_port_effective(apim.d[i], 2), &h);
		assert_int_equal(h, i == 3 ? 42 : 0);
	}
	/* Unhold leaves ports of other holders alone. */
	wa_alloc_unhold(f->m, apim.d, apim.n, 2, 1);
	assert_int_equal(wa_portmap_state(f->m, apim.d[3]->proto,
	    (uint16_t)wa_port_effective(apim.d[3], 2), NULL), WA_HOLD_LEASE);
}

/* API-M 2.6's Key Manager Thrift server is on by default: at offset 1
 * its 10398 is IS 5's embedded LDAP at offset 9 (10389 + 9). */
static void
test_apim26_thrift_vs_is5(void **state)
{
	struct wa_fix *f = *state;
	struct wa_alloc_result r;
	struct wa_sel am, is;

	wa_select(&am, "apim-2.6", NULL);
	wa_select(&is, "is-5", NULL);
	assert_true(wa_has_port(&am, 1, WA_TCP, 10398));
	assert_true(wa_has_port(&is, 9, WA_TCP, 10398));
	f->o.requested = 1;
	assert_int_equal(wa_take(f, &am, 1, NULL), 1);
	f->o.requested = 9;
	assert_int_equal(wa_alloc_find(f->m, is.d, is.n, &f->o, &r),
	    WA_ECONFLICT);
	assert_int_equal(r.conflict.port, 10398);
	assert_int_equal(r.conflict.holder, 1);
	f->o.requested = -1;
	assert_int_not_equal(wa_take(f, &is, 2, NULL), 9);
}

/* Each Carbon-5 runtime of one home, leased at its shipped offset, holds
 * what it binds there: the EI Analytics portal 9645, its server 9444. */
static void
test_carbon5_runtimes(void **state)
{
	struct wa_fix *f = *state;
	struct wa_sel srv, portal, dash;
	struct wa_alloc_result r;
	int so, po;

	wa_select(&srv, "ei-analytics-7", NULL);
	wa_select(&portal, "ei-analytics-7-portal", NULL);
	so = srv.p->internal_offset;
	po = portal.p->internal_offset;
	assert_true(wa_has_port(&portal, po, WA_TCP, 9645));
	assert_false(wa_has_port(&portal, po, WA_TCP, 9644));
	assert_false(wa_has_port(&srv, so, WA_TCP, 9644));
	assert_true(wa_has_port(&srv, so, WA_TCP, 9444));
	assert_true(wa_has_port(&srv, so, WA_TCP, 9612));
	f->o.requested = so;
	assert_int_equal(wa_take(f, &srv, 1, NULL), so);
	f->o.requested = po;
	assert_int_equal(wa_take(f, &portal, 2, NULL), po);
	/* API-M Analytics' dashboard at 5 (9640 + 5) needs the portal's 9645. */
	wa_select(&dash, "apim-analytics-dashboard", NULL);
	f->o.requested = 5;
	assert_int_equal(wa_alloc_find(f->m, dash.d, dash.n, &f->o, &r),
	    WA_ECONFLICT);
	assert_int_equal(r.conflict.port, 9645);
	assert_int_equal(r.conflict.holder, 2);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, wa_setup, wa_teardown)
	const struct CMUnitTest tests[] = {
		T(test_seed_examples),
		T(test_port_effective),
		T(test_port_select),
		T(test_200_apims),
		T(test_mi_blocks_apim),
		T(test_is_apim_carbon),
		T(test_random_mix),
		T(test_requested_offset),
		T(test_sticky_offset),
		T(test_fixed_port),
		T(test_exhaustion),
		T(test_host_layers),
		T(test_ceiling_and_ephemeral),
		T(test_lowest_matches_naive),
		T(test_count_matches_requests),
		T(test_hold_all_or_nothing),
		T(test_apim26_thrift_vs_is5),
		T(test_carbon5_runtimes),
	};
#undef T

	return cmocka_run_group_tests(tests, wa_group_setup,
	    wa_group_teardown);
}
