/*
 * toml.c: a TOML 1.0 reader (see toml.h).  It follows what Python's
 * tomllib accepts: a table is declared once, dotted keys cannot extend a
 * table declared elsewhere, inline tables and arrays are closed, strings
 * hold no control characters.  Unicode is passed through as bytes.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"
#include "wso2alloc.h"

#define WA_TOML_KEYS  64        /* parts of one dotted key */
#define WA_TOML_DEPTH 64        /* nested arrays and inline tables */

struct wa_sb {
	char *p;
	size_t len, cap;
	bool failed;
};

struct wa_key {
	char *s;
	size_t len;
};

struct wa_tp {
	const char *s;
	size_t n, i;
	struct wa_toml_doc *d;
	char *table;            /* the current section's path */
	int section;
	int depth;
};

static void
wa_sb_put(struct wa_sb *b, const char *s, size_t n)
{
	char *np;
	size_t cap;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		for (cap = b->cap != 0 ? b->cap : 32; cap < b->len + n + 1;)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
wa_sb_putc(struct wa_sb *b, char c)
{
	wa_sb_put(b, &c, 1);
}

/* The built string (malloc'd, "" when empty), or NULL when out of memory. */
static char *
wa_sb_take(struct wa_sb *b)
{
	if (!b->failed && b->p == NULL)
		wa_sb_put(b, "", 0);
	if (b->failed) {
		free(b->p);
		return NULL;
	}
	return b->p;
}

static int
wa_fail(struct wa_tp *t, const char *fmt, ...)
{
	size_t line = 1;
	va_list ap;
	int k;

	if (t->d->err[0] != '\0')
		return WA_EINVAL;
	for (size_t j = 0; j < t->i && j < t->n; j++)
		line += t->s[j] == '\n';
	k = snprintf(t->d->err, sizeof t->d->err, "line %zu: ", line);
	va_start(ap, fmt);
	vsnprintf(t->d->err + k, sizeof t->d->err - (size_t)k, fmt, ap);
	va_end(ap);
	return WA_EINVAL;
}

static bool
wa_ctrl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static void
wa_ws(struct wa_tp *t)
{
	while (t->i < t->n && (t->s[t->i] == ' ' || t->s[t->i] == '\t'))
		t->i++;
}

static bool
wa_eol(const struct wa_tp *t)
{
	return t->i >= t->n || t->s[t->i] == '\n' || (t->s[t->i] == '\r' &&
	    t->i + 1 < t->n && t->s[t->i + 1] == '\n');
}

/* Past a comment (at '#'), to its line's end. */
static int
wa_comment(struct wa_tp *t)
{
	for (t->i++; !wa_eol(t); t->i++)
		if (wa_ctrl((unsigned char)t->s[t->i]))
			return wa_fail(t, "a control character in a comment");
	return 0;
}

static int
wa_newline(struct wa_tp *t)
{
	if (t->i >= t->n)
		return 0;
	if (t->s[t->i] == '\r' && t->i + 1 < t->n && t->s[t->i + 1] == '\n')
		t->i += 2;
	else if (t->s[t->i] == '\n')
		t->i++;
	else
		return wa_fail(t, "expected the end of the line");
	return 0;
}

/* Blanks, newlines and comments, as between an array's values. */
static int
wa_ws_nl(struct wa_tp *t)
{
	int rc;

	for (;;) {
		wa_ws(t);
		if (t->i < t->n && t->s[t->i] == '#') {
			if ((rc = wa_comment(t)) != 0)
				return rc;
		} else if (t->i < t->n && wa_eol(t)) {
			if ((rc = wa_newline(t)) != 0)
				return rc;
		} else
			return 0;
	}
}

/* --- nodes and paths ------------------------------------------------ */

static void
wa_path_key(struct wa_sb *b, const char *base, const struct wa_key *k)
{
	char hex[4];

	wa_sb_put(b, base, strlen(base));
	if (*base != '\0')
		wa_sb_putc(b, '.');
	for (size_t j = 0; j < k->len; j++) {
		unsigned char c = (unsigned char)k->s[j];

		if (c == '\\' || c == '.' || c == '[')
			wa_sb_putc(b, '\\');
		if (c == '\0') {
			snprintf(hex, sizeof hex, "\\00");
			wa_sb_put(b, hex, 3);
		} else
			wa_sb_putc(b, (char)c);
	}
}

static char *
wa_path_join(const char *base, const struct wa_key *k)
{
	struct wa_sb b = { 0 };

	wa_path_key(&b, base, k);
	return wa_sb_take(&b);
}

static char *
wa_path_index(const char *base, size_t idx)
{
	char *p;

	return asprintf(&p, "%s[%zu]", base, idx) < 0 ? NULL : p;
}

const struct wa_toml_node *
wa_toml_find(const struct wa_toml_doc *d, const char *path)
{
	for (size_t j = 0; j < d->n; j++)
		if (strcmp(d->v[j].path, path) == 0)
			return &d->v[j];
	return NULL;
}

static int
wa_find(const struct wa_toml_doc *d, const char *path)
{
	const struct wa_toml_node *v = wa_toml_find(d, path);

	return v != NULL ? (int)(v - d->v) : -1;
}

/* A node; takes path.  Its index, or -1 when out of memory. */
static int
wa_add(struct wa_tp *t, char *path, const char *canon,
    enum wa_toml_kind kind)
{
	struct wa_toml_doc *d = t->d;
	struct wa_toml_node *nv, *v;

	if (path == NULL)
		return -1;
	if (d->n == d->cap) {
		size_t cap = d->cap != 0 ? d->cap * 2 : 32;

		if ((nv = realloc(d->v, cap * sizeof *nv)) == NULL) {
			free(path);
			return -1;
		}
		d->v = nv;
		d->cap = cap;
	}
	v = &d->v[d->n];
	memset(v, 0, sizeof *v);
	v->path = path;
	v->kind = kind;
	v->section = t->section;
	if ((v->canon = strdup(canon)) == NULL) {
		free(path);
		return -1;
	}
	return (int)d->n++;
}

/* --- strings -------------------------------------------------------- */

static void
wa_utf8(struct wa_sb *b, unsigned long c)
{
	char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | c >> 18);
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	wa_sb_put(b, u, n);
}

/* One escape of a basic string, after the backslash. */
static int
wa_escape(struct wa_tp *t, struct wa_sb *b)
{
	static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
	const char *e;
	unsigned long c = 0;
	size_t len;

	if (t->i >= t->n)
		return wa_fail(t, "an unfinished escape");
	if ((e = strchr(from, t->s[t->i])) != NULL && *e != '\0') {
		wa_sb_putc(b, to[e - from]);
		t->i++;
		return 0;
	}
	if (t->s[t->i] != 'u' && t->s[t->i] != 'U')
		return wa_fail(t, "an invalid escape \\%c", t->s[t->i]);
	len = t->s[t->i] == 'u' ? 4 : 8;
	t->i++;
	for (size_t j = 0; j < len; j++, t->i++) {
		if (t->i >= t->n || !isxdigit((unsigned char)t->s[t->i]))
			return wa_fail(t, "an invalid unicode escape");
		c = c * 16 + (unsigned long)(isdigit((unsigned char)t->s[t->i]) ?
		    t->s[t->i] - '0' : (tolower((unsigned char)t->s[t->i]) -
		    'a' + 10));
	}
	if ((c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return wa_fail(t, "an escape that is not a unicode scalar");
	wa_utf8(b, c);
	return 0;
}

/* A string of any of the four kinds, at its first quote, decoded into b. */
static int
wa_string(struct wa_tp *t, struct wa_sb *b, bool allow_multi)
{
	char q = t->s[t->i];
	bool multi = t->i + 2 < t->n && t->s[t->i + 1] == q &&
	    t->s[t->i + 2] == q;
	size_t k;
	int rc;

	if (multi && !allow_multi)
		return wa_fail(t, "a multi-line string as a key");
	t->i += multi ? 3 : 1;
	/* A newline right after the opening quotes is not part of it. */
	if (multi && wa_eol(t) && t->i < t->n)
		wa_newline(t);
	for (;;) {
		if (t->i >= t->n)
			return wa_fail(t, "an unterminated string");
		char c = t->s[t->i];

		if (c == q) {
			if (!multi) {
				t->i++;
				return 0;
			}
			for (k = 0; t->i + k < t->n && t->s[t->i + k] == q; k++)
				;
			if (k >= 3) {
				if (k > 5)
					return wa_fail(t, "too many quotes");
				wa_sb_put(b, t->s + t->i, k - 3);
				t->i += k;
				return 0;
			}
			wa_sb_put(b, t->s + t->i, k);
			t->i += k;
			continue;
		}
		if (c == '\n' || (c == '\r' && t->i + 1 < t->n &&
		    t->s[t->i + 1] == '\n')) {
			if (!multi)
				return wa_fail(t, "a newline in a string");
			wa_sb_putc(b, '\n');
			t->i += c == '\r' ? 2 : 1;
			continue;
		}
		if (wa_ctrl((unsigned char)c))
			return wa_fail(t, "a control character in a string");
		if (c != '\\' || q == '\'') {
			wa_sb_putc(b, c);
			t->i++;
			continue;
		}
		t->i++;
		if (multi) {
			/* A backslash ending a line eats the blanks after it. */
			size_t j = t->i;

			while (j < t->n && (t->s[j] == ' ' || t->s[j] == '\t'))
				j++;
			if (j < t->n && (t->s[j] == '\n' || t->s[j] == '\r')) {
				t->i = j;
				while (t->i < t->n && ((t->s[t->i] != '\0' &&
				    strchr(" \t\n", t->s[t->i]) != NULL) ||
				    (t->s[t->i] == '\r' &&
				    t->i + 1 < t->n && t->s[t->i + 1] == '\n')))
					t->i++;
				continue;
			}
		}
		if ((rc = wa_escape(t, b)) != 0)
			return rc;
	}
}

/* "s:" and the bytes, with backslashes and control bytes escaped. */
static char *
wa_canon_string(const struct wa_sb *raw)
{
	struct wa_sb b = { 0 };
	char hex[4];

	wa_sb_put(&b, "s:", 2);
	for (size_t j = 0; j < raw->len; j++) {
		unsigned char c = (unsigned char)raw->p[j];

		if (c < 0x20 || c == 0x7f || c == '\\') {
			snprintf(hex, sizeof hex, "\\%02x", c);
			wa_sb_put(&b, hex, 3);
		} else
			wa_sb_putc(&b, (char)c);
	}
	return wa_sb_take(&b);
}

/* --- keys ----------------------------------------------------------- */

static void
wa_keys_free(struct wa_key *k, size_t n)
{
	for (size_t j = 0; j < n; j++)
		free(k[j].s);
}

static bool
wa_bare(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* A key, dotted or not, into k[0..*n). */
static int
wa_key(struct wa_tp *t, struct wa_key *k, size_t *n)
{
	struct wa_sb b;
	int rc;

	for (*n = 0;;) {
		memset(&b, 0, sizeof b);
		wa_ws(t);
		if (*n == WA_TOML_KEYS)
			return wa_fail(t, "a key of too many parts");
		if (t->i < t->n && (t->s[t->i] == '"' || t->s[t->i] == '\'')) {
			if ((rc = wa_string(t, &b, false)) != 0) {
				free(b.p);
				return rc;
			}
		} else {
			size_t s = t->i;

			while (t->i < t->n && wa_bare(t->s[t->i]))
				t->i++;
			if (t->i == s)
				return wa_fail(t, "a key expected");
			wa_sb_put(&b, t->s + s, t->i - s);
		}
		k[*n].len = b.len;
		if ((k[*n].s = wa_sb_take(&b)) == NULL)
			return WA_ENOMEM;
		(*n)++;
		wa_ws(t);
		if (t->i >= t->n || t->s[t->i] != '.')
			return 0;
		t->i++;
	}
}

/* --- scalars -------------------------------------------------------- */

static bool
wa_digits(const char *s, size_t n, int (*is)(int))
{
	/* Digits with single underscores between them. */
	if (n == 0 || !is((unsigned char)s[0]) || !is((unsigned char)s[n - 1]))
		return false;
	for (size_t j = 1; j < n; j++)
		if (s[j] == '_' ? !is((unsigned char)s[j + 1]) :
		    !is((unsigned char)s[j]))
			return false;
	return true;
}

static int
wa_isodigit(int c)
{
	return c >= '0' && c <= '7';
}

static int
wa_isbdigit(int c)
{
	return c == '0' || c == '1';
}

/* A decimal integer part: no leading zero (but 0 itself). */
static bool
wa_dec(const char *s, size_t n)
{
	return wa_digits(s, n, isdigit) && (s[0] != '0' || n == 1);
}

static char *
wa_canon_int(const char *s, size_t n)
{
	unsigned long long v = 0, lim;
	int base = 10;
	bool neg = false;
	char *out, digit;
	size_t j = 0;

	if (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-';
		j = 1;
	} else if (n > 2 && s[0] == '0' && strchr("xob", s[1]) != NULL) {
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		j = 2;
	}
	lim = neg ? (unsigned long long)INT64_MAX + 1 : (unsigned long long)
	    INT64_MAX;
	for (; j < n; j++) {
		if (s[j] == '_')
			continue;
		digit = (char)tolower((unsigned char)s[j]);
		unsigned d = (unsigned)(isdigit((unsigned char)digit) ?
		    digit - '0' : digit - 'a' + 10);

		if (v > (lim - d) / (unsigned)base)
			return NULL;
		v = v * (unsigned)base + d;
	}
	if (neg && v != 0)
		return asprintf(&out, "i:-%llu", v) < 0 ? NULL : out;
	return asprintf(&out, "i:%llu", v) < 0 ? NULL : out;
}

static bool
wa_int(const char *s, size_t n)
{
	size_t j = s[0] == '+' || s[0] == '-';

	if (j == 0 && n > 2 && s[0] == '0' && s[1] == 'x')
		return wa_digits(s + 2, n - 2, isxdigit);
	if (j == 0 && n > 2 && s[0] == '0' && s[1] == 'o')
		return wa_digits(s + 2, n - 2, wa_isodigit);
	if (j == 0 && n > 2 && s[0] == '0' && s[1] == 'b')
		return wa_digits(s + 2, n - 2, wa_isbdigit);
	return wa_dec(s + j, n - j);
}

static bool
wa_float(const char *s, size_t n)
{
	size_t j = s[0] == '+' || s[0] == '-', ip, e;
	const char *dot, *ex;

	if (n - j == 3 && (strncmp(s + j, "inf", 3) == 0 ||
	    strncmp(s + j, "nan", 3) == 0))
		return true;
	dot = memchr(s + j, '.', n - j);
	ex = NULL;
	for (e = j; e < n; e++)
		if (s[e] == 'e' || s[e] == 'E') {
			ex = s + e;
			break;
		}
	if (dot == NULL && ex == NULL)
		return false;
	ip = (size_t)((dot != NULL ? dot : ex) - (s + j));
	if (!wa_dec(s + j, ip))
		return false;
	if (dot != NULL && !wa_digits(dot + 1, (size_t)((ex != NULL ? ex :
	    s + n) - (dot + 1)), isdigit))
		return false;
	if (ex != NULL) {
		const char *x = ex + 1;

		if (dot != NULL && ex < dot)
			return false;
		if (x < s + n && (*x == '+' || *x == '-'))
			x++;
		return wa_digits(x, (size_t)(s + n - x), isdigit);
	}
	return true;
}

static bool
wa_nd(const char *s, size_t n)
{
	for (size_t j = 0; j < n; j++)
		if (!isdigit((unsigned char)s[j]))
			return false;
	return true;
}

static int
wa_num(const char *s, size_t n)
{
	int v = 0;

	for (size_t j = 0; j < n; j++)
		v = v * 10 + s[j] - '0';
	return v;
}

/* hh:mm:ss[.frac]: its length, or 0. */
static size_t
wa_time(const char *s, size_t n)
{
	size_t j = 8;

	if (n < 8 || !wa_nd(s, 2) || s[2] != ':' || !wa_nd(s + 3, 2) ||
	    s[5] != ':' || !wa_nd(s + 6, 2) || wa_num(s, 2) > 23 ||
	    wa_num(s + 3, 2) > 59 || wa_num(s + 6, 2) > 60)
		return 0;
	if (j < n && s[j] == '.') {
		for (j++; j < n && isdigit((unsigned char)s[j]); j++)
			;
		if (j == 9)
			return 0;
	}
	return j;
}

static bool
wa_datetime(const char *s, size_t n)
{
	size_t j;

	if ((j = wa_time(s, n)) != 0)
		return j == n;
	if (n < 10 || !wa_nd(s, 4) || s[4] != '-' || !wa_nd(s + 5, 2) ||
	    s[7] != '-' || !wa_nd(s + 8, 2) || wa_num(s + 5, 2) < 1 ||
	    wa_num(s + 5, 2) > 12 || wa_num(s + 8, 2) < 1 ||
	    wa_num(s + 8, 2) > 31)
		return false;
	if (n == 10)
		return true;
	if (strchr("Tt ", s[10]) == NULL || (j = wa_time(s + 11, n - 11)) == 0)
		return false;
	j += 11;
	if (j == n)
		return true;
	if ((s[j] == 'Z' || s[j] == 'z') && j + 1 == n)
		return true;
	return (s[j] == '+' || s[j] == '-') && n - j == 6 && wa_nd(s + j + 1,
	    2) && s[j + 3] == ':' && wa_nd(s + j + 4, 2) &&
	    wa_num(s + j + 1, 2) < 24 && wa_num(s + j + 4, 2) < 60;
}

/* A character of a number, boolean or date-time. */
static bool
wa_token(char c)
{
	return isalnum((unsigned char)c) || (c != '\0' &&
	    strchr("_+-.:", c) != NULL);
}

static int
wa_scalar(struct wa_tp *t, char **canon)
{
	size_t s = t->i, n;
	const char *p = t->s + s;
	char *out;

	while (t->i < t->n && wa_token(t->s[t->i]))
		t->i++;
	/* A date, a space and a time are one value. */
	if (t->i - s == 10 && t->i + 3 < t->n && t->s[t->i] == ' ' &&
	    isdigit((unsigned char)t->s[t->i + 1]) &&
	    isdigit((unsigned char)t->s[t->i + 2]) && t->s[t->i + 3] == ':' &&
	    p[4] == '-' && p[7] == '-')
		for (t->i++; t->i < t->n && wa_token(t->s[t->i]);)
			t->i++;
	n = t->i - s;
	if (n == 0)
		return wa_fail(t, "a value expected");
	if ((n == 4 && memcmp(p, "true", 4) == 0) || (n == 5 &&
	    memcmp(p, "false", 5) == 0))
		out = strdup(n == 4 ? "b:true" : "b:false");
	else if (wa_int(p, n))
		out = wa_canon_int(p, n);
	else if (wa_float(p, n) || wa_datetime(p, n)) {
		if (asprintf(&out, "%c:%.*s", wa_float(p, n) ? 'f' : 'd',
		    (int)n, p) < 0)
			out = NULL;
	} else {
		t->i = s;
		return wa_fail(t, "an invalid value '%.*s'", (int)(n > 40 ? 40 :
		    n), p);
	}
	if (out == NULL) {
		t->i = s;
		return wa_fail(t, "an integer out of range");
	}
	*canon = out;
	return 0;
}

/* --- values, tables ------------------------------------------------- */

static int wa_value(struct wa_tp *t, char *path, int *idx);

/* Walk the dotted prefix of a key from base: tables made as needed. */
static int
wa_prefix(struct wa_tp *t, const char *base, const struct wa_key *k,
    size_t n, enum wa_toml_kind make, char **out)
{
	char *p = strdup(base), *q;
	int j;

	for (size_t x = 0; p != NULL && x < n; x++) {
		q = wa_path_join(p, &k[x]);
		free(p);
		if ((p = q) == NULL)
			break;
		if ((j = wa_find(t->d, p)) < 0) {
			if (wa_add(t, strdup(p), "table", make) < 0)
				break;
			continue;
		}
		struct wa_toml_node *v = &t->d->v[j];

		if (make == WA_TOML_INLINE && v->kind == WA_TOML_INLINE)
			continue;
		if (make == WA_TOML_DOTTED && ((v->kind == WA_TOML_DOTTED &&
		    v->section == t->section) || v->kind ==
		    WA_TOML_IMPLICIT)) {
			v->kind = WA_TOML_DOTTED;
			v->section = t->section;
			continue;
		}
		free(p);
		return wa_fail(t, "%s cannot be extended by a dotted key "
		    "here", t->d->v[j].path);
	}
	if (p == NULL)
		return WA_ENOMEM;
	*out = p;
	return 0;
}

/* key = value, under base (a section, or an inline table). */
static int
wa_keyval(struct wa_tp *t, const char *base, bool in_inline, int *idx)
{
	struct wa_key k[WA_TOML_KEYS];
	size_t n = 0;
	char *parent = NULL, *leaf = NULL;
	int rc;

	if ((rc = wa_key(t, k, &n)) != 0)
		goto out;
	if (t->i >= t->n || t->s[t->i] != '=') {
		rc = wa_fail(t, "'=' expected after a key");
		goto out;
	}
	t->i++;
	wa_ws(t);
	if ((rc = wa_prefix(t, base, k, n - 1, in_inline ? WA_TOML_INLINE :
	    WA_TOML_DOTTED, &parent)) != 0)
		goto out;
	if ((leaf = wa_path_join(parent, &k[n - 1])) == NULL) {
		rc = WA_ENOMEM;
		goto out;
	}
	if (wa_find(t->d, leaf) >= 0) {
		rc = wa_fail(t, "%s is defined twice", leaf);
		goto out;
	}
	rc = wa_value(t, leaf, idx);
	leaf = NULL;
out:
	wa_keys_free(k, n);
	free(parent);
	free(leaf);
	return rc;
}

static int
wa_array(struct wa_tp *t, int at, const char *path)
{
	size_t k = 0;
	int rc, idx;

	t->i++;
	for (;;) {
		if ((rc = wa_ws_nl(t)) != 0)
			return rc;
		if (t->i < t->n && t->s[t->i] == ']')
			break;
		if ((rc = wa_value(t, wa_path_index(path, k++), &idx)) != 0)
			return rc;
		if ((rc = wa_ws_nl(t)) != 0)
			return rc;
		if (t->i < t->n && t->s[t->i] == ',') {
			t->i++;
			continue;
		}
		if (t->i >= t->n || t->s[t->i] != ']')
			return wa_fail(t, "',' or ']' expected in an array");
		break;
	}
	t->i++;
	t->d->v[at].end = t->i;
	return 0;
}

static int
wa_inline(struct wa_tp *t, int at, const char *path)
{
	int rc, idx;

	t->i++;
	wa_ws(t);
	if (t->i < t->n && t->s[t->i] == '}')
		goto done;
	for (;;) {
		if ((rc = wa_keyval(t, path, true, &idx)) != 0)
			return rc;
		wa_ws(t);
		if (t->i < t->n && t->s[t->i] == ',') {
			t->i++;
			continue;
		}
		if (t->i >= t->n || t->s[t->i] != '}')
			return wa_fail(t, "',' or '}' expected in an inline "
			    "table");
		break;
	}
done:
	t->i++;
	t->d->v[at].end = t->i;
	return 0;
}

/* The value at t->i, recorded as path (which it takes). */
static int
wa_value(struct wa_tp *t, char *path, int *idx)
{
	struct wa_sb b = { 0 };
	size_t start = t->i;
	char *canon = NULL, c;
	int rc = 0, at;

	if (path == NULL)
		return WA_ENOMEM;
	if (t->i >= t->n || wa_eol(t)) {
		free(path);
		return wa_fail(t, "a value expected");
	}
	if (++t->depth > WA_TOML_DEPTH) {
		free(path);
		return wa_fail(t, "values nested too deeply");
	}
	c = t->s[t->i];
	if (c == '[' || c == '{') {
		if ((at = wa_add(t, path, c == '[' ? "array" : "table", c ==
		    '[' ? WA_TOML_ARRAY : WA_TOML_INLINE)) < 0)
			return WA_ENOMEM;
		t->d->v[at].start = start;
		path = t->d->v[at].path;
		rc = c == '[' ? wa_array(t, at, path) : wa_inline(t, at, path);
		*idx = at;
		t->depth--;
		return rc;
	}
	if (c == '"' || c == '\'') {
		if ((rc = wa_string(t, &b, true)) == 0 &&
		    (canon = b.failed ? NULL : wa_canon_string(&b)) == NULL)
			rc = WA_ENOMEM;
		free(b.p);
	} else
		rc = wa_scalar(t, &canon);
	t->depth--;
	if (rc != 0) {
		free(path);
		return rc;
	}
	at = wa_add(t, path, canon, WA_TOML_VALUE);
	free(canon);
	if (at < 0)
		return WA_ENOMEM;
	t->d->v[at].start = start;
	t->d->v[at].end = t->i;
	*idx = at;
	return 0;
}

/* [a.b] or [[a.b]], at its '['. */
static int
wa_header(struct wa_tp *t, size_t line)
{
	struct wa_key k[WA_TOML_KEYS];
	size_t n = 0, start = t->i;
	bool aot = t->i + 1 < t->n && t->s[t->i + 1] == '[';
	char *parent = NULL, *p = NULL;
	int rc, j;

	t->i += aot ? 2 : 1;
	if ((rc = wa_key(t, k, &n)) != 0)
		goto out;
	if (t->i >= t->n || t->s[t->i] != ']' || (aot && (t->i + 1 >= t->n ||
	    t->s[t->i + 1] != ']'))) {
		rc = wa_fail(t, "'%s' expected after a table name", aot ?
		    "]]" : "]");
		goto out;
	}
	t->i += aot ? 2 : 1;
	/* The tables on the way: made implicitly, or the last of an array. */
	parent = strdup("");
	for (size_t x = 0; parent != NULL && x + 1 < n; x++) {
		char *q = wa_path_join(parent, &k[x]);

		free(parent);
		if ((parent = q) == NULL)
			break;
		if ((j = wa_find(t->d, q)) < 0) {
			if (wa_add(t, strdup(q), "table", WA_TOML_IMPLICIT) < 0) {
				free(parent);
				parent = NULL;
			}
		} else if (t->d->v[j].kind == WA_TOML_AOT) {
			parent = wa_path_index(q, t->d->v[j].count - 1);
			free(q);
		} else if (t->d->v[j].kind == WA_TOML_INLINE ||
		    t->d->v[j].kind <= WA_TOML_ARRAY) {
			rc = wa_fail(t, "%s is not a table that can be "
			    "extended", q);
			goto out;
		}
	}
	if (parent == NULL || (p = wa_path_join(parent, &k[n - 1])) == NULL) {
		rc = WA_ENOMEM;
		goto out;
	}
	j = wa_find(t->d, p);
	if (!aot) {
		if (j >= 0 && t->d->v[j].kind != WA_TOML_IMPLICIT) {
			rc = wa_fail(t, "table %s is defined twice", p);
			goto out;
		}
		if (j < 0 && (j = wa_add(t, p, "table", WA_TOML_TABLE)) < 0) {
			p = NULL;
			rc = WA_ENOMEM;
			goto out;
		}
		if (t->d->v[j].path == p)
			p = NULL;
		t->d->v[j].kind = WA_TOML_TABLE;
	} else {
		if (j >= 0 && t->d->v[j].kind != WA_TOML_AOT) {
			rc = wa_fail(t, "%s is not an array of tables", p);
			goto out;
		}
		if (j < 0) {
			if ((j = wa_add(t, p, "tables", WA_TOML_AOT)) < 0) {
				p = NULL;
				rc = WA_ENOMEM;
				goto out;
			}
			p = NULL;
		}
		if ((j = wa_add(t, wa_path_index(t->d->v[j].path,
		    t->d->v[j].count++), "table", WA_TOML_TABLE)) < 0) {
			rc = WA_ENOMEM;
			goto out;
		}
	}
	t->d->v[j].header = true;
	t->d->v[j].section = j;
	t->d->v[j].start = start;
	t->d->v[j].end = t->i;
	t->d->v[j].stmt = line;
	free(t->table);
	if ((t->table = strdup(t->d->v[j].path)) == NULL)
		rc = WA_ENOMEM;
	t->section = j;
	if (line < t->d->first_header)
		t->d->first_header = line;
out:
	wa_keys_free(k, n);
	free(parent);
	free(p);
	return rc;
}

static int
wa_comment_line(struct wa_toml_doc *d, size_t line)
{
	size_t *nc;

	if (d->ncomments == d->ccap) {
		size_t cap = d->ccap != 0 ? d->ccap * 2 : 16;

		if ((nc = realloc(d->comments, cap * sizeof *nc)) == NULL)
			return WA_ENOMEM;
		d->comments = nc;
		d->ccap = cap;
	}
	d->comments[d->ncomments++] = line;
	return 0;
}

/* One line's statement: a header, key = value, or nothing; a comment. */
static int
wa_statement(struct wa_tp *t)
{
	size_t line = t->i;
	int rc = 0, at = -1;

	wa_ws(t);
	if (t->i < t->n && t->s[t->i] == '#')
		rc = wa_comment_line(t->d, line);
	else if (t->i < t->n && t->s[t->i] == '[')
		rc = wa_header(t, line);
	else if (!wa_eol(t)) {
		rc = wa_keyval(t, t->table, false, &at);
		if (rc == 0) {
			t->d->v[at].stmt = line;
			t->d->v[at].section = t->section;
		}
	}
	if (rc != 0)
		return rc;
	wa_ws(t);
	if (t->i < t->n && t->s[t->i] == '#' && (rc = wa_comment(t)) != 0)
		return rc;
	if (!wa_eol(t))
		return wa_fail(t, "the end of the line expected");
	if (at >= 0)
		t->d->v[at].stmt_end = t->i;
	else if (t->section >= 0 && t->d->v[t->section].stmt == line)
		t->d->v[t->section].stmt_end = t->i;
	return wa_newline(t);
}

int
wa_toml_read(const char *text, size_t len, struct wa_toml_doc *d)
{
	struct wa_tp t = { text, len, 0, d, NULL, -1, 0 };
	const char *nl;
	int rc = 0;

	memset(d, 0, sizeof *d);
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		d->bom = t.i = 3;
	d->first_header = len;
	d->crlf = (nl = memchr(text, '\n', len)) != NULL && nl > text &&
	    nl[-1] == '\r';
	if ((t.table = strdup("")) == NULL)
		return WA_ENOMEM;
	while (rc == 0 && t.i < t.n)
		rc = wa_statement(&t);
	free(t.table);
	if (rc == WA_ENOMEM && d->err[0] == '\0')
		snprintf(d->err, sizeof d->err, "out of memory");
	return rc;
}

void
wa_toml_doc_free(struct wa_toml_doc *d)
{
	for (size_t j = 0; j < d->n; j++) {
		free(d->v[j].path);
		free(d->v[j].canon);
	}
	free(d->v);
	free(d->comments);
	memset(d, 0, sizeof *d);
}
