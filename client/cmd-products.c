/* cmd-products.c: wso2-alloc products [ID]: the catalog. */
#include <string.h>

#include "catalog.h"
#include "cmd.h"

static const struct option wa_products_opts[] = {
	{ "ids", no_argument, NULL, 'i' },
	{ NULL, 0, NULL, 0 }
};

/*
 * Every id and alias, one a line, for the bash completion: the daemon's
 * catalog when one answers (it is never started for a TAB), else the one
 * this client reads, each product once whichever directories hold it.
 */
static int
wa_products_ids(struct wa_cli *cli)
{
	struct wa_catalog *cat;
	json_t *resp, *p, *a;
	size_t i, k;

	cli->no_start = true;
	if (wa_cli_request(cli, wa_products_req(NULL), &resp) == 0) {
		json_array_foreach(json_object_get(resp, "products"), i, p) {
			printf("%s\n", wa_term_str(wa_json_str(p, "id")));
			json_array_foreach(json_object_get(p, "aliases"), k, a)
				printf("%s\n", wa_term_str(json_string_value(a)));
		}
		json_decref(resp);
		return 0;
	}
	if ((cat = wa_cli_catalog()) == NULL)
		return WA_EXIT_DATAERR;
	for (i = 0; i < cat->nproducts; i++) {
		printf("%s\n", cat->products[i].id);
		for (k = 0; k < cat->products[i].naliases; k++)
			printf("%s\n", cat->products[i].aliases[k]);
	}
	wa_catalog_free(cat);
	return 0;
}

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
	json_t *resp, *p, *a;
	struct wa_table *t;
	char io[16], aliases[128];
	size_t i, k;
	int rc;

	if (getopt_long(argc, argv, "", wa_products_opts, NULL) == 'i')
		return wa_products_ids(cli);
	if ((rc = wa_cli_request(cli, wa_products_req(cli->nargs == 1 ?
	    cli->args[0] : NULL), &resp)) != 0)
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
	if (cli->nargs == 1 &&
	    json_array_size(json_object_get(resp, "products")) == 1)
		wa_product_ports(json_array_get(json_object_get(resp,
		    "products"), 0));
	json_decref(resp);
	return 0;
}

static const struct wa_cmd_help wa_products_help[] = {
	{ "ID", "one product (an id or alias), with its ports" },
	{ "--ids", NULL },
	{ NULL, NULL }
};

const struct wa_cmd_entry wa_cmd_products = {
	.name = "products", .usage = "[ID]",
	.summary = "the product catalog (with ID: its ports)",
	.shortopts = "", .opts = wa_products_opts, .help = wa_products_help,
	.max_args = 1,
	.exec = wa_products_exec,
};
