/*
 * test_jsonin.c: the flat request reader (wa_json_flat) must read what it
 * accepts exactly as json_loadb(JSON_REJECT_DUPLICATES) does, member by
 * member and in order, and leave everything else to it: random requests
 * of plain and unusual members (nested values, escapes, UTF-8, reals,
 * big and zero-led numbers, duplicate keys, odd whitespace), then cut,
 * spliced and with bytes changed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonin.h"

static unsigned wa_seed = 777;

static unsigned
wa_rand(void)
{
	wa_seed = wa_seed * 1103515245u + 12345u;
	return (wa_seed >> 8) & 0xffffff;
}

static const char *
wa_pick(const char *const *v, size_t n)
{
	return v[wa_rand() % n];
}
#define WA_PICK(v) wa_pick(v, sizeof v / sizeof *v)

static void
wa_cat(char *buf, size_t *n, const char *s)
{
	size_t k = strlen(s);

	memcpy(buf + *n, s, k);
	*n += k;
}

static void
wa_ws(char *buf, size_t *n)
{
	static const char *const ws[] = { "", "", "", " ", "\t", "\r\n",
	    "  ", "\n" }, *const bad[] = { "\f", "\v", "\xa0" };

	wa_cat(buf, n, wa_rand() % 100 == 0 ? WA_PICK(bad) : WA_PICK(ws));
}

/* A request: mostly what clients send, now and then anything JSON has. */
static size_t
wa_rand_request(char *buf)
{
	static const char *const keys[] = { "\"op\"", "\"product\"",
	    "\"name\"", "\"home\"", "\"pid\"", "\"ttl\"", "\"adopt\"",
	    "\"id\"", "\"\"", "\"a b\"", "\"k\\u0041\"", "\"\xc3\xa9\"",
	    "\"x\\\"y\"", "op", "'op'" };
	static const char *const vals[] = { "\"lease\"", "\"release\"",
	    "\"apim-4\"", "\"load-00-001\"", "\"/home/u/wso2am-4.2.0\"",
	    "\"\"", "\"a\\nb\"", "\"\\u00e9\"", "\"caf\xc3\xa9\"", "\"\x7f\"",
	    "\"tab\there\"", "0", "-0", "7", "-12", "4242",
	    "123456789012345678", "-123456789012345678",
	    "1234567890123456789", "99999999999999999999", "01", "00", "-",
	    "1.5", "1e3", "2E-2", "-0.0", "true", "false", "null", "tru",
	    "nul", "truex", "True", "[]", "[1,\"a\"]", "{}",
	    "{\"k\":\"v\"}", "\"unterminated", "1-2", "+1", ".5", "0x10",
	    "NaN", "Infinity" };
	size_t n = 0, members = wa_rand() % 6;

	wa_ws(buf, &n);
	wa_cat(buf, &n, wa_rand() % 30 == 0 ? "[" : "{");
	for (size_t i = 0; i < members; i++) {
		wa_ws(buf, &n);
		wa_cat(buf, &n, wa_rand() % 8 == 0 ? WA_PICK(keys) :
		    keys[wa_rand() % 8]);
		wa_ws(buf, &n);
		wa_cat(buf, &n, wa_rand() % 25 == 0 ? "=" : ":");
		wa_ws(buf, &n);
		wa_cat(buf, &n, wa_rand() % 5 == 0 ? WA_PICK(vals) :
		    vals[wa_rand() % 5]);
		wa_ws(buf, &n);
		if (i + 1 < members)
			wa_cat(buf, &n, wa_rand() % 25 == 0 ? "" : ",");
	}
	if (wa_rand() % 25 == 0)
		wa_cat(buf, &n, ",");
	wa_cat(buf, &n, wa_rand() % 30 == 0 ? "]" : "}");
	wa_ws(buf, &n);
	if (wa_rand() % 25 == 0)
		wa_cat(buf, &n, wa_rand() % 2 ? "x" : "{}");
	return n;
}

/* Cut, a byte changed, or a byte inserted. */
static size_t
wa_mutate(char *buf, size_t n)
{
	size_t at = n > 0 ? wa_rand() % n : 0;

	switch (wa_rand() % 4) {
	case 0:
		return at;
	case 1:
		if (n > 0)
			buf[at] = (char)(wa_rand() % 256);
		return n;
	case 2:
		memmove(buf + at + 1, buf + at, n - at);
		buf[at] = "{}[]\":,\\ 0-e.\x80"[wa_rand() % 15];
		return n + 1;
	default:
		return n;
	}
}

static unsigned wa_accepted, wa_rejected;

static void
wa_compare(const char *text, size_t len)
{
	json_error_t e;
	json_t *ref = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	json_t *got = wa_json_flat(text, len);
	char *a, *b;

	if (got == NULL) {
		wa_rejected++;
		json_decref(ref);
		return;
	}
	wa_accepted++;
	if (ref == NULL)
		fail_msg("accepted what jansson refuses (%s): %.*s", e.text,
		    (int)len, text);
	assert_true(json_equal(ref, got));
	/* The same members in the same order, each of the same type. */
	a = json_dumps(ref, JSON_COMPACT);
	b = json_dumps(got, JSON_COMPACT);
	assert_string_equal(a, b);
	free(a);
	free(b);
	assert_int_equal(json_object_size(ref), json_object_size(got));
	json_decref(ref);
	json_decref(got);
}

static void
test_random_requests(void **state)
{
	char buf[4096];

	(void)state;
	for (int i = 0; i < 200000; i++) {
		size_t n = wa_rand_request(buf);

		wa_compare(buf, n);
		for (int k = wa_rand() % 3; k > 0; k--)
			n = wa_mutate(buf, n);
		wa_compare(buf, n);
	}
	/* Both ways taken often: the test reads something. */
	print_message("accepted %u, left %u\n", wa_accepted, wa_rejected);
	assert_true(wa_accepted > 50000);
	assert_true(wa_rejected > 50000);
}

/* What the clients send is read here, not by jansson. */
static void
test_usual_requests(void **state)
{
	static const char *const reqs[] = {
		"{\"op\":\"lease\",\"product\":\"mi-4\",\"name\":\"load-00-000\"}",
		"{\"op\":\"release\",\"name\":\"load-00-000\"}",
		"{\"op\":\"lease\",\"product\":\"apim\",\"home\":\"/home/u/"
		    "wso2am-4.2.0\",\"pid\":4242,\"ttl\":3600,\"adopt\":false,"
		    "\"id\":-7,\"link\":null}",
		"  {}  \n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof reqs / sizeof *reqs; i++) {
		json_t *j = wa_json_flat(reqs[i], strlen(reqs[i]));

		assert_non_null(j);
		json_decref(j);
		wa_compare(reqs[i], strlen(reqs[i]));
	}
}

/* Left to jansson: its reading, or its words for the error. */
static void
test_left_to_jansson(void **state)
{
	static const char *const reqs[] = {
		"{\"op\":\"a\",\"op\":\"b\"}", "{\"labels\":{}}",
		"{\"with\":[\"a\"]}", "{\"a\":\"\\u0041\"}", "{\"n\":1.0}",
		"{\"n\":1e2}", "{\"n\":01}", "{\"n\":1234567890123456789}",
		"{\"s\":\"caf\xc3\xa9\"}", "{\"a\":1,}", "{\"a\":1}x", "[]",
		"{\"a\"}", "{\"a\":}", "{", "", "{\"a\":tru}", "\"a\"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof reqs / sizeof *reqs; i++)
		assert_null(wa_json_flat(reqs[i], strlen(reqs[i])));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_requests),
		cmocka_unit_test(test_usual_requests),
		cmocka_unit_test(test_left_to_jansson),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
