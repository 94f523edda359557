/*
 * confwire.c: the ports in a deployment.toml's URL values (confwire.h).
 * The text is changed by splices at known places, never re-rendered, and
 * the result is read again to prove that only those values moved.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confwire.h"
#include "toml.h"
#include "wso2alloc.h"

struct wa_splice {
	size_t at, len, seq;
	char *text;
};

struct wa_wire {
	const char *in;
	struct wa_toml_doc d;
	const char *hostname;
	struct wa_splice *s;
	size_t ns;
	char **want;            /* path, canon pairs the result must hold */
	size_t nwant;
	char *tail;             /* tables added at the end */
	char *err;
	size_t errlen;
};

static int
wa_splice_add(struct wa_wire *w, size_t at, size_t len, char *text)
{
	struct wa_splice *n;

	if (text == NULL || (n = realloc(w->s, (w->ns + 1) * sizeof *n)) ==
	    NULL) {
		free(text);
		return WA_ENOMEM;
	}
	w->s = n;
	w->s[w->ns] = (struct wa_splice){ at, len, w->ns, text };
	w->ns++;
	return 0;
}

/* Expect path to read as canon (NULL: to exist) in the result. */
static int
wa_want(struct wa_wire *w, const char *path, const char *canon)
{
	char **n = realloc(w->want, (w->nwant + 2) * sizeof *n);

	if (n == NULL)
		return WA_ENOMEM;
	w->want = n;
	w->want[w->nwant] = strdup(path);
	w->want[w->nwant + 1] = canon != NULL ? strdup(canon) : NULL;
	w->nwant += 2;
	return w->want[w->nwant - 2] == NULL ? WA_ENOMEM : 0;
}

/* path with every [N] written [], as the catalog names keys. */
static void
wa_norm(const char *path, char *buf, size_t len)
{
	size_t o = 0;

	for (const char *p = path; *p != '\0' && o + 1 < len; p++) {
		buf[o++] = *p;
		if (*p == '[' && p[1] >= '0' && p[1] <= '9') {
			while (p[1] >= '0' && p[1] <= '9')
				p++;
		}
	}
	buf[o] = '\0';
}

static bool
wa_key_match(const char *path, const char *key)
{
	char n[512];
	size_t kl = strlen(key);

	wa_norm(path, n, sizeof n);
	return strcmp(n, key) == 0 || (strncmp(n, key, kl) == 0 &&
	    strcmp(n + kl, "[]") == 0);
}

static bool
wa_host_local(const struct wa_wire *w, const char *h, size_t len)
{
	static const char *const local[] = { "localhost", "127.0.0.1",
	    "[::1]" };

	for (size_t i = 0; i < 3; i++)
		if (strlen(local[i]) == len && strncmp(h, local[i], len) == 0)
			return true;
	return w->hostname != NULL && strlen(w->hostname) == len &&
	    strncmp(h, w->hostname, len) == 0;
}

/*
 * Where the port of a local URL lies in s: its offset and length, or
 * false (not a URL, another host, no port, a placeholder).
 */
static bool
wa_url_port(const struct wa_wire *w, const char *s, size_t *at,
    size_t *len, int *port)
{
	const char *h = strstr(s, "://"), *e;

	if (h == NULL || strstr(s, "${") != NULL || strstr(s, "$ref{") != NULL)
		return false;
	h += 3;
	e = *h == '[' ? strchr(h, ']') : h + strcspn(h, ":/?#");
	if (e == NULL)
		return false;
	if (*e == ']')
		e++;
	if (*e != ':' || !wa_host_local(w, h, (size_t)(e - h)))
		return false;
	*at = (size_t)(e + 1 - s);
	*len = strspn(e + 1, "0123456789");
	if (*len == 0 || *len > 5 || strchr("/?#", e[1 + *len]) == NULL)
		return false;
	*port = atoi(e + 1);
	return true;
}

/* One string value: its port moved when the rule says so. */
static int
wa_wire_value(struct wa_wire *w, const struct wa_toml_node *v,
    const struct wa_url_rule *r)
{
	const char *raw = w->in + v->start + 1, *text = v->canon + 2;
	size_t n = v->end - v->start - 2, at, len;
	char canon[1024], num[8];
	int port, to = r->to;

	/* Only a one-line string with no escape: its text is its value. */
	if (n != strlen(text) || n + 3 > sizeof canon ||
	    strncmp(raw, text, n) != 0 || !wa_url_port(w, text, &at, &len,
	    &port))
		return 0;
	for (size_t i = 0; to == 0 && i < r->nmoves; i++)
		if (r->moves[i].from == port)
			to = r->moves[i].to;
	if (to == 0 || to == port)
		return 0;
	snprintf(num, sizeof num, "%d", to);
	snprintf(canon, sizeof canon, "s:%.*s%s%s", (int)at, text, num,
	    text + at + len);
	if (wa_want(w, v->path, canon) != 0)
		return WA_ENOMEM;
	return wa_splice_add(w, v->start + 1 + at, len, strdup(num));
}

/* value with every {port} written as port. */
static char *
wa_template(const char *value, int port)
{
	char *out = malloc(strlen(value) * 2 + 16), *o = out;

	if (out == NULL)
		return NULL;
	for (const char *p = value; *p != '\0'; p++) {
		if (strncmp(p, "{port}", 6) == 0) {
			o += sprintf(o, "%d", port);
			p += 5;
		} else
			*o++ = *p;
	}
	*o = '\0';
	return out;
}

static int
wa_wire_fail(struct wa_wire *w, int rc, const char *fmt, const char *key)
{
	snprintf(w->err, w->errlen, fmt, key);
	return rc;
}

/* Append line to the block hdr (a new table) at the end of the file. */
static int
wa_tail_add(struct wa_wire *w, const char *hdr, const char *line)
{
	char *t = NULL, *at = w->tail != NULL ? strstr(w->tail, hdr) : NULL;
	const char *next = w->d.crlf ? "\r\n\r\n[" : "\n\n[";
	int n;

	if (at != NULL) {
		/* After the block's last line: before the next block. */
		if ((at = strstr(at + strlen(hdr), next)) != NULL)
			at += w->d.crlf ? 2 : 1;
		else
			at = w->tail + strlen(w->tail);
		n = asprintf(&t, "%.*s%s%s", (int)(at - w->tail), w->tail, line,
		    at);
	} else
		n = asprintf(&t, "%s%s%s", w->tail != NULL ? w->tail : "", hdr,
		    line);
	if (n < 0)
		return WA_ENOMEM;
	free(w->tail);
	w->tail = t;
	return 0;
}

/* A key the rule creates: under its table's header, or a new table. */
static int
wa_wire_create(struct wa_wire *w, const struct wa_url_rule *r)
{
	const char *last = strrchr(r->key, '.') + 1;
	const char *nl = w->d.crlf ? "\r\n" : "\n";
	char tbl[512], hdr[600], path[600], line[1024], *val;
	const struct wa_toml_node *t = NULL;
	const char *e;
	size_t tl = (size_t)(last - 1 - r->key);
	bool aot = tl > 2 && strncmp(last - 3, "[]", 2) == 0;
	int rc;

	if (tl >= sizeof tbl || strstr(r->key, "[]") != (aot ? last - 3 :
	    NULL))
		return wa_wire_fail(w, WA_EINVAL, "%s: cannot be created here",
		    r->key);
	snprintf(tbl, sizeof tbl, "%.*s", (int)(aot ? tl - 2 : tl), r->key);
	snprintf(path, sizeof path, "%s%s", tbl, aot ? "[0]" : "");
	for (size_t j = 0; j < w->d.n && t == NULL; j++)
		if (w->d.v[j].header && w->d.v[j].kind == WA_TOML_TABLE &&
		    strcmp(w->d.v[j].path, path) == 0)
			t = &w->d.v[j];
	if (t == NULL && wa_toml_find(&w->d, tbl) != NULL &&
	    wa_toml_find(&w->d, tbl)->kind != WA_TOML_IMPLICIT)
		return wa_wire_fail(w, WA_EINVAL, "%s: its table is not "
		    "written as a [header]: add the key by hand", r->key);
	if ((val = wa_template(r->create, r->to)) == NULL)
		return WA_ENOMEM;
	snprintf(line, sizeof line, "%s = %s%s", last, val, nl);
	free(val);
	snprintf(path + strlen(path), sizeof path - strlen(path), ".%s", last);
	if ((rc = wa_want(w, path, NULL)) != 0)
		return rc;
	if (t == NULL) {
		snprintf(hdr, sizeof hdr, "%s%s%s%s%s", nl, aot ? "[[" : "[",
		    tbl, aot ? "]]" : "]", nl);
		return wa_tail_add(w, hdr, line);
	}
	/* Right under the header line. */
	e = strchr(w->in + t->stmt_end, '\n');

	if (e == NULL)
		return wa_splice_add(w, strlen(w->in), 0, strdup(line)) != 0 ?
		    WA_ENOMEM : wa_splice_add(w, strlen(w->in), 0, strdup(nl));
	return wa_splice_add(w, (size_t)(e + 1 - w->in), 0, strdup(line));
}

static int
wa_wire_rule(struct wa_wire *w, const struct wa_url_rule *r)
{
	bool found = false;
	int rc;

	for (size_t j = 0; j < w->d.n; j++) {
		const struct wa_toml_node *v = &w->d.v[j];

		if (!wa_key_match(v->path, r->key))
			continue;
		found = true;
		if (v->kind == WA_TOML_VALUE && strncmp(v->canon, "s:", 2) == 0 &&
		    (rc = wa_wire_value(w, v, r)) != 0)
			return rc;
	}
	return found || r->create == NULL ? 0 : wa_wire_create(w, r);
}

static int
wa_splice_cmp(const void *a, const void *b)
{
	const struct wa_splice *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The text with every splice made and the new tables appended. */
static char *
wa_wire_text(struct wa_wire *w)
{
	size_t len = strlen(w->in), pos = 0, cap = len + 2;
	char *out, *o;

	for (size_t i = 0; i < w->ns; i++)
		cap += strlen(w->s[i].text);
	cap += w->tail != NULL ? strlen(w->tail) + 2 : 0;
	if ((o = out = malloc(cap)) == NULL)
		return NULL;
	if (w->ns > 0)
		qsort(w->s, w->ns, sizeof *w->s, wa_splice_cmp);
	for (size_t i = 0; i < w->ns; i++) {
		memcpy(o, w->in + pos, w->s[i].at - pos);
		o += w->s[i].at - pos;
		o = stpcpy(o, w->s[i].text);
		pos = w->s[i].at + w->s[i].len;
	}
	o = stpcpy(o, w->in + pos);
	if (w->tail != NULL) {
		if (o > out && o[-1] != '\n')
			o = stpcpy(o, w->d.crlf ? "\r\n" : "\n");
		/* The tail's blocks each start with an empty line. */
		o = stpcpy(o, w->tail);
	}
	return out;
}

static const char *
wa_wanted(const struct wa_wire *w, const char *path, bool *listed)
{
	for (size_t i = 0; i < w->nwant; i += 2)
		if (strcmp(w->want[i], path) == 0) {
			*listed = true;
			return w->want[i + 1];
		}
	*listed = false;
	return NULL;
}

/* The result read again: what was meant, and nothing else. */
static int
wa_wire_check(struct wa_wire *w, const char *out)
{
	struct wa_toml_doc a;
	const struct wa_toml_node *n;
	const char *c;
	bool listed;
	int rc = WA_EINTERNAL;

	if (wa_toml_read(out, strlen(out), &a) != 0) {
		snprintf(w->err, w->errlen, "the edit is not TOML: %s", a.err);
		goto out;
	}
	for (size_t j = 0; j < w->d.n; j++) {
		n = wa_toml_find(&a, w->d.v[j].path);
		c = wa_wanted(w, w->d.v[j].path, &listed);
		if (n == NULL || strcmp(n->canon, listed && c != NULL ? c :
		    w->d.v[j].canon) != 0) {
			snprintf(w->err, w->errlen, "the edit does not read "
			    "back: %s changed", w->d.v[j].path);
			goto out;
		}
	}
	for (size_t i = 0; i < w->nwant; i += 2)
		if (wa_toml_find(&a, w->want[i]) == NULL) {
			snprintf(w->err, w->errlen, "the edit does not read "
			    "back: no %s", w->want[i]);
			goto out;
		}
	rc = 0;
out:
	wa_toml_doc_free(&a);
	return rc;
}

int
wa_toml_set_urls(const char *in, const struct wa_url_rule *r, size_t n,
    char **out, char *err, size_t errlen)
{
	struct wa_wire w = { .in = in, .err = err, .errlen = errlen };
	const struct wa_toml_node *h;
	char hn[256];
	int rc;

	*out = NULL;
	if ((rc = wa_toml_read(in, strlen(in), &w.d)) != 0) {
		snprintf(err, errlen, "not TOML: %s", w.d.err);
		goto out;
	}
	if ((h = wa_toml_find(&w.d, "server.hostname")) != NULL &&
	    strncmp(h->canon, "s:", 2) == 0) {
		snprintf(hn, sizeof hn, "%s", h->canon + 2);
		w.hostname = hn;
	}
	for (size_t i = 0; i < n; i++)
		if ((rc = wa_wire_rule(&w, &r[i])) != 0)
			goto out;
	if ((*out = wa_wire_text(&w)) == NULL)
		rc = WA_ENOMEM;
	else if ((rc = wa_wire_check(&w, *out)) != 0) {
		free(*out);
		*out = NULL;
	}
out:
	for (size_t i = 0; i < w.ns; i++)
		free(w.s[i].text);
	free(w.s);
	for (size_t i = 0; i < w.nwant; i++)
		free(w.want[i]);
	free(w.want);
	free(w.tail);
	wa_toml_doc_free(&w.d);
	return rc;
}
