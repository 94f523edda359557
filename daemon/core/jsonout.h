/*
 * jsonout.h: one compact line of JSON text from a jansson value, the
 * same bytes json_dumps(JSON_COMPACT) writes.  jansson's dumper checks
 * every container for cycles through a hash table and an snprintf of its
 * address, which made it a third of the daemon's time on a 1,000-lease
 * list.
 */
#ifndef WA_JSONOUT_H
#define WA_JSONOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <jansson.h>

/* A growing buffer of JSON text; zero-initialised is empty.  After a
 * failed allocation every append is a no-op and failed stays set. */
struct wa_out {
	char *p;
	size_t len, cap;
	bool failed;
};

void wa_out_put_grow(struct wa_out *o, const char *s, size_t n);

/* Inline: a lease's answer is some 400 small appends. */
static inline void
wa_out_put(struct wa_out *o, const char *s, size_t n)
{
	if (n < o->cap - o->len) {
		memcpy(o->p + o->len, s, n);
		o->len += n;
	} else
		wa_out_put_grow(o, s, n);
}

/* Room for n more bytes at once (a hint: appends grow it anyway). */
void wa_out_reserve(struct wa_out *o, size_t n);
/* A JSON string (quoted, escaped) of n bytes. */
void wa_out_string(struct wa_out *o, const char *s, size_t n);
void wa_out_int(struct wa_out *o, long long v);
/* Any value, compact. */
void wa_out_value(struct wa_out *o, const json_t *j);
/* The members of object j, without braces, each after a comma when
 * comma is set: to extend an object written by hand. */
void wa_out_members(struct wa_out *o, const json_t *j, bool comma);
/* Add the newline and hand the text over (NUL-terminated, malloc'd, its
 * length without the NUL in *len); NULL if anything failed. */
char *wa_out_line(struct wa_out *o, size_t *len);
void wa_out_free(struct wa_out *o);

/* wa_out_value and wa_out_line in one. */
char *wa_json_line(const json_t *j, size_t *len);

#endif
