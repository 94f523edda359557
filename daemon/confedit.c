/*
 * confedit.c: set the offset in a product's own files, changing nothing
 * else: every other line, comment and line ending stays as it was.
 */
#include <errno.h>
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
#include "util.h"
#include "wso2alloc.h"

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

static char *
wa_lines_join(const struct wa_lines *l)
{
	size_t len = 1;
	char *out, *p;

	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 2;
	if ((out = p = malloc(len)) == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		p = stpcpy(p, l->v[i]);
		if (i + 1 < l->n || l->final_newline)
			p = stpcpy(p, l->crlf ? "\r\n" : "\n");
	}
	*p = '\0';
	return out;
}

static const char *
wa_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A table header: returns whether it is [server]. */
static bool
wa_toml_header(const char *line, bool *is_server)
{
	const char *p = wa_ws(line);

	if (*p != '[')
		return false;
	p = wa_ws(p + 1);
	*is_server = strncmp(p, "server", 6) == 0 && *wa_ws(p + 6) == ']';
	return true;
}

/* `offset = N` (commented: `#offset = N`); *eq points at the value. */
static bool
wa_toml_offset_line(const char *line, bool commented, const char **value)
{
	const char *p = wa_ws(line);

	if (commented) {
		if (*p != '#')
			return false;
		p = wa_ws(p + 1);
	}
	if (strncmp(p, "offset", 6) != 0)
		return false;
	p = wa_ws(p + 6);
	if (*p != '=')
		return false;
	*value = wa_ws(p + 1);
	return true;
}

static int
wa_replace_line(struct wa_lines *l, size_t i, const char *prefix,
    size_t plen, int offset, const char *suffix)
{
	char *n;

	if (asprintf(&n, "%.*s%d%s", (int)plen, prefix, offset, suffix) < 0)
		return WA_ENOMEM;
	free(l->v[i]);
	l->v[i] = n;
	return 0;
}

int
wa_toml_set_offset(const char *in, int offset, char **out)
{
	struct wa_lines l;
	const char *value;
	size_t i, server = (size_t)-1, first_table = (size_t)-1;
	size_t active = (size_t)-1, commented = (size_t)-1;
	bool in_server = false, is_server;
	char buf[32], *end;
	int rc = 0;

	*out = NULL;
	if ((rc = wa_lines_split(in, &l)) != 0)
		goto out;
	for (i = 0; i < l.n; i++) {
		if (wa_toml_header(l.v[i], &is_server)) {
			if (first_table == (size_t)-1)
				first_table = i;
			in_server = is_server;
			if (is_server && server == (size_t)-1)
				server = i;
			continue;
		}
		if (!in_server)
			continue;
		if (active == (size_t)-1 && wa_toml_offset_line(l.v[i], false,
		    &value))
			active = i;
		else if (commented == (size_t)-1 && wa_toml_offset_line(l.v[i],
		    true, &value))
			commented = i;
	}
	if (active != (size_t)-1) {
		/* Keep the key's spacing and anything after the number. */
		wa_toml_offset_line(l.v[active], false, &value);
		strtol(value + (*value == '"'), &end, 10);
		if (*value == '"' && *end == '"')
			end++;
		rc = wa_replace_line(&l, active, l.v[active],
		    (size_t)(value - l.v[active]), offset, end);
	} else if (commented != (size_t)-1) {
		const char *line = l.v[commented], *indent_end = wa_ws(line);

		wa_toml_offset_line(line, true, &value);
		snprintf(buf, sizeof buf, "offset = ");
		/* Uncomment in place, keeping the indentation. */
		char *n;
		if (asprintf(&n, "%.*s%s%d", (int)(indent_end - line), line, buf,
		    offset) < 0) {
			rc = WA_ENOMEM;
			goto out;
		}
		free(l.v[commented]);
		l.v[commented] = n;
	} else if (server != (size_t)-1) {
		snprintf(buf, sizeof buf, "offset = %d", offset);
		rc = wa_lines_push(&l, buf, strlen(buf), server + 1);
	} else {
		/* Before the first table, so no root key falls under it. */
		size_t at = first_table != (size_t)-1 ? first_table : l.n;

		snprintf(buf, sizeof buf, "offset = %d", offset);
		if (at == l.n && l.n > 0 && *l.v[l.n - 1] != '\0')
			rc = wa_lines_push(&l, "", 0, at++);
		if (rc == 0)
			rc = wa_lines_push(&l, "[server]", 8, at);
		if (rc == 0)
			rc = wa_lines_push(&l, buf, strlen(buf), at + 1);
		if (rc == 0 && first_table != (size_t)-1)
			rc = wa_lines_push(&l, "", 0, at + 2);
		l.final_newline = true;
	}
	if (rc == 0 && (*out = wa_lines_join(&l)) == NULL)
		rc = WA_ENOMEM;
out:
	wa_lines_free(&l);
	return rc;
}

int
wa_xml_set(const char *in, const char *parent, const char *tag, int value,
    char **out)
{
	char *mask = strdup(in), *c, *e, *from, *open, *close, otag[64], ctag[64];
	size_t pre;
	int rc = 0;

	*out = NULL;
	if (mask == NULL)
		return WA_ENOMEM;
	/* Find positions in a copy with comments blanked out. */
	for (c = mask; (c = strstr(c, "<!--")) != NULL; c = e) {
		e = strstr(c + 4, "-->");
		e = e != NULL ? e + 3 : c + strlen(c);
		memset(c, ' ', (size_t)(e - c));
	}
	snprintf(otag, sizeof otag, "<%s>", tag);
	snprintf(ctag, sizeof ctag, "</%s>", tag);
	from = mask;
	if (parent != NULL) {
		char p[64];

		snprintf(p, sizeof p, "<%s>", parent);
		from = strstr(mask, p);
	}
	if (from == NULL || (open = strstr(from, otag)) == NULL ||
	    (close = strstr(open, ctag)) == NULL) {
		rc = WA_ENOTFOUND;
		goto out;
	}
	pre = (size_t)(open - mask) + strlen(otag);
	if (asprintf(out, "%.*s%d%s", (int)pre, in, value,
	    in + (close - mask)) < 0) {
		*out = NULL;
		rc = WA_ENOMEM;
	}
out:
	free(mask);
	return rc;
}

int
wa_carbon_xml_set_offset(const char *in, int offset, char **out)
{
	return wa_xml_set(in, "Ports", "Offset", offset, out);
}

int
wa_address_set_port(const char *in, int port, char **out)
{
	const char *a = strstr(in, "<address uri=\""), *h, *colon, *end;

	*out = NULL;
	if (a == NULL || (h = strstr(a, "://")) == NULL ||
	    (colon = strchr(h + 3, ':')) == NULL)
		return WA_ENOTFOUND;
	for (end = colon + 1; *end >= '0' && *end <= '9'; end++)
		;
	if (end == colon + 1)
		return WA_ENOTFOUND;
	if (asprintf(out, "%.*s%d%s", (int)(colon + 1 - in), in, port, end) < 0) {
		*out = NULL;
		return WA_ENOMEM;
	}
	return 0;
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
