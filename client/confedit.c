/*
 * confedit.c: set the offset in a product's own files, changing nothing
 * else: every other line, comment and line ending stays as it was.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confedit.h"
#include "safeio.h"
#include "toml.h"
#include "util.h"
#include "wso2alloc.h"
#include "xmlscan.h"

struct wa_lines {
	char **v;               /* each line without its ending */
	size_t n;
	bool crlf;
	bool final_newline;
};

static void
wa_lines_free(struct wa_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static int
wa_lines_push(struct wa_lines *l, const char *s, size_t n, size_t at)
{
	char **nv = realloc(l->v, (l->n + 1) * sizeof *nv), *line;

	if (nv == NULL)
		return WA_ENOMEM;
	l->v = nv;
	if ((line = strndup(s, n)) == NULL)
		return WA_ENOMEM;
	memmove(l->v + at + 1, l->v + at, (l->n - at) * sizeof *l->v);
	l->v[at] = line;
	l->n++;
	return 0;
}

static int
wa_lines_split(const char *text, struct wa_lines *l)
{
	const char *p = text, *nl;
	size_t n;

	memset(l, 0, sizeof *l);
	l->crlf = (nl = strchr(text, '\n')) != NULL && nl > text && nl[-1] == '\r';
	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (wa_lines_push(l, p, n, l->n) != 0)
			return WA_ENOMEM;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	l->final_newline = *text == '\0' || text[strlen(text) - 1] == '\n';
	return 0;
}

/* One change: [at, at + del) of the text becomes ins (malloc'd). */
struct wa_splice {
	size_t at, del;
	char *ins;
};

static char *
wa_splice_apply(const char *in, size_t len, const struct wa_splice *e)
{
	size_t n = strlen(e->ins);
	char *out;

	if ((out = malloc(len - e->del + n + 1)) == NULL)
		return NULL;
	memcpy(out, in, e->at);
	memcpy(out + e->at, e->ins, n);
	memcpy(out + e->at + n, in + e->at + e->del, len - e->at - e->del);
	out[len - e->del + n] = '\0';
	return out;
}

static int
wa_splice_set(struct wa_splice *e, size_t at, size_t del, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
wa_splice_set(struct wa_splice *e, size_t at, size_t del, const char *fmt,
    ...)
{
	va_list ap;
	int n;

	e->at = at;
	e->del = del;
	va_start(ap, fmt);
	n = vasprintf(&e->ins, fmt, ap);
	va_end(ap);
	if (n < 0) {
		e->ins = NULL;
		return WA_ENOMEM;
	}
	return 0;
}

/* Just past the line ending at eol (a '\r', '\n' or the text's end). */
static size_t
wa_past_eol(const char *in, size_t len, size_t eol)
{
	if (eol < len && in[eol] == '\r')
		eol++;
	return eol < len ? eol + 1 : len;
}

/* An existing value: a number replaced, a string's digits in its quotes. */
static int
wa_plan_value(const struct wa_toml_node *o, const char *in, int offset,
    struct wa_splice *e, char *err, size_t errlen)
{
	char q = in[o->start];

	if (o->kind != WA_TOML_VALUE) {
		snprintf(err, errlen, "server.offset is %s, not a number",
		    o->kind == WA_TOML_ARRAY ? "an array" : "a table");
		return WA_EINVAL;
	}
	if (o->canon[0] == 's')
		return wa_splice_set(e, o->start, o->end - o->start, "%c%d%c",
		    q, offset, q);
	return wa_splice_set(e, o->start, o->end - o->start, "%d", offset);
}

/* `# offset = N` in [server]: its line, or 0 (never a section's first). */
static size_t
wa_commented_offset(const struct wa_toml_doc *d, const char *in, size_t len,
    const struct wa_toml_node *s)
{
	size_t end = len;

	for (size_t j = 0; j < d->n; j++)
		if (d->v[j].header && d->v[j].stmt > s->stmt &&
		    d->v[j].stmt < end)
			end = d->v[j].stmt;
	for (size_t j = 0; j < d->ncomments; j++) {
		const char *p = in + d->comments[j];

		if (d->comments[j] <= s->stmt || d->comments[j] >= end)
			continue;
		p += strspn(p, " \t");
		p += 1 + strspn(p + 1, " \t");
		if (strncmp(p, "offset", 6) == 0 && p[6 + strspn(p + 6,
		    " \t")] == '=')
			return d->comments[j];
	}
	return 0;
}

/* A [server] table: its commented offset uncommented, else a line under
 * the header. */
static int
wa_plan_header(const struct wa_toml_doc *d, const struct wa_toml_node *s,
    const char *in, size_t len, int offset, const char *nl,
    struct wa_splice *e)
{
	size_t c = wa_commented_offset(d, in, len, s), eol;

	if (c != 0) {
		eol = c + strcspn(in + c, "\r\n");
		return wa_splice_set(e, c, eol - c, "%.*soffset = %d",
		    (int)strspn(in + c, " \t"), in + c, offset);
	}
	if (s->stmt_end >= len)
		return wa_splice_set(e, len, 0, "%soffset = %d", nl, offset);
	return wa_splice_set(e, wa_past_eol(in, len, s->stmt_end), 0,
	    "offset = %d%s", offset, nl);
}

/* server made by root dotted keys: one more, after the last of them. */
static int
wa_plan_dotted(const struct wa_toml_doc *d, const char *in, size_t len,
    int offset, const char *nl, struct wa_splice *e)
{
	size_t last = 0;

	for (size_t j = 0; j < d->n; j++)
		if (d->v[j].section < 0 && d->v[j].stmt_end > last &&
		    strncmp(d->v[j].path, "server.", 7) == 0)
			last = d->v[j].stmt_end;
	if (last >= len)
		return wa_splice_set(e, len, 0, "%sserver.offset = %d", nl,
		    offset);
	return wa_splice_set(e, wa_past_eol(in, len, last), 0,
	    "server.offset = %d%s", offset, nl);
}

/* server = { ... }: the key goes first inside the braces. */
static int
wa_plan_inline(const struct wa_toml_node *s, const char *in, int offset,
    struct wa_splice *e)
{
	size_t p = s->start + 1 + strspn(in + s->start + 1, " \t");

	if (in[p] == '}')
		return wa_splice_set(e, s->start, s->end - s->start,
		    "{ offset = %d }", offset);
	return wa_splice_set(e, p, 0, "offset = %d, ", offset);
}

/* No [server] yet: before the first table, so no root key falls under it. */
static int
wa_plan_table(const struct wa_toml_doc *d, const char *in, size_t len,
    int offset, const char *nl, struct wa_splice *e)
{
	bool unended = len > d->bom && in[len - 1] != '\n';
	bool blank = len == d->bom || (!unended && (len - d->bom < 2 ||
	    in[len - 2 - (len >= 3 && in[len - 2] == '\r')] == '\n'));

	if (d->first_header < len)
		return wa_splice_set(e, d->first_header, 0,
		    "[server]%soffset = %d%s%s", nl, offset, nl, nl);
	return wa_splice_set(e, len, 0, "%s%s[server]%soffset = %d%s",
	    unended ? nl : "", blank ? "" : nl, nl, offset, nl);
}

static int
wa_toml_plan(const struct wa_toml_doc *d, const char *in, size_t len,
    int offset, struct wa_splice *e, char *err, size_t errlen)
{
	const struct wa_toml_node *o = wa_toml_find(d, "server.offset");
	const struct wa_toml_node *s = wa_toml_find(d, "server");
	const char *nl = d->crlf ? "\r\n" : "\n";

	if (o != NULL)
		return wa_plan_value(o, in, offset, e, err, errlen);
	if (s == NULL || s->kind == WA_TOML_IMPLICIT)
		return wa_plan_table(d, in, len, offset, nl, e);
	switch (s->kind) {
	case WA_TOML_TABLE:
		return wa_plan_header(d, s, in, len, offset, nl, e);
	case WA_TOML_DOTTED:
		return wa_plan_dotted(d, in, len, offset, nl, e);
	case WA_TOML_INLINE:
		return wa_plan_inline(s, in, offset, e);
	default:
		snprintf(err, errlen, "server is %s, not a table",
		    s->kind == WA_TOML_AOT ? "an array of tables" : "a value");
		return WA_EINVAL;
	}
}

static int
wa_node_cmp(const void *a, const void *b)
{
	const struct wa_toml_node *x = *(const struct wa_toml_node *const *)a;
	const struct wa_toml_node *y = *(const struct wa_toml_node *const *)b;
	int c = strcmp(x->path, y->path);

	return c != 0 ? c : strcmp(x->canon, y->canon);
}

/* Every node but server and server.offset, in order. */
static const struct wa_toml_node **
wa_toml_others(const struct wa_toml_doc *d, size_t *n)
{
	const struct wa_toml_node **v = calloc(d->n + 1, sizeof *v);

	*n = 0;
	if (v == NULL)
		return NULL;
	for (size_t j = 0; j < d->n; j++)
		if (strcmp(d->v[j].path, "server") != 0 &&
		    strcmp(d->v[j].path, "server.offset") != 0)
			v[(*n)++] = &d->v[j];
	qsort(v, *n, sizeof *v, wa_node_cmp);
	return v;
}

/* The edit read back: [server] offset = K, every other value as it was. */
static int
wa_toml_verify(const struct wa_toml_doc *before, const char *text,
    int offset, char *err, size_t errlen)
{
	const struct wa_toml_node **a = NULL, **b = NULL, *o, *s;
	struct wa_toml_doc after;
	char want[2][24];
	size_t na, nb, j;
	int rc = WA_EINTERNAL;

	if (wa_toml_read(text, strlen(text), &after) != 0) {
		snprintf(err, errlen, "the edit does not read back as TOML "
		    "(%s)", after.err);
		goto out;
	}
	snprintf(want[0], sizeof want[0], "i:%d", offset);
	snprintf(want[1], sizeof want[1], "s:%d", offset);
	o = wa_toml_find(&after, "server.offset");
	s = wa_toml_find(&after, "server");
	if (o == NULL || s == NULL || o->kind != WA_TOML_VALUE ||
	    (strcmp(o->canon, want[0]) != 0 && strcmp(o->canon, want[1]) != 0)) {
		snprintf(err, errlen, "the edit does not read back as [server] "
		    "offset = %d", offset);
		goto out;
	}
	if ((a = wa_toml_others(before, &na)) == NULL ||
	    (b = wa_toml_others(&after, &nb)) == NULL) {
		rc = WA_ENOMEM;
		goto out;
	}
	for (j = 0; j < na && j < nb && wa_node_cmp(&a[j], &b[j]) == 0; j++)
		;
	if (j < na || j < nb) {
		snprintf(err, errlen, "the edit would change %s",
		    j < na ? a[j]->path : b[j]->path);
		goto out;
	}
	rc = 0;
out:
	free(a);
	free(b);
	wa_toml_doc_free(&after);
	return rc;
}

int
wa_toml_set_offset(const char *in, int offset, char **out, char *err,
    size_t errlen)
{
	struct wa_toml_doc d;
	struct wa_splice e = { 0, 0, NULL };
	size_t len = strlen(in);
	int rc;

	*out = NULL;
	if ((rc = wa_toml_read(in, len, &d)) != 0) {
		snprintf(err, errlen, "not TOML: %s", d.err);
		goto out;
	}
	if ((rc = wa_toml_plan(&d, in, len, offset, &e, err, errlen)) != 0)
		goto out;
	if ((*out = wa_splice_apply(in, len, &e)) == NULL) {
		rc = WA_ENOMEM;
		goto out;
	}
	if ((rc = wa_toml_verify(&d, *out, offset, err, errlen)) != 0) {
		free(*out);
		*out = NULL;
	}
out:
	free(e.ins);
	wa_toml_doc_free(&d);
	return rc;
}

/* The text of the first <tag> (a child of the first <parent>): value. */
static int
wa_xml_plan(const struct wa_xml_doc *d, const char *in, const char *parent,
    const char *tag, int value, struct wa_splice *e)
{
	int t = wa_xml_find(d, in, parent, tag);
	const struct wa_xml_event *ev;

	if (t < 0)
		return WA_ENOTFOUND;
	ev = &d->v[t];
	if (ev->kind == WA_XML_EMPTY)
		return wa_splice_set(e, ev->end - 2, 2, ">%d</%.*s>", value,
		    (int)ev->name_len, in + ev->name);
	for (int j = t + 1; j < ev->close; j++)
		if (d->v[j].kind != WA_XML_TEXT)
			return WA_EINVAL;
	return wa_splice_set(e, ev->end, d->v[ev->close].start - ev->end,
	    "%d", value);
}

static bool
wa_xml_same(const struct wa_xml_doc *a, const char *ta, size_t ia,
    const struct wa_xml_doc *b, const char *tb, size_t ib)
{
	const struct wa_xml_event *x = &a->v[ia], *y = &b->v[ib];

	return x->kind == y->kind && x->end - x->start == y->end - y->start &&
	    memcmp(ta + x->start, tb + y->start, x->end - x->start) == 0;
}

/* Events [a0, a1) of a and [b0, b1) of b: the same markup and text. */
static bool
wa_xml_run(const struct wa_xml_doc *a, const char *ta, size_t a0, size_t a1,
    const struct wa_xml_doc *b, const char *tb, size_t b0, size_t b1)
{
	if (a1 - a0 != b1 - b0)
		return false;
	for (size_t j = 0; j < a1 - a0; j++)
		if (!wa_xml_same(a, ta, a0 + j, b, tb, b0 + j))
			return false;
	return true;
}

/* The edit read back: the element holds value as its only text, its tag
 * and every other event as they were. */
static int
wa_xml_verify(const struct wa_xml_doc *b, const char *in, const char *out,
    const char *parent, const char *tag, int value)
{
	struct wa_xml_doc a;
	const struct wa_xml_event *x, *y;
	char want[24];
	size_t tail;
	int t, u, rc = WA_EINTERNAL;

	if (wa_xml_read(out, strlen(out), &a) != 0)
		goto out;
	t = wa_xml_find(b, in, parent, tag);
	u = wa_xml_find(&a, out, parent, tag);
	if (t < 0 || t != u || a.v[u].kind != WA_XML_START ||
	    a.v[u].close != u + 2 || a.v[u + 1].kind != WA_XML_TEXT)
		goto out;
	x = &b->v[t];
	y = &a.v[u];
	snprintf(want, sizeof want, "%d", value);
	tail = x->kind == WA_XML_EMPTY ? 2 : 1;
	if (!wa_xml_run(b, in, 0, (size_t)t, &a, out, 0, (size_t)u) ||
	    x->end - x->start - tail != y->end - y->start - 1 ||
	    memcmp(in + x->start, out + y->start, y->end - y->start - 1) != 0 ||
	    a.v[u + 1].end - a.v[u + 1].start != strlen(want) ||
	    memcmp(out + a.v[u + 1].start, want, strlen(want)) != 0 ||
	    !wa_xml_run(b, in, x->kind == WA_XML_EMPTY ? (size_t)t + 1 :
	    (size_t)x->close + 1, b->n, &a, out, (size_t)u + 3, a.n))
		goto out;
	rc = 0;
out:
	wa_xml_doc_free(&a);
	return rc;
}

int
wa_xml_set(const char *in, const char *parent, const char *tag, int value,
    char **out)
{
	struct wa_xml_doc d;
	struct wa_splice e = { 0, 0, NULL };
	int rc;

	*out = NULL;
	if ((rc = wa_xml_read(in, strlen(in), &d)) != 0 ||
	    (rc = wa_xml_plan(&d, in, parent, tag, value, &e)) != 0)
		goto out;
	if ((*out = wa_splice_apply(in, strlen(in), &e)) == NULL)
		rc = WA_ENOMEM;
	else if ((rc = wa_xml_verify(&d, in, *out, parent, tag, value)) != 0) {
		free(*out);
		*out = NULL;
	}
out:
	free(e.ins);
	wa_xml_doc_free(&d);
	return rc;
}

int
wa_carbon_xml_set_offset(const char *in, int offset, char **out)
{
	return wa_xml_set(in, "Ports", "Offset", offset, out);
}

/* The port digits of the first <address uri="scheme://host:PORT...">. */
static int
wa_address_port(const struct wa_xml_doc *d, const char *in, int *ev,
    size_t *p0, size_t *p1)
{
	size_t s, e, h;

	for (size_t j = 0; j < d->n; j++) {
		if ((d->v[j].kind != WA_XML_START && d->v[j].kind !=
		    WA_XML_EMPTY) || d->v[j].name_len != 7 ||
		    memcmp(in + d->v[j].name, "address", 7) != 0 ||
		    wa_xml_attr(d, in, (int)j, "uri", &s, &e) != 0)
			continue;
		const char *sep = memmem(in + s, e - s, "://", 3);

		if (sep == NULL)
			return WA_ENOTFOUND;
		h = (size_t)(sep - in) + 3;
		h += strcspn(in + h, ":/\"'");
		if (h >= e || in[h] != ':')
			return WA_ENOTFOUND;
		*p0 = ++h;
		while (h < e && isdigit((unsigned char)in[h]))
			h++;
		if (h == *p0)
			return WA_ENOTFOUND;
		*p1 = h;
		*ev = (int)j;
		return 0;
	}
	return WA_ENOTFOUND;
}

int
wa_address_set_port(const char *in, int port, char **out)
{
	struct wa_xml_doc d, a;
	struct wa_splice e = { 0, 0, NULL };
	size_t p0, p1, q0, q1;
	int rc, t, u;

	*out = NULL;
	memset(&a, 0, sizeof a);
	if ((rc = wa_xml_read(in, strlen(in), &d)) != 0 ||
	    (rc = wa_address_port(&d, in, &t, &p0, &p1)) != 0 ||
	    (rc = wa_splice_set(&e, p0, p1 - p0, "%d", port)) != 0)
		goto out;
	if ((*out = wa_splice_apply(in, strlen(in), &e)) == NULL) {
		rc = WA_ENOMEM;
		goto out;
	}
	/* Read back: the same events, but the port in that one tag. */
	rc = WA_EINTERNAL;
	if (wa_xml_read(*out, strlen(*out), &a) == 0 &&
	    wa_address_port(&a, *out, &u, &q0, &q1) == 0 && t == u &&
	    q0 == p0 && q1 - q0 == strlen(e.ins) &&
	    memcmp(*out + q0, e.ins, q1 - q0) == 0 &&
	    wa_xml_run(&d, in, 0, (size_t)t, &a, *out, 0, (size_t)u) &&
	    wa_xml_run(&d, in, (size_t)t + 1, d.n, &a, *out, (size_t)u + 1,
	    a.n))
		rc = 0;
	else {
		free(*out);
		*out = NULL;
	}
out:
	free(e.ins);
	wa_xml_doc_free(&d);
	wa_xml_doc_free(&a);
	return rc;
}

/* Longest common subsequence table, for a line diff of small files. */
static int
wa_diff_hunks(const struct wa_lines *a, const struct wa_lines *b, FILE *f)
{
	size_t n = a->n, m = b->n, i, j, k;
	unsigned *t;
	struct op { char kind; size_t ai, bi; } *ops;
	size_t nops = 0;

	if ((t = calloc((n + 1) * (m + 1), sizeof *t)) == NULL)
		return WA_ENOMEM;
	for (i = n; i-- > 0;)
		for (j = m; j-- > 0;)
			t[i * (m + 1) + j] = strcmp(a->v[i], b->v[j]) == 0 ?
			    t[(i + 1) * (m + 1) + j + 1] + 1 :
			    (t[(i + 1) * (m + 1) + j] > t[i * (m + 1) + j + 1] ?
			    t[(i + 1) * (m + 1) + j] : t[i * (m + 1) + j + 1]);
	if ((ops = calloc(n + m + 1, sizeof *ops)) == NULL) {
		free(t);
		return WA_ENOMEM;
	}
	for (i = 0, j = 0; i < n || j < m;) {
		if (i < n && j < m && strcmp(a->v[i], b->v[j]) == 0)
			ops[nops++] = (struct op){ ' ', i++, j++ };
		else if (i < n && (j == m || t[(i + 1) * (m + 1) + j] >=
		    t[i * (m + 1) + j + 1]))
			ops[nops++] = (struct op){ '-', i++, j };
		else
			ops[nops++] = (struct op){ '+', i, j++ };
	}
	/* Hunks: changes with three lines of context around them. */
	for (k = 0; k < nops;) {
		size_t s, e, last, ac = 0, bc = 0;

		while (k < nops && ops[k].kind == ' ')
			k++;
		if (k == nops)
			break;
		s = k >= 3 ? k - 3 : 0;
		last = k;
		for (e = k; e < nops; e++) {
			if (ops[e].kind != ' ')
				last = e;
			else if (e - last > 6)
				break;
		}
		e = last + 4 < nops ? last + 4 : nops;
		for (size_t x = s; x < e; x++) {
			ac += ops[x].kind != '+';
			bc += ops[x].kind != '-';
		}
		fprintf(f, "@@ -%zu,%zu +%zu,%zu @@\n", ops[s].ai + (ac > 0),
		    ac, ops[s].bi + (bc > 0), bc);
		for (size_t x = s; x < e; x++)
			fprintf(f, "%c%s\n", ops[x].kind, ops[x].kind == '+' ?
			    b->v[ops[x].bi] : a->v[ops[x].ai]);
		k = e;
	}
	free(ops);
	free(t);
	return 0;
}

char *
wa_unified_diff(const char *path, const char *a, const char *b)
{
	struct wa_lines la, lb;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (strcmp(a, b) == 0)
		return strdup("");
	if (wa_lines_split(a, &la) != 0 || wa_lines_split(b, &lb) != 0 ||
	    (f = open_memstream(&out, &len)) == NULL)
		return NULL;
	fprintf(f, "--- %s\n+++ %s\n", path, path);
	wa_diff_hunks(&la, &lb, f);
	fclose(f);
	wa_lines_free(&la);
	wa_lines_free(&lb);
	return out;
}

int
wa_file_replace(const char *path, const char *text, size_t len, bool backup)
{
	struct wa_safe_file *f;
	char why[256];
	int rc;

	if ((rc = wa_safe_open(&f, path, why, sizeof why)) != 0)
		return rc;
	rc = wa_safe_replace(f, text, len, backup, why, sizeof why);
	wa_safe_close(f);
	return rc;
}
