/*
 * wso2-alloc.c: the command-line client: global options and the command
 * table; each command lives in its own cmd-<name>.c.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#define WA_CMD_ROW(n) &wa_cmd_##n,
static const struct wa_cmd_entry *const wa_cmds[] = { WA_CMDS(WA_CMD_ROW) };
#define WA_NCMDS (sizeof wa_cmds / sizeof wa_cmds[0])

static const struct wa_cmd_help wa_global_help[] = {
	{ "-s, --socket PATH", "the daemon's socket (default: $WSO2_ALLOC_SOCKET, "
	    "the system daemon's when it runs, else your own)" },
	{ "--json", "answers as JSON, for scripts (also after the command)" },
	{ "--no-start", "never start a daemon; exit 69 when none answers" },
	{ "--db PATH", "the ledger to read when the daemon is down (list, "
	    "show, who, history, check)" },
	{ "-h, --help", "this help" },
	{ "--version", "the client's version" },
	{ NULL, NULL }
};

static void
wa_help(FILE *f)
{
	struct wa_cmd_help rows[WA_NCMDS + 1];

	for (size_t i = 0; i < WA_NCMDS; i++) {
		rows[i].what = wa_cmds[i]->name;
		rows[i].text = wa_cmds[i]->summary;
	}
	rows[WA_NCMDS].what = rows[WA_NCMDS].text = NULL;
	fprintf(f, "usage: wso2-alloc [-s|--socket PATH] [--json] [--no-start] "
	    "[--db PATH]\n                  COMMAND [ARGS]\n\n"
	    "Collision-free port offsets for WSO2 servers.\n\n");
	wa_help_rows(f, wa_global_help);
	fprintf(f, "\ncommands:\n");
	wa_help_rows(f, rows);
	fprintf(f, "\n'wso2-alloc COMMAND --help' describes a command and its "
	    "options.\nExit codes: 0 ok, 1 not found, 3 conflict or exhausted, "
	    "64 usage, 65 invalid\ninput, 69 daemon unreachable, 70 internal, "
	    "77 denied.\n");
}

/* One line for an option getopt did not take (its own is silenced). */
static void
wa_bad_global(const char *arg)
{
	const char *a = wa_term_str(arg);

	if (strncmp(a, "--", 2) == 0)
		fprintf(stderr, "wso2-alloc: unknown option '%.*s' (see "
		    "wso2-alloc --help)\n", (int)strcspn(a, "="), a);
	else
		fprintf(stderr, "wso2-alloc: unknown option '-%c' (see "
		    "wso2-alloc --help)\n", optopt);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-start", no_argument, NULL, 'n' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		/* For the bash completion: the command names. */
		{ "list-cmds", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	struct wa_cli cli;
	int ch, rc;

	memset(&cli, 0, sizeof cli);
	signal(SIGPIPE, SIG_IGN);
	/* Global options stop at the command name. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:s:h", opts, NULL)) != -1) {
		switch (ch) {
		case 's': cli.socket_opt = optarg; break;
		case 'j': cli.json = true; break;
		case 'n': cli.no_start = true; break;
		case 'd': cli.db = optarg; break;
		case 'h': wa_help(stdout); return 0;
		case 'V': printf("wso2-alloc %s\n", WA_VERSION); return 0;
		case 'L':
			for (size_t i = 0; i < WA_NCMDS; i++)
				printf("%s\n", wa_cmds[i]->name);
			return 0;
		case ':':
			fprintf(stderr, "wso2-alloc: option '%s' needs a value\n",
			    argv[optind - 1]);
			return WA_EXIT_USAGE;
		default:
			wa_bad_global(argv[optind - 1]);
			return WA_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		wa_help(stderr);
		return WA_EXIT_USAGE;
	}
	rc = -1;
	for (size_t i = 0; i < WA_NCMDS; i++)
		if (strcmp(argv[optind], "help") == 0 && optind + 1 < argc &&
		    strcmp(wa_cmds[i]->name, argv[optind + 1]) == 0) {
			wa_cmd_help_print(stdout, wa_cmds[i]);
			return 0;
		} else if (strcmp(wa_cmds[i]->name, argv[optind]) == 0) {
			argc -= optind;
			argv += optind;
			optind = 0;
			rc = wa_cmd_run(&cli, wa_cmds[i], argc, argv);
			break;
		}
	if (rc == -1 && strcmp(argv[optind], "help") == 0) {
		wa_help(stdout);
		rc = 0;
	} else if (rc == -1) {
		fprintf(stderr, "wso2-alloc: unknown command '%s' (see "
		    "wso2-alloc --help)\n", wa_term_str(argv[optind]));
		rc = WA_EXIT_USAGE;
	}
	wa_client_close(cli.c);
	free(cli.socket);
	return rc;
}
