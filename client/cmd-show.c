/* cmd-show.c: wso2-alloc show NAME: one lease, any state. */
#include "cmd.h"

static int
wa_show_exec(struct wa_cli *cli, int argc, char **argv)
{
	json_t *resp;
	int rc;

	(void)argc;
	(void)argv;
	if ((rc = wa_cli_request(cli, wa_show_req(cli->args[0]),
	    &resp)) != 0)
		return wa_cli_fail(cli, cli->args[0], rc);
	rc = wa_lease_print(stdout, json_object_get(resp, "lease"),
	    cli->json ? "json" : "text");
	json_decref(resp);
	return rc != 0 ? wa_cli_fail(cli, cli->args[0], rc) : 0;
}

static const struct wa_cmd_help wa_show_help[] = {
	{ "NAME", "the lease, in any state (history lists the ended ones)" },
	{ NULL, NULL }
};

const struct wa_cmd_entry wa_cmd_show = {
	.name = "show", .usage = "NAME",
	.summary = "show one lease with its ports",
	.help = wa_show_help, .min_args = 1, .max_args = 1,
	.exec = wa_show_exec,
};
