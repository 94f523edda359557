/*
 * test_jsonout.c: the daemon's JSON writer must write exactly the bytes
 * json_dumps(JSON_COMPACT) writes, for any value: random trees of every
 * type, strings with every control byte, quotes, backslashes, NULs and
 * multi-byte UTF-8, keys included.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"

static unsigned wa_seed = 12345;

static unsigned
wa_rand(void)
{
	wa_seed = wa_seed * 1103515245u + 12345u;
	return (wa_seed >> 8) & 0xffffff;
}

/* Valid UTF-8 of up to 24 pieces: control bytes, specials, text. */
static json_t *
wa_rand_string(void)
{
	static const char *const pieces[] = { "\"", "\\", "/", "\n", "\r",
	    "\t", "\b", "\f", "\x01", "\x1f", "\x7f", "a", "Zz9", " ",
	    "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "</script>" };
	char buf[256];
	size_t n = 0, k = wa_rand() % 24;

	for (size_t i = 0; i < k; i++) {
		const char *p = pieces[wa_rand() % (sizeof pieces /
		    sizeof *pieces)];

		if (wa_rand() % 10 == 0)
			buf[n++] = '\0';   /* embedded NUL */
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
	static const double reals[] = { 0.5, -2.25, 1e300, 3.0, 1e-7 };
	json_t *j;
	int n;

	switch (wa_rand() % (depth > 0 ? 9 : 7)) {
	case 0: return json_integer(ints[wa_rand() % 6]);
	case 1: return json_integer((json_int_t)wa_rand() - 8000000);
	case 2: return json_real(reals[wa_rand() % 5]);
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

			json_object_setn_new(j, json_string_value(k),
			    json_string_length(k), wa_rand_value(depth - 1));
			json_decref(k);
		}
		return j;
	}
}

static void
wa_assert_same(const json_t *j)
{
	char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	size_t len = 0;
	char *got = wa_json_line(j, &len);

	assert_non_null(want);
	assert_non_null(got);
	assert_int_equal(len, strlen(want) + 1);
	assert_int_equal(got[len - 1], '\n');
	assert_int_equal(got[len], '\0');
	got[len - 1] = '\0';
	assert_string_equal(got, want);
	free(want);
	free(got);
}

static void
test_random_trees(void **state)
{
	(void)state;
	for (int i = 0; i < 3000; i++) {
		json_t *j = wa_rand_value(4);

		wa_assert_same(j);
		json_decref(j);
	}
}

static void
test_every_control_byte(void **state)
{
	char s[2] = { 0, 0 };

	(void)state;
	for (int c = 0; c < 0x80; c++) {
		json_t *j;

		s[0] = (char)c;
		j = json_pack("{s:s#}", s, s, (size_t)1);
		wa_assert_same(j);
		json_decref(j);
	}
}

/* An object written by hand, extended by another's members: the answer
 * shape of a pre-rendered list. */
static void
test_members_after_raw(void **state)
{
	struct wa_out o = { NULL, 0, 0, false };
	json_t *rest = json_pack("{sbsi}", "ok", 1, "id", 7);
	size_t len;
	char *text;

	(void)state;
	wa_out_put(&o, "{\"leases\":[]", 12);
	wa_out_members(&o, rest, true);
	wa_out_put(&o, "}", 1);
	text = wa_out_line(&o, &len);
	assert_string_equal(text, "{\"leases\":[],\"ok\":true,\"id\":7}\n");
	assert_int_equal(len, strlen(text));
	assert_null(o.p);
	free(text);
	json_decref(rest);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_trees),
		cmocka_unit_test(test_every_control_byte),
		cmocka_unit_test(test_members_after_raw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
