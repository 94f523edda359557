/*
 * xmlscan.c: an XML 1.0 well-formedness reader (see xmlscan.h): one
 * root, elements closed in order, attributes quoted and given once,
 * comments without "--", references to the predefined entities (any
 * entity once a DOCTYPE may declare it), no control characters.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wso2alloc.h"
#include "xmlscan.h"

#define WA_XML_DEPTH 256

struct wa_xp {
	const char *s;
	size_t n, i;
	struct wa_xml_doc *d;
	int stack[WA_XML_DEPTH];
	int depth;
	bool doctype, root_done;
};

static int
wa_xfail(struct wa_xp *x, const char *fmt, ...)
{
	size_t line = 1;
	va_list ap;
	int k;

	if (x->d->err[0] != '\0')
		return WA_EINVAL;
	for (size_t j = 0; j < x->i && j < x->n; j++)
		line += x->s[j] == '\n';
	k = snprintf(x->d->err, sizeof x->d->err, "line %zu: ", line);
	va_start(ap, fmt);
	vsnprintf(x->d->err + k, sizeof x->d->err - (size_t)k, fmt, ap);
	va_end(ap);
	return WA_EINVAL;
}

static int
wa_xadd(struct wa_xp *x, enum wa_xml_kind kind, size_t start, size_t end)
{
	struct wa_xml_doc *d = x->d;
	struct wa_xml_event *nv, *e;

	if (d->n == d->cap) {
		size_t cap = d->cap != 0 ? d->cap * 2 : 64;

		if ((nv = realloc(d->v, cap * sizeof *nv)) == NULL)
			return -1;
		d->v = nv;
		d->cap = cap;
	}
	e = &d->v[d->n];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->start = start;
	e->end = end;
	e->parent = x->depth > 0 ? x->stack[x->depth - 1] : -1;
	e->close = -1;
	return (int)d->n++;
}

static bool
wa_has(const struct wa_xp *x, const char *lit)
{
	size_t n = strlen(lit);

	return x->n - x->i >= n && memcmp(x->s + x->i, lit, n) == 0;
}

static bool
wa_name_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c == ':' || c >= 0x80;
}

static bool
wa_name_char(unsigned char c)
{
	return wa_name_start(c) || isdigit(c) || c == '-' || c == '.';
}

static size_t
wa_name(const struct wa_xp *x, size_t at)
{
	size_t j = at;

	if (j >= x->n || !wa_name_start((unsigned char)x->s[j]))
		return 0;
	while (j < x->n && wa_name_char((unsigned char)x->s[j]))
		j++;
	return j - at;
}

static void
wa_xws(struct wa_xp *x)
{
	while (x->i < x->n && strchr(" \t\r\n", x->s[x->i]) != NULL &&
	    x->s[x->i] != '\0')
		x->i++;
}

/* Character data up to stop (exclusive): references and characters. */
static int
wa_chars(struct wa_xp *x, size_t stop, bool attr)
{
	static const char *const predef[] = { "lt", "gt", "amp", "quot",
	    "apos" };

	for (; x->i < stop; x->i++) {
		unsigned char c = (unsigned char)x->s[x->i];
		size_t k;

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return wa_xfail(x, "a control character");
		if (attr && c == '<')
			return wa_xfail(x, "'<' in an attribute value");
		if (!attr && c == ']' && wa_has(x, "]]>"))
			return wa_xfail(x, "']]>' in text");
		if (c != '&')
			continue;
		x->i++;
		if (x->i < stop && x->s[x->i] == '#') {
			bool hex = x->i + 1 < stop && x->s[x->i + 1] == 'x';

			for (k = x->i + 1 + hex; k < stop && (hex ?
			    isxdigit((unsigned char)x->s[k]) :
			    isdigit((unsigned char)x->s[k])); k++)
				;
			if (k == x->i + 1 + hex || k >= stop || x->s[k] != ';')
				return wa_xfail(x, "a bad character reference");
			x->i = k;
			continue;
		}
		k = wa_name(x, x->i);
		if (k == 0 || x->i + k >= stop || x->s[x->i + k] != ';')
			return wa_xfail(x, "a bad entity reference");
		bool known = x->doctype;

		for (size_t p = 0; !known && p < 5; p++)
			known = strlen(predef[p]) == k &&
			    memcmp(predef[p], x->s + x->i, k) == 0;
		if (!known)
			return wa_xfail(x, "an undeclared entity");
		x->i += k;
	}
	return 0;
}

static int
wa_comment_pi(struct wa_xp *x)
{
	const char *end;
	bool comment = wa_has(x, "<!--");
	size_t start = x->i, stop;

	end = memmem(x->s + x->i + (comment ? 4 : 2), x->n - x->i - (comment ?
	    4 : 2), comment ? "-->" : "?>", comment ? 3 : 2);
	if (end == NULL)
		return wa_xfail(x, "an unterminated %s", comment ? "comment" :
		    "processing instruction");
	stop = (size_t)(end - x->s);
	if (comment && (memmem(x->s + start + 4, stop - start - 4, "--",
	    2) != NULL || x->s[stop - 1] == '-'))
		return wa_xfail(x, "'--' inside a comment");
	if (!comment && stop - start >= 5 && strncasecmp(x->s + start + 2,
	    "xml", 3) == 0 && !wa_name_char((unsigned char)x->s[start + 5]) &&
	    start != (x->n >= 3 && memcmp(x->s, "\xef\xbb\xbf", 3) == 0 ? 3 : 0))
		return wa_xfail(x, "an XML declaration after the start");
	x->i = stop + (comment ? 3 : 2);
	return wa_xadd(x, WA_XML_OTHER, start, x->i) < 0 ? WA_ENOMEM : 0;
}

static int
wa_doctype(struct wa_xp *x)
{
	size_t start = x->i;
	char q = 0;
	int sub = 0;

	if (x->depth > 0 || x->root_done || x->doctype)
		return wa_xfail(x, "a misplaced DOCTYPE");
	for (x->i += 9; x->i < x->n; x->i++) {
		char c = x->s[x->i];

		if (q != 0)
			q = c == q ? 0 : q;
		else if (c == '"' || c == '\'')
			q = c;
		else if (c == '[')
			sub++;
		else if (c == ']')
			sub--;
		else if (c == '>' && sub == 0)
			break;
	}
	if (x->i >= x->n)
		return wa_xfail(x, "an unterminated DOCTYPE");
	x->i++;
	x->doctype = true;
	return wa_xadd(x, WA_XML_OTHER, start, x->i) < 0 ? WA_ENOMEM : 0;
}

/* Attributes, up to the tag's '>' or '/>'; 1 for '/>'. */
static int
wa_attrs(struct wa_xp *x)
{
	size_t names[64][2], na = 0, k;
	bool ws;
	int rc;

	for (;;) {
		size_t before = x->i;

		wa_xws(x);
		ws = x->i > before;
		if (wa_has(x, "/>"))
			return 1;
		if (wa_has(x, ">"))
			return 0;
		if (!ws || (k = wa_name(x, x->i)) == 0)
			return wa_xfail(x, "a bad attribute");
		for (size_t j = 0; j < na; j++)
			if (names[j][1] == k && memcmp(x->s + names[j][0],
			    x->s + x->i, k) == 0)
				return wa_xfail(x, "an attribute given twice");
		if (na < 64) {
			names[na][0] = x->i;
			names[na++][1] = k;
		}
		x->i += k;
		wa_xws(x);
		if (!wa_has(x, "="))
			return wa_xfail(x, "'=' expected after an attribute");
		x->i++;
		wa_xws(x);
		if (x->i >= x->n || (x->s[x->i] != '"' && x->s[x->i] != '\''))
			return wa_xfail(x, "an unquoted attribute value");
		const char *q = memchr(x->s + x->i + 1, x->s[x->i],
		    x->n - x->i - 1);

		if (q == NULL)
			return wa_xfail(x, "an unterminated attribute value");
		x->i++;
		if ((rc = wa_chars(x, (size_t)(q - x->s), true)) != 0)
			return rc;
		x->i++;
	}
}

static int
wa_tag(struct wa_xp *x)
{
	size_t start = x->i, k;
	bool end = wa_has(x, "</");
	int ev, rc;

	x->i += end ? 2 : 1;
	if ((k = wa_name(x, x->i)) == 0)
		return wa_xfail(x, "a bad element name");
	x->i += k;
	if (end) {
		const struct wa_xml_event *open;

		wa_xws(x);
		if (!wa_has(x, ">") || x->depth == 0)
			return wa_xfail(x, "a bad end tag");
		open = &x->d->v[x->stack[x->depth - 1]];
		if (open->name_len != k || memcmp(x->s + open->name,
		    x->s + start + 2, k) != 0)
			return wa_xfail(x, "</%.*s> closes <%.*s>", (int)k,
			    x->s + start + 2, (int)open->name_len,
			    x->s + open->name);
		x->i++;
		x->depth--;
		if ((ev = wa_xadd(x, WA_XML_END, start, x->i)) < 0)
			return WA_ENOMEM;
		x->d->v[x->stack[x->depth]].close = ev;
		x->root_done = x->depth == 0;
	} else {
		if (x->root_done)
			return wa_xfail(x, "a second root element");
		if ((rc = wa_attrs(x)) < 0)
			return rc;
		x->i += rc == 1 ? 2 : 1;
		if ((ev = wa_xadd(x, rc == 1 ? WA_XML_EMPTY : WA_XML_START,
		    start, x->i)) < 0)
			return WA_ENOMEM;
		x->d->v[ev].name = start + 1;
		x->d->v[ev].name_len = k;
		if (rc == 1)
			x->root_done = x->depth == 0;
		else if (x->depth == WA_XML_DEPTH)
			return wa_xfail(x, "elements nested too deeply");
		else
			x->stack[x->depth++] = ev;
	}
	return 0;
}

static int
wa_markup(struct wa_xp *x)
{
	const char *end;
	size_t start = x->i;

	if (wa_has(x, "<!--") || wa_has(x, "<?"))
		return wa_comment_pi(x);
	if (wa_has(x, "<![CDATA[")) {
		if (x->depth == 0)
			return wa_xfail(x, "CDATA outside the root element");
		if ((end = memmem(x->s + x->i, x->n - x->i, "]]>", 3)) == NULL)
			return wa_xfail(x, "an unterminated CDATA section");
		x->i = (size_t)(end - x->s) + 3;
		return wa_xadd(x, WA_XML_CDATA, start, x->i) < 0 ? WA_ENOMEM :
		    0;
	}
	if (wa_has(x, "<!DOCTYPE"))
		return wa_doctype(x);
	return wa_tag(x);
}

static int
wa_text(struct wa_xp *x)
{
	const char *lt = memchr(x->s + x->i, '<', x->n - x->i);
	size_t start = x->i, stop = lt != NULL ? (size_t)(lt - x->s) : x->n;
	int rc;

	if (x->depth == 0) {
		for (; x->i < stop; x->i++)
			if (strchr(" \t\r\n", x->s[x->i]) == NULL ||
			    x->s[x->i] == '\0')
				return wa_xfail(x, "text outside the root "
				    "element");
		return 0;
	}
	if ((rc = wa_chars(x, stop, false)) != 0)
		return rc;
	return wa_xadd(x, WA_XML_TEXT, start, stop) < 0 ? WA_ENOMEM : 0;
}

int
wa_xml_read(const char *text, size_t len, struct wa_xml_doc *d)
{
	struct wa_xp x;
	int rc = 0;

	memset(d, 0, sizeof *d);
	memset(&x, 0, sizeof x);
	x.s = text;
	x.n = len;
	x.d = d;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		x.i = 3;
	while (rc == 0 && x.i < x.n)
		rc = x.s[x.i] == '<' ? wa_markup(&x) : wa_text(&x);
	if (rc == 0 && (x.depth > 0 || !x.root_done))
		rc = wa_xfail(&x, x.depth > 0 ? "an element left open" :
		    "no root element");
	if (rc == WA_ENOMEM && d->err[0] == '\0')
		snprintf(d->err, sizeof d->err, "out of memory");
	return rc;
}

void
wa_xml_doc_free(struct wa_xml_doc *d)
{
	free(d->v);
	memset(d, 0, sizeof *d);
}

static bool
wa_named(const struct wa_xml_event *e, const char *text, const char *name)
{
	return (e->kind == WA_XML_START || e->kind == WA_XML_EMPTY) &&
	    e->name_len == strlen(name) && memcmp(text + e->name, name,
	    e->name_len) == 0;
}

int
wa_xml_find(const struct wa_xml_doc *d, const char *text, const char *parent,
    const char *tag)
{
	int p = -1, depth = 0, best = -1;

	/* The parent nearest the root: <Server><Ports>, not a nested one. */
	for (size_t j = 0; parent != NULL && j < d->n; j++) {
		if (!wa_named(&d->v[j], text, parent))
			continue;
		depth = 0;
		for (int a = d->v[j].parent; a >= 0; a = d->v[a].parent)
			depth++;
		if (p < 0 || depth < best) {
			p = (int)j;
			best = depth;
		}
	}
	if (parent != NULL && (p < 0 || d->v[p].kind != WA_XML_START))
		return -1;
	for (size_t j = 0; j < d->n; j++)
		if (wa_named(&d->v[j], text, tag) && (parent == NULL ||
		    d->v[j].parent == p))
			return (int)j;
	return -1;
}

int
wa_xml_attr(const struct wa_xml_doc *d, const char *text, int ev,
    const char *name, size_t *start, size_t *end)
{
	const struct wa_xml_event *e = &d->v[ev];
	size_t i = e->name + e->name_len, k, n = strlen(name);
	const char *q;

	/* The tag is well-formed: name = "value", separated by blanks. */
	while (i < e->end) {
		i += strspn(text + i, " \t\r\n");
		for (k = i; k < e->end && text[k] != '=' && !isspace(
		    (unsigned char)text[k]) && text[k] != '>' &&
		    text[k] != '/'; k++)
			;
		if (k == i)
			break;
		bool match = k - i == n && memcmp(text + i, name, n) == 0;

		i = k + strspn(text + k, " \t\r\n=");
		if ((q = memchr(text + i + 1, text[i], e->end - i - 1)) == NULL)
			break;
		if (match) {
			*start = i + 1;
			*end = (size_t)(q - text);
			return 0;
		}
		i = (size_t)(q - text) + 1;
	}
	return WA_ENOTFOUND;
}
