/* cmd-products.c: wso2-alloc products [ID]: the catalog. */
#include <string.h>

#include "cmd.h"

static void
wa_product_ports(const json_t *p)
{
	static const char *const hdr[] = { "  PORT", "PROTO", "NAME", "SHIFTS",
	    "OPEN" };
	struct wa_table *t = wa_table_new(hdr, 5);
	char port[16];
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(p, "ports"), i, v) {
		const char *row[5];

		snprintf(port, sizeof port, "  %lld", wa_json_int(v, "port", 0));
		row[0] = port;
		row[1] = wa_json_str(v, "proto");
		row[2] = wa_json_str(v, "name");
		row[3] = json_is_true(json_object_get(v, "shifts")) ? "yes" :
		    "no";
		row[4] = wa_json_str(v, "open");
		wa_table_add(t, row);
	}
	wa_table_print(t, stdout);
	wa_table_free(t);
}

static int
wa_products_exec(struct wa_cli *cli, int argc, char **argv)
{
	static const char *const hdr[] = { "ID", "ALIASES", "OFFSET",
	    "VERSIONS", "NAME" };
	json_t *req = json_pack("{ss}", "op", "products"), *resp, *p, *a;
	struct wa_table *t;
	char io[16], aliases[128];
	size_t i, k;
	int rc;

	if (argc > 2)
		return json_decref(req), wa_cli_usage(&wa_cmd_products,
		    "at most one ID");
	if (argc == 2)
		json_object_set_new(req, "id", json_string(argv[1]));
	if ((rc = wa_cli_request(cli, req, &resp, false)) != 0)
		return wa_cli_fail(cli, "products", rc);
	if (cli->json) {
		json_object_del(resp, "ok");
		wa_json_print(resp);
		json_decref(resp);
		return 0;
	}
	t = wa_table_new(hdr, 5);
	json_array_foreach(json_object_get(resp, "products"), i, p) {
		const char *row[5];

		aliases[0] = '\0';
		json_array_foreach(json_object_get(p, "aliases"), k, a) {
			if (k > 0)
				strncat(aliases, ",", sizeof aliases -
				    strlen(aliases) - 1);
			strncat(aliases, json_is_string(a) ?
			    json_string_value(a) : "-", sizeof aliases -
			    strlen(aliases) - 1);
		}
		snprintf(io, sizeof io, "%lld",
		    wa_json_int(p, "internal_offset", 0));
		row[0] = wa_json_str(p, "id");
		row[1] = aliases[0] ? aliases : "-";
		row[2] = io;
		row[3] = wa_json_str(p, "versions");
		row[4] = wa_json_str(p, "name");
		wa_table_add(t, row);
	}
	wa_table_print(t, stdout);
	wa_table_free(t);
	if (argc == 2 && json_array_size(json_object_get(resp, "products")) == 1)
		wa_product_ports(json_array_get(json_object_get(resp,
		    "products"), 0));
	json_decref(resp);
	return 0;
}

const struct wa_cmd_entry wa_cmd_products = {
	.name = "products", .usage = "[ID]",
	.summary = "the product catalog (with ID: its ports)",
	.max_args = 1, .flags = WA_CMD_DAEMON,
	.exec = wa_products_exec,
};
