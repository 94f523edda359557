/* cmd-show.c: wso2-alloc show NAME: one lease, any state. */
#include "cmd.h"

static int
wa_show_exec(struct wa_cli *cli, int argc, char **argv)
{
	json_t *resp;
	int rc;

	if (argc != 2 || argv[1][0] == '-')
		return wa_cli_usage(&wa_cmd_show, "one NAME expected");
	if ((rc = wa_cli_request(cli, json_pack("{ssss}", "op", "show", "name",
	    argv[1]), &resp, true)) != 0)
		return wa_cli_fail(cli, argv[1], rc);
	rc = wa_lease_print(stdout, json_object_get(resp, "lease"),
	    cli->json ? "json" : "text");
	json_decref(resp);
	return rc != 0 ? wa_cli_fail(cli, argv[1], rc) : 0;
}

const struct wa_cmd_entry wa_cmd_show = {
	.name = "show", .usage = "NAME",
	.summary = "show one lease with its ports",
	.min_args = 1, .max_args = 1, .flags = WA_CMD_DAEMON | WA_CMD_OFFLINE,
	.exec = wa_show_exec,
};
