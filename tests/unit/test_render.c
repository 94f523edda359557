/*
 * test_render.c: the lease writer (wa_instance_write) must write exactly
 * the bytes of the jansson tree the daemon built until issue 15 (kept
 * here as the reference), for random leases of every product in the
 * catalog: names, homes, links and labels with escapes, multi-byte and
 * invalid UTF-8, pid and expiry present or null, every state, ports
 * known and unknown to the catalog, inside the ephemeral range or not,
 * with and without descriptions and a catalog.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "util.h"

/* The reference: the tree renderer as it was. */
static json_t *
wa_ref_time(int64_t ms)
{
	char buf[40];

	return ms != 0 ? json_string(wa_time_format(ms, buf, sizeof buf)) :
	    json_null();
}

static json_t *
wa_ref_port(const struct wa_lease_port *lp, const struct wa_port_def *def,
    bool describe)
{
	json_t *j = json_object();

	json_object_set_new(j, "name", json_string(lp->name));
	json_object_set_new(j, "port", json_integer(lp->port));
	json_object_set_new(j, "proto", json_string(wa_proto_name(lp->proto)));
	if (describe)
		json_object_set_new(j, "description", json_string(def != NULL ?
		    def->description : ""));
	return j;
}

static json_t *
wa_ref_instance(const struct wa_catalog *cat, const struct wa_instance *in,
    int ephemeral_lo, int ephemeral_hi, bool describe)
{
	const struct wa_product *p = wa_catalog_find(cat, in->product);
	json_t *j, *ports = json_array(), *warn = json_array(), *labels;
	int64_t expiry = in->state == WA_STATE_ACTIVE ||
	    in->state == WA_STATE_EXPIRED ? in->expires : 0;
	char w[160];

	labels = in->labels == NULL || strcmp(in->labels, "{}") == 0 ?
	    json_object() : json_loads(in->labels, 0, NULL);
	if (p == NULL && cat != NULL)
		json_array_append_new(warn, json_string("product no longer in "
		    "the catalog"));
	for (size_t i = 0; i < in->nports; i++) {
		const struct wa_port_def *def = p != NULL ?
		    wa_product_port(p, in->ports[i].name) : NULL;

		json_array_append_new(ports, wa_ref_port(&in->ports[i], def,
		    describe));
		if (in->ports[i].port >= ephemeral_lo &&
		    in->ports[i].port <= ephemeral_hi) {
			snprintf(w, sizeof w, "port %u/%s (%s) is inside the "
			    "ephemeral range %d-%d", in->ports[i].port,
			    wa_proto_name(in->ports[i].proto),
			    in->ports[i].name, ephemeral_lo, ephemeral_hi);
			json_array_append_new(warn, json_string(w));
		}
	}
	j = json_object();
	json_object_set_new(j, "name", json_string(in->name));
	json_object_set_new(j, "product", json_string(in->product));
	json_object_set_new(j, "offset", json_integer(in->offset));
	json_object_set_new(j, "state", json_string(wa_state_name(in->state)));
	json_object_set_new(j, "owner_uid", json_integer(in->owner_uid));
	json_object_set_new(j, "pid", in->pid != 0 ? json_integer(in->pid) :
	    json_null());
	json_object_set_new(j, "home", in->home != NULL ?
	    json_string(in->home) : json_null());
	json_object_set_new(j, "created_at", wa_ref_time(in->created));
	json_object_set_new(j, "expires_at", wa_ref_time(expiry));
	json_object_set_new(j, "labels", labels != NULL ? json_incref(labels) :
	    json_object());
	json_object_set(j, "ports", ports);
	json_object_set(j, "warnings", warn);
	if (in->note != NULL)
		json_object_set_new(j, "link", json_string(in->note));
	json_decref(labels);
	json_decref(ports);
	json_decref(warn);
	return j;
}

static unsigned wa_seed = 4242;

static unsigned
wa_rand(void)
{
	wa_seed = wa_seed * 1103515245u + 12345u;
	return (wa_seed >> 8) & 0xffffff;
}

/* Text of up to max pieces: escapes, multi-byte and, now and then, bytes
 * that are not UTF-8. */
static char *
wa_rand_text(size_t max, bool invalid)
{
	static const char *const pieces[] = { "\"", "\\", "/", "\n", "\r",
	    "\t", "\b", "\f", "\x01", "\x1f", "\x7f", "a", "Zz9", " ", "-",
	    "wso2am-4.2.0", "/home/u/", "\xc3\xa9", "\xe2\x82\xac",
	    "\xf0\x9f\x98\x80", "</script>" };
	static const char *const bad[] = { "\xff", "\xc3", "\xe2\x82",
	    "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80" };
	char buf[1024];
	size_t n = 0, k = wa_rand() % (max + 1);

	for (size_t i = 0; i < k; i++) {
		const char *p = pieces[wa_rand() % (sizeof pieces /
		    sizeof *pieces)];

		if (invalid && wa_rand() % 40 == 0)
			p = bad[wa_rand() % (sizeof bad / sizeof *bad)];
		memcpy(buf + n, p, strlen(p));
		n += strlen(p);
	}
	buf[n] = '\0';
	return strdup(buf);
}

static char *
wa_rand_labels(void)
{
	json_t *l;
	char key[16], *v, *text;

	switch (wa_rand() % 6) {
	case 0: return NULL;
	case 1: return strdup("{}");
	case 2: return strdup("{not json");
	case 3: return strdup("[\"an\",\"array\"]");
	default:
		l = json_object();
		for (unsigned n = wa_rand() % 5; n > 0; n--) {
			snprintf(key, sizeof key, "k%u", wa_rand() % 100);
			v = wa_rand_text(6, false);
			json_object_set_new(l, key, json_string(v));
			free(v);
		}
		text = json_dumps(l, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(l);
		return text;
	}
}

/* Ports of p (NULL: made up): its own in order, picked, shuffled or
 * renamed, their names the catalog's strings or copies of them. */
static void
wa_rand_ports(struct wa_instance *in, const struct wa_product *p)
{
	size_t n = p != NULL ? p->nports : wa_rand() % 6;
	unsigned shape = wa_rand() % 4;

	in->ports = calloc(n + 1, sizeof *in->ports);
	for (size_t i = 0; i < n; i++) {
		struct wa_lease_port *lp = &in->ports[in->nports];

		if (p != NULL && shape == 1 && wa_rand() % 3 == 0)
			continue;               /* --without */
		if (p != NULL && shape != 3) {
			lp->name = strdup(p->ports[i].name);
			lp->proto = p->ports[i].proto;
		} else {
			lp->name = wa_rand_text(wa_rand() % 4 == 0 ? 40 : 3,
			    true);
			lp->proto = (uint8_t)(wa_rand() % 2);
		}
		lp->port = (uint16_t)(wa_rand() % 4 == 0 ? wa_rand() % 65536 :
		    (p != NULL ? p->ports[i].port : 8000) + wa_rand() % 50000);
		in->nports++;
	}
	if (shape == 2)                         /* out of the product's order */
		for (size_t i = in->nports; i > 1; i--) {
			size_t j = wa_rand() % i;
			struct wa_lease_port t = in->ports[i - 1];

			in->ports[i - 1] = in->ports[j];
			in->ports[j] = t;
		}
}

static void
wa_rand_lease(struct wa_instance *in, const struct wa_product *p)
{
	static const int64_t times[] = { 0, 1764460800123LL, 1LL,
	    253402300799000LL, 4102444800000LL };

	memset(in, 0, sizeof *in);
	in->name = wa_rand() % 50 == 0 ? NULL : wa_rand_text(8, true);
	in->product = p != NULL ? strdup(wa_rand() % 4 == 0 &&
	    p->naliases > 0 ? p->aliases[0] : p->id) : wa_rand() % 20 == 0 ?
	    NULL : wa_rand_text(3, true);
	in->offset = (int)(wa_rand() % 3 == 0 ? 0 : wa_rand() % 60000);
	in->state = (enum wa_state)(wa_rand() % 5);
	in->owner_uid = wa_rand() % 5 == 0 ? 4294967295u : wa_rand() % 3 == 0 ?
	    0 : wa_rand();
	in->pid = wa_rand() % 2 == 0 ? 0 : (pid_t)(wa_rand() + 1);
	in->created = wa_rand() % 10 == 0 ? 0 : times[1] + wa_rand();
	in->expires = times[wa_rand() % 5];
	in->labels = wa_rand_labels();
	in->home = wa_rand() % 2 == 0 ? NULL : wa_rand_text(10, true);
	in->note = wa_rand() % 3 == 0 ? wa_rand_text(6, true) : NULL;
	wa_rand_ports(in, p);
}

static void
wa_assert_same(const struct wa_catalog *cat, const struct wa_instance *in,
    int lo, int hi, bool describe)
{
	json_t *ref = wa_ref_instance(cat, in, lo, hi, describe);
	char *want = json_dumps(ref, JSON_COMPACT);
	struct wa_out o = { NULL, 0, 0, false };
	size_t len;
	char *got;

	wa_instance_write(&o, cat, in, lo, hi, describe);
	got = wa_out_line(&o, &len);
	assert_non_null(want);
	assert_non_null(got);
	got[--len] = '\0';
	if (strcmp(got, want) != 0)
		fail_msg("differs:\n want %s\n got  %s", want, got);
	assert_int_equal(len, strlen(want));
	free(want);
	free(got);
	json_decref(ref);
}

static struct wa_catalog *
wa_load(void)
{
	const char *dirs[] = { WA_SOURCE_CATALOG };
	struct wa_catalog *cat = NULL;
	char err[512];

	if (wa_catalog_load(&cat, dirs, 1, err, sizeof err) != 0)
		fail_msg("catalog: %s", err);
	return cat;
}

static const int wa_ranges[][2] = { { 32768, 60999 }, { 1, 65535 },
	{ 1, 0 }, { 9443, 9443 } };

/* Every product of the catalog, many leases each. */
static void
test_every_product(void **state)
{
	struct wa_catalog *cat = wa_load();
	struct wa_instance in;

	(void)state;
	assert_true(cat->nproducts >= 20);
	for (size_t k = 0; k < cat->nproducts; k++)
		for (int i = 0; i < 400; i++) {
			const int *r = wa_ranges[wa_rand() % 4];

			wa_rand_lease(&in, &cat->products[k]);
			wa_assert_same(cat, &in, r[0], r[1], true);
			wa_assert_same(cat, &in, r[0], r[1], false);
			wa_instance_clear(&in);
		}
	wa_catalog_free(cat);
}

/* Products gone from the catalog, and no catalog at all. */
static void
test_unknown_products(void **state)
{
	struct wa_catalog *cat = wa_load();
	struct wa_instance in;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		const int *r = wa_ranges[wa_rand() % 4];

		wa_rand_lease(&in, NULL);
		wa_assert_same(cat, &in, r[0], r[1], true);
		wa_assert_same(NULL, &in, r[0], r[1], true);
		wa_assert_same(NULL, &in, r[0], r[1], false);
		wa_instance_clear(&in);
		wa_rand_lease(&in, &cat->products[wa_rand() %
		    cat->nproducts]);
		wa_assert_same(NULL, &in, r[0], r[1], true);
		wa_instance_clear(&in);
	}
	wa_catalog_free(cat);
}

/* A port name that fills the warning's 160 bytes: cut inside a
 * multi-byte character, jansson drops the warning. */
static void
test_cut_warning(void **state)
{
	struct wa_lease_port ports[2] = {
		{ NULL, 40000, 0 }, { NULL, 40001, 1 } };
	struct wa_instance in;
	char name[200];

	(void)state;
	for (size_t fill = 90; fill < 130; fill++) {
		memset(name, 'x', fill);
		strcpy(name + fill, "\xe2\x82\xac\xe2\x82\xac");
		memset(&in, 0, sizeof in);
		in.name = "cut";
		in.product = "mi-4";
		in.labels = "{}";
		ports[0].name = name;
		ports[1].name = "plain";
		in.ports = ports;
		in.nports = 2;
		wa_assert_same(NULL, &in, 32768, 60999, true);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_product),
		cmocka_unit_test(test_unknown_products),
		cmocka_unit_test(test_cut_warning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
