/*
 * cmd-export.c: wso2-alloc export --prometheus [FILE|-]: a node_exporter
 * textfile: daemon up, active leases per product, ports leased, and the
 * offsets a new lease of each product could still get.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "catalog.h"
#include "cmd.h"
#include "procnet.h"
#include "safeio.h"

static const struct option wa_export_opts[] = {
	{ "prometheus", no_argument, NULL, 'p' },
	{ NULL, 0, NULL, 0 }
};

/* How many offsets below the ephemeral range fit every default port. */
static long
wa_free_offsets(const struct wa_portmap *m, const struct wa_product *p,
    int ceiling)
{
	const struct wa_port_def *sel[256];
	struct wa_alloc_opts o;
	struct wa_alloc_result r;
	size_t nsel;
	long n = 0;

	if (p->nports > 256 || wa_port_select(p, NULL, 0, NULL, 0, sel, &nsel,
	    NULL, 0) != 0)
		return 0;
	wa_alloc_opts_init(&o);
	o.port_ceiling = ceiling;
	for (int k = 0; k < ceiling; k++) {
		o.requested = k;
		if (wa_alloc_find(m, sel, nsel, &o, &r) == 0)
			n++;
	}
	return n;
}

static void
wa_export_write(FILE *f, const json_t *status, const json_t *ports,
    const struct wa_catalog *cat, const struct wa_portmap *m, int ceiling)
{
	const char *k;
	json_t *v;

	fprintf(f, "# HELP wso2_alloc_up Whether wso2-allocd answered.\n"
	    "# TYPE wso2_alloc_up gauge\nwso2_alloc_up %d\n", status != NULL);
	if (status == NULL)
		return;
	fprintf(f, "# HELP wso2_alloc_leases_active Active leases per "
	    "product.\n# TYPE wso2_alloc_leases_active gauge\n");
	json_object_foreach(json_object_get(status, "leases"), k, v)
		fprintf(f, "wso2_alloc_leases_active{product=\"%s\"} %lld\n", k,
		    (long long)json_integer_value(v));
	fprintf(f, "# HELP wso2_alloc_ports_leased Ports held by active "
	    "leases.\n# TYPE wso2_alloc_ports_leased gauge\n"
	    "wso2_alloc_ports_leased %zu\n", json_array_size(ports));
	fprintf(f, "# HELP wso2_alloc_events_total Ledger events.\n"
	    "# TYPE wso2_alloc_events_total counter\n"
	    "wso2_alloc_events_total %lld\n", wa_json_int(status, "events", 0));
	fprintf(f, "# HELP wso2_alloc_free_offsets Offsets a new lease of the "
	    "product could still get.\n# TYPE wso2_alloc_free_offsets gauge\n");
	for (size_t i = 0; cat != NULL && i < cat->nproducts; i++)
		fprintf(f, "wso2_alloc_free_offsets{product=\"%s\"} %ld\n",
		    cat->products[i].id, wa_free_offsets(m, &cat->products[i],
		    ceiling));
}

static int
wa_export_exec(struct wa_cli *cli, int argc, char **argv)
{
	struct wa_portmap *m = calloc(1, sizeof *m);
	struct wa_catalog *cat = wa_cli_catalog();
	json_t *status = NULL, *pr = NULL, *p;
	char *text = NULL, why[256] = "out of memory";
	int ch, lo = 32768, hi = 60999, rc = 0;
	bool prom = false;
	size_t i, len = 0;
	FILE *f = stdout;

	while ((ch = getopt_long(argc, argv, "", wa_export_opts, NULL)) != -1)
		if (ch == 'p')
			prom = true;
	if (!prom || argc - optind > 1 || m == NULL) {
		free(m);
		wa_catalog_free(cat);
		return wa_cli_usage(&wa_cmd_export, "--prometheus [FILE|-]");
	}
	wa_portmap_init(m);
	if (wa_cli_request(cli, json_pack("{ss}", "op", "status"), &status,
	    false) != 0 || wa_cli_request(cli, json_pack("{ss}", "op",
	    "ports"), &pr, false) != 0) {
		json_decref(status);
		status = NULL;
	}
	json_array_foreach(json_object_get(pr, "ports"), i, p)
		wa_portmap_lease(m, wa_proto_parse(wa_json_str(p, "proto")),
		    (uint16_t)wa_json_int(p, "port", 0), 1);
	wa_procnet_sysctls("/proc", &lo, &hi, m);
	wa_procnet_scan(m, "/proc");
	if (optind < argc && strcmp(argv[optind], "-") != 0 &&
	    (f = open_memstream(&text, &len)) == NULL) {
		rc = WA_EXIT_SOFTWARE;
		goto out;
	}
	wa_export_write(f, status, json_object_get(pr, "ports"), cat, m,
	    lo - 1);
	if (f == stdout)
		goto out;
	/* Written aside and renamed: the collector never reads half. */
	if (fclose(f) != 0 || wa_safe_write_new(argv[optind], text, len, 0644,
	    why, sizeof why) != 0) {
		fprintf(stderr, "wso2-alloc: export: %s: cannot be written: "
		    "%s\n", argv[optind], why);
		rc = WA_EXIT_SOFTWARE;
	}
out:
	free(text);
	json_decref(status);
	json_decref(pr);
	wa_catalog_free(cat);
	free(m);
	return rc;
}

const struct wa_cmd_entry wa_cmd_export = {
	.name = "export", .usage = "--prometheus [FILE|-]",
	.summary = "write a node_exporter textfile (atomically to FILE)",
	.shortopts = "", .opts = wa_export_opts, .flags = WA_CMD_DAEMON,
	.exec = wa_export_exec,
};
