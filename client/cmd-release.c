/* cmd-release.c: wso2-alloc release NAME: end a lease, free its ports. */
#include "cmd.h"
#include "wire.h"

/* The leases configured with this one's ports: they point nowhere now. */
static void
wa_release_dependants(struct wa_cli *cli, const char *name)
{
	json_t *resp = NULL, *v;
	size_t i;

	if (wa_cli_request(cli, wa_list_req(NULL, -1, NULL, false),
	    &resp) != 0)
		return;
	json_array_foreach(json_object_get(resp, "leases"), i, v)
		if (wa_links_to(v, name))
			fprintf(stderr, "wso2-alloc: warning: %s links to %s "
			    "(%s): its configuration names ports %s no longer "
			    "holds\n", wa_term_str(wa_json_str(v, "name")),
			    wa_term_str(name), wa_term_str(wa_json_str(v,
			    "link")), wa_term_str(name));
	json_decref(resp);
}

static int
wa_release_exec(struct wa_cli *cli, int argc, char **argv)
{
	json_t *resp, *l;
	int rc;

	(void)argc;
	(void)argv;
	if ((rc = wa_cli_request(cli, wa_release_req(cli->args[0]),
	    &resp)) != 0)
		return wa_cli_fail(cli, cli->args[0], rc);
	l = json_object_get(resp, "lease");
	if (cli->json)
		wa_json_print(l);
	else if (wa_lease_valid(l))
		printf("released %s (%s offset %lld)\n",
		    wa_term_str(cli->args[0]),
		    wa_term_str(wa_json_str(l, "product")),
		    wa_json_int(l, "offset", -1));
	else
		printf("released %s\n", wa_term_str(cli->args[0]));
	json_decref(resp);
	wa_release_dependants(cli, argv[1]);
	return 0;
}

static const struct wa_cmd_help wa_release_help[] = {
	{ "NAME", "the lease ('wso2-alloc list' shows the active ones)" },
	{ NULL, NULL }
};

const struct wa_cmd_entry wa_cmd_release = {
	.name = "release", .usage = "NAME",
	.summary = "end a lease (owner or root); its ports come free",
	.help = wa_release_help, .min_args = 1, .max_args = 1,
	.exec = wa_release_exec,
};
