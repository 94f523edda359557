/*
 * wso2-alloc.c: the command-line client: global options and the command
 * table; each command lives in its own cmd-<name>.c.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const struct wa_cmd_entry *const wa_cmds[] = {
	&wa_cmd_lease, &wa_cmd_release, &wa_cmd_renew, &wa_cmd_list,
	&wa_cmd_show, &wa_cmd_who, &wa_cmd_ports, &wa_cmd_products,
	&wa_cmd_history, &wa_cmd_status, &wa_cmd_exec, &wa_cmd_attach,
	&wa_cmd_scan, &wa_cmd_check, &wa_cmd_config, &wa_cmd_export,
};
#define WA_NCMDS (sizeof wa_cmds / sizeof wa_cmds[0])

static void
wa_help(FILE *f)
{
	fprintf(f, "usage: wso2-alloc [-s|--socket PATH] [--json] [--no-start] "
	    "[--db PATH] COMMAND [ARGS]\n\nCollision-free port offsets for "
	    "WSO2 servers.\n\ncommands:\n");
	for (size_t i = 0; i < WA_NCMDS; i++)
		fprintf(f, "  %-9s %s\n", wa_cmds[i]->name, wa_cmds[i]->summary);
	fprintf(f, "\n'wso2-alloc COMMAND --help' describes a command. Exit "
	    "codes: 0 ok, 1 not found, 3 conflict or\nexhausted, 64 usage, "
	    "65 invalid input, 69 daemon unreachable, 70 internal, 77 "
	    "denied.\n");
}

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

static int
wa_run(struct wa_cli *cli, const struct wa_cmd_entry *e, int argc,
    char **argv)
{
	argc = wa_take_json(cli, argc, argv);
	/* A command's own --help, before anything else. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: wso2-alloc %s %s\n\n%s\n", e->name,
			    e->usage, e->summary);
			return 0;
		}
	return e->exec(cli, argc, argv);
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
		{ NULL, 0, NULL, 0 }
	};
	struct wa_cli cli;
	int ch, rc;

	memset(&cli, 0, sizeof cli);
	signal(SIGPIPE, SIG_IGN);
	/* Global options stop at the command name. */
	while ((ch = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
		switch (ch) {
		case 's': cli.socket_opt = optarg; break;
		case 'j': cli.json = true; break;
		case 'n': cli.no_start = true; break;
		case 'd': cli.db = optarg; break;
		case 'h': wa_help(stdout); return 0;
		case 'V': printf("wso2-alloc %s\n", WA_VERSION); return 0;
		default: wa_help(stderr); return WA_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		wa_help(stderr);
		return WA_EXIT_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0) {
		wa_help(stdout);
		return 0;
	}
	rc = -1;
	for (size_t i = 0; i < WA_NCMDS; i++)
		if (strcmp(wa_cmds[i]->name, argv[optind]) == 0) {
			argc -= optind;
			argv += optind;
			optind = 0;
			rc = wa_run(&cli, wa_cmds[i], argc, argv);
			break;
		}
	if (rc == -1) {
		fprintf(stderr, "wso2-alloc: unknown command '%s' (see "
		    "wso2-alloc --help)\n", argv[optind]);
		rc = WA_EXIT_USAGE;
	}
	wa_client_close(cli.c);
	free(cli.socket);
	return rc;
}
