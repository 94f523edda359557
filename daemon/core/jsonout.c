/*
 * jsonout.c: compact JSON text from a jansson value.  A depth-first walk
 * into one growing buffer; strings are escaped as jansson escapes them.
 */
#include <stdbool.h>
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
		return false;
	}
	o->p = np;
	o->cap = cap;
	return true;
}

void
wa_out_put(struct wa_out *o, const char *s, size_t n)
{
	if (wa_out_grow(o, n)) {
		memcpy(o->p + o->len, s, n);
		o->len += n;
	}
}

void
wa_out_string(struct wa_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0;
	char esc[6];

	wa_out_put(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = NULL;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		wa_out_put(o, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		}
		if (e != NULL) {
			wa_out_put(o, e, 2);
			continue;
		}
		memcpy(esc, "\\u00", 4);
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 0xf];
		wa_out_put(o, esc, 6);
	}
	wa_out_put(o, s + run, n - run);
	wa_out_put(o, "\"", 1);
}

void
wa_out_int(struct wa_out *o, long long v)
{
	char buf[24];
	int n = snprintf(buf, sizeof buf, "%lld", v);

	wa_out_put(o, buf, (size_t)n);
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
