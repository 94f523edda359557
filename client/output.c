/*
 * output.c: what people read (aligned tables, lease summaries) and what
 * programs and WSO2 start-up read (the lease --format outputs).  Every
 * string that comes from the ledger, the daemon or another process goes
 * through wa_term_str before it reaches a terminal.
 */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "util.h"


/* The escape that shows character cp (0 when it shows as itself). */
static size_t
wa_term_esc(uint32_t cp, bool lines, char esc[8])
{
	static const char named[] = "abtnvfr";

	if (lines && (cp == '\n' || cp == '\t'))
		return 0;
	if (cp >= 0x07 && cp <= 0x0d)
		return (size_t)snprintf(esc, 8, "\\%c", named[cp - 0x07]);
	if (cp == 0x1b)
		return (size_t)snprintf(esc, 8, "\\e");
	if (cp < 0x20 || cp == 0x7f)
		return (size_t)snprintf(esc, 8, "\\x%02x", (unsigned)cp);
	if (cp == '\\')
		return (size_t)snprintf(esc, 8, "\\\\");
	/* C1 controls; line separators and bidirectional overrides, which
	 * move or reorder what is printed after them. */
	if ((cp >= 0x80 && cp <= 0x9f) || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return (size_t)snprintf(esc, 8, "\\u%04x", (unsigned)cp);
	return 0;
}

/*
 * s as a terminal should show it, into out (NULL: only counted):
 * controls (\e, \n, \x7f, \u009b) and bytes
 * that are not UTF-8 (\xff) escaped, a backslash doubled.  Every escape
 * is longer than what it stands for: a count of strlen(s) means clean.
 */
static size_t
wa_term_escape(const char *s, char *out, bool lines)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];
	uint32_t cp;
	size_t n, k, len = 0;

	while (*p != '\0') {
		if ((n = wa_utf8_char(p, &cp)) == 0) {
			n = 1;
			k = (size_t)snprintf(esc, sizeof esc, "\\x%02x", *p);
		} else
			k = wa_term_esc(cp, lines, esc);
		if (out != NULL)
			memcpy(out + len, k > 0 ? esc : (const char *)p,
			    k > 0 ? k : n);
		len += k > 0 ? k : n;
		p += n;
	}
	if (out != NULL)
		out[len] = '\0';
	return len;
}

/* Whether s shows on a terminal as it is. */
static bool
wa_term_clean(const char *s)
{
	return wa_term_escape(s, NULL, false) == strlen(s);
}

/* An escaped copy of s (malloc'd), or NULL when out of memory. */
static char *
wa_term_dup(const char *s, bool lines)
{
	size_t n = wa_term_escape(s, NULL, lines);
	char *out = malloc(n + 1);

	if (out != NULL)
		wa_term_escape(s, out, lines);
	return out;
}

/*
 * s fit for a terminal, "-" for NULL.  An escaped copy lives until 16
 * more calls, so one printf can take several.
 */
const char *
wa_term_str(const char *s)
{
	static char *ring[16];
	static size_t next;
	char **slot;

	if (s == NULL)
		return "-";
	if (wa_term_clean(s))
		return s;
	slot = &ring[next++ % (sizeof ring / sizeof ring[0])];
	free(*slot);
	*slot = wa_term_dup(s, false);
	return *slot != NULL ? *slot : "?";
}

/* Text of several lines (a diff) to f: newlines and tabs kept. */
void
wa_term_puts(FILE *f, const char *s)
{
	char *e = s != NULL ? wa_term_dup(s, true) : NULL;

	if (e != NULL)
		fputs(e, f);
	free(e);
}

struct wa_table {
	size_t ncols, nrows, cap;
	char **cells;           /* nrows x ncols, row 0 the header */
};

struct wa_table *
wa_table_new(const char *const *headers, size_t ncols)
{
	struct wa_table *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	t->ncols = ncols;
	wa_table_add(t, headers);
	return t;
}

void
wa_table_add(struct wa_table *t, const char *const *cells)
{
	char **n;

	if (t == NULL)
		return;
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;

		if ((n = realloc(t->cells, cap * t->ncols * sizeof *n)) == NULL)
			return;
		t->cells = n;
		t->cap = cap;
	}
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = wa_term_dup(cells[i] !=
		    NULL ? cells[i] : "-", false);
	t->nrows++;
}

/* Columns on a terminal: UTF-8 continuation bytes take no room. */
static size_t
wa_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
wa_pad(FILE *f, size_t n)
{
	static const char spaces[] = "                                ";

	for (size_t k; n > 0; n -= k) {
		k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
		fwrite(spaces, 1, k, f);
	}
}

void
wa_table_print(struct wa_table *t, FILE *f)
{
	size_t w[16] = { 0 }, i, j, len;

	if (t == NULL || t->ncols > 16)
		return;
	for (i = 0; i < t->nrows; i++)
		for (j = 0; j < t->ncols; j++) {
			const char *c = t->cells[i * t->ncols + j];

			len = c != NULL ? wa_width(c) : 1;
			if (len > w[j])
				w[j] = len;
		}
	/* fputs and padding, not fprintf: a 1,000-row list spent 5 ms
	 * formatting 8,000 cells. */
	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->ncols; j++) {
			const char *c = t->cells[i * t->ncols + j];

			fputs(c != NULL ? c : "-", f);
			if (j + 1 < t->ncols)
				wa_pad(f, w[j] - (c != NULL ? wa_width(c) : 1) +
				    2);
		}
		fputc('\n', f);
	}
}

void
wa_table_free(struct wa_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

const char *
wa_json_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

long long
wa_json_int(const json_t *o, const char *key, long long def)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

/* servlet-https -> SERVLET_HTTPS */
void
wa_env_name(const char *port_name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; port_name[i] != '\0' && i + 1 < len; i++)
		buf[i] = isalnum((unsigned char)port_name[i]) ?
		    (char)toupper((unsigned char)port_name[i]) : '_';
	buf[i] = '\0';
}

/* Single-quoted for sh: every byte literal, quotes closed and escaped. */
static void
wa_shell_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* The lines a lease has only sometimes: its home, labels, pid, expiry. */
static void
wa_lease_extras(FILE *f, const json_t *lease)
{
	const char *home = wa_json_str(lease, "home");
	const char *exp = wa_json_str(lease, "expires_at");
	const char *k;
	json_t *v;

	if (home != NULL)
		fprintf(f, "  home %s\n", wa_term_str(home));
	if (wa_json_str(lease, "link") != NULL)
		fprintf(f, "  links %s\n", wa_term_str(wa_json_str(lease,
		    "link")));
	json_object_foreach(json_object_get(lease, "labels"), k, v)
		fprintf(f, "  label %s=%s\n", wa_term_str(k),
		    wa_term_str(json_string_value(v)));
	if (wa_json_int(lease, "pid", 0) > 0)
		fprintf(f, "  bound to pid %lld\n", wa_json_int(lease, "pid", 0));
	if (exp != NULL)
		fprintf(f, "  %s %s\n", wa_json_str(lease, "state") != NULL &&
		    strcmp(wa_json_str(lease, "state"), "expired") == 0 ?
		    "expired" : "expires", wa_term_str(exp));
}

static void
wa_lease_text(FILE *f, const json_t *lease)
{
	json_t *ports = json_object_get(lease, "ports"), *p, *w;
	long long off = wa_json_int(lease, "offset", -1);
	struct wa_table *t;
	char port[16];
	size_t i;

	fprintf(f, "%s: %s at offset %lld (%s)\n",
	    wa_term_str(wa_json_str(lease, "name")),
	    wa_term_str(wa_json_str(lease, "product")), off,
	    wa_term_str(wa_json_str(lease, "state")));
	fprintf(f, "  set [server] offset = %lld, <Offset>%lld</Offset> or "
	    "-DportOffset=%lld\n", off, off, off);
	wa_lease_extras(f, lease);
	if (json_array_size(ports) > 0) {
		const char *hdr[] = { "  PORT", "PROTO", "NAME", "DESCRIPTION" };

		t = wa_table_new(hdr, 4);
		json_array_foreach(ports, i, p) {
			const char *row[4];
			char desc[72];
			size_t cut = sizeof desc - 4;

			snprintf(port, sizeof port, "  %lld",
			    wa_json_int(p, "port", 0));
			/* One line per port: a long description is cut (not
			 * inside a character), and says so. */
			if (snprintf(desc, sizeof desc, "%s",
			    wa_json_str(p, "description") ?
			    wa_json_str(p, "description") : "") >=
			    (int)sizeof desc) {
				while (cut > 0 && (desc[cut] & 0xc0) == 0x80)
					cut--;
				memcpy(desc + cut, "...", 4);
			}
			row[0] = port;
			row[1] = wa_json_str(p, "proto");
			row[2] = wa_json_str(p, "name");
			row[3] = desc;
			wa_table_add(t, row);
		}
		wa_table_print(t, f);
		wa_table_free(t);
	}
	json_array_foreach(json_object_get(lease, "warnings"), i, w)
		fprintf(f, "  warning: %s\n", wa_term_str(json_string_value(w)));
}

static const char *const wa_formats[] = { "text", "offset", "args", "toml",
	"xml", "env", "json", NULL };

const char *
wa_lease_formats(void)
{
	return "text, offset, args, toml, xml, env or json";
}

bool
wa_lease_format_ok(const char *format)
{
	for (size_t i = 0; wa_formats[i] != NULL; i++)
		if (strcmp(wa_formats[i], format) == 0)
			return true;
	return false;
}

/*
 * What every format relies on, of the protocol's types: a name, a
 * product, an offset, and ports (if any) with a name, number and proto.
 */
bool
wa_lease_valid(const json_t *lease)
{
	json_t *ports = json_object_get(lease, "ports"), *p;
	long long off = wa_json_int(lease, "offset", -1), port;
	size_t i;

	if (wa_json_str(lease, "name") == NULL ||
	    wa_json_str(lease, "product") == NULL || off < 0 || off > 65535 ||
	    (ports != NULL && !json_is_array(ports)))
		return false;
	json_array_foreach(ports, i, p) {
		port = wa_json_int(p, "port", 0);
		if (wa_json_str(p, "name") == NULL ||
		    wa_json_str(p, "proto") == NULL || port < 1 || port > 65535)
			return false;
	}
	return true;
}

int
wa_lease_print(FILE *f, const json_t *lease, const char *format)
{
	long long off = wa_json_int(lease, "offset", -1);
	json_t *p;
	char env[80];
	size_t i;

	if (format != NULL && !wa_lease_format_ok(format))
		return WA_EINVAL;
	if (!wa_lease_valid(lease))
		return WA_EPROTO;
	if (format == NULL || strcmp(format, "text") == 0)
		wa_lease_text(f, lease);
	else if (strcmp(format, "offset") == 0)
		fprintf(f, "%lld\n", off);
	else if (strcmp(format, "args") == 0)
		fprintf(f, "-DportOffset=%lld\n", off);
	else if (strcmp(format, "toml") == 0)
		fprintf(f, "[server]\noffset = %lld\n", off);
	else if (strcmp(format, "xml") == 0)
		fprintf(f, "<Offset>%lld</Offset>\n", off);
	else if (strcmp(format, "env") == 0) {
		/* Quoted for eval, but shown on terminals too: refused
		 * rather than escaped, which would change the value. */
		if (!wa_term_clean(wa_json_str(lease, "name")) ||
		    !wa_term_clean(wa_json_str(lease, "product")))
			return WA_EPROTO;
		fputs("WSO2_ALLOC_NAME=", f);
		wa_shell_quote(f, wa_json_str(lease, "name"));
		fprintf(f, "\nWSO2_ALLOC_PRODUCT=");
		wa_shell_quote(f, wa_json_str(lease, "product"));
		fprintf(f, "\nWSO2_PORT_OFFSET=%lld\n", off);
		json_array_foreach(json_object_get(lease, "ports"), i, p) {
			wa_env_name(wa_json_str(p, "name"), env, sizeof env);
			fprintf(f, "WSO2_PORT_%s=%lld\n", env,
			    wa_json_int(p, "port", 0));
		}
	} else {
		json_dumpf(lease, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', f);
	}
	return 0;
}

/* K=V into a labels object; keys as the daemon accepts them. */
int
wa_labels_add(json_t *labels, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[65];
	size_t n;

	if (eq == NULL || eq == kv || (n = (size_t)(eq - kv)) > 64)
		return WA_EINVAL;
	memcpy(key, kv, n);
	key[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)key[i]) && key[i] != '-' &&
		    key[i] != '_' && key[i] != '.')
			return WA_EINVAL;
	if (strlen(eq + 1) > 256)
		return WA_EINVAL;
	return json_object_set_new(labels, key, json_string(eq + 1)) == 0 ?
	    0 : WA_EINVAL;
}

/* "9443", "9443/tcp", "45564/udp" */
int
wa_port_arg(const char *arg, int *port, const char **proto)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || errno != 0 || v < 1 || v > 65535)
		return WA_EINVAL;
	*port = (int)v;
	*proto = "tcp";
	if (*end == '\0')
		return 0;
	if (strcmp(end, "/tcp") == 0)
		return 0;
	if (strcmp(end, "/udp") == 0) {
		*proto = "udp";
		return 0;
	}
	return WA_EINVAL;
}

/*
 * A user's name, remembered: getpwuid asks nscd and then reads
 * /etc/passwd on every call, 20 ms for a list of 1,000 leases.
 */
void
wa_user_name(long long uid, char *buf, size_t len)
{
	static struct { long long uid; char name[32]; } seen[16];
	static size_t nseen;
	struct passwd *pw;

	for (size_t i = 0; i < nseen; i++)
		if (seen[i].uid == uid) {
			snprintf(buf, len, "%s", seen[i].name);
			return;
		}
	if (uid >= 0 && (pw = getpwuid((uid_t)uid)) != NULL)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%lld", uid);
	if (nseen < sizeof seen / sizeof *seen) {
		seen[nseen].uid = uid;
		snprintf(seen[nseen++].name, sizeof seen[0].name, "%s", buf);
	}
}
