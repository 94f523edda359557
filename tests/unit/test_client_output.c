/*
 * test_client_output.c: the client's parsing (durations, labels, ports)
 * and every lease output format, byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "carbon.h"
#include "cmd.h"
#include "util.h"

static json_t *
wa_sample(void)
{
	return json_loads("{\"name\": \"gw'1\", \"product\": \"apim-4\", "
	    "\"offset\": 3, \"state\": \"active\", \"owner_uid\": 0, "
	    "\"pid\": null, \"expires_at\": null, \"labels\": {}, "
	    "\"warnings\": [\"port 40000/tcp is inside the ephemeral range\"], "
	    "\"ports\": [{\"name\": \"servlet-https\", \"port\": 9446, "
	    "\"proto\": \"tcp\", \"description\": \"HTTPS\"}, "
	    "{\"name\": \"passthrough-http\", \"port\": 8283, \"proto\": "
	    "\"tcp\", \"description\": \"HTTP\"}]}", 0, NULL);
}

/* Render lease in format into a string (static). */
static const char *
wa_render(const char *format)
{
	static char buf[4096];
	json_t *l = wa_sample();
	FILE *f = fmemopen(buf, sizeof buf, "w");

	assert_non_null(f);
	assert_int_equal(wa_lease_print(f, l, format), 0);
	fclose(f);
	json_decref(l);
	return buf;
}

static void
test_formats(void **state)
{
	(void)state;
	assert_string_equal(wa_render("offset"), "3\n");
	assert_string_equal(wa_render("args"), "-DportOffset=3\n");
	assert_string_equal(wa_render("toml"), "[server]\noffset = 3\n");
	assert_string_equal(wa_render("xml"), "<Offset>3</Offset>\n");
	/* Shell-quoted, even a name with a quote in it. */
	assert_string_equal(wa_render("env"),
	    "WSO2_ALLOC_NAME='gw'\\''1'\nWSO2_ALLOC_PRODUCT='apim-4'\n"
	    "WSO2_PORT_OFFSET=3\nWSO2_PORT_SERVLET_HTTPS=9446\n"
	    "WSO2_PORT_PASSTHROUGH_HTTP=8283\n");
	assert_string_equal(wa_render("text"),
	    "gw'1: apim-4 at offset 3 (active)\n"
	    "  set [server] offset = 3, <Offset>3</Offset> or -DportOffset=3\n"
	    "  PORT  PROTO  NAME              DESCRIPTION\n"
	    "  9446  tcp    servlet-https     HTTPS\n"
	    "  8283  tcp    passthrough-http  HTTP\n"
	    "  warning: port 40000/tcp is inside the ephemeral range\n");
	/* json is the lease itself, every field as the daemon sent it. */
	{
		json_t *back = json_loads(wa_render("json"), 0, NULL);
		json_t *l = wa_sample();

		assert_non_null(back);
		assert_true(json_equal(back, l));
		json_decref(back);
		json_decref(l);
	}
	assert_true(wa_lease_format_ok("env"));
	assert_false(wa_lease_format_ok("yaml"));
	assert_int_equal(wa_lease_print(stdout, NULL, "yaml"), WA_EINVAL);
}

/* A pid-bound lease with a lifetime, no ports: those lines, no table. */
static void
test_text_bound(void **state)
{
	static char buf[1024];
	json_t *l = json_pack("{sssssisssisiss}", "name", "mi-1", "product",
	    "mi-4", "offset", 12, "state", "active", "owner_uid", 1000,
	    "pid", 4242, "expires_at", "2026-11-24T05:33:47Z");
	FILE *f = fmemopen(buf, sizeof buf, "w");

	(void)state;
	assert_non_null(f);
	assert_int_equal(wa_lease_print(f, l, "text"), 0);
	fclose(f);
	assert_string_equal(buf, "mi-1: mi-4 at offset 12 (active)\n"
	    "  set [server] offset = 12, <Offset>12</Offset> or "
	    "-DportOffset=12\n"
	    "  bound to pid 4242\n"
	    "  expires 2026-11-24T05:33:47Z\n");
	json_decref(l);
}

/* A description longer than 71 bytes is cut to 68 and "...". */
static void
test_text_long_description(void **state)
{
	static char buf[1024];
	char longd[101];
	json_t *l;
	FILE *f = fmemopen(buf, sizeof buf, "w");
	const char *row;

	(void)state;
	memset(longd, 'd', 100);
	longd[100] = '\0';
	l = json_pack("{sssssisss[{sssiss ss}]}", "name", "x", "product",
	    "mi-4", "offset", 0, "state", "active", "ports", "name", "https",
	    "port", 9164, "proto", "tcp", "description", longd);
	assert_non_null(l);
	assert_non_null(f);
	assert_int_equal(wa_lease_print(f, l, "text"), 0);
	fclose(f);
	assert_non_null(row = strstr(buf, "  9164  tcp    https  "));
	row += strlen("  9164  tcp    https  ");
	assert_int_equal(strcspn(row, "\n"), 71);
	assert_memory_equal(row + 66, "dd...\n", 6);
	json_decref(l);
}

/* Columns as wide as their widest cell (in characters), two spaces
 * apart, the last one unpadded; a missing cell is "-". */
static void
test_table(void **state)
{
	static char buf[512];
	static const char *const hdr[] = { "NAME", "PORT", "NOTE" };
	static const char *const r1[] = { "caf\xc3\xa9", "9443", "x" };
	static const char *const r2[] = { "longer-name", NULL, "" };
	struct wa_table *t = wa_table_new(hdr, 3);
	FILE *f = fmemopen(buf, sizeof buf, "w");

	(void)state;
	assert_non_null(t);
	assert_non_null(f);
	wa_table_add(t, r1);
	wa_table_add(t, r2);
	wa_table_print(t, f);
	fclose(f);
	wa_table_free(t);
	assert_string_equal(buf,
	    "NAME         PORT  NOTE\n"
	    "caf\xc3\xa9         9443  x\n"
	    "longer-name  -     \n");
}

static void
test_durations(void **state)
{
	long s;

	(void)state;
	assert_int_equal(wa_duration_parse("30s", &s), 0);
	assert_int_equal(s, 30);
	assert_int_equal(wa_duration_parse("15m", &s), 0);
	assert_int_equal(s, 900);
	assert_int_equal(wa_duration_parse("2h", &s), 0);
	assert_int_equal(s, 7200);
	assert_int_equal(wa_duration_parse("7d", &s), 0);
	assert_int_equal(s, 604800);
	assert_int_equal(wa_duration_parse("45", &s), 0);
	assert_int_equal(s, 45);
	assert_int_equal(wa_duration_parse("0s", &s), WA_EINVAL);
	assert_int_equal(wa_duration_parse("5x", &s), WA_EINVAL);
	assert_int_equal(wa_duration_parse("-5m", &s), WA_EINVAL);
	assert_int_equal(wa_duration_parse("2hh", &s), WA_EINVAL);
	assert_int_equal(wa_duration_parse("99999d", &s), WA_EINVAL);
	assert_int_equal(wa_duration_parse("", &s), WA_EINVAL);
}

static void
test_labels(void **state)
{
	json_t *l = json_object();

	(void)state;
	assert_int_equal(wa_labels_add(l, "env=dev"), 0);
	assert_int_equal(wa_labels_add(l, "team.name=a=b"), 0);
	assert_string_equal(json_string_value(json_object_get(l, "team.name")),
	    "a=b");
	assert_int_equal(wa_labels_add(l, "novalue"), WA_EINVAL);
	assert_int_equal(wa_labels_add(l, "=x"), WA_EINVAL);
	assert_int_equal(wa_labels_add(l, "bad key=x"), WA_EINVAL);
	assert_int_equal(json_object_size(l), 2);
	json_decref(l);
}

static void
test_port_args(void **state)
{
	const char *proto;
	int port;

	(void)state;
	assert_int_equal(wa_port_arg("9443", &port, &proto), 0);
	assert_int_equal(port, 9443);
	assert_string_equal(proto, "tcp");
	assert_int_equal(wa_port_arg("45564/udp", &port, &proto), 0);
	assert_string_equal(proto, "udp");
	assert_int_equal(wa_port_arg("70000", &port, &proto), WA_EINVAL);
	assert_int_equal(wa_port_arg("9443/sctp", &port, &proto), WA_EINVAL);
	assert_int_equal(wa_port_arg("x", &port, &proto), WA_EINVAL);
}

static void
test_env_names(void **state)
{
	char buf[64];

	(void)state;
	wa_env_name("databridge-binary-ssl", buf, sizeof buf);
	assert_string_equal(buf, "DATABRIDGE_BINARY_SSL");
}

static void
test_carbon_files(void **state)
{
	static const char cmd[] = "/usr/lib/jvm/java-17/bin/java\0-Xms256m\0"
	    "-Dcarbon.home=/opt/wso2mi-4.2.0\0-DportOffset=3\0"
	    "org.wso2.micro.integrator.bootstrap.Bootstrap";
	struct wa_cmdline cl;
	int off = -1;

	(void)state;
	assert_int_equal(wa_cmdline_parse(cmd, sizeof cmd, &cl), 0);
	assert_true(cl.java);
	assert_string_equal(cl.home, "/opt/wso2mi-4.2.0");
	assert_int_equal(cl.port_offset, 3);
	assert_int_equal(wa_cmdline_parse("/bin/sh\0x", 10, &cl), WA_ENOTFOUND);
	assert_int_equal(wa_toml_offset("[server]\nhostname = \"h\"\n"
	    "# offset = 10\noffset = 4\r\n[other]\noffset = 99\n", &off), 0);
	assert_int_equal(off, 4);
	assert_int_equal(wa_toml_offset("[other]\noffset = 99\n[server]\n"
	    "#offset = 0\n", &off), WA_ENOTFOUND);
	assert_int_equal(wa_carbon_xml_offset("<Server><!-- <Ports><Offset>5"
	    "</Offset></Ports> --><Ports>\n<Offset>2</Offset></Ports>", &off), 0);
	assert_int_equal(off, 2);
	assert_int_equal(wa_carbon_xml_offset("<Server/>", &off), WA_ENOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_text_bound),
		cmocka_unit_test(test_text_long_description),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_port_args),
		cmocka_unit_test(test_env_names),
		cmocka_unit_test(test_carbon_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
