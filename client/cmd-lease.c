/* cmd-lease.c: wso2-alloc lease: take an offset for an instance. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "ctrfmt.h"
#include "util.h"
#include "wire.h"

static const struct option wa_lease_opts[] = {
	WA_LEASE_OPTS,
	{ NULL, 0, NULL, 0 }
};

/* A repeatable option's value, kept in a or refused past its end. */
static int
wa_lease_push(const struct wa_cmd_entry *e, const char **v, size_t *n,
    const char *arg)
{
	if (*n == WA_LEASE_MAXV)
		return wa_cli_usage(e, "at most %d --with or --without",
		    WA_LEASE_MAXV);
	v[(*n)++] = arg;
	return 0;
}

/* --link ROLE=NAME again: the links are one comma-separated field. */
static int
wa_lease_link(struct wa_lease_args *a, const char *link)
{
	char *both;

	if (a->link == NULL)
		both = strdup(link);
	else if (asprintf(&both, "%s,%s", a->link, link) < 0)
		both = NULL;
	if (both == NULL)
		return WA_EXIT_SOFTWARE;
	free(a->link);
	a->r.link = a->link = both;
	return 0;
}

/* --offset and --pid: which offsets a product may have is the daemon's
 * to say (it names the range); here only a number. */
static int
wa_lease_number(const struct wa_cmd_entry *e, int ch, const char *arg,
    long *out)
{
	char *end;

	*out = strtol(arg, &end, 10);
	if (*arg != '\0' && *end == '\0' && *out >= 0 && *out <= 0x7fffffffL)
		return 0;
	fprintf(stderr, "wso2-alloc: %s: --%s: '%s' is not %s\n", e->name,
	    ch == 'o' ? "offset" : "pid", wa_term_str(arg), ch == 'o' ?
	    "an offset (a number, 0 or more)" : "a process id");
	return WA_EXIT_DATAERR;
}

static int
wa_lease_opt(const struct wa_cmd_entry *e, int ch, const char *arg,
    struct wa_lease_args *a)
{
	long v;
	int rc;

	switch (ch) {
	case 'p': a->r.product = arg; return 0;
	case 'n': a->r.name = arg; return 0;
	case 'H':
		free(a->home);
		a->home = realpath(arg, NULL);
		a->r.home = a->home != NULL ? a->home : arg;
		return 0;
	case 'w': return wa_lease_push(e, a->with, &a->r.nwith, arg);
	case 'W': return wa_lease_push(e, a->without, &a->r.nwithout, arg);
	case 'k': return wa_lease_link(a, arg);
	case 'f': a->format = arg; return 0;
	case 'C':
		/* Marks the lease; the server keeps its shipped offset
		 * inside and --format docker|compose maps the ports. */
		json_object_set_new(a->labels, "container", json_string("true"));
		return 0;
	case 'N': a->no_offset_arg = true; return 0;
	case 'o': case 'P':
		if ((rc = wa_lease_number(e, ch, arg, &v)) != 0)
			return rc;
		if (ch == 'o')
			a->r.offset = (int)v;
		else
			a->r.pid = (pid_t)v;
		return 0;
	case 't':
		if (wa_duration_parse(arg, &a->r.ttl) == 0)
			return 0;
		fprintf(stderr, "wso2-alloc: %s: --ttl: '%s' is not a duration "
		    "(30s, 15m, 2h, 7d)\n", e->name, arg);
		return WA_EXIT_DATAERR;
	case 'l':
		if (wa_labels_add(a->labels, arg) == 0)
			return 0;
		fprintf(stderr, "wso2-alloc: %s: --label: '%s' is not "
		    "KEY=VALUE\n", e->name, arg);
		return WA_EXIT_DATAERR;
	default:
		return wa_cli_usage(e, "bad option");
	}
}

int
wa_lease_parse(const struct wa_cmd_entry *e, int argc, char **argv,
    struct wa_lease_args *a)
{
	int ch, rc;

	memset(a, 0, sizeof *a);
	a->r.offset = -1;
	a->r.with = a->with;
	a->r.without = a->without;
	a->r.labels = a->labels = json_object();
	while ((ch = getopt_long(argc, argv, e->shortopts, e->opts,
	    NULL)) != -1)
		if ((rc = wa_lease_opt(e, ch, optarg, a)) != 0)
			return rc;
	if (a->r.product == NULL)
		return wa_cli_usage(e, "--product is required");
	return 0;
}

void
wa_lease_args_free(struct wa_lease_args *a)
{
	free(a->home);
	free(a->link);
	json_decref(a->labels);
	memset(a, 0, sizeof *a);
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
	struct wa_lease_args a;
	json_t *resp = NULL;
	const char *format, *since;
	int rc;

	rc = wa_lease_parse(&wa_cmd_lease, argc, argv, &a);
	format = a.format != NULL ? a.format : cli->json ? "json" : "text";
	if (rc == 0 && !wa_lease_format_ok(format) &&
	    !wa_ctr_format_ok(format))
		rc = wa_cli_usage(&wa_cmd_lease, "--format: %s",
		    wa_lease_formats());
	if (rc == 0 && (rc = wa_cli_request(cli, wa_lease_req(&a.r),
	    &resp)) != 0)
		rc = wa_lease_fail(cli, "lease", rc);
	wa_lease_args_free(&a);
	if (resp == NULL)
		return rc;
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
