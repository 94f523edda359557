/*
 * test_util.c: wa_utf8_repair, which keeps a message cut inside a UTF-8
 * character a JSON string: what is well-formed stays, each byte that is
 * not becomes '?'.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"
#include "wso2alloc.h"

static void
wa_expect(const char *in, const char *want, size_t bad)
{
	char buf[64];

	snprintf(buf, sizeof buf, "%s", in);
	assert_int_equal(wa_utf8_repair(buf), bad);
	assert_string_equal(buf, want);
}

static void
test_well_formed_stays(void **state)
{
	(void)state;
	wa_expect("", "", 0);
	wa_expect("apim-4 at 9443", "apim-4 at 9443", 0);
	wa_expect("caf\xc3\xa9", "caf\xc3\xa9", 0);                 /* é */
	wa_expect("\xe2\x82\xac 5", "\xe2\x82\xac 5", 0);           /* € */
	wa_expect("\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!", 0);     /* U+1F600 */
	wa_expect("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf", 0);       /* U+10FFFF */
}

static void
test_cut_and_malformed_replaced(void **state)
{
	(void)state;
	/* A name cut by %.64s inside its last character. */
	wa_expect("'x\xc3\xa9\xc3", "'x\xc3\xa9?", 1);
	wa_expect("\xe2\x82", "??", 2);
	wa_expect("\xf0\x9f\x98", "???", 3);
	wa_expect("\xc0\x80", "??", 2);                 /* overlong NUL */
	wa_expect("\xe0\x80\xaf", "???", 3);            /* overlong '/' */
	wa_expect("\xed\xa0\x80", "???", 3);            /* a surrogate */
	wa_expect("\xf4\x90\x80\x80", "????", 4);       /* past U+10FFFF */
	wa_expect("\xff\xfe a", "?? a", 2);
	wa_expect("\x80\xc3\xa9", "?\xc3\xa9", 1);      /* a lone continuation */
}

static void
wa_expect_dir(const char *path, size_t len, int rc, const char *want)
{
	char buf[16];

	assert_int_equal(wa_path_dir(path, buf, len), rc);
	if (rc == 0)
		assert_string_equal(buf, want);
}

static void
test_path_dir(void **state)
{
	(void)state;
	wa_expect_dir("/var/lib/l.db", 16, 0, "/var/lib");
	wa_expect_dir("/l.db", 16, 0, "/");
	wa_expect_dir("l.db", 16, 0, ".");
	wa_expect_dir("a/b", 16, 0, "a");
	wa_expect_dir("/var/lib/l.db", 8, WA_EINVAL, NULL);   /* "/var/lib" */
	wa_expect_dir("/var/lib/l.db", 9, 0, "/var/lib");
	wa_expect_dir("l.db", 1, WA_EINVAL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_formed_stays),
		cmocka_unit_test(test_cut_and_malformed_replaced),
		cmocka_unit_test(test_path_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
