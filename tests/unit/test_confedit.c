/*
 * test_confedit.c: the offset written into deployment.toml and carbon.xml
 * with every other byte kept; the diff; the atomic replace with .bak.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "carbon.h"
#include "confedit.h"
#include "util.h"
#include "wso2alloc.h"

static char wa_err[256];

/* Set, check the result, and check a second run changes nothing. */
static void
wa_toml_case(const char *in, int offset, const char *want)
{
	char *out, *again;
	int got;

	assert_int_equal(wa_toml_set_offset(in, offset, &out, wa_err, sizeof wa_err), 0);
	assert_string_equal(out, want);
	assert_int_equal(wa_toml_offset(out, &got), 0);
	assert_int_equal(got, offset);
	assert_int_equal(wa_toml_set_offset(out, offset, &again, wa_err, sizeof wa_err), 0);
	assert_string_equal(again, out);
	free(out);
	free(again);
}

static void
test_toml_present(void **state)
{
	(void)state;
	wa_toml_case("# APIM\n[server]\nhostname = \"h\"\noffset  =  0 # x\n"
	    "[database]\noffset = 7\n", 5,
	    "# APIM\n[server]\nhostname = \"h\"\noffset  =  5 # x\n"
	    "[database]\noffset = 7\n");
}

static void
test_toml_commented(void **state)
{
	(void)state;
	/* MI ships "# offset  = 10": uncommented in place. */
	wa_toml_case("[server]\nhostname = \"localhost\"\n# offset  = 10\n"
	    "\n[user_store]\ntype = \"read_only_ldap\"\n", 3,
	    "[server]\nhostname = \"localhost\"\noffset = 3\n"
	    "\n[user_store]\ntype = \"read_only_ldap\"\n");
}

static void
test_toml_no_key(void **state)
{
	(void)state;
	wa_toml_case("[server]\nhostname = \"h\"\n[super_admin]\n", 2,
	    "[server]\noffset = 2\nhostname = \"h\"\n[super_admin]\n");
}

static void
test_toml_missing_table(void **state)
{
	(void)state;
	/* Root keys stay above the new table. */
	wa_toml_case("# gateway\nroot = 1\n[super_admin]\nusername = \"a\"\n",
	    4, "# gateway\nroot = 1\n[server]\noffset = 4\n\n[super_admin]\n"
	    "username = \"a\"\n");
	wa_toml_case("a = 1\n", 4, "a = 1\n\n[server]\noffset = 4\n");
}

static void
test_toml_crlf(void **state)
{
	(void)state;
	wa_toml_case("[server]\r\nhostname = \"h\"\r\n#offset = 0\r\n", 9,
	    "[server]\r\nhostname = \"h\"\r\noffset = 9\r\n");
}

/* What the line-by-line editor misread: each now edited in its place. */
static void
test_toml_misreads(void **state)
{
	(void)state;
	wa_toml_case("[ \"server\" ]\nhostname = \"h\"\n", 3,
	    "[ \"server\" ]\noffset = 3\nhostname = \"h\"\n");
	wa_toml_case("server.hostname = \"h\"\nserver.offset = 1\n[x]\n", 3,
	    "server.hostname = \"h\"\nserver.offset = 3\n[x]\n");
	wa_toml_case("server.hostname = \"h\"\n\n[x]\n", 3,
	    "server.hostname = \"h\"\nserver.offset = 3\n\n[x]\n");
	wa_toml_case("server = { hostname = \"h\" }\n", 3,
	    "server = { offset = 3, hostname = \"h\" }\n");
	wa_toml_case("server = {}\n", 3, "server = { offset = 3 }\n");
	wa_toml_case("[server]\n\"offset\" = 1\n", 3,
	    "[server]\n\"offset\" = 3\n");
	wa_toml_case("[a]\ns = \"\"\"\n[server]\noffset = 1\n\"\"\"\n[server]\n",
	    3, "[a]\ns = \"\"\"\n[server]\noffset = 1\n\"\"\"\n[server]\n"
	    "offset = 3\n");
	wa_toml_case("\xef\xbb\xbf[server]\nhostname = \"h\"\n", 3,
	    "\xef\xbb\xbf[server]\noffset = 3\nhostname = \"h\"\n");
	/* A commented offset inside an array is not a line to uncomment. */
	wa_toml_case("[server]\nl = [\n# offset = 1\n1]\n", 3,
	    "[server]\noffset = 3\nl = [\n# offset = 1\n1]\n");
	/* Only [server.sub]: [server] goes before it, as a table may. */
	wa_toml_case("[server.sub]\nx = 1\n", 3,
	    "[server]\noffset = 3\n\n[server.sub]\nx = 1\n");
}

/* Nothing comes out of what cannot be edited, and err says why. */
static void
wa_toml_refused(const char *in, int rc, const char *why)
{
	char *out = (char *)1;

	assert_int_equal(wa_toml_set_offset(in, 3, &out, wa_err,
	    sizeof wa_err), rc);
	assert_null(out);
	if (strstr(wa_err, why) == NULL)
		fail_msg("'%s' not in '%s'", why, wa_err);
}

static void
test_toml_refused(void **state)
{
	(void)state;
	wa_toml_refused("[server]\n[server]\n", WA_EINVAL,
	    "not TOML: line 2: table server is defined twice");
	wa_toml_refused("[server]\noffset = \n", WA_EINVAL, "a value expected");
	wa_toml_refused("server.a = 1\n[server]\n", WA_EINVAL, "twice");
	wa_toml_refused("x = \"\"\"\n", WA_EINVAL, "unterminated");
	wa_toml_refused("[[server]]\n", WA_EINVAL, "an array of tables");
	wa_toml_refused("server = 1\n", WA_EINVAL, "a value, not a table");
	wa_toml_refused("[server]\noffset.x = 1\n", WA_EINVAL,
	    "server.offset is a table");
}

/* The scan's reader: the same reading as the editor's. */
static void
test_toml_read(void **state)
{
	int off = -1;

	(void)state;
	assert_int_equal(wa_toml_offset("s = '''\n[server]\noffset = 1\n'''\n",
	    &off), WA_ENOTFOUND);
	assert_int_equal(wa_toml_offset("\xef\xbb\xbf[server]\noffset = 4\n",
	    &off), 0);
	assert_int_equal(off, 4);
	assert_int_equal(wa_toml_offset("server = { offset = \"5\" }\n", &off),
	    0);
	assert_int_equal(off, 5);
	assert_int_equal(wa_toml_offset("[ 'server' ]\n\"offset\" = 0x10\n",
	    &off), 0);
	assert_int_equal(off, 16);
	assert_int_equal(wa_toml_offset("[server]\noffset = -1\n", &off),
	    WA_EINVAL);
	assert_int_equal(wa_toml_offset("[server]\noffset = 1\noffset = 2\n",
	    &off), WA_EINVAL);
}

/* carbon.xml read as XML: CDATA, attributes, <Offset/>, malformed. */
static void
test_xml_misreads(void **state)
{
	char *out;
	int got;

	(void)state;
	assert_int_equal(wa_carbon_xml_set_offset("<Server><D><![CDATA["
	    "<Ports><Offset>9</Offset></Ports>]]></D><Ports><Offset>0</Offset>"
	    "</Ports></Server>", 4, &out), 0);
	assert_string_equal(out, "<Server><D><![CDATA[<Ports><Offset>9"
	    "</Offset></Ports>]]></D><Ports><Offset>4</Offset></Ports>"
	    "</Server>");
	free(out);
	assert_int_equal(wa_carbon_xml_set_offset("<Server><Ports a=\"b\">"
	    "<Offset/></Ports></Server>", 4, &out), 0);
	assert_string_equal(out, "<Server><Ports a=\"b\"><Offset>4</Offset>"
	    "</Ports></Server>");
	assert_int_equal(wa_carbon_xml_offset(out, &got), 0);
	assert_int_equal(got, 4);
	free(out);
	assert_int_equal(wa_carbon_xml_set_offset("<Server><Ports/><X><Offset>"
	    "1</Offset></X></Server>", 4, &out), WA_ENOTFOUND);
	assert_null(out);
	assert_int_equal(wa_carbon_xml_set_offset("<Server><Ports><Offset>0"
	    "</Offset></Ports>", 4, &out), WA_EINVAL);
	assert_null(out);
	assert_int_equal(wa_address_set_port("<!-- <address uri=\"http://h:1/\""
	    "/> --><proxy><address uri=\"https://localhost:9443/x\"/></proxy>",
	    9444, &out), 0);
	assert_string_equal(out, "<!-- <address uri=\"http://h:1/\"/> -->"
	    "<proxy><address uri=\"https://localhost:9444/x\"/></proxy>");
	free(out);
}

static void
test_carbon_xml(void **state)
{
	static const char in[] = "<Server>\n  <!-- <Ports><Offset>5</Offset>"
	    "</Ports> -->\n  <Ports>\n    <!-- the offset -->\n"
	    "    <Offset>0</Offset>\n  </Ports>\n</Server>\n";
	char *out, *again;
	int got;

	(void)state;
	assert_int_equal(wa_carbon_xml_set_offset(in, 12, &out), 0);
	assert_string_equal(out, "<Server>\n  <!-- <Ports><Offset>5</Offset>"
	    "</Ports> -->\n  <Ports>\n    <!-- the offset -->\n"
	    "    <Offset>12</Offset>\n  </Ports>\n</Server>\n");
	assert_int_equal(wa_carbon_xml_offset(out, &got), 0);
	assert_int_equal(got, 12);
	assert_int_equal(wa_carbon_xml_set_offset(out, 12, &again), 0);
	assert_string_equal(again, out);
	free(again);
	assert_int_equal(wa_carbon_xml_set_offset("<Server/>", 1, &again),
	    WA_ENOTFOUND);
	assert_null(again);
	free(out);
}

static void
test_diff(void **state)
{
	char *d;

	(void)state;
	d = wa_unified_diff("f", "a\nb\nc\nd\ne\nf\ng\nh\n",
	    "a\nb\nc\nd\nE\nf\ng\nh\n");
	assert_string_equal(d, "--- f\n+++ f\n@@ -2,7 +2,7 @@\n b\n c\n d\n"
	    "-e\n+E\n f\n g\n h\n");
	free(d);
	d = wa_unified_diff("f", "x\n", "x\n");
	assert_string_equal(d, "");
	free(d);
}

static void
test_replace_atomic(void **state)
{
	char dir[] = "/tmp/wa-confedit.XXXXXX", path[64], bak[80], *t;
	struct stat st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/deployment.toml", dir);
	snprintf(bak, sizeof bak, "%s.bak", path);
	assert_non_null(f = fopen(path, "w"));
	fputs("old\n", f);
	fclose(f);
	chmod(path, 0640);
	assert_int_equal(wa_file_replace(path, "new\n", 4, true), 0);
	assert_non_null(t = wa_file_read(path, NULL));
	assert_string_equal(t, "new\n");
	free(t);
	assert_non_null(t = wa_file_read(bak, NULL));
	assert_string_equal(t, "old\n");
	free(t);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	unlink(path);
	unlink(bak);
	assert_int_equal(wa_file_replace(path, "x", 1, true), WA_ENOTFOUND);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toml_present),
		cmocka_unit_test(test_toml_commented),
		cmocka_unit_test(test_toml_no_key),
		cmocka_unit_test(test_toml_missing_table),
		cmocka_unit_test(test_toml_crlf),
		cmocka_unit_test(test_toml_misreads),
		cmocka_unit_test(test_toml_refused),
		cmocka_unit_test(test_toml_read),
		cmocka_unit_test(test_carbon_xml),
		cmocka_unit_test(test_xml_misreads),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_replace_atomic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
