/* cmd-who.c: wso2-alloc who PORT[/tcp|/udp]: which instance owns a port. */
#include "cmd.h"
#include "container.h"

static int
wa_who_exec(struct wa_cli *cli, int argc, char **argv)
{
	const char *proto, *arg = cli->args[0];
	json_t *resp, *l;
	char owner[32] = "-";
	int port, rc;

	(void)argc;
	(void)argv;
	if (wa_port_arg(arg, &port, &proto) != 0)
		return wa_cli_usage(&wa_cmd_who, "'%s' is not PORT[/tcp|/udp]",
		    wa_term_str(arg));
	rc = wa_cli_request(cli, wa_who_req(port, proto), &resp);
	if (rc != 0)
		return wa_cli_fail(cli, arg, rc);
	l = json_object_get(resp, "lease");
	if (cli->json) {
		json_object_del(resp, "ok");
		wa_json_print(resp);
	} else if (!wa_lease_valid(l)) {
		json_decref(resp);
		return wa_cli_fail(cli, arg, WA_EPROTO);
	} else {
		/* The name list prints, from the same lookup. */
		if (json_is_integer(json_object_get(l, "owner_uid")))
			wa_user_name(wa_json_int(l, "owner_uid", 0), owner,
			    sizeof owner);
		/* The holder's command line is any process's own words. */
		if (wa_json_int(resp, "holder_pid", 0) > 0)
			printf("%d/%s: bound by pid %lld (%s)\n", port, proto,
			    wa_json_int(resp, "holder_pid", 0),
			    wa_json_str(resp, "holder_cmdline") ? wa_term_str(
			    wa_json_str(resp, "holder_cmdline")) : "?");
		if (json_is_object(json_object_get(resp, "container"))) {
			char ctr[200];

			wa_ctr_holder_text(resp, ctr, sizeof ctr);
			printf("%d/%s: published for %s\n", port, proto,
			    wa_term_str(ctr));
		}
		printf("%d/%s: %s of %s (%s, offset %lld, owner %s)%s\n",
		    port, proto, wa_term_str(wa_json_str(resp, "port_name")),
		    wa_term_str(wa_json_str(l, "name")),
		    wa_term_str(wa_json_str(l, "product")),
		    wa_json_int(l, "offset", -1), wa_term_str(owner),
		    json_is_true(json_object_get(resp, "bound")) ?
		    ", bound now" : json_is_false(json_object_get(resp,
		    "bound")) ? ", not bound now" : "");
	}
	json_decref(resp);
	return 0;
}

static const struct wa_cmd_help wa_who_help[] = {
	{ "PORT[/tcp|/udp]", "the port (tcp unless /udp); also says which "
	    "process binds it now" },
	{ NULL, NULL }
};

const struct wa_cmd_entry wa_cmd_who = {
	.name = "who", .usage = "PORT[/tcp|/udp]",
	.summary = "which lease holds a port (exit 1 when none)",
	.help = wa_who_help, .min_args = 1, .max_args = 1,
	.exec = wa_who_exec,
};
