/*
 * suggest.h: the catalog products nearest a mistyped id, for the
 * unknown_product error ("did you mean apim (apim-4)?").
 */
#ifndef WA_SUGGEST_H
#define WA_SUGGEST_H

#include <stddef.h>

#include "catalog.h"

struct wa_suggestion {
	const struct wa_product *p;
	const char *as;         /* the id or alias that came nearest */
	int distance;
};

/* Edit distance (a transposition counts one), case ignored; the first
 * 64 bytes of each. */
int wa_edit_distance(const char *a, const char *b);
/*
 * Up to max products whose id or an alias is within a few edits of word
 * (or starts with it), those at the least distance found; returns how
 * many.
 */
size_t wa_catalog_suggest(const struct wa_catalog *cat, const char *word,
    struct wa_suggestion *out, size_t max);

#endif
