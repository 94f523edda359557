/*
 * homecheck.c: a lease's carbon home against its product: a home named
 * or laid out like another product's gets that product's ports wrong.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "homecheck.h"
#include "wso2alloc.h"

/* The start script's relative path: the first "bin/....sh" of the
 * catalog's free text ("bin/api-cp.sh (bin/key-manager.sh runs ...)"). */
static bool
wa_script(const struct wa_product *p, char *buf, size_t len)
{
	const char *s = p->offset_script, *e;

	if (s == NULL || (s = strstr(s, "bin/")) == NULL)
		return false;
	e = s + strcspn(s, " ,;()");
	if (e - s < 8 || strncmp(e - 3, ".sh", 3) != 0 ||
	    (size_t)(e - s) >= len)
		return false;
	snprintf(buf, len, "%.*s", (int)(e - s), s);
	return true;
}

static bool
wa_has(const char *home, const char *rel)
{
	char path[PATH_MAX];
	struct stat st;
	int n = snprintf(path, sizeof path, "%s/%s", home, rel);

	return n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0 &&
	    S_ISREG(st.st_mode);
}

/* Whether home holds p's offset file and start script (those it has);
 * missing names the first one absent. */
static bool
wa_fits(const struct wa_product *p, const char *home, char *missing,
    size_t len)
{
	char script[128];
	bool known = false;

	if (missing != NULL)
		missing[0] = '\0';
	if (p->offset_file != NULL) {
		known = true;
		if (!wa_has(home, p->offset_file)) {
			if (missing != NULL)
				snprintf(missing, len, "%s", p->offset_file);
			return false;
		}
	}
	if (wa_script(p, script, sizeof script)) {
		known = true;
		if (!wa_has(home, script)) {
			if (missing != NULL)
				snprintf(missing, len, "%s", script);
			return false;
		}
	}
	return known;
}

/* " (it has FILE and SCRIPT)", or "" when p's layout is unknown. */
static void
wa_layout_words(const struct wa_product *p, char *buf, size_t len)
{
	char script[128];
	bool s = wa_script(p, script, sizeof script);

	if (p->offset_file != NULL && s)
		snprintf(buf, len, "it has %s and %s", p->offset_file, script);
	else if (p->offset_file != NULL || s)
		snprintf(buf, len, "it has %s", s ? script : p->offset_file);
	else
		buf[0] = '\0';
}

static bool
wa_may_look(const char *home, uid_t uid)
{
	struct stat st;

	if (stat(home, &st) != 0 || !S_ISDIR(st.st_mode))
		return false;
	return uid == (uid_t)-1 || uid == 0 || st.st_uid == uid;
}

/* The home's name is another product's: refused unless its files are
 * p's and not that product's (a renamed directory). */
static int
wa_check_name(const struct wa_product *p, const struct wa_product *q,
    const char *home, bool look, char *err, size_t errlen)
{
	char missing[256], has[320];

	if (look && wa_fits(p, home, NULL, 0) && !wa_fits(q, home, NULL, 0))
		return 0;
	has[0] = '\0';
	if (look && wa_fits(q, home, NULL, 0))
		wa_layout_words(q, has, sizeof has);
	if (!look || wa_fits(p, home, missing, sizeof missing))
		missing[0] = '\0';
	snprintf(err, errlen, "home %.200s looks like %s (by its name%s%s), not "
	    "%s%s%s%s: lease it as %s, or give the home of the %s server",
	    home, q->id,
	    has[0] != '\0' ? ", and " : "", has, p->id,
	    missing[0] != '\0' ? " (no " : "", missing,
	    missing[0] != '\0' ? ")" : "", q->id, p->id);
	return WA_EINVAL;
}

/* The home's files are the layout of other products, not p's. */
static int
wa_check_files(const struct wa_catalog *cat, const struct wa_product *p,
    const char *home, char *err, size_t errlen)
{
	const struct wa_product *first = NULL;
	char missing[256], ids[160] = "", has[320];
	size_t n = 0, k;

	if (wa_fits(p, home, missing, sizeof missing) || missing[0] == '\0')
		return 0;
	for (size_t i = 0; i < cat->nproducts; i++) {
		const struct wa_product *q = &cat->products[i];

		if (q == p || !wa_fits(q, home, NULL, 0))
			continue;
		if (first == NULL)
			first = q;
		if (n++ < 4) {
			k = strlen(ids);
			snprintf(ids + k, sizeof ids - k, "%s%s",
			    n > 1 ? ", " : "", q->id);
		}
	}
	if (first == NULL)
		return 0;
	wa_layout_words(first, has, sizeof has);
	snprintf(err, errlen, "home %.200s looks like %s%s (%s), not %s (no %s)",
	    home, n > 1 ? "one of " : "", ids, has, p->id, missing);
	return WA_EINVAL;
}

int
wa_home_check(const struct wa_catalog *cat, const struct wa_product *p,
    const char *home, uid_t uid, char *err, size_t errlen)
{
	const struct wa_product *q = wa_catalog_match_home(cat, home);
	bool look = wa_may_look(home, uid);

	if (q != NULL && q != p && p->nhome_patterns > 0)
		return wa_check_name(p, q, home, look, err, errlen);
	return look ? wa_check_files(cat, p, home, err, errlen) : 0;
}
