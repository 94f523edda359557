/*
 * suggest.c: the catalog products nearest a mistyped id: the optimal
 * string alignment distance (git's "did you mean" uses its kin) against
 * every id and alias.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "suggest.h"

#define WA_SUGGEST_LEN 64

int
wa_edit_distance(const char *a, const char *b)
{
	int d[WA_SUGGEST_LEN + 1][WA_SUGGEST_LEN + 1];
	size_t n = strnlen(a, WA_SUGGEST_LEN), m = strnlen(b, WA_SUGGEST_LEN);

	for (size_t i = 0; i <= n; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			int v = d[i - 1][j - 1] + (ca != cb);

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)
			    b[j - 2]) && tolower((unsigned char)a[i - 2]) == cb &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[n][m];
}

/* How far name is from word; a name word begins counts as one edit
 * ("apim-analytics" for apim-analytics-worker). */
static int
wa_suggest_score(const char *word, const char *name)
{
	size_t n = strlen(word);
	int dist = wa_edit_distance(word, name);

	if (n >= 2 && strncasecmp(name, word, n) == 0 && dist > 1)
		dist = 1;
	return dist;
}

/* Insert s into out (sorted by distance, stable), keeping max. */
static size_t
wa_suggest_add(struct wa_suggestion *out, size_t n, size_t max,
    const struct wa_suggestion *s)
{
	size_t i = n;

	while (i > 0 && out[i - 1].distance > s->distance)
		i--;
	if (i >= max)
		return n;
	memmove(&out[i + 1], &out[i], ((n < max ? n : max - 1) - i) *
	    sizeof *out);
	out[i] = *s;
	return n < max ? n + 1 : n;
}

size_t
wa_catalog_suggest(const struct wa_catalog *cat, const char *word,
    struct wa_suggestion *out, size_t max)
{
	size_t n = 0, len = strlen(word);
	/* One edit for a short word, up to three for a long one: more is a
	 * guess, not a typo. */
	int limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;

	if (cat == NULL || max == 0 || len == 0)
		return 0;
	for (size_t i = 0; i < cat->nproducts; i++) {
		const struct wa_product *p = &cat->products[i];
		struct wa_suggestion s = { p, p->id,
		    wa_suggest_score(word, p->id) };

		for (size_t k = 0; k < p->naliases; k++) {
			int d = wa_suggest_score(word, p->aliases[k]);

			if (d < s.distance) {
				s.as = p->aliases[k];
				s.distance = d;
			}
		}
		if (s.distance <= limit)
			n = wa_suggest_add(out, n, max, &s);
	}
	/* Only the nearest, as git's "did you mean" does: one typo away from
	 * apim is not also two from apim-3. */
	for (size_t i = 1; i < n; i++)
		if (out[i].distance > out[0].distance)
			return i;
	return n;
}
