/*
 * test_client_output.c: the client's parsing (durations, labels, ports),
 * every lease output format byte for byte, the escaping of what others
 * wrote, and every command's rendering of malformed answers (through
 * support/replay.c, a daemon that answers with given bytes).
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
#include "replay.h"
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
	static const char rt[] = "/opt/java/bin/java\0"
	    "-Dcarbon.home=/opt/wso2am-analytics-3.2.0\0"
	    "-Dwso2.runtime.path=/opt/wso2am-analytics-3.2.0/wso2/dashboard\0"
	    "-Dwso2.runtime=dashboard\0org.wso2.carbon.launcher.Main";
	struct wa_cmdline cl;
	int off = -1;

	(void)state;
	assert_int_equal(wa_cmdline_parse(cmd, sizeof cmd, &cl), 0);
	assert_true(cl.java);
	assert_string_equal(cl.home, "/opt/wso2mi-4.2.0");
	assert_int_equal(cl.port_offset, 3);
	assert_string_equal(cl.runtime, "");
	assert_int_equal(wa_cmdline_parse("/bin/sh\0x", 10, &cl), WA_ENOTFOUND);
	/* -Dwso2.runtime.path= is not the runtime. */
	assert_int_equal(wa_cmdline_parse(rt, sizeof rt, &cl), 0);
	assert_string_equal(cl.runtime, "dashboard");
	assert_int_equal(wa_toml_offset("[server]\nhostname = \"h\"\n"
	    "# offset = 10\noffset = 4\r\n[other]\noffset = 99\n", &off), 0);
	assert_int_equal(off, 4);
	assert_int_equal(wa_toml_offset("[other]\noffset = 99\n[server]\n"
	    "#offset = 0\n", &off), WA_ENOTFOUND);
	assert_int_equal(wa_carbon_xml_offset("<Server><!-- <Ports><Offset>5"
	    "</Offset></Ports> --><Ports>\n<Offset>2</Offset></Ports>"
	    "</Server>", &off), 0);
	assert_int_equal(off, 2);
	assert_int_equal(wa_carbon_xml_offset("<Server/>", &off), WA_ENOTFOUND);
}

/* What a terminal would act on: C0 but newline, DEL, C1 (raw or UTF-8). */
static bool
wa_has_controls(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f ||
		    (*p >= 0x80 && *p <= 0x9f && (p == (const unsigned char *)s ||
		    p[-1] == 0xc2 || p[-1] < 0x80)))
			return true;
	return false;
}

static void
test_term_escapes(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "plain /opt/wso2mi-4.2.0", "plain /opt/wso2mi-4.2.0" },
		{ "caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80" },
		{ "a\x1b[31mred\x1b[0m", "a\\e[31mred\\e[0m" },
		{ "\x1b]0;title\x07", "\\e]0;title\\a" },
		{ "\x1b]52;c;ZXZpbA==\x1b\\", "\\e]52;c;ZXZpbA==\\e\\\\" },
		{ "line\nnext\ttab\rcr\b\v\f", "line\\nnext\\ttab\\rcr\\b\\v\\f" },
		{ "\x01\x1f\x7f", "\\x01\\x1f\\x7f" },
		/* C1: a raw byte is not UTF-8; encoded, it is a control. */
		{ "\x9b" "2J", "\\x9b2J" },
		{ "\xc2\x9b" "2J \xc2\x85", "\\u009b2J \\u0085" },
		/* Right-to-left override and line separator. */
		{ "a\xe2\x80\xae" "b\xe2\x80\xa8" "c\xe2\x81\xa6",
		    "a\\u202eb\\u2028c\\u2066" },
		/* Overlong, surrogate, past U+10FFFF, cut short. */
		{ "\xc0\xaf", "\\xc0\\xaf" },
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },
		{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
		{ "x\xe2\x82", "x\\xe2\\x82" },
		{ "\xff\xfe", "\\xff\\xfe" },
		/* A backslash is doubled: "\\e" is not ESC. */
		{ "C:\\e", "C:\\\\e" },
	};
	const char *r[16];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_string_equal(wa_term_str(cases[i].in), cases[i].out);
	assert_string_equal(wa_term_str(NULL), "-");
	/* One printf may take sixteen escaped strings at once. */
	for (size_t i = 0; i < 16; i++)
		r[i] = wa_term_str(i % 2 ? "\x1b" : "\x07");
	for (size_t i = 0; i < 16; i++)
		assert_string_equal(r[i], i % 2 ? "\\e" : "\\a");
}

/* A diff keeps its lines and tabs; nothing else gets through. */
static void
test_term_puts(void **state)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	wa_term_puts(f, "-offset = 0\n+offset = 3\x1b[2J\n\tend\r\n");
	wa_term_puts(f, NULL);
	fclose(f);
	assert_string_equal(buf, "-offset = 0\n+offset = 3\\e[2J\n\tend\\r\n");
	free(buf);
}

/* Cells are escaped, and columns as wide as what is shown. */
static void
test_table_escapes(void **state)
{
	static char buf[256];
	static const char *const hdr[] = { "HOME", "X" };
	static const char *const r1[] = { "/h\x1b[8m", "1" };
	struct wa_table *t = wa_table_new(hdr, 2);
	FILE *f = fmemopen(buf, sizeof buf, "w");

	(void)state;
	assert_non_null(f);
	wa_table_add(t, r1);
	wa_table_print(t, f);
	fclose(f);
	wa_table_free(t);
	assert_string_equal(buf, "HOME     X\n/h\\e[8m  1\n");
}

/* A lease missing a field a format needs, or of the wrong type, prints
 * nothing and says so: env without a name crashed. */
static void
test_lease_malformed(void **state)
{
	static const char *const bad[] = {
		"{\"product\": \"mi-4\", \"offset\": 3}",
		"{\"name\": 7, \"product\": \"mi-4\", \"offset\": 3}",
		"{\"name\": \"a\", \"offset\": 3}",
		"{\"name\": \"a\", \"product\": \"mi-4\"}",
		"{\"name\": \"a\", \"product\": \"mi-4\", \"offset\": \"3\"}",
		"{\"name\": \"a\", \"product\": \"mi-4\", \"offset\": -1}",
		"{\"name\": \"a\", \"product\": \"mi-4\", \"offset\": 65536}",
		"{\"name\": \"a\", \"product\": \"mi-4\", \"offset\": 3, "
		    "\"ports\": {}}",
		"{\"name\": \"a\", \"product\": \"mi-4\", \"offset\": 3, "
		    "\"ports\": [7]}",
		"{\"name\": \"a\", \"product\": \"mi-4\", \"offset\": 3, "
		    "\"ports\": [{\"port\": 8280, \"proto\": \"tcp\"}]}",
		"{\"name\": \"a\", \"product\": \"mi-4\", \"offset\": 3, "
		    "\"ports\": [{\"name\": \"h\", \"port\": \"8280\", "
		    "\"proto\": \"tcp\"}]}",
		"{\"name\": \"a\", \"product\": \"mi-4\", \"offset\": 3, "
		    "\"ports\": [{\"name\": \"h\", \"port\": 8280}]}",
		"[]", "null",
	};
	static const char *const formats[] = { "text", "offset", "args",
	    "toml", "xml", "env", "json" };
	char buf[256];
	json_t *l;
	FILE *f;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		for (size_t k = 0; k < sizeof formats / sizeof formats[0]; k++) {
			l = json_loads(bad[i], JSON_DECODE_ANY, NULL);
			memset(buf, 0, sizeof buf);
			f = fmemopen(buf, sizeof buf, "w");
			assert_non_null(f);
			assert_int_equal(wa_lease_print(f, l, formats[k]),
			    WA_EPROTO);
			fclose(f);
			assert_string_equal(buf, "");
			json_decref(l);
		}
	assert_int_equal(wa_lease_print(stdout, NULL, NULL), WA_EPROTO);
}

/* What the ledger holds as others wrote it: shown, escaped. */
static void
test_lease_text_escapes(void **state)
{
	static char buf[1024];
	json_t *l = json_loads("{\"name\": \"a1\", \"product\": \"mi-4\", "
	    "\"offset\": 2, \"home\": \"/srv/\\u001b]0;owned\\u0007mi\", "
	    "\"labels\": {\"note\": \"\\u001b[2J\\u009b1m\"}, "
	    "\"expires_at\": \"2026\\n\", \"warnings\": [\"w\\r\", 3], "
	    "\"ports\": [{\"name\": \"h\\u001b\", \"port\": 8282, "
	    "\"proto\": \"tcp\", \"description\": \"d\\u0007\"}]}", 0, NULL);
	FILE *f = fmemopen(buf, sizeof buf, "w");

	(void)state;
	assert_non_null(l);
	assert_non_null(f);
	assert_int_equal(wa_lease_print(f, l, "text"), 0);
	fclose(f);
	json_decref(l);
	assert_string_equal(buf, "a1: mi-4 at offset 2 (-)\n"
	    "  set [server] offset = 2, <Offset>2</Offset> or -DportOffset=2\n"
	    "  home /srv/\\e]0;owned\\ami\n"
	    "  label note=\\e[2J\\u009b1m\n"
	    "  expires 2026\\n\n"
	    "  PORT  PROTO  NAME  DESCRIPTION\n"
	    "  8282  tcp    h\\e   d\\a\n"
	    "  warning: w\\r\n"
	    "  warning: -\n");
}

/* One command against an answer: its exit code, and what it printed. */
static int
wa_run(const char *answer, bool json, const char *const *argv, char **out)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	int rc;

	assert_non_null(f);
	rc = wa_replay(answer, strlen(answer), json, argv, f);
	fclose(f);
	return rc;
}

static int
wa_setup(void **state)
{
	(void)state;
	setenv("WSO2_ALLOC_CATALOG", WA_SOURCE_CATALOG, 1);
	return wa_replay_init();
}

static int
wa_teardown(void **state)
{
	(void)state;
	wa_replay_done();
	return 0;
}

/* Every command that prints an answer, each way it prints it. */
static const char *const *const wa_cmds[] = {
	(const char *const[]){ "list", NULL },
	(const char *const[]){ "list", "--state", "all", NULL },
	(const char *const[]){ "show", "a1", NULL },
	(const char *const[]){ "lease", "--product", "mi", NULL },
	(const char *const[]){ "lease", "--product", "mi", "--format",
	    "offset", NULL },
	(const char *const[]){ "lease", "--product", "mi", "--format",
	    "env", NULL },
	(const char *const[]){ "release", "a1", NULL },
	(const char *const[]){ "renew", "a1", NULL },
	(const char *const[]){ "attach", "a1", "--pid", "1", NULL },
	(const char *const[]){ "who", "9443", NULL },
	(const char *const[]){ "ports", NULL },
	(const char *const[]){ "products", NULL },
	(const char *const[]){ "products", "mi", NULL },
	(const char *const[]){ "history", NULL },
	(const char *const[]){ "status", NULL },
	(const char *const[]){ "check", NULL },
	(const char *const[]){ "config", "a1", NULL },
	(const char *const[]){ "exec", "--product", "mi", "--",
	    "/nonexistent/wa-test", NULL },
};

/*
 * Answers every renderer must survive: each field missing, of the
 * wrong type, or holding escape sequences; not JSON; cut short.
 */
static void
test_answers_malformed(void **state)
{
	static const char *const answers[] = {
		"{\"ok\":true}\n",
		"{\"ok\":true,\"lease\":{},\"leases\":{},\"rows\":7,"
		    "\"columns\":[1],\"ports\":\"x\",\"products\":[1],"
		    "\"events\":{},\"leases\":null}\n",
		"{\"ok\":true,\"lease\":7,\"leases\":[7,null,{}],"
		    "\"columns\":[\"name\",\"offset\",\"ports\",\"port_min\"],"
		    "\"rows\":[7,[],[1,\"x\",3,null],[\"\\u001b[2J\"]],"
		    "\"ports\":[7,{\"port\":\"x\",\"lease\":\"\\u001b]0;t\\u0007\"}],"
		    "\"products\":[{\"aliases\":[1,null,\"\\u001b\"],"
		    "\"ports\":[1,{\"name\":2}]},{\"id\":3}],"
		    "\"events\":[1,{\"detail\":5},{\"detail\":{\"message\":7}},"
		    "{\"kind\":\"\\u001b[2J\",\"detail\":{\"message\":"
		    "\"\\u009b6n\"}}],"
		    "\"version\":7,\"socket\":[],\"ledger\":\"\\u001b]2;x\\u0007\","
		    "\"leases\":{\"\\u001b\":\"x\"},\"holder_pid\":\"1\"}\n",
		"{\"ok\":true,\"lease\":{\"name\":\"a\\u001b[8m\","
		    "\"product\":\"mi-4\",\"offset\":1,\"ports\":[{\"name\":"
		    "\"h\",\"port\":8281,\"proto\":\"tcp\"}],\"home\":7,"
		    "\"labels\":[1],\"warnings\":{}},\"holder_pid\":99,"
		    "\"holder_cmdline\":\"java \\u001b]0;x\\u0007\","
		    "\"port_name\":\"\\u001b[1m\"}\n",
		"{\"ok\":false,\"error\":{\"code\":\"conflict\",\"message\":"
		    "\"held by pid 9 (\\u001b]0;pwned\\u0007 \\u009b2J)\"}}\n",
		"{\"ok\":false,\"error\":{\"code\":7,\"message\":[]}}\n",
		"{\"ok\":false,\"error\":\"x\"}\n",
		"{\"ok\":false}\n",
		"[1,2]\n", "not json\n", "\n",
		"{\"ok\":true,\"lease\":{\"name\":\"a\"", "",
	};
	char *out;

	(void)state;
	for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++)
		for (size_t k = 0; k < sizeof wa_cmds / sizeof wa_cmds[0];
		    k++) {
			for (int json = 0; json < 2; json++) {
				out = NULL;
				wa_run(answers[i], json, wa_cmds[k], &out);
				assert_non_null(out);
				if (!json && wa_has_controls(out))
					fail_msg("%s on answer %zu: %s",
					    wa_cmds[k][0], i, out);
				free(out);
			}
		}
}

/* `lease --format env` on an answer without a name (it crashed). */
static void
test_env_without_name(void **state)
{
	static const char *const argv[] = { "lease", "--product", "mi",
	    "--format", "env", NULL };
	char *out;

	(void)state;
	assert_int_equal(wa_run("{\"ok\":true,\"lease\":{\"product\":\"mi-4\","
	    "\"offset\":3,\"ports\":[]}}\n", false, argv, &out),
	    WA_EXIT_SOFTWARE);
	/* (Run by another uid than root, a private daemon's warning comes
	 * first.) */
	assert_non_null(strstr(out, "wso2-alloc: lease: malformed response "
	    "from daemon\n"));
	assert_null(strstr(out, "WSO2_"));
	free(out);
	/* A port without a name is as malformed. */
	assert_int_equal(wa_run("{\"ok\":true,\"lease\":{\"name\":\"a\","
	    "\"product\":\"mi-4\",\"offset\":3,\"ports\":[{\"port\":8283,"
	    "\"proto\":\"tcp\"}]}}\n", false, argv, &out), WA_EXIT_SOFTWARE);
	assert_null(strstr(out, "WSO2_"));
	free(out);
}

/* Whatever a daemon says, each renderer either shows it escaped or
 * refuses it; none prints a made-up value. */
static void
test_answers_rendered(void **state)
{
	static const char *const who[] = { "who", "8281", NULL };
	static const char *const show[] = { "show", "a1", NULL };
	static const char *const history[] = { "history", NULL };
	static const char *const status[] = { "status", NULL };
	static const char *const products[] = { "products", NULL };
	static const char *const release[] = { "release", "a1", NULL };
	static const char *const config[] = { "config", "a1", NULL };
	static const char *const exec[] = { "exec", "--product", "mi", "--",
	    "/nonexistent/wa-test", NULL };
	char *out;

	(void)state;
	assert_int_equal(wa_run("{\"ok\":true,\"lease\":{\"name\":\"a1\","
	    "\"product\":\"mi-4\",\"offset\":1,\"owner_uid\":0},"
	    "\"port_name\":\"http\",\"holder_pid\":99,\"holder_cmdline\":"
	    "\"java -Dcarbon.home=/x\\u001b]0;t\\u0007\"}\n", false, who, &out),
	    0);
	assert_string_equal(out, "8281/tcp: bound by pid 99 (java "
	    "-Dcarbon.home=/x\\e]0;t\\a)\n8281/tcp: http of a1 (mi-4, offset 1, "
	    "owner root)\n");
	free(out);
	/* A who answer without its lease: no "(null)", no owner uid 0. */
	assert_int_equal(wa_run("{\"ok\":true,\"port_name\":\"http\"}\n",
	    false, who, &out), WA_EXIT_SOFTWARE);
	assert_null(strstr(out, "(null)"));
	free(out);
	assert_int_equal(wa_run("{\"ok\":true,\"lease\":{\"name\":\"a1\"}}\n",
	    false, show, &out), WA_EXIT_SOFTWARE);
	assert_string_equal(out, "wso2-alloc: a1: malformed response from "
	    "daemon\n");
	free(out);
	/* The daemon's message quotes a foreign command line. */
	assert_int_equal(wa_run("{\"ok\":false,\"error\":{\"code\":"
	    "\"conflict\",\"message\":\"in use (pid 9: \\u001b]0;x\\u0007)\"}}\n",
	    false, show, &out), WA_EXIT_CONFLICT);
	assert_string_equal(out, "wso2-alloc: a1: in use (pid 9: "
	    "\\e]0;x\\a)\n");
	free(out);
	assert_int_equal(wa_run("{\"ok\":true,\"events\":[{\"time\":\"t\","
	    "\"kind\":\"refused\",\"instance\":\"b1\",\"product\":\"mi-4\","
	    "\"offset\":0,\"uid\":0,\"pid\":7,\"detail\":{\"message\":"
	    "\"held (\\u001b[2J)\"}},{\"kind\":\"leased\"}]}\n", false,
	    history, &out), 0);
	assert_string_equal(out,
	    "TIME  EVENT    INSTANCE  PRODUCT  OFFSET  UID  PID  DETAIL\n"
	    "t     refused  b1        mi-4     0       0    7    held (\\e[2J)\n"
	    "-     leased   -         -        -       -    -    -\n");
	free(out);
	assert_int_equal(wa_run("{\"ok\":true,\"version\":7,\"socket\":"
	    "\"/s\\u001b\",\"leases\":{\"\\u001b[2J\":1}}\n", false, status,
	    &out), 0);
	assert_null(strstr(out, "(null)"));
	assert_non_null(strstr(out, "socket   /s\\e\n"));
	assert_non_null(strstr(out, "  \\e[2J "));
	free(out);
	/* Aliases that are not strings (strncat of NULL crashed). */
	assert_int_equal(wa_run("{\"ok\":true,\"products\":[{\"id\":\"x\","
	    "\"aliases\":[null,\"y\"]}]}\n", false, products, &out), 0);
	assert_non_null(strstr(out, "x   -,y "));
	free(out);
	assert_int_equal(wa_run("{\"ok\":true,\"lease\":{\"name\":\"a1\"}}\n",
	    false, release, &out), 0);
	assert_non_null(strstr(out, "released a1\n"));
	free(out);
	/* No offset: config has nothing to write, and writes nothing. */
	assert_int_equal(wa_run("{\"ok\":true,\"lease\":{\"name\":\"a1\","
	    "\"product\":\"mi-4\",\"home\":\"/nonexistent\"}}\n", false,
	    config, &out), WA_EXIT_SOFTWARE);
	assert_string_equal(out, "wso2-alloc: a1: malformed response from "
	    "daemon\n");
	free(out);
	/* exec: setenv of a missing name crashed. */
	assert_int_equal(wa_run("{\"ok\":true,\"lease\":{\"product\":"
	    "\"mi-4\",\"offset\":3}}\n", false, exec, &out), WA_EXIT_SOFTWARE);
	free(out);
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
		cmocka_unit_test(test_term_escapes),
		cmocka_unit_test(test_term_puts),
		cmocka_unit_test(test_table_escapes),
		cmocka_unit_test(test_lease_malformed),
		cmocka_unit_test(test_lease_text_escapes),
		cmocka_unit_test(test_answers_malformed),
		cmocka_unit_test(test_env_without_name),
		cmocka_unit_test(test_answers_rendered),
	};

	return cmocka_run_group_tests(tests, wa_setup, wa_teardown);
}
