/* cmd-status.c: wso2-alloc status: the daemon, its ledger and counts. */
#include "cmd.h"
#include "util.h"

static int
wa_status_exec(struct wa_cli *cli, int argc, char **argv)
{
	json_t *resp, *v;
	const char *k;
	char who[64];
	int rc;

	(void)argc;
	(void)argv;
	if ((rc = wa_cli_request(cli, wa_status_req(), &resp)) != 0)
		return wa_cli_fail(cli, "status", rc);
	if (cli->json) {
		json_object_del(resp, "ok");
		wa_json_print(resp);
		json_decref(resp);
		return 0;
	}
	printf("wso2-allocd %s (protocol %lld), pid %lld, up %llds\n",
	    wa_term_str(wa_json_str(resp, "version")),
	    wa_json_int(resp, "protocol", 0), wa_json_int(resp, "pid", 0),
	    wa_json_int(resp, "uptime", 0));
	if (wa_json_str(resp, "mode") != NULL)
		printf("daemon   %s, %s\n", wa_term_str(wa_json_str(resp,
		    "mode")), wa_uid_name((uid_t)wa_json_int(resp, "uid", -1),
		    who, sizeof who));
	printf("socket   %s\nledger   %s (schema %lld, sync %s)\n",
	    wa_term_str(wa_json_str(resp, "socket")),
	    wa_term_str(wa_json_str(resp, "ledger")),
	    wa_json_int(resp, "schema_version", 0),
	    wa_term_str(wa_json_str(resp, "sync")));
	printf("catalog  %lld products\nleases   %lld active, %lld events\n",
	    wa_json_int(resp, "catalog", 0), wa_json_int(resp, "active", 0),
	    wa_json_int(resp, "events", 0));
	json_object_foreach(json_object_get(resp, "leases"), k, v)
		printf("  %-24s %lld\n", wa_term_str(k),
		    (long long)json_integer_value(v));
	json_decref(resp);
	return 0;
}

const struct wa_cmd_entry wa_cmd_status = {
	.name = "status", .usage = "",
	.summary = "the daemon: version, paths, counts",
	.exec = wa_status_exec,
};
