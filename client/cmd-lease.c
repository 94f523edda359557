/* cmd-lease.c: wso2-alloc lease: take an offset for an instance. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ctrfmt.h"
#include "util.h"
#include "wire.h"

const struct option wa_lease_opts[] = {
	{ "product", required_argument, NULL, 'p' },
	{ "name", required_argument, NULL, 'n' },
	{ "home", required_argument, NULL, 'H' },
	{ "offset", required_argument, NULL, 'o' },
	{ "with", required_argument, NULL, 'w' },
	{ "without", required_argument, NULL, 'W' },
	{ "pid", required_argument, NULL, 'P' },
	{ "ttl", required_argument, NULL, 't' },
	{ "label", required_argument, NULL, 'l' },
	{ "link", required_argument, NULL, 'k' },
	{ "format", required_argument, NULL, 'f' },
	{ "no-offset-arg", no_argument, NULL, 'N' },
	{ "container", no_argument, NULL, 'C' },
	{ NULL, 0, NULL, 0 }
};

int
wa_lease_parse(const struct wa_cmd_entry *e, int argc, char **argv,
    json_t *req, const char **format, bool *no_offset_arg)
{
	json_t *with = json_array(), *without = json_array();
	json_t *labels = json_object();
	char *end;
	long v;
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, e->shortopts, e->opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'p': json_object_set_new(req, "product",
		    json_string(optarg)); break;
		case 'n': json_object_set_new(req, "name", json_string(optarg));
			break;
		case 'H': {
			char *abs = realpath(optarg, NULL);

			json_object_set_new(req, "home", json_string(abs != NULL ?
			    abs : optarg));
			free(abs);
			break;
		}
		case 'w': json_array_append_new(with, json_string(optarg));
			break;
		case 'W': json_array_append_new(without, json_string(optarg));
			break;
		case 'k': wa_link_add(req, optarg);
			break;
		case 'f': if (format != NULL) *format = optarg; break;
		case 'C':
			/* Marks the lease; the server keeps its shipped offset
			 * inside and --format docker|compose maps the ports. */
			json_object_set_new(labels, "container",
			    json_string("true"));
			break;
		case 'N':
			if (no_offset_arg == NULL) {
				rc = wa_cli_usage(e, "--no-offset-arg is exec's");
				goto out;
			}
			*no_offset_arg = true;
			break;
		case 'o': case 'P':
			/* Which offsets a product may have is the daemon's
			 * to say: it names the range. */
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 0 ||
			    v > 0x7fffffffL) {
				fprintf(stderr, "wso2-alloc: %s: --%s: '%s' is "
				    "not %s\n", e->name, ch == 'o' ? "offset" :
				    "pid", wa_term_str(optarg), ch == 'o' ?
				    "an offset (a number, 0 or more)" :
				    "a process id");
				rc = WA_EXIT_DATAERR;
				goto out;
			}
			json_object_set_new(req, ch == 'o' ? "offset" : "pid",
			    json_integer(v));
			break;
		case 't':
			if (wa_duration_parse(optarg, &v) != 0) {
				fprintf(stderr, "wso2-alloc: %s: --ttl: '%s' is "
				    "not a duration (30s, 15m, 2h, 7d)\n",
				    e->name, optarg);
				rc = WA_EXIT_DATAERR;
				goto out;
			}
			json_object_set_new(req, "ttl", json_integer(v));
			break;
		case 'l':
			if (wa_labels_add(labels, optarg) != 0) {
				fprintf(stderr, "wso2-alloc: %s: --label: '%s' "
				    "is not KEY=VALUE\n", e->name, optarg);
				rc = WA_EXIT_DATAERR;
				goto out;
			}
			break;
		default:
			rc = wa_cli_usage(e, "bad option");
			goto out;
		}
	}
	if (json_object_get(req, "product") == NULL) {
		rc = wa_cli_usage(e, "--product is required");
		goto out;
	}
	if (json_array_size(with) > 0)
		json_object_set(req, "with", with);
	if (json_array_size(without) > 0)
		json_object_set(req, "without", without);
	if (json_object_size(labels) > 0)
		json_object_set(req, "labels", labels);
out:
	json_decref(with);
	json_decref(without);
	json_decref(labels);
	return rc;
}

int
wa_lease_fail(struct wa_cli *cli, const char *what, int err)
{
	const json_t *e = cli->c != NULL ? wa_client_error(cli->c) : NULL;
	const char *kind = wa_json_str(e, "holder_kind");
	long long uid = wa_json_int(e, "owner_uid", -1);
	struct passwd *pw;
	int rc = wa_cli_fail(cli, what, err);

	/* The daemon names the holder by uid; the user name is ours. */
	if (!cli->json && kind != NULL && strcmp(kind, "name") == 0 &&
	    uid >= 0 && (pw = getpwuid((uid_t)uid)) != NULL)
		fprintf(stderr, "wso2-alloc: %s: %s belongs to user %s\n",
		    wa_term_str(what), wa_term_str(wa_json_str(e, "holder")),
		    wa_term_str(pw->pw_name));
	return rc;
}

static int
wa_lease_exec(struct wa_cli *cli, int argc, char **argv)
{
	json_t *req = json_pack("{ss}", "op", "lease"), *resp = NULL;
	const char *format = cli->json ? "json" : "text", *since;
	int rc;

	if ((rc = wa_lease_parse(&wa_cmd_lease, argc, argv, req,
	    &format, NULL)) != 0) {
		json_decref(req);
		return rc;
	}
	if (!wa_lease_format_ok(format) && !wa_ctr_format_ok(format)) {
		json_decref(req);
		return wa_cli_usage(&wa_cmd_lease, "--format: %s",
		    wa_lease_formats());
	}
	if ((rc = wa_cli_request(cli, req, &resp)) != 0)
		return wa_lease_fail(cli, "lease", rc);
	/* Scripts ask --json whether this run made the lease (Ansible's
	 * changed_when): the answer says it beside the lease object. */
	if (strcmp(format, "json") == 0 &&
	    json_is_object(json_object_get(resp, "lease")) &&
	    json_is_boolean(json_object_get(resp, "created")))
		json_object_set(json_object_get(resp, "lease"), "created",
		    json_object_get(resp, "created"));
	rc = wa_ctr_format_ok(format) ? wa_ctr_format_print(stdout,
	    json_object_get(resp, "lease"), format) :
	    wa_lease_print(stdout, json_object_get(resp, "lease"), format);
	since = wa_json_str(json_object_get(resp, "lease"), "created_at");
	if (rc == 0 && strcmp(format, "text") == 0 &&
	    json_is_false(json_object_get(resp, "created")))
		printf("  already leased (since %s): the same lease, nothing "
		    "new taken\n", since != NULL ? wa_term_str(since) : "?");
	json_decref(resp);
	return rc != 0 ? wa_cli_fail(cli, "lease", rc) : 0;
}

static const struct wa_cmd_help wa_lease_help[] = {
	WA_LEASE_HELP,
	{ "--pid PID", "end the lease when process PID exits" },
	{ "--format F", "what to print: text (default), offset, args "
	    "(-DportOffset=K), toml, xml, env (shell variables), json, docker "
	    "(-p HOST:CONTAINER arguments) or compose (a ports: list)" },
	{ "--no-offset-arg", NULL },
	{ NULL, NULL }
};

const struct wa_cmd_entry wa_cmd_lease = {
	.name = "lease",
	.usage = "--product P [--name N] [--home DIR] [--offset K] "
	    "[--with PORT]... [--without PORT]... [--pid PID] [--ttl DUR] "
	    "[--label K=V]... [--link ROLE=NAME]... [--container] "
	    "[--format F]",
	.summary = "lease a collision-free port offset for a WSO2 instance",
	.shortopts = "",
	.opts = wa_lease_opts, .help = wa_lease_help,
	.min_args = 0, .max_args = 0,
	.exec = wa_lease_exec,
};
