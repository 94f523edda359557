/*
 * jsonin.c: a flat JSON object of plain members, read in one pass.  Any
 * byte outside that shape gives up, so what it accepts is a subset of
 * JSON whose reading jansson's own cannot differ from.
 */
#include <stdbool.h>
#include <string.h>

#include "jsonin.h"

static const char *
wa_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'))
		p++;
	return p;
}

/* A string of printable ASCII without escapes at p: its bytes (*s, *n);
 * the byte after its closing quote, or NULL. */
static const char *
wa_plain(const char *p, const char *end, const char **s, size_t *n)
{
	if (p == end || *p != '"')
		return NULL;
	for (*s = ++p; p < end && *p != '"'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e ||
		    *p == '\\')
			return NULL;
	if (p == end)
		return NULL;
	*n = (size_t)(p - *s);
	return p + 1;
}

/* An integer: -?(0|[1-9][0-9]*), 18 digits at most (no overflow). */
static const char *
wa_int(const char *p, const char *end, json_t **v)
{
	json_int_t n = 0;
	bool neg = p < end && *p == '-';
	int digits = 0;

	p += neg;
	if (p == end || *p < '0' || *p > '9')
		return NULL;
	if (*p == '0')
		p++;
	else
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			if (++digits > 18)
				return NULL;
			n = n * 10 + (*p - '0');
		}
	/* A fraction or an exponent: a real, jansson's to read. */
	if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
		return NULL;
	*v = json_integer(neg ? -n : n);
	return *v != NULL ? p : NULL;
}

static const char *
wa_value(const char *p, const char *end, json_t **v)
{
	static const struct { const char *text; size_t n; } lits[] = {
		{ "true", 4 }, { "false", 5 }, { "null", 4 } };
	const char *s;
	size_t n;

	*v = NULL;
	if (p < end && *p == '"') {
		if ((p = wa_plain(p, end, &s, &n)) == NULL)
			return NULL;
		*v = json_stringn_nocheck(s, n);
		return *v != NULL ? p : NULL;
	}
	for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++)
		if ((size_t)(end - p) >= lits[i].n &&
		    memcmp(p, lits[i].text, lits[i].n) == 0) {
			*v = i == 0 ? json_true() : i == 1 ? json_false() :
			    json_null();
			return p + lits[i].n;
		}
	return wa_int(p, end, v);
}

json_t *
wa_json_flat(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *key;
	json_t *o, *v;
	size_t klen;

	p = wa_ws(p, end);
	if (p == end || *p != '{' || (o = json_object()) == NULL)
		return NULL;
	p = wa_ws(p + 1, end);
	if (p < end && *p == '}')
		p++;
	else
		for (;;) {
			if ((p = wa_plain(p, end, &key, &klen)) == NULL ||
			    json_object_getn(o, key, klen) != NULL)
				goto fail;
			p = wa_ws(p, end);
			if (p == end || *p != ':')
				goto fail;
			p = wa_value(wa_ws(p + 1, end), end, &v);
			if (p == NULL || json_object_setn_new_nocheck(o, key,
			    klen, v) != 0)
				goto fail;
			p = wa_ws(p, end);
			if (p < end && *p == ',') {
				p = wa_ws(p + 1, end);
				continue;
			}
			if (p == end || *p != '}')
				goto fail;
			p++;
			break;
		}
	if (wa_ws(p, end) == end)
		return o;
fail:
	json_decref(o);
	return NULL;
}
