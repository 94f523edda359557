/*
 * dispatch.c: one command line checked against its command's table
 * entry before the command runs, as tmux's cmd_parse does: --json after
 * the command, --help, an option the command does not take (one message,
 * getopt's own silenced) and how many arguments it was given.
 */
#include <string.h>

#include "cmd.h"

/* --json is global, but users type it after the command too
 * (`wso2-alloc lease --json ...`): take it from anywhere before "--". */
static int
wa_take_json(struct wa_cli *cli, int argc, char **argv)
{
	int i, j;

	for (i = j = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[j++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--json") == 0)
			cli->json = true;
		else
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	return j;
}

/* Whether argv holds word before a "--". */
static bool
wa_has_word(int argc, char **argv, const char *word, const char *alt)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], word) == 0 ||
		    (alt != NULL && strcmp(argv[i], alt) == 0))
			return true;
	return false;
}

/* What is wrong with the long option arg ("--name" or "--name=value"). */
static int
wa_bad_long(const struct wa_cmd_entry *e, const char *arg)
{
	const char *name = arg + 2, *eq = strchr(name, '=');
	size_t n = eq != NULL ? (size_t)(eq - name) : strlen(name), hits = 0;
	const struct option *o, *hit = NULL;

	for (o = e->opts; o != NULL && o->name != NULL; o++) {
		if (strlen(o->name) == n && strncmp(o->name, name, n) == 0) {
			hit = o;
			hits = 1;
			break;
		}
		if (strncmp(o->name, name, n) == 0) {
			hit = o;
			hits++;
		}
	}
	if (hits == 1 && eq != NULL && hit->has_arg == no_argument)
		return wa_cli_usage(e, "option '--%s' takes no value",
		    hit->name);
	if (hits > 1)
		return wa_cli_usage(e, "option '--%.*s' is ambiguous (see "
		    "wso2-alloc %s --help)", (int)n, name, e->name);
	return wa_cli_usage(e, "unknown option '--%.*s' (see wso2-alloc %s "
	    "--help)", (int)n, name, e->name);
}

/* The name of argument number i (from 0), as the help rows give it. */
static void
wa_arg_name(const struct wa_cmd_entry *e, int i, char *buf, size_t len)
{
	const struct wa_cmd_help *h;

	snprintf(buf, len, "an argument");
	for (h = e->help; h != NULL && h->what != NULL; h++)
		if (h->what[0] != '-' && h->what[0] != '[' && i-- == 0) {
			snprintf(buf, len, "%.*s", (int)strcspn(h->what, " "),
			    h->what);
			return;
		}
}

/* Check the options (getopt's ":" reports a missing value apart) and
 * count what is left; 0 or the exit code of the one message said. */
static int
wa_cmd_args(struct wa_cli *cli, const struct wa_cmd_entry *e, int argc,
    char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	const char *s = e->shortopts != NULL ? e->shortopts : "";
	char optstring[64], what[64];
	int ch;

	snprintf(optstring, sizeof optstring, "%s:%s", *s == '+' ? "+" : "",
	    *s == '+' ? s + 1 : s);
	opterr = 0;
	optind = 0;
	/* Without long options "--x" would be read as short ones. */
	while ((ch = getopt_long(argc, argv, optstring,
	    e->opts != NULL ? e->opts : none, NULL)) != -1) {
		if (ch == ':')
			return wa_cli_usage(e, "option '%s' needs a value",
			    argv[optind - 1]);
		if (ch != '?')
			continue;
		if (strncmp(argv[optind - 1], "--", 2) == 0)
			return wa_bad_long(e, argv[optind - 1]);
		return wa_cli_usage(e, "unknown option '-%c' (see wso2-alloc "
		    "%s --help)", optopt, e->name);
	}
	cli->args = argv + optind;
	cli->nargs = argc - optind;
	if (cli->nargs < e->min_args) {
		wa_arg_name(e, cli->nargs, what, sizeof what);
		return wa_cli_usage(e, "%s expected", what);
	}
	if (e->max_args >= 0 && cli->nargs > e->max_args)
		return wa_cli_usage(e, "unexpected argument '%s'",
		    wa_term_str(cli->args[e->max_args]));
	return 0;
}

int
wa_cmd_run(struct wa_cli *cli, const struct wa_cmd_entry *e, int argc,
    char **argv)
{
	int rc;

	argc = wa_take_json(cli, argc, argv);
	/* A command's own --help, before anything else. */
	if (wa_has_word(argc, argv, "--help", "-h")) {
		wa_cmd_help_print(stdout, e);
		return 0;
	}
	/* The bash completion asks the command what it takes. */
	if (wa_has_word(argc, argv, "--completion-helper", NULL)) {
		wa_cmd_complete_print(stdout, e);
		return 0;
	}
	if ((rc = wa_cmd_args(cli, e, argc, argv)) != 0)
		return rc;
	optind = 0;
	return e->exec(cli, argc, argv);
}
