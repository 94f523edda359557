/*
 * help.c: a command's --help from its table entry, as git's and
 * systemctl's read: the usage, what the command does, then one described
 * line per option and argument, wrapped to the terminal's width.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd.h"

#define WA_HELP_INDENT 4        /* before an option */
#define WA_HELP_COLUMN 26       /* where its description starts */

/* The width to wrap at: $COLUMNS, the terminal's, else 80. */
static int
wa_help_width(FILE *f)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	int w = 80;

	if (env != NULL && atoi(env) > 0)
		w = atoi(env);
	else if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0)
		w = ws.ws_col;
	/* Narrower than the option column leaves no room for the text;
	 * wider lines are hard to read. */
	return w < WA_HELP_COLUMN + 20 ? WA_HELP_COLUMN + 20 : w > 100 ? 100 : w;
}

/* The length of the word at s: up to a blank (with groups, one outside
 * brackets: a usage's "[--with PORT]..." stays on one line). */
static size_t
wa_help_word(const char *s, bool groups)
{
	int depth = 0;
	size_t n;

	for (n = 0; s[n] != '\0'; n++) {
		if (groups && s[n] == '[')
			depth++;
		else if (groups && s[n] == ']' && depth > 0)
			depth--;
		else if (s[n] == ' ' && depth == 0)
			break;
	}
	return n;
}

/*
 * text from column col (the cursor is there) to width, each further line
 * indented to indent: words are never split, one too long stands alone.
 */
static void
wa_help_wrap(FILE *f, const char *text, int col, int indent, int width,
    bool groups)
{
	const char *s = text;
	bool first = true;
	size_t n;

	while (*s != '\0') {
		while (*s == ' ')
			s++;
		/* A group wider than a line breaks at its blanks after all. */
		if ((n = wa_help_word(s, groups)) > (size_t)(width - indent))
			n = wa_help_word(s, false);
		if (n == 0)
			break;
		if (!first && col + 1 + (int)n >= width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)n, s);
		col += (int)n;
		s += n;
		first = false;
	}
	fputc('\n', f);
}

void
wa_cmd_usage_print(FILE *f, const struct wa_cmd_entry *e)
{
	int col = fprintf(f, "usage: wso2-alloc %s", e->name);

	if (e->usage == NULL || *e->usage == '\0') {
		fputc('\n', f);
		return;
	}
	fputc(' ', f);
	wa_help_wrap(f, e->usage, col + 1, col + 1, wa_help_width(f), true);
}

void
wa_help_rows(FILE *f, const struct wa_cmd_help *rows)
{
	int width = wa_help_width(f), col;

	for (; rows != NULL && rows->what != NULL; rows++) {
		if (rows->text == NULL)
			continue;
		col = fprintf(f, "%*s%s", WA_HELP_INDENT, "", rows->what);
		/* A long option takes its own line, as git's help does. */
		if (col > WA_HELP_COLUMN - 2) {
			fputc('\n', f);
			col = 0;
		}
		fprintf(f, "%*s", WA_HELP_COLUMN - col, "");
		wa_help_wrap(f, rows->text, WA_HELP_COLUMN, WA_HELP_COLUMN,
		    width, false);
	}
}

void
wa_cmd_help_print(FILE *f, const struct wa_cmd_entry *e)
{
	static const struct wa_cmd_help common[] = {
		{ "--json", "the answer as JSON (before or after the command)" },
		{ "-h, --help", "this help" },
		{ NULL, NULL }
	};

	wa_cmd_usage_print(f, e);
	fputc('\n', f);
	wa_help_wrap(f, e->summary, 0, 0, wa_help_width(f), false);
	fputc('\n', f);
	wa_help_rows(f, e->help);
	wa_help_rows(f, common);
}

const struct wa_cmd_help *
wa_cmd_help_find(const struct wa_cmd_entry *e, const char *opt)
{
	size_t n = strlen(opt);

	for (const struct wa_cmd_help *h = e->help; h != NULL &&
	    h->what != NULL; h++)
		if (strncmp(h->what, "--", 2) == 0 &&
		    strncmp(h->what + 2, opt, n) == 0 &&
		    (h->what[n + 2] == '\0' || h->what[n + 2] == ' ' ||
		    h->what[n + 2] == '='))
			return h;
	return NULL;
}

void
wa_cmd_complete_print(FILE *f, const struct wa_cmd_entry *e)
{
	const struct wa_cmd_help *h;

	for (const struct option *o = e->opts; o != NULL && o->name != NULL;
	    o++)
		if ((h = wa_cmd_help_find(e, o->name)) == NULL ||
		    h->text != NULL)
			fprintf(f, "--%s\n", o->name);
	fprintf(f, "--help\n");
}
