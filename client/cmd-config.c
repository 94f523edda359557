/*
 * cmd-config.c: wso2-alloc config NAME [--home DIR] [--write]: show (and
 * apply) the lease's offset in the product's own files, as a unified diff.
 */
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "catalog.h"
#include "cmd.h"
#include "confedit.h"
#include "safeio.h"
#include "util.h"
#include "wire.h"
#include "xmlscan.h"

static const struct option wa_config_opts[] = {
	{ "home", required_argument, NULL, 'H' },
	{ "write", no_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 }
};

/* The file to edit: the catalog's, else the usual places. */
static int
wa_config_file(const struct wa_product *p, const char *home, char *path,
    size_t len, bool *toml)
{
	static const char *const tomls[] = { "repository/conf/deployment.toml",
	    "conf/deployment.toml" };

	if (p->offset_kind != NULL && p->offset_file != NULL &&
	    strcmp(p->offset_kind, "yaml") != 0) {
		snprintf(path, len, "%s/%s", home, p->offset_file);
		*toml = strcmp(p->offset_kind, "toml") == 0;
		return 0;
	}
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, len, "%s/%s", home, tomls[i]);
		if (access(path, F_OK) == 0) {
			*toml = true;
			return 0;
		}
	}
	return WA_ENOTFOUND;
}

/*
 * A product file, checked and read the safeio way (as its owner when we
 * are root); an exit code, with the reason said, when it is there but
 * cannot be used.
 */
static int
wa_config_open(const char *path, struct wa_safe_file **f)
{
	char why[256];
	int rc;

	if ((rc = wa_safe_open(f, path, why, sizeof why)) == 0)
		return 0;
	if (rc == WA_ENOTFOUND)
		return WA_EXIT_NOTFOUND;
	fprintf(stderr, "wso2-alloc: config: %s: %s: not read\n",
	    wa_term_str(path), wa_term_str(why));
	return rc == WA_EFORBIDDEN ? WA_EXIT_NOPERM : WA_EXIT_DATAERR;
}

/* Replace the file that was read with edited, keeping a .bak. */
static int
wa_config_write(const char *path, struct wa_safe_file *f, const char *edited)
{
	char why[256];

	if (wa_safe_replace(f, edited, strlen(edited), true, why,
	    sizeof why) != 0) {
		fprintf(stderr, "wso2-alloc: config: %s: cannot be written: "
		    "%s\n", wa_term_str(path), wa_term_str(why));
		return WA_EXIT_SOFTWARE;
	}
	return 0;
}

/* Why a carbon.xml edit was refused. */
static void
wa_config_xml_why(const char *text, int rc, char *why, size_t len)
{
	struct wa_xml_doc d;

	if (rc == WA_ENOTFOUND)
		snprintf(why, len, "no <Ports><Offset> element");
	else if (rc == WA_EINVAL && wa_xml_read(text, strlen(text), &d) != 0)
		snprintf(why, len, "not well-formed XML: %s", d.err);
	else if (rc == WA_EINVAL)
		snprintf(why, len, "<Offset> holds more than a number");
	else
		snprintf(why, len, "the edit does not read back as <Offset>");
	if (rc == WA_EINVAL)
		wa_xml_doc_free(&d);
}

/* Show (and write) one edit of one file; 0 when done or not needed. */
static int
wa_config_apply(const char *path, struct wa_safe_file *f, const char *edited,
    bool write)
{
	char *diff = wa_unified_diff(path, wa_safe_text(f, NULL), edited);
	int rc = 0;

	if (diff == NULL)
		return WA_EXIT_SOFTWARE;
	if (*diff == '\0')
		printf("%s: already as leased\n", wa_term_str(path));
	else {
		wa_term_puts(stdout, diff);
		if (write && (rc = wa_config_write(path, f, edited)) == 0)
			printf("wrote %s (previous content in %s.bak)\n",
			    wa_term_str(path), wa_term_str(path));
	}
	free(diff);
	return rc;
}

/*
 * API-M 2.x (seed 002): a Gateway's Thrift client port must equal its Key
 * Manager's Thrift server port when their offsets differ, and the
 * Workflow Callback Service's address follows the offset.
 */
static int
wa_config_apim2(struct wa_cli *cli, const json_t *lease, const char *home,
    bool write)
{
	const char *link = wa_json_str(lease, "link");
	long long off = wa_json_int(lease, "offset", 0), km = off;
	char path[4096], *a = NULL, *b = NULL;
	struct wa_safe_file *f;
	json_t *resp = NULL;
	int rc;

	if (link != NULL && strncmp(link, "km=", 3) == 0 &&
	    wa_cli_request(cli, wa_show_req(link + 3), &resp) == 0) {
		km = wa_json_int(json_object_get(resp, "lease"), "offset", off);
		json_decref(resp);
	}
	printf("Thrift key validation: <ThriftClientPort> and <ThriftServerPort> "
	    "= %lld (10397 + the Key Manager's offset %lld)%s\n", 10397 + km, km,
	    link == NULL ? "; pair a Gateway with its Key Manager with "
	    "lease --link km=NAME" : "");
	snprintf(path, sizeof path, "%s/repository/conf/api-manager.xml", home);
	/* Either file may be absent: only what is there is edited. */
	if ((rc = wa_config_open(path, &f)) == 0) {
		if (wa_xml_set(wa_safe_text(f, NULL), NULL, "ThriftClientPort",
		    (int)(10397 + km), &a) == 0 && wa_xml_set(a, NULL,
		    "ThriftServerPort", (int)(10397 + km), &b) == 0)
			rc = wa_config_apply(path, f, b, write);
		wa_safe_close(f);
		free(a);
		free(b);
		a = NULL;
	}
	if (rc == WA_EXIT_NOTFOUND)
		rc = 0;
	snprintf(path, sizeof path, "%s/repository/deployment/server/"
	    "synapse-configs/default/proxy-services/WorkflowCallbackService.xml",
	    home);
	printf("Workflow callback: the <address uri> port = %lld (9443 + %lld)\n",
	    9443 + off, off);
	if (rc == 0 && (rc = wa_config_open(path, &f)) == 0) {
		if (wa_address_set_port(wa_safe_text(f, NULL), (int)(9443 + off),
		    &a) == 0)
			rc = wa_config_apply(path, f, a, write);
		wa_safe_close(f);
		free(a);
	}
	return rc == WA_EXIT_NOTFOUND ? 0 : rc;
}

static int
wa_config_exec(struct wa_cli *cli, int argc, char **argv)
{
	const char *home = NULL, *name;
	struct wa_catalog *cat = NULL;
	const struct wa_product *p;
	json_t *resp = NULL, *lease;
	char path[4096], why[256], *edited = NULL, *diff = NULL;
	struct wa_safe_file *f = NULL;
	const char *text;
	bool write = false, toml = true;
	int ch, rc, offset, exit = 0;
	size_t i;
	json_t *v;

	while ((ch = getopt_long(argc, argv, "", wa_config_opts, NULL)) != -1) {
		if (ch == 'H')
			home = optarg;
		else if (ch == 'w')
			write = true;
	}
	name = cli->args[0];
	if ((rc = wa_cli_request(cli, wa_show_req(name), &resp)) != 0)
		return wa_cli_fail(cli, name, rc);
	lease = json_object_get(resp, "lease");
	/* The offset written into the product's files: none made up. */
	if (!wa_lease_valid(lease)) {
		exit = wa_cli_fail(cli, name, WA_EPROTO);
		goto out;
	}
	offset = (int)wa_json_int(lease, "offset", 0);
	if (home == NULL)
		home = wa_json_str(lease, "home");
	if (home == NULL) {
		fprintf(stderr, "wso2-alloc: config: %s has no carbon home: "
		    "give --home DIR\n", wa_term_str(name));
		exit = WA_EXIT_USAGE;
		goto out;
	}
	if ((cat = wa_cli_catalog()) == NULL ||
	    (p = wa_catalog_find(cat, wa_json_str(lease, "product"))) == NULL) {
		fprintf(stderr, "wso2-alloc: config: %s: product not in the "
		    "catalog\n", wa_term_str(wa_json_str(lease, "product")));
		exit = WA_EXIT_DATAERR;
		goto out;
	}
	if (p->offset_kind != NULL && strcmp(p->offset_kind, "yaml") == 0) {
		/* Carbon 5 (EI Analytics, SI): by hand, as the seeds say. */
		printf("%s: in %s/%s set wso2.carbon.ports.offset: %d (Carbon 5 "
		    "runtimes take no -DportOffset); where the runtime does not "
		    "add the offset to its listeners, set their ports:\n",
		    wa_term_str(name), wa_term_str(home), p->offset_file, offset);
		json_array_foreach(json_object_get(lease, "ports"), i, v)
			printf("  %-24s %s port: %lld\n",
			    wa_term_str(wa_json_str(v, "name")),
			    wa_term_str(wa_json_str(v, "proto")),
			    wa_json_int(v, "port", 0));
		goto out;
	}
	if (wa_config_file(p, home, path, sizeof path, &toml) != 0 ||
	    (exit = wa_config_open(path, &f)) == WA_EXIT_NOTFOUND) {
		fprintf(stderr, "wso2-alloc: config: %s: no %s to edit under "
		    "%s\n", wa_term_str(name), toml ? "deployment.toml" :
		    "carbon.xml", wa_term_str(home));
		exit = WA_EXIT_NOTFOUND;
		goto out;
	}
	if (exit != 0)
		goto out;
	text = wa_safe_text(f, NULL);
	rc = toml ? wa_toml_set_offset(text, offset, &edited, why,
	    sizeof why) : wa_carbon_xml_set_offset(text, offset, &edited);
	if (rc != 0 && !toml)
		wa_config_xml_why(text, rc, why, sizeof why);
	if (rc != 0) {
		/* Nothing is written: the file stays as it was. */
		fprintf(stderr, "wso2-alloc: config: %s: %s; nothing "
		    "written\n", wa_term_str(path), wa_term_str(why));
		exit = rc == WA_EINTERNAL ? WA_EXIT_SOFTWARE : WA_EXIT_DATAERR;
		goto out;
	}
	/* The URLs that carry ports, in the same edit and the same write. */
	if (toml && p->nurls > 0 && (exit = wa_config_wire(cli, cat, p, lease,
	    text, path, &edited)) != 0)
		goto out;
	if ((diff = wa_unified_diff(path, text, edited)) == NULL) {
		exit = WA_EXIT_SOFTWARE;
		goto out;
	}
	if (*diff == '\0') {
		printf("%s: already at offset %d%s\n", wa_term_str(path), offset,
		    p->nurls > 0 ? ", its URLs as leased and linked" : "");
		if (strncmp(p->id, "apim-2", 6) == 0)
			exit = wa_config_apim2(cli, lease, home, write);
		goto out;
	}
	wa_term_puts(stdout, diff);
	if (write) {
		if ((exit = wa_config_write(path, f, edited)) != 0)
			goto out;
		printf("wrote %s (previous content in %s.bak)\n",
		    wa_term_str(path), wa_term_str(path));
	}
	if (strncmp(p->id, "apim-2", 6) == 0)
		exit = wa_config_apim2(cli, lease, home, write);
out:
	wa_safe_close(f);
	free(edited);
	free(diff);
	wa_catalog_free(cat);
	json_decref(resp);
	return exit;
}

static const struct wa_cmd_help wa_config_help[] = {
	{ "NAME", "the lease" },
	{ "--home DIR", "the carbon home to edit (default: the lease's)" },
	{ "--write", "apply the change (the previous file kept as FILE.bak); "
	    "without it, only the diff is shown" },
	{ NULL, NULL }
};

const struct wa_cmd_entry wa_cmd_config = {
	.name = "config", .usage = "NAME [--home DIR] [--write]",
	.summary = "show (--write: apply) the lease's offset in the product's "
	    "deployment.toml or carbon.xml",
	.shortopts = "", .opts = wa_config_opts, .help = wa_config_help,
	.min_args = 1, .max_args = 1,
	.exec = wa_config_exec,
};
