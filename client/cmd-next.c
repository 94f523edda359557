/* cmd-next.c: wso2-alloc next --product P: the offset a lease would get
 * now and how many are free, nothing taken. */
#include "cmd.h"

static const struct option wa_next_opts[] = {
	{ "product", required_argument, NULL, 'p' },
	{ NULL, 0, NULL, 0 }
};

static const struct wa_cmd_help wa_next_help[] = {
	{ "--product P", "the product: an id or alias that 'wso2-alloc "
	    "products' lists (required)" },
	{ NULL, NULL }
};

static int
wa_next_exec(struct wa_cli *cli, int argc, char **argv)
{
	const char *product = NULL;
	json_t *resp, *p;
	size_t i;
	int rc;

	while (getopt_long(argc, argv, "", wa_next_opts, NULL) == 'p')
		product = optarg;
	if (product == NULL)
		return wa_cli_usage(&wa_cmd_next, "--product is required");
	if ((rc = wa_cli_request(cli, wa_next_req(product), &resp)) != 0)
		return wa_cli_fail(cli, "next", rc);
	if (cli->json) {
		json_object_del(resp, "ok");
		wa_json_print(resp);
		json_decref(resp);
		return 0;
	}
	printf("%s: offset %lld is free now (%lld free offsets); not leased\n",
	    wa_term_str(wa_json_str(resp, "product")), wa_json_int(resp,
	    "offset", -1), wa_json_int(resp, "free", 0));
	json_array_foreach(json_object_get(resp, "ports"), i, p)
		printf("  %5lld/%s  %s\n", wa_json_int(p, "port", 0),
		    wa_term_str(wa_json_str(p, "proto")),
		    wa_term_str(wa_json_str(p, "name")));
	json_decref(resp);
	return 0;
}

const struct wa_cmd_entry wa_cmd_next = {
	.name = "next", .usage = "--product P",
	.summary = "the offset a lease would get now, and how many are free",
	.opts = wa_next_opts, .help = wa_next_help, .shortopts = "",
	.exec = wa_next_exec,
};
