/*
 * test_client_jsonpass.c: `--json list` prints the daemon's text as
 * wa_json_print prints it parsed (random trees, compact or indented,
 * byte for byte but for the escapes of what moves a terminal), refuses
 * what the parse refused, and lets nothing through that moves one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <limits.h>

#include "cmd.h"
#include "replay.h"

static unsigned wa_seed = 4242;

static unsigned
wa_rand(void)
{
	wa_seed = wa_seed * 1103515245u + 12345u;
	return (wa_seed >> 8) & 0xffffff;
}

/* Valid UTF-8 without NUL (which the parse refuses): control bytes,
 * specials, DEL, C1, a bidi override, multi-byte text. */
static json_t *
wa_rand_string(void)
{
	static const char *const pieces[] = { "\"", "\\", "/", "\n", "\r",
	    "\t", "\b", "\f", "\x01", "\x1b[2J", "\x1f", "\x7f", "a", "Zz9",
	    " ", "\xc3\xa9", "\xc2\x9b", "\xe2\x80\xae", "\xe2\x80\xa8",
	    "\xe2\x81\xa6", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "</script>" };
	char buf[512];
	size_t n = 0, k = wa_rand() % 24;

	for (size_t i = 0; i < k; i++) {
		const char *p = pieces[wa_rand() % (sizeof pieces /
		    sizeof *pieces)];

		memcpy(buf + n, p, strlen(p));
		n += strlen(p);
	}
	return json_stringn(buf, n);
}

static json_t *
wa_rand_value(int depth)
{
	static const json_int_t ints[] = { 0, 1, -1, 9443, LLONG_MAX,
	    LLONG_MIN };
	static const double reals[] = { 0.5, -2.25, 1e300, 3.0, 1e-7, 1e21,
	    -0.0, 5e-324, 1.7976931348623157e308, 0.1 };
	json_t *j;
	int n;

	switch (wa_rand() % (depth > 0 ? 9 : 7)) {
	case 0: return json_integer(ints[wa_rand() % 6]);
	case 1: return json_integer((json_int_t)wa_rand() - 8000000);
	case 2: return json_real(reals[wa_rand() % 10]);
	case 3: return wa_rand_string();
	case 4: return json_true();
	case 5: return json_false();
	case 6: return json_null();
	case 7:
		j = json_array();
		for (n = (int)(wa_rand() % 5); n > 0; n--)
			json_array_append_new(j, wa_rand_value(depth - 1));
		return j;
	default:
		j = json_object();
		for (n = (int)(wa_rand() % 5); n > 0; n--) {
			json_t *k = wa_rand_string();

			json_object_set_new(j, json_string_value(k),
			    wa_rand_value(depth - 1));
			json_decref(k);
		}
		return j;
	}
}

/* jansson's bytes with what moves a terminal as \u escapes: DEL, C1,
 * U+2028-U+202E, U+2066-U+2069 (raw only inside strings). */
static char *
wa_escaped(const char *s)
{
	char *out = malloc(strlen(s) * 6 + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s;

	assert_non_null(out);
	while (*p != '\0') {
		unsigned cp = 0;
		size_t n = 0;

		if (*p == 0x7f) {
			cp = 0x7f;
			n = 1;
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			cp = p[1];
			n = 2;
		} else if (p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xa8 &&
		    p[2] <= 0xae) || (p[1] == 0x81 && p[2] >= 0xa6 &&
		    p[2] <= 0xa9))) {
			cp = 0x2000 | (p[1] & 0x3f) << 6 | (p[2] & 0x3f);
			n = 3;
		}
		if (n > 0) {
			o += sprintf(o, "\\u%04X", cp);
			p += n;
		} else
			*o++ = (char)*p++;
	}
	*o = '\0';
	return out;
}

/* What wa_json_print prints for {"leases": v}, escaped as above. */
static char *
wa_want(json_t *v)
{
	json_t *o = json_pack("{sO}", "leases", v);
	char *d = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER), *w;
	size_t n;

	assert_non_null(d);
	n = strlen(d);
	d = realloc(d, n + 2);
	memcpy(d + n, "\n", 2);
	w = wa_escaped(d);
	free(d);
	json_decref(o);
	return w;
}

/* wa_json_print_member on text: its code, and what it printed. */
static int
wa_pass(const char *text, size_t len, char **out)
{
	size_t n;
	FILE *f = open_memstream(out, &n);
	int rc;

	assert_non_null(f);
	rc = wa_json_print_member(text, len, "leases", f);
	fclose(f);
	return rc;
}

static void
wa_assert_passes(const char *text, json_t *v)
{
	char *want = wa_want(v), *got;

	assert_int_equal(wa_pass(text, strlen(text), &got), 0);
	assert_string_equal(got, want);
	free(want);
	free(got);
}

/* An answer as the daemon writes it (compact, "ok" after the member)
 * and indented, with members around it. */
static void
test_random_trees(void **state)
{
	static const size_t flags[] = { JSON_COMPACT, JSON_INDENT(3) };

	(void)state;
	for (int i = 0; i < 2000; i++) {
		json_t *v = wa_rand_value(4), *answer;
		char *text;

		answer = json_pack("{sOsOsb}", "other", v, "leases", v,
		    "ok", 1);
		text = json_dumps(answer, flags[i % 2] | JSON_PRESERVE_ORDER);
		assert_non_null(text);
		wa_assert_passes(text, v);
		free(text);
		json_decref(answer);
		json_decref(v);
	}
}

/* Text that json_loads takes, and how it prints once parsed. */
static void
test_accepted(void **state)
{
	static const char *const texts[] = {
		" \t{ \"leases\" :\r\n[ 1 , { } , [ ] , {\"a\" : null} ] }\r\n",
		"{\"leases\":\"\\/\\u00e9\\u00E9\\ud83d\\ude00\\\"\\\\\"}",
		"{\"leases\":\"\\u001b[2J\\u009b\\u2028\\u202e\\u2069\\u007f\"}",
		"{\"leases\":[-0,1E5,1.0,-1.5e-3,1e+2,0.1,12345678901234567890e-5]}",
		"{\"leases\":[9223372036854775807,-9223372036854775808]}",
		"{\"leases\":[1],\"ok\":true,\"leases\":[2]}",
		"{\"le\\u0061ses\":[3]}",
		"{\"leases\":{\"\\u001b\":\"\xc2\x9b\",\"k\":{\"k\":[]}}}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		json_t *a = json_loads(texts[i], 0, NULL);

		assert_non_null(a);
		wa_assert_passes(texts[i], json_object_get(a, "leases"));
		json_decref(a);
	}
}

/* As deep as json_loads goes, and one level deeper. */
static void
test_depth(void **state)
{
	char *text = malloc(8192);
	json_t *a;
	char *out;
	int n;

	(void)state;
	for (int depth = 2046; depth <= 2048; depth++) {
		n = sprintf(text, "{\"leases\":");
		for (int i = 0; i < depth; i++)
			text[n++] = '[';
		for (int i = 0; i < depth; i++)
			text[n++] = ']';
		strcpy(text + n, "}");
		a = json_loads(text, 0, NULL);
		if (a != NULL) {
			wa_assert_passes(text, json_object_get(a, "leases"));
			json_decref(a);
			continue;
		}
		assert_int_equal(wa_pass(text, strlen(text), &out), WA_EPROTO);
		assert_string_equal(out, "");
		free(out);
	}
	free(text);
}

/* Text json_loads refuses (or that is no object with the member):
 * WA_EPROTO, and nothing printed. */
static void
test_refused(void **state)
{
	static const char *const texts[] = {
		"", "  ", "{", "{\"leases\":[1,]}", "{\"leases\":[1],}",
		"{\"leases\":01}", "{\"leases\":1.}", "{\"leases\":.5}",
		"{\"leases\":-}", "{\"leases\":1e}", "{\"leases\":+1}",
		"{\"leases\":0x10}", "{\"leases\":Infinity}",
		"{\"leases\":9223372036854775808}",
		"{\"leases\":-9223372036854775809}", "{\"leases\":1e400}",
		"{\"leases\":\"a\\u0000b\"}", "{\"leases\":\"\\ud800\"}",
		"{\"leases\":\"\\udc00\"}", "{\"leases\":\"\\ud800\\u0041\"}",
		"{\"leases\":\"\\x41\"}", "{\"leases\":\"\\u12G4\"}",
		"{\"leases\":\"\\u12\"}", "{\"leases\":\"a\x1b[2Jb\"}",
		"{\"leases\":\"tab\there\"}", "{\"leases\":\"\xff\"}",
		"{\"leases\":\"\xc0\xaf\"}", "{\"leases\":\"\xed\xa0\x80\"}",
		"{\"leases\":\"\xf4\x90\x80\x80\"}", "{\"leases\":\"\xe2\x82\"}",
		"{\"leases\":\"\x9b\"}", "{\"leases\":tru}", "{\"leases\":nul}",
		"{\"leases\":[1] x", "{\"leases\":[1]} x", "{\"leases\":[1]}}",
		"{\"leases\" [1]}", "{leases:[1]}", "{\"leases\":[1]",
		"{\"leases\":\"abc", "{\"leases\":[1}", "{\"leases\":{1:2}}",
		"{,\"leases\":1}",
		/* JSON, but no object with the member. */
		"[1,2]", "{\"ok\":true}", "{\"lease\":[]}", "\"leases\"",
	};
	char *out;

	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		if (wa_pass(texts[i], strlen(texts[i]), &out) != WA_EPROTO)
			fail_msg("taken: %s", texts[i]);
		assert_string_equal(out, "");
		free(out);
	}
	/* A NUL inside the text ends nothing: the length does. */
	assert_int_equal(wa_pass("{\"leases\":1}\0x", 14, &out), WA_EPROTO);
	free(out);
}

/* Raw bytes a terminal acts on: C0 but newline, DEL, C1, line
 * separators and bidi overrides in UTF-8. */
static bool
wa_moves(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\n') || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) ||
		    (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xa8 &&
		    p[2] <= 0xae) ||
		    (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 &&
		    p[2] <= 0xa9))
			return true;
	return false;
}

/* A daemon whose leases hold escape sequences, as escapes and as raw
 * UTF-8: `--json list` prints them escaped, as JSON that reads back to
 * the daemon's leases. */
static void
test_list_hostile_daemon(void **state)
{
	static const char answer[] = "{\"leases\":[{\"name\":\"a\\u001b]0;x"
	    "\\u0007\",\"labels\":{\"\\u001b[2J\":\"\xc2\x9b" "1m\xe2\x80\xae"
	    "\\u009b\\u202e\x7f\"},\"home\":\"/h\xe2\x81\xa6\"}],\"ok\":true}\n";
	static const char bad[] = "{\"leases\":[{\"name\":\"a\x1b[2J\"}],"
	    "\"ok\":true}\n";
	static const char *const argv[] = { "list", NULL };
	json_t *want, *got;
	size_t len;
	FILE *f;
	char *out;

	(void)state;
	f = open_memstream(&out, &len);
	assert_int_equal(wa_replay(answer, strlen(answer), true, argv, f), 0);
	fclose(f);
	if (wa_moves(out))
		fail_msg("raw control in: %s", out);
	got = json_loads(out, 0, NULL);
	want = json_loads(answer, 0, NULL);
	assert_non_null(got);
	assert_non_null(want);
	assert_true(json_equal(json_object_get(got, "leases"),
	    json_object_get(want, "leases")));
	assert_int_equal(json_object_size(got), 1);
	json_decref(got);
	json_decref(want);
	free(out);
	/* Not JSON (a raw ESC in a string): an error, said escaped. */
	f = open_memstream(&out, &len);
	assert_int_not_equal(wa_replay(bad, strlen(bad), true, argv, f), 0);
	fclose(f);
	assert_false(wa_moves(out));
	assert_null(strstr(out, "leases"));
	free(out);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_trees),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_list_hostile_daemon),
	};

	return cmocka_run_group_tests(tests, wa_setup, wa_teardown);
}
