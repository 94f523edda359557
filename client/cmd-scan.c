/*
 * cmd-scan.c: wso2-alloc scan [--adopt]: the WSO2 servers running here,
 * marked as in the ledger or not; --adopt records the others as leases
 * bound to their pids.
 */
#include <string.h>

#include "catalog.h"
#include "cmd.h"
#include "scanctr.h"

static const struct option wa_scan_opts[] = {
	{ "adopt", no_argument, NULL, 'a' },
	{ NULL, 0, NULL, 0 }
};

/* The runtimes of one home share its name: each gets its own, the
 * home's base name and the runtime (wso2am-analytics-3.2.0-dashboard). */
static void
wa_scan_adopt_name(const json_t *s, char *name, size_t len, const char **out)
{
	const char *home = wa_json_str(s, "home");
	const char *rt = wa_json_str(s, "runtime"), *base;
	char dir[4096];
	size_t n;

	if (home == NULL || rt == NULL)
		return;
	snprintf(dir, sizeof dir, "%s", home);
	while ((n = strlen(dir)) > 1 && dir[n - 1] == '/')
		dir[n - 1] = '\0';
	base = strrchr(dir, '/') != NULL ? strrchr(dir, '/') + 1 : dir;
	if (*base != '\0' && snprintf(name, len, "%s-%s", base, rt) <= 64)
		*out = name;
}

/* Record one server; its answer (lease or error) goes into s. */
static int
wa_scan_adopt(struct wa_cli *cli, json_t *s)
{
	struct wa_lease_request q = { .offset = -1 };
	json_t *resp;
	char why[200], name[128], aname[128];
	int rc;

	if (json_is_null(json_object_get(s, "product"))) {
		json_object_set_new(s, "adopt_error", json_string(
		    wa_json_str(s, "runtime") != NULL ? "unknown product: no "
		    "catalog product is this home's runtime" : "unknown "
		    "product: no catalog home pattern matches"));
		return WA_EPRODUCT;
	}
	if (json_object_get(s, "container") != NULL) {
		if (wa_scan_ctr_request(s, &q, name, sizeof name, why,
		    sizeof why) != 0) {
			json_object_set_new(s, "adopt_error", json_string(why));
			return WA_ENOTFOUND;
		}
	} else {
		q.product = wa_json_str(s, "product");
		q.home = wa_json_str(s, "home");
		q.pid = (pid_t)wa_json_int(s, "pid", 0);
		q.offset = (int)wa_json_int(s, "offset", -1);
		q.adopt = true;
	}
	wa_scan_adopt_name(s, aname, sizeof aname, &q.name);
	rc = wa_cli_request(cli, wa_lease_req(&q), &resp);
	json_decref(q.ports);
	json_decref(q.labels);
	if (rc != 0) {
		const json_t *e = wa_client_error(cli->c);

		json_object_set_new(s, "adopt_error", json_string(e != NULL ?
		    json_string_value(json_object_get(e, "message")) :
		    wa_strerror(rc)));
		return rc;
	}
	json_object_set(s, "lease", json_object_get(resp, "lease"));
	/* An identical lease of the same owner may exist under that name. */
	json_object_set(s, "adopted", json_object_get(resp, "created"));
	json_decref(resp);
	return 0;
}

static int
wa_scan_exec(struct wa_cli *cli, int argc, char **argv)
{
	static const char *const hdr[] = { "PID", "PRODUCT", "OFFSET", "FROM",
	    "LEASE", "HOME" };
	struct wa_catalog *cat;
	json_t *servers, *resp = NULL, *s;
	struct wa_table *t;
	bool adopt = false;
	size_t i;
	int ch, rc, refused = 0;

	while ((ch = getopt_long(argc, argv, "", wa_scan_opts, NULL)) != -1)
		adopt = adopt || ch == 'a';
	if ((cat = wa_cli_catalog()) == NULL)
		return WA_EXIT_DATAERR;
	servers = wa_scan_servers(cat);
	wa_catalog_free(cat);
	if ((rc = wa_cli_request(cli, wa_list_req(NULL, -1, NULL, false),
	    &resp)) != 0) {
		json_decref(servers);
		return wa_cli_fail(cli, "scan", rc);
	}
	json_array_foreach(servers, i, s) {
		const json_t *l = wa_scan_lease(json_object_get(resp, "leases"),
		    s);

		if (l != NULL)
			json_object_set(s, "lease", (json_t *)l);
		else if (adopt && wa_scan_adopt(cli, s) != 0)
			refused++;
		json_object_set_new(s, "in_ledger", json_boolean(
		    json_object_get(s, "lease") != NULL));
	}
	json_decref(resp);
	if (cli->json) {
		json_t *out = json_pack("{sO}", "servers", servers);

		wa_json_print(out);
		json_decref(out);
	} else {
		t = wa_table_new(hdr, 6);
		json_array_foreach(servers, i, s) {
			const char *row[6], *name;
			char pid[24], off[24], lease[128];

			snprintf(pid, sizeof pid, "%lld", wa_json_int(s, "pid", 0));
			snprintf(off, sizeof off, "%lld",
			    wa_json_int(s, "offset", 0));
			/* The table escapes the name. */
			name = wa_json_str(json_object_get(s, "lease"), "name");
			snprintf(lease, sizeof lease, "%s%s",
			    json_object_get(s, "lease") == NULL ?
			    "(not in the ledger)" : name != NULL ? name : "-",
			    json_is_true(json_object_get(s,
			    "adopted")) ? " (adopted)" : "");
			row[0] = pid;
			row[1] = wa_json_str(s, "product");
			row[2] = off;
			row[3] = wa_json_str(s, "offset_from");
			row[4] = lease;
			row[5] = wa_json_str(s, "home");
			wa_table_add(t, row);
		}
		wa_table_print(t, stdout);
		wa_table_free(t);
		json_array_foreach(servers, i, s)
			if (wa_json_str(s, "adopt_error") != NULL)
				fprintf(stderr, "wso2-alloc: scan: pid %lld not "
				    "adopted: %s\n", wa_json_int(s, "pid", 0),
				    wa_term_str(wa_json_str(s, "adopt_error")));
	}
	json_decref(servers);
	return refused > 0 ? WA_EXIT_CONFLICT : 0;
}

static const struct wa_cmd_help wa_scan_help[] = {
	{ "--adopt", "record each server not in the ledger as a lease bound to "
	    "its pid, at the offset it runs at" },
	{ NULL, NULL }
};

const struct wa_cmd_entry wa_cmd_scan = {
	.name = "scan", .usage = "[--adopt]",
	.summary = "find running WSO2 servers; --adopt records the unrecorded",
	.shortopts = "", .opts = wa_scan_opts, .help = wa_scan_help,
	.exec = wa_scan_exec,
};
