/*
 * test_catalog.c: the shipped catalog loads, and every validation error
 * names the file, the product and the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "util.h"
#include "wso2alloc.h"

static const char *wa_good =
    "{\"id\": \"demo-1\", \"aliases\": [\"demo\"], \"name\": \"Demo\", "
    "\"versions\": \"1.x\", \"internal_offset\": 0, "
    "\"offset\": {\"kind\": \"toml\", \"file\": \"conf/deployment.toml\", "
    "\"flag\": \"-DportOffset\", \"script\": \"bin/demo.sh\", "
    "\"description\": \"d\"}, "
    "\"ports\": [{\"name\": \"https\", \"port\": 9443, \"proto\": \"tcp\", "
    "\"shifts\": true, \"open\": \"default\", \"description\": \"d\", "
    "\"source\": \"s\"}]}";

static char wa_dir[64];

static void
wa_write(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static int
wa_setup(void **state)
{
	(void)state;
	strcpy(wa_dir, "/tmp/wa-cat.XXXXXX");
	return mkdtemp(wa_dir) == NULL;
}

static int
wa_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", wa_dir);
	return system(cmd);
}

/* Load one file's text alone; return the error message (or ""). */
static const char *
wa_load_text(const char *text, int *rc)
{
	static char err[512];
	const char *dirs[1] = { wa_dir };
	struct wa_catalog *cat = NULL;
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -f %s/*.json", wa_dir);
	assert_int_equal(system(cmd), 0);
	wa_write(wa_dir, "p.json", text);
	err[0] = '\0';
	*rc = wa_catalog_load(&cat, dirs, 1, err, sizeof err);
	wa_catalog_free(cat);
	return err;
}

/* Replace the first occurrence of from in wa_good. */
static char *
wa_variant(const char *from, const char *to)
{
	static char buf[4096];
	const char *at = strstr(wa_good, from);

	assert_non_null(at);
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - wa_good), wa_good, to,
	    at + strlen(from));
	return buf;
}

static void
wa_expect_error(const char *text, const char *field, const char *why)
{
	int rc;
	const char *err = wa_load_text(text, &rc);

	assert_int_equal(rc, WA_ECATALOG);
	assert_non_null(strstr(err, wa_dir));        /* the file */
	assert_non_null(strstr(err, "p.json"));
	assert_non_null(strstr(err, field));         /* the field */
	if (why != NULL)
		assert_non_null(strstr(err, why));
}

static void
test_shipped_catalog(void **state)
{
	const char *dirs[1] = { WA_SOURCE_CATALOG };
	struct wa_catalog *cat;
	const struct wa_product *p;
	char err[512];

	(void)state;
	assert_int_equal(wa_catalog_load(&cat, dirs, 1, err, sizeof err), 0);
	assert_true(cat->nproducts >= 20);
	assert_non_null(p = wa_catalog_find(cat, "apim"));
	assert_string_equal(p->id, "apim-4");
	assert_non_null(p = wa_catalog_find(cat, "mi"));
	assert_string_equal(p->id, "mi-4");
	assert_int_equal(p->internal_offset, 10);
	assert_int_equal(wa_product_port(p, "passthrough-http")->port, 8280);
	assert_string_equal(wa_catalog_find(cat, "is")->id, "is-7");
	assert_string_equal(wa_catalog_find(cat, "ei")->id, "ei-6");
	assert_string_equal(wa_catalog_find(cat, "si")->id, "si-4");
	assert_null(wa_catalog_find(cat, "nope"));
	/* Every product reserves something by default and cites sources. */
	for (size_t i = 0; i < cat->nproducts; i++) {
		size_t defaults = 0;

		p = &cat->products[i];
		for (size_t k = 0; k < p->nports; k++) {
			defaults += p->ports[k].open == WA_OPEN_DEFAULT;
			assert_true(strlen(p->ports[k].source) > 0);
		}
		assert_true(defaults > 0);
	}
	wa_catalog_free(cat);
}

static void
test_home_patterns(void **state)
{
	const char *dirs[1] = { WA_SOURCE_CATALOG };
	struct wa_catalog *cat;

	(void)state;
	assert_int_equal(wa_catalog_load(&cat, dirs, 1, NULL, 0), 0);
	assert_string_equal(wa_catalog_match_home(cat, "/opt/wso2am-4.2.0")->id,
	    "apim-4");
	assert_string_equal(wa_catalog_match_home(cat, "/opt/wso2mi-1.2.0/")->id,
	    "mi-1");
	assert_string_equal(wa_catalog_match_home(cat,
	    "/srv/wso2ei-6.6.0/wso2/broker")->id, "ei-6-broker");
	assert_string_equal(wa_catalog_match_home(cat, "/srv/wso2ei-6.6.0")->id,
	    "ei-6");
	assert_null(wa_catalog_match_home(cat, "/opt/tomcat"));
	wa_catalog_free(cat);
}

static void
test_good_file(void **state)
{
	int rc;

	(void)state;
	wa_load_text(wa_good, &rc);
	assert_int_equal(rc, 0);
}

static void
test_malformed_json(void **state)
{
	(void)state;
	wa_expect_error("{\"id\": \"x\",", "line 1", "invalid JSON");
}

static void
test_port_out_of_range(void **state)
{
	(void)state;
	wa_expect_error(wa_variant("\"port\": 9443", "\"port\": 70000"),
	    "ports[0].port", "outside 1-65535");
	wa_expect_error(wa_variant("\"port\": 9443", "\"port\": 0"),
	    "ports[0].port", "outside");
}

static void
test_same_port_twice(void **state)
{
	(void)state;
	wa_expect_error(wa_variant("\"source\": \"s\"}]",
	    "\"source\": \"s\"}, {\"name\": \"again\", \"port\": 9443, "
	    "\"proto\": \"tcp\", \"shifts\": true, \"open\": \"default\", "
	    "\"description\": \"d\", \"source\": \"s\"}]"), "ports[1]",
	    "9443/tcp");
}

static void
test_unknown_field(void **state)
{
	(void)state;
	wa_expect_error(wa_variant("\"versions\"", "\"colour\": 1, \"versions\""),
	    "colour", "unknown field");
	wa_expect_error(wa_variant("\"shifts\"", "\"weight\": 2, \"shifts\""),
	    "ports[0].weight", "unknown field");
}

static void
test_missing_field(void **state)
{
	(void)state;
	wa_expect_error(wa_variant("\"name\": \"Demo\", ", ""), "name",
	    "missing");
	wa_expect_error(wa_variant("\"source\": \"s\"", "\"config\": \"c\""),
	    "ports[0].source", "missing");
}

static void
test_wrong_types(void **state)
{
	(void)state;
	wa_expect_error(wa_variant("\"internal_offset\": 0",
	    "\"internal_offset\": \"0\""), "internal_offset", "integer");
	wa_expect_error(wa_variant("\"proto\": \"tcp\"", "\"proto\": \"sctp\""),
	    "ports[0]", "proto");
	wa_expect_error(wa_variant("\"open\": \"default\"", "\"open\": \"yes\""),
	    "ports[0]", "open");
	wa_expect_error(wa_variant("\"shifts\": true", "\"shifts\": 1"),
	    "ports[0]", "shifts");
}

static void
test_duplicates_across_files(void **state)
{
	const char *dirs[1] = { wa_dir };
	struct wa_catalog *cat = NULL;
	char err[512];
	int rc;

	(void)state;
	wa_load_text(wa_good, &rc);
	wa_write(wa_dir, "q.json", wa_good);
	rc = wa_catalog_load(&cat, dirs, 1, err, sizeof err);
	assert_int_equal(rc, WA_ECATALOG);
	assert_non_null(strstr(err, "q.json"));
	assert_non_null(strstr(err, "id: already defined"));
	wa_write(wa_dir, "q.json", wa_variant("\"demo-1\"", "\"demo-2\""));
	rc = wa_catalog_load(&cat, dirs, 1, err, sizeof err);
	assert_int_equal(rc, WA_ECATALOG);
	assert_non_null(strstr(err, "aliases"));
	assert_non_null(strstr(err, "'demo'"));
}

static void
test_local_override(void **state)
{
	char local[128];
	const char *dirs[2] = { WA_SOURCE_CATALOG, local };
	struct wa_catalog *cat;

	(void)state;
	snprintf(local, sizeof local, "%s/local", wa_dir);
	assert_int_equal(wa_mkdir_p(local, 0755), 0);
	wa_write(local, "mi.json", wa_variant("\"demo-1\", \"aliases\": "
	    "[\"demo\"]", "\"mi-4\", \"aliases\": [\"mi\"]"));
	assert_int_equal(wa_catalog_load(&cat, dirs, 2, NULL, 0), 0);
	assert_string_equal(wa_catalog_find(cat, "mi")->name, "Demo");
	assert_int_equal(wa_catalog_find(cat, "mi")->nports, 1);
	/* Shipped products the directory does not name are still there. */
	assert_non_null(wa_catalog_find(cat, "apim"));
	wa_catalog_free(cat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_catalog),
		cmocka_unit_test(test_home_patterns),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_malformed_json),
		cmocka_unit_test(test_port_out_of_range),
		cmocka_unit_test(test_same_port_twice),
		cmocka_unit_test(test_unknown_field),
		cmocka_unit_test(test_missing_field),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_duplicates_across_files),
		cmocka_unit_test(test_local_override),
	};

	return cmocka_run_group_tests(tests, wa_setup, wa_teardown);
}
