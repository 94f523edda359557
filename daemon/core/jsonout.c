/*
 * jsonout.c: compact JSON text from a jansson value.  A depth-first walk
 * into one growing buffer; strings are escaped as jansson escapes them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"

static bool
wa_out_grow(struct wa_out *o, size_t n)
{
	size_t cap = o->cap != 0 ? o->cap : 1024;
	char *np;

	if (o->failed)
		return false;
	while (cap - o->len < n)
		cap *= 2;
	if (cap == o->cap)
		return true;
	if ((np = realloc(o->p, cap)) == NULL) {
		o->failed = true;
		o->cap = o->len;   /* no append fits: each one fails here */
		return false;
	}
	o->p = np;
	o->cap = cap;
	return true;
}

void
wa_out_put_grow(struct wa_out *o, const char *s, size_t n)
{
	if (wa_out_grow(o, n)) {
		memcpy(o->p + o->len, s, n);
		o->len += n;
	}
}

void
wa_out_reserve(struct wa_out *o, size_t n)
{
	(void)wa_out_grow(o, n);
}

void
wa_out_string(struct wa_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char *p;

	/* Room for the worst case (every byte \u00XX) once, not per run. */
	if (n > (SIZE_MAX - 2) / 6) {
		o->failed = true;
		return;
	}
	if (!wa_out_grow(o, 2 + 6 * n))
		return;
	p = o->p + o->len;
	*p++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\') {
			*p++ = (char)c;
			continue;
		}
		*p++ = '\\';
		switch (c) {
		case '"': *p++ = '"'; break;
		case '\\': *p++ = '\\'; break;
		case '\b': *p++ = 'b'; break;
		case '\f': *p++ = 'f'; break;
		case '\n': *p++ = 'n'; break;
		case '\r': *p++ = 'r'; break;
		case '\t': *p++ = 't'; break;
		default:
			memcpy(p, "u00", 3);
			p[3] = hex[c >> 4];
			p[4] = hex[c & 0xf];
			p += 5;
		}
	}
	*p++ = '"';
	o->len = (size_t)(p - o->p);
}

/* By hand: snprintf took 700 instructions a number, a dozen a lease. */
void
wa_out_int(struct wa_out *o, long long v)
{
	char buf[24], *p = buf + sizeof buf;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	wa_out_put(o, p, (size_t)(buf + sizeof buf - p));
}

void
wa_out_members(struct wa_out *o, const json_t *j, bool comma)
{
	void *it = json_object_iter((json_t *)j);

	for (; it != NULL; it = json_object_iter_next((json_t *)j, it)) {
		if (comma)
			wa_out_put(o, ",", 1);
		comma = true;
		wa_out_string(o, json_object_iter_key(it),
		    json_object_iter_key_len(it));
		wa_out_put(o, ":", 1);
		wa_out_value(o, json_object_iter_value(it));
	}
}

void
wa_out_value(struct wa_out *o, const json_t *j)
{
	char *text;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		wa_out_put(o, "{", 1);
		wa_out_members(o, j, false);
		wa_out_put(o, "}", 1);
		break;
	case JSON_ARRAY:
		wa_out_put(o, "[", 1);
		for (size_t i = 0; i < json_array_size(j); i++) {
			if (i > 0)
				wa_out_put(o, ",", 1);
			wa_out_value(o, json_array_get(j, i));
		}
		wa_out_put(o, "]", 1);
		break;
	case JSON_STRING:
		wa_out_string(o, json_string_value(j), json_string_length(j));
		break;
	case JSON_INTEGER:
		wa_out_int(o, json_integer_value(j));
		break;
	case JSON_REAL:
		/* Rare (a client's request id): jansson's own digits. */
		if ((text = json_dumps(j, JSON_ENCODE_ANY)) == NULL) {
			o->failed = true;
			break;
		}
		wa_out_put(o, text, strlen(text));
		free(text);
		break;
	case JSON_TRUE:
		wa_out_put(o, "true", 4);
		break;
	case JSON_FALSE:
		wa_out_put(o, "false", 5);
		break;
	case JSON_NULL:
		wa_out_put(o, "null", 4);
		break;
	}
}

char *
wa_out_line(struct wa_out *o, size_t *len)
{
	char *p;

	wa_out_put(o, "\n", 2);   /* the newline and the NUL */
	if (o->failed) {
		wa_out_free(o);
		return NULL;
	}
	p = o->p;
	*len = o->len - 1;
	memset(o, 0, sizeof *o);
	return p;
}

void
wa_out_free(struct wa_out *o)
{
	free(o->p);
	memset(o, 0, sizeof *o);
}

char *
wa_json_line(const json_t *j, size_t *len)
{
	struct wa_out o = { NULL, 0, 0, false };

	if (j == NULL)
		return NULL;
	wa_out_value(&o, j);
	return wa_out_line(&o, len);
}
