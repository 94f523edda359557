/*
 * test_suggest.c: the ids an unknown_product error suggests: the edit
 * distance, and the nearest products of the shipped catalog.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "suggest.h"

static void
test_distance(void **state)
{
	(void)state;
	assert_int_equal(wa_edit_distance("apim", "apim"), 0);
	assert_int_equal(wa_edit_distance("apimm", "apim"), 1);
	assert_int_equal(wa_edit_distance("aipm", "apim"), 1);   /* swapped */
	assert_int_equal(wa_edit_distance("APIM", "apim"), 0);
	assert_int_equal(wa_edit_distance("", "mi-4"), 4);
	assert_int_equal(wa_edit_distance("mi4", "mi-4"), 1);
	assert_int_equal(wa_edit_distance("kitten", "sitting"), 3);
}

/* The ids suggested for word, comma-separated, into buf. */
static const char *
wa_suggest(const struct wa_catalog *cat, const char *word, char *buf,
    size_t len)
{
	struct wa_suggestion s[3];
	size_t n = wa_catalog_suggest(cat, word, s, 3);

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s=%s",
		    i > 0 ? "," : "", s[i].as, s[i].p->id);
	return buf;
}

static void
test_catalog_suggest(void **state)
{
	const char *dirs[1] = { WA_SOURCE_CATALOG };
	struct wa_catalog *cat;
	char buf[512];

	(void)state;
	assert_int_equal(wa_catalog_load(&cat, dirs, 1, NULL, 0), 0);
	/* One typo from an alias: the alias, and only the nearest. */
	assert_string_equal(wa_suggest(cat, "apimm", buf, sizeof buf),
	    "apim=apim-4");
	assert_string_equal(wa_suggest(cat, "mi4", buf, sizeof buf),
	    "mi-4=mi-4");
	assert_string_equal(wa_suggest(cat, "IS", buf, sizeof buf), "is=is-7");
	/* A prefix of several ids names each (three at most). */
	wa_suggest(cat, "apim-analytics", buf, sizeof buf);
	assert_non_null(strstr(buf, "apim-analytics-worker"));
	assert_non_null(strstr(buf, "apim-analytics-dashboard"));
	assert_non_null(strstr(buf, "apim-analytics-manager-2.6"));
	/* Far from everything: nothing is guessed. */
	assert_string_equal(wa_suggest(cat, "tomcat", buf, sizeof buf), "");
	assert_string_equal(wa_suggest(cat, "", buf, sizeof buf), "");
	wa_catalog_free(cat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_catalog_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
