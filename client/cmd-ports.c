/* cmd-ports.c: wso2-alloc ports: every leased port, ascending. */
#include "cmd.h"

static const struct option wa_ports_opts[] = {
	{ "product", required_argument, NULL, 'p' },
	{ NULL, 0, NULL, 0 }
};

static int
wa_ports_exec(struct wa_cli *cli, int argc, char **argv)
{
	static const char *const hdr[] = { "PORT", "PROTO", "NAME", "LEASE",
	    "PRODUCT", "OFFSET" };
	const char *product = NULL;
	json_t *resp, *p;
	struct wa_table *t;
	char port[16], offset[16];
	size_t i;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", wa_ports_opts, NULL)) != -1)
		if (ch == 'p')
			product = optarg;
	if ((rc = wa_cli_request(cli, wa_ports_req(product), &resp)) != 0)
		return wa_cli_fail(cli, "ports", rc);
	if (cli->json) {
		json_object_del(resp, "ok");
		wa_json_print(resp);
	} else {
		t = wa_table_new(hdr, 6);
		json_array_foreach(json_object_get(resp, "ports"), i, p) {
			const char *row[6];

			snprintf(port, sizeof port, "%lld",
			    wa_json_int(p, "port", 0));
			row[0] = port;
			row[1] = wa_json_str(p, "proto");
			row[2] = wa_json_str(p, "name");
			row[3] = wa_json_str(p, "lease");
			row[4] = wa_json_str(p, "product");
			snprintf(offset, sizeof offset, "%lld",
			    wa_json_int(p, "offset", 0));
			row[5] = offset;
			wa_table_add(t, row);
		}
		wa_table_print(t, stdout);
		wa_table_free(t);
	}
	json_decref(resp);
	return 0;
}

static const struct wa_cmd_help wa_ports_help[] = {
	{ "--product P", "only the leases of this product (an id or alias)" },
	{ NULL, NULL }
};

const struct wa_cmd_entry wa_cmd_ports = {
	.name = "ports", .usage = "[--product P]",
	.summary = "every leased port with its lease",
	.opts = wa_ports_opts, .shortopts = "", .help = wa_ports_help,
	.exec = wa_ports_exec,
};
