/*
 * cmd-attach.c: wso2-alloc attach NAME --pid PID | --pid-file FILE: bind
 * a lease to a server that started on its own (Type=forking units,
 * wso2carbon.pid), so the lease ends when it does.
 */
#include <stdlib.h>

#include "cmd.h"
#include "util.h"

static const struct option wa_attach_opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "pid-file", required_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 }
};

static long
wa_pid_parse(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	while (*end == '\n' || *end == ' ')
		end++;
	return *s != '\0' && *end == '\0' && v > 0 && v <= 0x7fffffffL ? v : -1;
}

static int
wa_attach_exec(struct wa_cli *cli, int argc, char **argv)
{
	json_t *resp;
	char *text;
	long pid = -1;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", wa_attach_opts, NULL)) != -1) {
		if (ch == 'p')
			pid = wa_pid_parse(optarg);
		else if (ch == 'f') {
			if ((text = wa_file_read(optarg, NULL)) == NULL) {
				fprintf(stderr, "wso2-alloc: attach: %s: cannot "
				    "be read\n", optarg);
				return WA_EXIT_DATAERR;
			}
			pid = wa_pid_parse(text);
			free(text);
		}
		if (pid < 0) {
			fprintf(stderr, "wso2-alloc: attach: not a pid: %s\n",
			    optarg);
			return WA_EXIT_DATAERR;
		}
	}
	if (pid < 0)
		return wa_cli_usage(&wa_cmd_attach, "--pid or --pid-file "
		    "expected");
	if ((rc = wa_cli_request(cli, wa_attach_req(argv[optind], pid),
	    &resp)) != 0)
		return wa_cli_fail(cli, argv[optind], rc);
	if (cli->json)
		wa_json_print(json_object_get(resp, "lease"));
	else
		printf("%s bound to pid %ld\n", argv[optind], pid);
	json_decref(resp);
	return 0;
}

static const struct wa_cmd_help wa_attach_help[] = {
	{ "NAME", "the lease" },
	{ "--pid PID", "the server's process: the lease ends when it exits" },
	{ "--pid-file FILE", "read the pid from FILE (wso2carbon.pid)" },
	{ NULL, NULL }
};

const struct wa_cmd_entry wa_cmd_attach = {
	.name = "attach", .usage = "NAME --pid PID | --pid-file FILE",
	.summary = "bind a lease to a running process (owner or root)",
	.shortopts = "", .opts = wa_attach_opts, .help = wa_attach_help,
	.min_args = 1, .max_args = 1,
	.exec = wa_attach_exec,
};
