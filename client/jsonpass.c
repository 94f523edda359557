/*
 * jsonpass.c: one member of an answer's JSON text printed as wa_json_print
 * prints it (jansson, JSON_INDENT(2), members in order) without building
 * it: for 1,000 leases, parsing the answer and dumping it again took
 * 40 ms.  The text is checked as json_loads checks it (grammar, UTF-8,
 * escapes, numbers, depth), and whatever the daemon sent, a control
 * character, DEL, a C1 control, a line separator or a bidi override
 * leaves as a \u escape: no answer moves the terminal.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "util.h"
#include "jsonout.h"

#define WA_JP_DEPTH 2048        /* jansson's JSON_PARSER_MAX_DEPTH */

struct wa_jp {
	const unsigned char *p, *end;   /* *end is a NUL */
	struct wa_out *o;               /* NULL: checked, not printed */
};

static int wa_jp_value(struct wa_jp *j, int depth);

static inline void
wa_jp_put(struct wa_jp *j, const void *s, size_t n)
{
	struct wa_out *o = j->o;

	if (o == NULL)
		return;
	if (o->cap - o->len < n) {
		wa_out_put(o, s, n);
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
wa_jp_ws(struct wa_jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* A new line indented two spaces a level, as JSON_INDENT(2). */
static void
wa_jp_indent(struct wa_jp *j, int depth)
{
	static const char sp[] = "\n                                ";
	size_t n = 2 * (size_t)depth, k;

	wa_jp_put(j, sp, 1);
	for (; n > 0; n -= k) {
		k = n < sizeof sp - 2 ? n : sizeof sp - 2;
		wa_jp_put(j, sp + 1, k);
	}
}

/* What a terminal acts on or reorders beyond what JSON escapes (as
 * wa_term_esc): DEL, C1, line separators, bidi overrides. */
static bool
wa_jp_moves(uint32_t cp)
{
	return cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Codepoint cp, escaped as jansson escapes it, or as \uXXXX when it
 * moves a terminal; else its UTF-8 bytes. */
static void
wa_jp_char(struct wa_jp *j, uint32_t cp)
{
	static const char hex[] = "0123456789ABCDEF";
	char b[6];
	const char *e = NULL;

	switch (cp) {
	case '"': e = "\\\""; break;
	case '\\': e = "\\\\"; break;
	case '\b': e = "\\b"; break;
	case '\f': e = "\\f"; break;
	case '\n': e = "\\n"; break;
	case '\r': e = "\\r"; break;
	case '\t': e = "\\t"; break;
	}
	if (e != NULL) {
		wa_jp_put(j, e, 2);
		return;
	}
	if (cp < 0x20 || wa_jp_moves(cp)) {
		memcpy(b, "\\u", 2);
		for (int i = 0; i < 4; i++)
			b[2 + i] = hex[cp >> (12 - 4 * i) & 0xf];
		wa_jp_put(j, b, 6);
		return;
	}
	if (cp < 0x80) {
		b[0] = (char)cp;
		wa_jp_put(j, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		wa_jp_put(j, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		wa_jp_put(j, b, 3);
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		wa_jp_put(j, b, 4);
	}
}

/* Four hex digits after \u; -1 when they are not. */
static long
wa_jp_hex4(const unsigned char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;      /* a NUL stops here too */
	}
	return v;
}

/* The escape at j->p (after its backslash) as one codepoint: a pair of
 * surrogates joined, a lone one or \u0000 refused, as jansson does. */
static int
wa_jp_escape(struct wa_jp *j, uint32_t *cp)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k;
	long hi, lo;

	if (*j->p != 'u') {
		if (*j->p == '\0' || (k = strchr(from, *j->p)) == NULL)
			return WA_EPROTO;
		*cp = (unsigned char)to[k - from];
		j->p++;
		return 0;
	}
	if ((hi = wa_jp_hex4(j->p + 1)) < 0)
		return WA_EPROTO;
	j->p += 5;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return WA_EPROTO;
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (j->p[0] != '\\' || j->p[1] != 'u' ||
		    (lo = wa_jp_hex4(j->p + 2)) < 0xdc00 || lo > 0xdfff)
			return WA_EPROTO;
		j->p += 6;
		hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (hi == 0)
		return WA_EPROTO;
	*cp = (uint32_t)hi;
	return 0;
}

/* Printable ASCII but the quote and the backslash: a string's bytes
 * that go out as they came. */
static bool
wa_jp_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* A string; what is plain is copied a run at a time. */
static int
wa_jp_string(struct wa_jp *j)
{
	const unsigned char *run;
	uint32_t cp;
	size_t n;
	int rc;

	j->p++;
	wa_jp_put(j, "\"", 1);
	for (;;) {
		for (run = j->p; j->p < j->end && wa_jp_plain(*j->p); j->p++)
			;
		wa_jp_put(j, run, (size_t)(j->p - run));
		if (j->p >= j->end)
			return WA_EPROTO;
		if (*j->p == '"')
			break;
		if (*j->p == '\\') {
			j->p++;
			if ((rc = wa_jp_escape(j, &cp)) != 0)
				return rc;
		} else if (*j->p < 0x20)
			return WA_EPROTO;   /* raw, as jansson refuses it */
		else if ((n = wa_utf8_char(j->p, &cp)) == 0)
			return WA_EPROTO;
		else
			j->p += n;
		wa_jp_char(j, cp);
	}
	j->p++;
	wa_jp_put(j, "\"", 1);
	return 0;
}

/* A real as jansson prints it: %.17g, ".0" when it looks whole, the
 * exponent without '+' or leading zeros. */
static void
wa_jp_real(struct wa_jp *j, double v)
{
	char b[64], *s, *e;
	int n = snprintf(b, sizeof b - 2, "%.17g", v);

	if (strchr(b, '.') == NULL && strchr(b, 'e') == NULL) {
		memcpy(b + n, ".0", 3);
		n += 2;
	}
	if ((s = strchr(b, 'e')) != NULL) {
		s++;
		e = s + 1;
		if (*s == '-')
			s++;
		while (*e == '0')
			e++;
		memmove(s, e, strlen(e) + 1);
		n = (int)strlen(b);
	}
	wa_jp_put(j, b, (size_t)n);
}

/* An integer's digits from s to end (a '-' first, perhaps) as jansson
 * reads them: out of range is refused. */
static int
wa_jp_int(struct wa_jp *j, const unsigned char *s, const unsigned char *end)
{
	bool neg = *s == '-';
	unsigned long long v = 0, max = neg ? (unsigned long long)LLONG_MAX + 1 :
	    LLONG_MAX;

	for (s += neg; s < end; s++) {
		if (v > (max - (unsigned)(*s - '0')) / 10)
			return WA_EPROTO;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (j->o != NULL)
		wa_out_int(j->o, neg ? (long long)(0ULL - v) : (long long)v);
	return 0;
}

/* A number: the grammar checked here, an integer read by hand, a real
 * by strtod (overflow refused, as jansson does), printed again as
 * jansson would print what it read. */
static int
wa_jp_number(struct wa_jp *j)
{
	const unsigned char *s = j->p;
	bool real = false;
	char *end;
	double d;

	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (*j->p >= '1' && *j->p <= '9')
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	else
		return WA_EPROTO;
	if (*j->p == '.') {
		real = true;
		if (*++j->p < '0' || *j->p > '9')
			return WA_EPROTO;
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		real = true;
		if (*++j->p == '+' || *j->p == '-')
			j->p++;
		if (*j->p < '0' || *j->p > '9')
			return WA_EPROTO;
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (!real)
		return wa_jp_int(j, s, j->p);
	errno = 0;
	d = strtod((const char *)s, &end);
	if ((const unsigned char *)end != j->p ||
	    (errno == ERANGE && (d > 1 || d < -1)))
		return WA_EPROTO;
	if (j->o != NULL)
		wa_jp_real(j, d);
	return 0;
}

static int
wa_jp_word(struct wa_jp *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return WA_EPROTO;
	j->p += n;
	wa_jp_put(j, w, n);
	return 0;
}

/* An object's members or an array's values, indented one level more. */
static int
wa_jp_container(struct wa_jp *j, int depth, bool object)
{
	char open = object ? '{' : '[', close = object ? '}' : ']';
	int rc;

	j->p++;
	wa_jp_ws(j);
	if (*j->p == close) {
		j->p++;
		wa_jp_put(j, object ? "{}" : "[]", 2);
		return 0;
	}
	wa_jp_put(j, &open, 1);
	for (;;) {
		wa_jp_indent(j, depth + 1);
		wa_jp_ws(j);
		if (object) {
			if (*j->p != '"' || (rc = wa_jp_string(j)) != 0)
				return WA_EPROTO;
			wa_jp_ws(j);
			if (*j->p != ':')
				return WA_EPROTO;
			j->p++;
			wa_jp_put(j, ": ", 2);
			wa_jp_ws(j);
		}
		if ((rc = wa_jp_value(j, depth + 1)) != 0)
			return rc;
		wa_jp_ws(j);
		if (*j->p == close)
			break;
		if (*j->p != ',')
			return WA_EPROTO;
		j->p++;
		wa_jp_put(j, ",", 1);
	}
	j->p++;
	wa_jp_indent(j, depth);
	wa_jp_put(j, &close, 1);
	return 0;
}

static int
wa_jp_value(struct wa_jp *j, int depth)
{
	if (depth >= WA_JP_DEPTH)
		return WA_EPROTO;
	switch (*j->p) {
	case '{': return wa_jp_container(j, depth, true);
	case '[': return wa_jp_container(j, depth, false);
	case '"': return wa_jp_string(j);
	case 't': return wa_jp_word(j, "true");
	case 'f': return wa_jp_word(j, "false");
	case 'n': return wa_jp_word(j, "null");
	default: return wa_jp_number(j);
	}
}

/* Whether the string at j->p is key, decoded (jansson compares keys so). */
static bool
wa_jp_is_key(struct wa_jp *j, const char *key)
{
	struct wa_out k = { NULL, 0, 0, false };
	struct wa_jp kj = { j->p, j->end, &k };
	bool is;

	is = wa_jp_string(&kj) == 0 && !k.failed &&
	    k.len == strlen(key) + 2 && memcmp(k.p + 1, key, k.len - 2) == 0;
	wa_out_free(&k);
	return is;
}

/* One member of the top object: its value into val when it is key's. */
static int
wa_jp_member(struct wa_jp *j, const char *key, struct wa_out *val,
    bool *found)
{
	bool take;
	int rc;

	if (*j->p != '"')
		return WA_EPROTO;
	take = wa_jp_is_key(j, key);
	if ((rc = wa_jp_string(j)) != 0)
		return rc;
	wa_jp_ws(j);
	if (*j->p != ':')
		return WA_EPROTO;
	j->p++;
	wa_jp_ws(j);
	if (take) {
		/* A later one wins, as in json_loads. */
		val->len = 0;
		*found = true;
	}
	j->o = take ? val : NULL;
	rc = wa_jp_value(j, 1);
	j->o = NULL;
	return rc;
}

/*
 * The member key of the object in text (len bytes, NUL-terminated) to f
 * as {"key": value}, exactly as wa_json_print prints it but for the
 * terminal's escapes; nothing is printed unless the whole text is good
 * JSON and has the member.
 */
int
wa_json_print_member(const char *text, size_t len, const char *key, FILE *f)
{
	struct wa_out val = { NULL, 0, 0, false }, out = { NULL, 0, 0, false };
	struct wa_jp j = { (const unsigned char *)text,
	    (const unsigned char *)text + len, NULL };
	bool found = false;
	int rc = WA_EPROTO;

	wa_jp_ws(&j);
	if (*j.p != '{')
		goto out;
	j.p++;
	wa_jp_ws(&j);
	if (*j.p != '}')
		for (;;) {
			if ((rc = wa_jp_member(&j, key, &val, &found)) != 0)
				goto out;
			rc = WA_EPROTO;
			wa_jp_ws(&j);
			if (*j.p == '}')
				break;
			if (*j.p != ',')
				goto out;
			j.p++;
			wa_jp_ws(&j);
		}
	j.p++;
	wa_jp_ws(&j);
	if (j.p != j.end || !found)
		goto out;
	wa_out_put(&out, "{\n  \"", 5);
	wa_out_put(&out, key, strlen(key));
	wa_out_put(&out, "\": ", 3);
	wa_out_put(&out, val.p, val.len);
	wa_out_put(&out, "\n}\n", 3);
	rc = out.failed || val.failed ? WA_ENOMEM : 0;
	if (rc == 0)
		fwrite(out.p, 1, out.len, f);
out:
	wa_out_free(&val);
	wa_out_free(&out);
	return rc;
}
