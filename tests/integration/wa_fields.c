/*
 * wa_fields.c: checks the daemon's answers against the field tables of
 * the documents (docs/protocol.md, schema/products/README.md).
 *
 *   wa_fields --ops DOC...              print the documented ops
 *   wa_fields --dump DOC...             print what was read of the tables
 *   wa_fields DOC... -- REQUESTS ANSWERS
 *                                       check each answer (one JSON line)
 *                                       against its request's op: exactly
 *                                       the documented fields, of the
 *                                       documented types, recursively
 *
 * What is read from the documents: a table under a line starting with
 * **NAME** whose header's first cell is "field" describes object NAME
 * (rows: `field`[, `field`] | type, or yes/no for required | note); the
 * table whose header's first cell is "op" lists the ops, and in its third
 * cell the answer's fields are the `names` outside parentheses, each with
 * its note in the parentheses after it.  A type: string, integer,
 * boolean, object, null, array [of strings|integers|objects|arrays|
 * **NAME**] or **NAME**, joined by "or".  A note beginning with "when" or
 * "only when" makes the field optional.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define WA_T_STRING	0x01
#define WA_T_INTEGER	0x02
#define WA_T_BOOLEAN	0x04
#define WA_T_OBJECT	0x08
#define WA_T_NULL	0x10
#define WA_T_ARRAY	0x20

#define WA_NAME_MAX	48
#define WA_FIELDS_MAX	64
#define WA_SHAPES_MAX	32

struct wa_type {
	unsigned mask;              /* 0: not documented, not checked */
	unsigned elem;              /* an array's element types */
	char obj[WA_NAME_MAX];      /* the object an object value is */
	char elem_obj[WA_NAME_MAX]; /* the object an array's elements are */
};

struct wa_field {
	char name[WA_NAME_MAX];
	struct wa_type t;
	bool optional;
};

struct wa_shape {
	char name[WA_NAME_MAX];
	struct wa_field f[WA_FIELDS_MAX];
	size_t n;
	long answered;
};

struct wa_doc {
	struct wa_shape objs[WA_SHAPES_MAX], ops[WA_SHAPES_MAX];
	size_t nobjs, nops;
	long fails;
};

static void
wa_fail(struct wa_doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
wa_fail(struct wa_doc *d, const char *fmt, ...)
{
	va_list ap;

	d->fails++;
	fputs("FAIL - ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *
wa_skip(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The word at s if it is w (not a prefix of a longer word). */
static bool
wa_word(const char *s, const char *w, const char **end)
{
	size_t n = strlen(w);

	if (strncmp(s, w, n) != 0 || isalnum((unsigned char)s[n]) ||
	    s[n] == '_')
		return false;
	*end = s + n;
	return true;
}

/* **NAME** at s: copy NAME, return the text after it, or NULL. */
static const char *
wa_bold(const char *s, char *name)
{
	const char *e;

	if (strncmp(s, "**", 2) != 0 || (e = strstr(s + 2, "**")) == NULL ||
	    e - (s + 2) >= WA_NAME_MAX || e == s + 2)
		return NULL;
	memcpy(name, s + 2, (size_t)(e - (s + 2)));
	name[e - (s + 2)] = '\0';
	return e + 2;
}

static unsigned
wa_type_word(const char *s, const char **end)
{
	static const struct { const char *w; unsigned t; } words[] = {
		{ "string", WA_T_STRING }, { "integer", WA_T_INTEGER },
		{ "boolean", WA_T_BOOLEAN }, { "object", WA_T_OBJECT },
		{ "null", WA_T_NULL }, { "strings", WA_T_STRING },
		{ "integers", WA_T_INTEGER }, { "objects", WA_T_OBJECT },
		{ "arrays", WA_T_ARRAY },
	};

	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (wa_word(s, words[i].w, end))
			return words[i].t;
	return 0;
}

/* A type at the start of s; t->mask stays 0 when s does not begin with one. */
static void
wa_type_parse(const char *s, struct wa_type *t)
{
	const char *e;
	unsigned w;

	memset(t, 0, sizeof *t);
	for (s = wa_skip(s);; s = wa_skip(e)) {
		if ((e = wa_bold(s, t->obj)) != NULL)
			t->mask |= WA_T_OBJECT;
		else if (wa_word(s, "array", &e)) {
			t->mask |= WA_T_ARRAY;
			if (wa_word(wa_skip(e), "of", &e)) {
				s = wa_skip(e);
				if ((e = wa_bold(s, t->elem_obj)) != NULL)
					t->elem = WA_T_OBJECT;
				else if ((t->elem = wa_type_word(s, &e)) == 0)
					return;
			}
		} else if ((w = wa_type_word(s, &e)) != 0)
			t->mask |= w;
		else
			return;
		if (!wa_word(wa_skip(e), "or", &e))
			return;
	}
}

static bool
wa_note_optional(const char **note)
{
	const char *s = wa_skip(*note), *e;

	if (wa_word(s, "only", &e))
		s = wa_skip(e);
	if (!wa_word(s, "when", &e))
		return false;
	/* The type, if any, follows the condition's colon. */
	*note = (e = strchr(e, ':')) != NULL ? e + 1 : "";
	return true;
}

static struct wa_field *
wa_field_add(struct wa_doc *d, struct wa_shape *sh, const char *name,
    size_t len)
{
	struct wa_field *f;

	if (sh->n == WA_FIELDS_MAX || len == 0 || len >= WA_NAME_MAX) {
		wa_fail(d, "%s: a field name too long, or too many", sh->name);
		return NULL;
	}
	f = &sh->f[sh->n++];
	memset(f, 0, sizeof *f);
	memcpy(f->name, name, len);
	return f;
}

/* Split a table line into at most max trimmed cells (modified in place). */
static size_t
wa_cells(char *line, char **cell, size_t max)
{
	size_t n = 0;
	char *p = strchr(line, '|'), *q, *e;

	while (p != NULL && n < max) {
		if ((q = strchr(p + 1, '|')) == NULL)
			break;
		*q = '\0';
		p = (char *)wa_skip(p + 1);
		for (e = q; e > p && isspace((unsigned char)e[-1]); e--)
			e[-1] = '\0';
		cell[n++] = p;
		p = q;
	}
	return n;
}

/* An object table's row: `a`[, `b`] | type or yes/no | note. */
static void
wa_obj_row(struct wa_doc *d, struct wa_shape *sh, char **cell, size_t n)
{
	const char *p = cell[0], *q, *note = n > 2 ? cell[2] : "";
	struct wa_type t;
	bool optional, yesno;

	yesno = strcmp(cell[1], "yes") == 0 || strcmp(cell[1], "no") == 0;
	optional = yesno ? strcmp(cell[1], "no") == 0 :
	    wa_note_optional(&note);
	if (yesno)
		wa_type_parse(note, &t);
	else
		wa_type_parse(cell[1], &t);
	while ((p = strchr(p, '`')) != NULL && (q = strchr(p + 1, '`')) !=
	    NULL) {
		struct wa_field *f = wa_field_add(d, sh, p + 1,
		    (size_t)(q - p - 1));

		if (f != NULL) {
			f->t = t;
			f->optional = optional;
		}
		p = q + 1;
	}
}

/* The end of the parenthesis opened at p (backquoted text skipped). */
static const char *
wa_paren_end(const char *p)
{
	int depth = 0;

	for (; *p != '\0'; p++) {
		if (*p == '`' && strchr(p + 1, '`') != NULL)
			p = strchr(p + 1, '`');
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p;
	}
	return p;
}

/* An op's answer: the `names` outside parentheses, each with its note. */
static void
wa_op_row(struct wa_doc *d, struct wa_shape *sh, const char *p)
{
	char note[1024];
	const char *q, *e, *n;
	struct wa_field *f;

	while (*p != '\0') {
		if (*p == '(') {
			p = *(e = wa_paren_end(p)) != '\0' ? e + 1 : e;
			continue;
		}
		if (*p != '`' || (q = strchr(p + 1, '`')) == NULL) {
			p++;
			continue;
		}
		if (strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_") !=
		    (size_t)(q - p - 1) || (f = wa_field_add(d, sh, p + 1,
		    (size_t)(q - p - 1))) == NULL) {
			p = q + 1;
			continue;
		}
		p = wa_skip(q + 1);
		if (*p != '(')
			continue;
		e = wa_paren_end(p);
		snprintf(note, sizeof note, "%.*s", (int)(e - p - 1), p + 1);
		n = note;
		f->optional = wa_note_optional(&n);
		wa_type_parse(n, &f->t);
		p = *e != '\0' ? e + 1 : e;
	}
}

static struct wa_shape *
wa_shape_new(struct wa_doc *d, bool op, const char *name, size_t len)
{
	struct wa_shape *sh;

	if ((op ? d->nops : d->nobjs) == WA_SHAPES_MAX ||
	    len >= WA_NAME_MAX) {
		wa_fail(d, "too many tables, or a long name");
		return NULL;
	}
	sh = op ? &d->ops[d->nops++] : &d->objs[d->nobjs++];
	memset(sh, 0, sizeof *sh);
	memcpy(sh->name, name, len);
	return sh;
}

static int
wa_doc_read(struct wa_doc *d, const char *path)
{
	char line[8192], pending[WA_NAME_MAX] = "", *cell[8], *q;
	enum { WA_NONE, WA_OBJ, WA_OPS, WA_SKIP } mode = WA_NONE;
	struct wa_shape *sh = NULL, *op;
	bool in_table = false;
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] != '|') {
			in_table = false;
			if (line[0] == '#')
				pending[0] = '\0';
			else if (wa_bold(line, pending) == NULL &&
			    mode != WA_NONE)
				pending[0] = '\0';
			mode = WA_NONE;
			continue;
		}
		if ((n = wa_cells(line, cell, 8)) < 2 ||
		    strncmp(cell[0], "---", 3) == 0)
			continue;
		if (!in_table) {
			in_table = true;
			mode = WA_SKIP;
			if (strcmp(cell[0], "op") == 0)
				mode = WA_OPS;
			else if (strcmp(cell[0], "field") == 0 && *pending &&
			    (sh = wa_shape_new(d, false, pending,
			    strlen(pending))) != NULL)
				mode = WA_OBJ;
			continue;
		}
		if (mode == WA_OBJ)
			wa_obj_row(d, sh, cell, n);
		else if (mode == WA_OPS && n >= 3 && cell[0][0] == '`' &&
		    (q = strchr(cell[0] + 1, '`')) != NULL &&
		    (op = wa_shape_new(d, true, cell[0] + 1,
		    (size_t)(q - cell[0] - 1))) != NULL)
			wa_op_row(d, op, cell[2]);
	}
	fclose(fp);
	return 0;
}

static struct wa_shape *
wa_find(struct wa_shape *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

static unsigned
wa_json_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return WA_T_STRING;
	case JSON_INTEGER: return WA_T_INTEGER;
	case JSON_TRUE:
	case JSON_FALSE: return WA_T_BOOLEAN;
	case JSON_OBJECT: return WA_T_OBJECT;
	case JSON_NULL: return WA_T_NULL;
	case JSON_ARRAY: return WA_T_ARRAY;
	default: return 0;
	}
}

static void wa_check_object(struct wa_doc *, const char *, json_t *,
    const char *);

static void
wa_check_one(struct wa_doc *d, const char *path, json_t *v, unsigned mask,
    const char *obj)
{
	if ((wa_json_type(v) & mask) == 0) {
		char *text = json_dumps(v, JSON_ENCODE_ANY);

		wa_fail(d, "%s: %.60s is not of its documented type", path,
		    text != NULL ? text : "?");
		free(text);
		return;
	}
	if (json_is_object(v) && obj[0] != '\0')
		wa_check_object(d, path, v, obj);
}

static void
wa_check_value(struct wa_doc *d, const char *path, json_t *v,
    const struct wa_type *t)
{
	char sub[512];
	size_t i;
	json_t *e;

	if (t->mask == 0)
		return;
	wa_check_one(d, path, v, t->mask, t->obj);
	if (!json_is_array(v) || t->elem == 0)
		return;
	json_array_foreach(v, i, e) {
		snprintf(sub, sizeof sub, "%.400s[%zu]", path, i);
		wa_check_one(d, sub, e, t->elem, t->elem_obj);
	}
}

/* Exactly the shape's fields, required ones present, each of its type. */
static void
wa_check_fields(struct wa_doc *d, const char *path, json_t *o,
    const struct wa_shape *sh, const char *const *envelope)
{
	const struct wa_field *f;
	const char *k;
	char sub[512];
	json_t *v;
	size_t i;

	json_object_foreach(o, k, v) {
		for (i = 0; envelope != NULL && envelope[i] != NULL; i++)
			if (strcmp(envelope[i], k) == 0)
				break;
		if (envelope != NULL && envelope[i] != NULL)
			continue;
		snprintf(sub, sizeof sub, "%.400s.%.64s", path, k);
		for (f = NULL, i = 0; i < sh->n && f == NULL; i++)
			if (strcmp(sh->f[i].name, k) == 0)
				f = &sh->f[i];
		if (f == NULL)
			wa_fail(d, "%s: not documented for %s", sub, sh->name);
		else
			wa_check_value(d, sub, v, &f->t);
	}
	for (i = 0; i < sh->n; i++)
		if (!sh->f[i].optional && json_object_get(o, sh->f[i].name) ==
		    NULL)
			wa_fail(d, "%s: documented field '%s' missing", path,
			    sh->f[i].name);
}

static void
wa_check_object(struct wa_doc *d, const char *path, json_t *o,
    const char *obj)
{
	const struct wa_shape *sh = wa_find(d->objs, d->nobjs, obj);

	if (sh == NULL)
		wa_fail(d, "%s: no table for **%s** in the documents", path,
		    obj);
	else
		wa_check_fields(d, path, o, sh, NULL);
}

static void
wa_check_answer(struct wa_doc *d, long line, json_t *req, json_t *ans)
{
	static const char *const envelope[] = { "ok", "id", NULL };
	const char *opname = json_string_value(json_object_get(req, "op"));
	json_t *id = json_object_get(req, "id"), *ok;
	struct wa_shape *op;
	long before = d->fails;
	char path[64];

	snprintf(path, sizeof path, "line %ld: %.20s", line,
	    opname != NULL ? opname : "?");
	if (!json_is_object(ans) || !json_is_boolean(ok = json_object_get(ans,
	    "ok"))) {
		wa_fail(d, "%s: no answer object with a boolean ok", path);
		return;
	}
	if (!json_equal(id, json_object_get(ans, "id")) && (id != NULL ||
	    json_object_get(ans, "id") != NULL))
		wa_fail(d, "%s: id not echoed as sent", path);
	if (json_is_false(ok)) {
		if (json_object_size(ans) != (id != NULL ? 3u : 2u) ||
		    !json_is_object(json_object_get(ans, "error")))
			wa_fail(d, "%s: a failed answer holds ok, id and "
			    "error only", path);
		else
			wa_check_object(d, path, json_object_get(ans, "error"),
			    "error");
	} else if (opname == NULL || (op = wa_find(d->ops, d->nops,
	    opname)) == NULL)
		wa_fail(d, "%s: answered, but not a documented op", path);
	else {
		op->answered++;
		wa_check_fields(d, path, ans, op, envelope);
	}
	if (d->fails == before)
		printf("ok - %s: %s\n", path, json_is_true(ok) ? "answer" :
		    json_string_value(json_object_get(json_object_get(ans,
		    "error"), "code")));
}

static int
wa_check_files(struct wa_doc *d, const char *reqs, const char *answers)
{
	FILE *rf = fopen(reqs, "r"), *af = fopen(answers, "r");
	json_t *req, *ans;
	json_error_t err;
	char rl[65536], al[1 << 20];
	long line = 0;

	if (rf == NULL || af == NULL) {
		perror("open");
		goto out;
	}
	while (fgets(rl, sizeof rl, rf) != NULL) {
		line++;
		if (fgets(al, sizeof al, af) == NULL) {
			wa_fail(d, "line %ld: no answer", line);
			break;
		}
		req = json_loads(rl, 0, &err);
		ans = json_loads(al, 0, &err);
		if (req == NULL || ans == NULL)
			wa_fail(d, "line %ld: not JSON: %s", line, err.text);
		else
			wa_check_answer(d, line, req, ans);
		json_decref(req);
		json_decref(ans);
	}
	for (size_t i = 0; i < d->nops; i++)
		if (d->ops[i].answered == 0)
			wa_fail(d, "op %s: no successful answer was checked",
			    d->ops[i].name);
out:
	if (rf != NULL)
		fclose(rf);
	if (af != NULL)
		fclose(af);
	return rf == NULL || af == NULL ? 2 : d->fails != 0;
}

static void
wa_dump(const struct wa_shape *v, size_t n, const char *kind)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < v[i].n; k++) {
			const struct wa_field *f = &v[i].f[k];

			printf("%s %s: %s%s types %#x elem %#x%s%s%s%s\n",
			    kind, v[i].name, f->name,
			    f->optional ? " (optional)" : "", f->t.mask,
			    f->t.elem, f->t.obj[0] ? " obj " : "", f->t.obj,
			    f->t.elem_obj[0] ? " elem obj " : "",
			    f->t.elem_obj);
		}
}

int
main(int argc, char **argv)
{
	static struct wa_doc d;
	bool ops = argc > 1 && strcmp(argv[1], "--ops") == 0;
	bool dump = argc > 1 && strcmp(argv[1], "--dump") == 0;
	int i;

	for (i = ops || dump ? 2 : 1; i < argc && strcmp(argv[i], "--") != 0;
	    i++)
		if (wa_doc_read(&d, argv[i]) != 0)
			return 2;
	if (ops) {
		for (size_t k = 0; k < d.nops; k++)
			printf("%s\n", d.ops[k].name);
		return d.fails != 0;
	}
	if (dump) {
		wa_dump(d.objs, d.nobjs, "object");
		wa_dump(d.ops, d.nops, "op");
		return d.fails != 0;
	}
	if (i + 3 != argc || d.nops == 0 || d.nobjs == 0) {
		fprintf(stderr, "usage: wa_fields [--ops] DOC... -- REQUESTS "
		    "ANSWERS (and the documents must hold tables)\n");
		return 64;
	}
	return wa_check_files(&d, argv[i + 1], argv[i + 2]);
}
