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

	if (rc != WA_ECATALOG)
		fail_msg("rc %d, expected an error naming %s", rc, field);
	/* The file, the field and the reason, or say what came instead. */
	if (strstr(err, wa_dir) == NULL || strstr(err, "/p.json") == NULL ||
	    strstr(err, field) == NULL || (why != NULL &&
	    strstr(err, why) == NULL))
		fail_msg("'%s' does not name '%s' and '%s'", err, field,
		    why != NULL ? why : "");
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
	assert_non_null(wa_product_port(p, "passthrough-http"));
	assert_int_equal(wa_product_port(p, "passthrough-http")->port, 8280);
	assert_null(wa_product_port(p, "no-such-port"));
	assert_string_equal(wa_catalog_find(cat, "apim-4")->id, "apim-4");
	assert_non_null(p = wa_catalog_find(cat, "is"));
	assert_string_equal(p->id, "is-7");
	assert_non_null(p = wa_catalog_find(cat, "ei"));
	assert_string_equal(p->id, "ei-6");
	assert_non_null(p = wa_catalog_find(cat, "si"));
	assert_string_equal(p->id, "si-4");
	assert_null(wa_catalog_find(cat, "nope"));
	assert_null(wa_catalog_find(cat, "APIM"));
	/* Every product reserves something by default and cites sources. */
	for (size_t i = 0; i < cat->nproducts; i++) {
		size_t defaults = 0;

		p = &cat->products[i];
		for (size_t k = 0; k < p->nports; k++) {
			defaults += p->ports[k].open == WA_OPEN_DEFAULT;
			assert_true(strlen(p->ports[k].source) > 0);
		}
		assert_true(defaults > 0);
		/* The kept text is the file itself, for the products op:
		 * the same value as the file, compact. */
		{
			json_t *kept = json_loadb(p->json, p->json_len, 0, NULL);
			json_t *file = json_load_file(p->path, 0, NULL);

			assert_non_null(kept);
			assert_non_null(file);
			assert_true(json_equal(kept, file));
			assert_int_equal(strlen(p->json), p->json_len);
			assert_null(strchr(p->json, '\n'));
			json_decref(kept);
			json_decref(file);
		}
		assert_non_null(strstr(p->path, WA_SOURCE_CATALOG));
	}
	wa_catalog_free(cat);
}

/*
 * What each runtime binds at its shipped configuration, read from the
 * sources the product files cite: base + internal offset (for a port
 * that shifts) must give it, and the server must get it by default.
 */
static const struct wa_shipped {
	const char *product, *port;
	int internal, effective;
} wa_shipped[] = {
	/* api-manager.xml: ThriftClient, EnableThriftServer true. */
	{ "apim-2.6", "thrift-keymgt", 0, 10397 },
	/* EI Analytics 7.1: server offset 1, portal offset 2. */
	{ "ei-analytics-7", "mgmt-https", 1, 9444 },
	{ "ei-analytics-7", "databridge-thrift-tcp", 1, 7612 },
	{ "ei-analytics-7", "databridge-binary-tcp", 1, 9612 },
	{ "ei-analytics-7-portal", "portal-https", 2, 9645 },
	/* EI 6.4-6.6 analytics worker at 0: binary + offset + 1. */
	{ "ei-6-analytics-sp", "worker-thrift-tcp", 0, 7612 },
	{ "ei-6-analytics-sp", "worker-binary-tcp", 0, 9612 },
	{ "ei-6-analytics-sp", "worker-binary-ssl", 0, 9712 },
	{ "ei-6-analytics-sp", "dashboard-https", 0, 9643 },
	/* API-M Analytics 2.6: msf4j 2.6.4, analytics-common 6.0.70. */
	{ "apim-analytics-worker-2.6", "msf4j-https", 1, 9444 },
	{ "apim-analytics-worker-2.6", "databridge-thrift-tcp", 1, 7612 },
	{ "apim-analytics-worker-2.6", "databridge-binary-tcp", 1, 9613 },
	{ "apim-analytics-worker-2.6", "databridge-binary-ssl", 1, 9713 },
	{ "apim-analytics-manager-2.6", "msf4j-https", 2, 9543 },
	/* API-M Analytics 3.x. */
	{ "apim-analytics-worker", "msf4j-http", 1, 9091 },
	{ "apim-analytics-worker", "msf4j-https", 1, 9444 },
	{ "apim-analytics-worker", "databridge-binary-tcp", 1, 9612 },
	{ "apim-analytics-dashboard", "dashboard-https", 3, 9643 },
	/* Streaming Integrator 4.x server and tooling. */
	{ "si-4", "https", 0, 9443 },
	{ "si-4", "databridge-binary-tcp", 0, 9611 },
	{ "si-tooling-4", "https", 3, 9743 },
	{ "si-tooling-4", "http", 3, 9390 },
	/* Carbon 4 for comparison: MI ships at 10. */
	{ "mi-4", "passthrough-http", 10, 8290 },
};

static void
test_shipped_ports(void **state)
{
	const char *dirs[1] = { WA_SOURCE_CATALOG };
	const struct wa_shipped *w;
	const struct wa_port_def *d;
	const struct wa_product *p;
	struct wa_catalog *cat;

	(void)state;
	assert_int_equal(wa_catalog_load(&cat, dirs, 1, NULL, 0), 0);
	for (w = wa_shipped; w < wa_shipped + sizeof wa_shipped /
	    sizeof *wa_shipped; w++) {
		if ((p = wa_catalog_find(cat, w->product)) == NULL)
			fail_msg("%s: not in the catalog", w->product);
		if ((d = wa_product_port(p, w->port)) == NULL)
			fail_msg("%s: no port %s", w->product, w->port);
		if (p->internal_offset != w->internal)
			fail_msg("%s: internal offset %d, ships with %d",
			    p->id, p->internal_offset, w->internal);
		if (d->port + (d->shifts ? w->internal : 0) != w->effective)
			fail_msg("%s %s: %d at the shipped offset %d, binds %d",
			    p->id, d->name, d->port + (d->shifts ?
			    w->internal : 0), w->internal, w->effective);
		if (d->open != WA_OPEN_DEFAULT)
			fail_msg("%s %s: opened by default, not catalogued "
			    "so", p->id, d->name);
	}
	wa_catalog_free(cat);
}

static void
wa_expect_home(const struct wa_catalog *cat, const char *home,
    const char *id)
{
	const struct wa_product *p = wa_catalog_match_home(cat, home);

	if (p == NULL)
		fail_msg("%s: no product, expected %s", home, id);
	assert_string_equal(p->id, id);
}

static void
test_home_patterns(void **state)
{
	const char *dirs[1] = { WA_SOURCE_CATALOG };
	struct wa_catalog *cat;

	(void)state;
	assert_int_equal(wa_catalog_load(&cat, dirs, 1, NULL, 0), 0);
	wa_expect_home(cat, "/opt/wso2am-4.2.0", "apim-4");
	wa_expect_home(cat, "/opt/wso2mi-1.2.0", "mi-1");
	wa_expect_home(cat, "/opt/wso2mi-1.2.0//", "mi-1");
	wa_expect_home(cat, "/opt/wso2ei-6.6.0/wso2/broker", "ei-6-broker");
	wa_expect_home(cat, "/opt/wso2ei-6.6.0/wso2/broker/", "ei-6-broker");
	wa_expect_home(cat, "/opt/wso2ei-6.6.0", "ei-6");
	wa_expect_home(cat, "/opt/wso2ei-6.1.0/wso2/analytics",
	    "ei-6-analytics-das");
	wa_expect_home(cat, "/opt/wso2ei-6.6.0/wso2/analytics",
	    "ei-6-analytics-sp");
	wa_expect_home(cat, "/opt/wso2am-analytics-2.6.0",
	    "apim-analytics-worker-2.6");
	wa_expect_home(cat, "/opt/wso2am-analytics-3.2.0",
	    "apim-analytics-worker");
	/* A pattern's '*' stays within one component. */
	assert_null(wa_catalog_match_home(cat, "/opt/wso2ei-6.6.0/x/wso2"));
	wa_expect_home(cat, "wso2am-4.2.0", "apim-4");
	assert_null(wa_catalog_match_home(cat, "/opt/tomcat"));
	assert_null(wa_catalog_match_home(cat, "/opt/wso2am-4.2.0/bin"));
	assert_null(wa_catalog_match_home(cat, "/"));
	wa_catalog_free(cat);
}

/* The runtime a process names picks among one home's products. */
static void
wa_expect_runtime(const struct wa_catalog *cat, const char *home,
    const char *runtime, const char *id)
{
	const struct wa_product *p = wa_catalog_runtime(cat,
	    wa_catalog_match_home(cat, home), runtime);

	if (id == NULL && p != NULL)
		fail_msg("%s (%s): %s, expected none", home, runtime, p->id);
	if (id != NULL && p == NULL)
		fail_msg("%s (%s): no product, expected %s", home, runtime, id);
	if (id != NULL)
		assert_string_equal(p->id, id);
}

static void
test_runtimes(void **state)
{
	const char *dirs[1] = { WA_SOURCE_CATALOG };
	const char *home = "/opt/wso2am-analytics-3.2.0";
	struct wa_catalog *cat;
	char rt[64];

	(void)state;
	assert_int_equal(wa_catalog_load(&cat, dirs, 1, NULL, 0), 0);
	assert_true(wa_product_runtime(wa_catalog_find(cat,
	    "apim-analytics-dashboard"), rt, sizeof rt));
	assert_string_equal(rt, "dashboard");
	assert_false(wa_product_runtime(wa_catalog_find(cat, "apim-4"), rt,
	    sizeof rt));
	/* The home alone names the worker; the dashboard says which it is. */
	wa_expect_runtime(cat, home, "", "apim-analytics-worker");
	wa_expect_runtime(cat, home, "worker", "apim-analytics-worker");
	wa_expect_runtime(cat, home, "dashboard", "apim-analytics-dashboard");
	wa_expect_runtime(cat, "/opt/wso2am-analytics-2.6.0", "manager",
	    "apim-analytics-manager-2.6");
	wa_expect_runtime(cat, "/opt/wso2am-analytics-2.6.0", "worker",
	    "apim-analytics-worker-2.6");
	wa_expect_runtime(cat, "/opt/wso2am-analytics-2.6.0", "dashboard",
	    "apim-analytics-dashboard");
	/* EI Analytics 7: its server and its portal (ids without the
	 * runtime's name are a family of their own id). */
	wa_expect_runtime(cat, "/opt/wso2ei-analytics-7.1.0", "server",
	    "ei-analytics-7");
	wa_expect_runtime(cat, "/opt/wso2ei-analytics-7.1.0", "portal",
	    "ei-analytics-7-portal");
	/* A runtime the catalog does not have is no product, rather than
	 * the worker's ports. */
	wa_expect_runtime(cat, home, "editor", NULL);
	/* Products that are no Carbon 5 runtime ignore the property. */
	wa_expect_runtime(cat, "/opt/wso2am-4.2.0", "server", "apim-4");
	wa_expect_runtime(cat, "/opt/wso2si-4.2.0", "server", "si-4");
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
	wa_expect_error("{\"id\": \"x\",\n  \"name\" 1}", "line 2 column",
	    "invalid JSON");
	/* A key given twice is ambiguous, so it is refused too. */
	wa_expect_error(wa_variant("\"versions\"", "\"name\": \"x\", \"versions\""),
	    "name", "duplicate");
}

static void
test_port_out_of_range(void **state)
{
	(void)state;
	wa_expect_error(wa_variant("\"port\": 9443", "\"port\": 70000"),
	    "product demo-1: ports[0].port", "70000 is outside 1-65535");
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
	wa_expect_error(wa_variant("\"shifts\": true, ", ""),
	    "ports[0].shifts", "missing");
	wa_expect_error(wa_variant("\"id\": \"demo-1\", ", ""), "id",
	    "missing");
}

static void
test_wrong_types(void **state)
{
	(void)state;
	wa_expect_error(wa_variant("\"internal_offset\": 0",
	    "\"internal_offset\": \"0\""), "internal_offset", "integer");
	wa_expect_error(wa_variant("\"shifts\": true", "\"shifts\": 1"),
	    "ports[0].shifts", "true or false");
	wa_expect_error(wa_variant("\"name\": \"Demo\"", "\"name\": 5"),
	    "product demo-1: name", "string");
	wa_expect_error(wa_variant("\"aliases\": [\"demo\"]",
	    "\"aliases\": \"demo\""), "aliases", "array");
	wa_expect_error(wa_variant("\"aliases\": [\"demo\"]",
	    "\"aliases\": [\"demo\", 3]"), "aliases[1]", "string");
	wa_expect_error(wa_variant("\"versions\"", "\"notes\": [\"a\", {}], "
	    "\"versions\""), "notes[1]", "string");
	wa_expect_error(wa_variant("\"ports\": [", "\"ports\": 1, \"sources\": ["),
	    "product demo-1: ports", "non-empty array");
	wa_expect_error(wa_variant("\"ports\": [", "\"ports\": [], \"sources\": ["),
	    "product demo-1: ports", "non-empty array");
	wa_expect_error("[1, 2]", "(top level)", "object");
}

static void
test_bad_proto(void **state)
{
	(void)state;
	wa_expect_error(wa_variant("\"proto\": \"tcp\"", "\"proto\": \"sctp\""),
	    "product demo-1: ports[0].proto", "'sctp'");
}

static void
test_bad_open(void **state)
{
	(void)state;
	wa_expect_error(wa_variant("\"open\": \"default\"", "\"open\": \"yes\""),
	    "product demo-1: ports[0].open", "'yes'");
}

static void
test_bad_names(void **state)
{
	(void)state;
	wa_expect_error(wa_variant("\"demo-1\"", "\"Demo 1\""), "id",
	    "[a-z0-9]");
	wa_expect_error(wa_variant("\"name\": \"https\"",
	    "\"name\": \"servlet_https\""), "ports[0].name", "kebab-case");
	wa_expect_error(wa_variant("\"internal_offset\": 0",
	    "\"internal_offset\": 65536"), "internal_offset", "outside 0-65535");
	wa_expect_error(wa_variant("\"kind\": \"toml\"", "\"kind\": \"ini\""),
	    "offset.kind", "toml");
	wa_expect_error(wa_variant("\"description\": \"d\"}, ", "\"x\": 1}, "),
	    "offset.x", "unknown field");
	wa_expect_error(wa_variant(", \"description\": \"d\"}", "}"),
	    "offset.description", "missing");
}

static void
test_same_name_twice(void **state)
{
	(void)state;
	wa_expect_error(wa_variant("\"source\": \"s\"}]",
	    "\"source\": \"s\"}, {\"name\": \"https\", \"port\": 9444, "
	    "\"proto\": \"tcp\", \"shifts\": true, \"open\": \"default\", "
	    "\"description\": \"d\", \"source\": \"s\"}]"), "ports[1]",
	    "'https' is already ports[0]");
}

static void
test_same_port_other_proto(void **state)
{
	int rc;

	(void)state;
	/* 9443/udp next to 9443/tcp is two ports, not a duplicate. */
	wa_load_text(wa_variant("\"source\": \"s\"}]",
	    "\"source\": \"s\"}, {\"name\": \"quic\", \"port\": 9443, "
	    "\"proto\": \"udp\", \"shifts\": true, \"open\": \"listed\", "
	    "\"description\": \"d\", \"source\": \"s\"}]"), &rc);
	assert_int_equal(rc, 0);
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
	assert_non_null(strstr(err, ".json: product demo-"));
	assert_non_null(strstr(err, "aliases"));
	assert_non_null(strstr(err, "'demo'"));
	/* An alias may not be another product's id either. */
	wa_write(wa_dir, "q.json", wa_variant("\"demo-1\", \"aliases\": "
	    "[\"demo\"]", "\"demo-2\", \"aliases\": [\"demo-1\"]"));
	rc = wa_catalog_load(&cat, dirs, 1, err, sizeof err);
	assert_int_equal(rc, WA_ECATALOG);
	assert_non_null(strstr(err, "q.json: product demo-2: aliases"));
	assert_non_null(strstr(err, "'demo-1'"));
	/* Distinct ids and aliases load together. */
	wa_write(wa_dir, "q.json", wa_variant("\"demo-1\", \"aliases\": "
	    "[\"demo\"]", "\"demo-2\", \"aliases\": [\"demo2\"]"));
	assert_int_equal(wa_catalog_load(&cat, dirs, 1, err, sizeof err), 0);
	assert_int_equal(cat->nproducts, 2);
	assert_string_equal(wa_catalog_find(cat, "demo2")->id, "demo-2");
	wa_catalog_free(cat);
}

static void
test_directories(void **state)
{
	char missing[128], empty[128];
	const char *dirs[2] = { WA_SOURCE_CATALOG, missing };
	struct wa_catalog *cat = NULL;
	char err[512];

	(void)state;
	snprintf(missing, sizeof missing, "%s/missing", wa_dir);
	snprintf(empty, sizeof empty, "%s/empty", wa_dir);
	/* A later directory that does not exist is skipped... */
	assert_int_equal(wa_catalog_load(&cat, dirs, 2, err, sizeof err), 0);
	assert_non_null(wa_catalog_find(cat, "apim"));
	wa_catalog_free(cat);
	/* ...the first one must exist... */
	dirs[0] = missing;
	assert_int_equal(wa_catalog_load(&cat, dirs, 1, err, sizeof err),
	    WA_ECATALOG);
	assert_null(cat);
	assert_non_null(strstr(err, missing));
	/* ...and hold at least one product. */
	assert_int_equal(wa_mkdir_p(empty, 0755), 0);
	dirs[0] = empty;
	assert_int_equal(wa_catalog_load(&cat, dirs, 1, err, sizeof err),
	    WA_ECATALOG);
	assert_non_null(strstr(err, empty));
}

static void
test_default_dirs(void **state)
{
	const char *dirs[2];

	(void)state;
	assert_int_equal(setenv("WSO2_ALLOC_CATALOG", "/x/products", 1), 0);
	assert_int_equal(wa_catalog_default_dirs(dirs), 2);
	assert_string_equal(dirs[0], "/x/products");
	assert_int_equal(unsetenv("WSO2_ALLOC_CATALOG"), 0);
	/* This test runs from the build tree: the source tree's files. */
	assert_int_equal(wa_catalog_default_dirs(dirs), 2);
	assert_string_equal(dirs[0], WA_SOURCE_CATALOG);
	assert_non_null(dirs[1]);
	assert_string_not_equal(dirs[1], dirs[0]);
}

static void
test_names(void **state)
{
	(void)state;
	assert_int_equal(wa_proto_parse("tcp"), WA_TCP);
	assert_int_equal(wa_proto_parse("udp"), WA_UDP);
	assert_int_equal(wa_proto_parse("TCP"), -1);
	assert_int_equal(wa_proto_parse(NULL), -1);
	assert_string_equal(wa_proto_name(WA_TCP), "tcp");
	assert_string_equal(wa_proto_name(WA_UDP), "udp");
	assert_string_equal(wa_open_name(WA_OPEN_DEFAULT), "default");
	assert_string_equal(wa_open_name(WA_OPEN_CONDITIONAL), "conditional");
	assert_string_equal(wa_open_name(WA_OPEN_LISTED), "listed");
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
	assert_non_null(strstr(wa_catalog_find(cat, "mi-4")->path, local));
	/* Replaced, not added: one mi-4 only. */
	for (size_t i = 0, n = 0; i < cat->nproducts; i++)
		assert_true((n += strcmp(cat->products[i].id, "mi-4") == 0) <= 1);
	/* Shipped products the directory does not name are still there. */
	assert_non_null(wa_catalog_find(cat, "apim"));
	wa_catalog_free(cat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_catalog),
		cmocka_unit_test(test_shipped_ports),
		cmocka_unit_test(test_home_patterns),
		cmocka_unit_test(test_runtimes),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_malformed_json),
		cmocka_unit_test(test_port_out_of_range),
		cmocka_unit_test(test_same_port_twice),
		cmocka_unit_test(test_unknown_field),
		cmocka_unit_test(test_missing_field),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_bad_proto),
		cmocka_unit_test(test_bad_open),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_same_name_twice),
		cmocka_unit_test(test_same_port_other_proto),
		cmocka_unit_test(test_directories),
		cmocka_unit_test(test_default_dirs),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_duplicates_across_files),
		cmocka_unit_test(test_local_override),
	};

	return cmocka_run_group_tests(tests, wa_setup, wa_teardown);
}
