/*
 * cmd-exec.c: wso2-alloc exec ... -- COMMAND: lease bound to this very
 * process, then become COMMAND (same pid) with -DportOffset=K and the
 * lease's variables, so the lease ends when the server does.  With
 * --container, COMMAND is the runtime's foreground client (docker run,
 * podman run): no offset argument, and an argument {ports} becomes the
 * lease's -p options (also in $WSO2_ALLOC_PUBLISH).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ctrfmt.h"

static void
wa_exec_env(const json_t *lease)
{
	char key[96], val[32];
	size_t i;
	json_t *p;

	setenv("WSO2_ALLOC_NAME", wa_json_str(lease, "name"), 1);
	setenv("WSO2_ALLOC_PRODUCT", wa_json_str(lease, "product"), 1);
	snprintf(val, sizeof val, "%lld", wa_json_int(lease, "offset", 0));
	setenv("WSO2_PORT_OFFSET", val, 1);
	json_array_foreach(json_object_get(lease, "ports"), i, p) {
		char env[80];

		wa_env_name(wa_json_str(p, "name"), env, sizeof env);
		snprintf(key, sizeof key, "WSO2_PORT_%s", env);
		snprintf(val, sizeof val, "%lld", wa_json_int(p, "port", 0));
		setenv(key, val, 1);
	}
}

/* The lease's -p options, as one string and as argv words. */
static char *
wa_exec_publish(const json_t *lease)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	if (wa_ctr_format_print(f, lease, "docker") != 0) {
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	if (len > 0 && text[len - 1] == '\n')
		text[len - 1] = '\0';
	return text;
}

/* COMMAND's argv: each {ports} replaced by the words of publish (cut
 * in place: ports and names, no quoting), offarg (if any) last. */
static char **
wa_exec_argv(char **argv, int n, char *publish, char *offarg)
{
	char *words[256], *w, *save, **v;
	size_t nw = 0;
	int k = 0;

	for (w = publish != NULL ? strtok_r(publish, " ", &save) : NULL;
	    w != NULL && nw < 256; w = strtok_r(NULL, " ", &save))
		words[nw++] = w;
	if ((v = calloc((size_t)n * (nw + 1) + 2, sizeof *v)) == NULL)
		return NULL;
	for (int i = 0; i < n; i++) {
		if (publish == NULL || strcmp(argv[i], "{ports}") != 0)
			v[k++] = argv[i];
		else
			for (size_t j = 0; j < nw; j++)
				v[k++] = words[j];
	}
	if (offarg != NULL)
		v[k++] = offarg;
	return v;
}

static int
wa_exec_exec(struct wa_cli *cli, int argc, char **argv)
{
	struct wa_lease_args a;
	json_t *resp = NULL, *lease;
	bool no_offset_arg, container;
	char offarg[32], **nargv, *publish = NULL;
	int rc;

	if ((rc = wa_lease_parse(&wa_cmd_exec, argc, argv, &a)) != 0) {
		wa_lease_args_free(&a);
		return rc;
	}
	/* The lease is ours: its process is the one about to exec. */
	a.r.pid = getpid();
	no_offset_arg = a.no_offset_arg;
	container = json_object_get(a.labels, "container") != NULL;
	rc = wa_cli_request(cli, wa_lease_req(&a.r), &resp);
	wa_lease_args_free(&a);
	if (rc != 0)
		return wa_lease_fail(cli, "exec", rc);
	lease = json_object_get(resp, "lease");
	if (!wa_lease_valid(lease)) {
		json_decref(resp);
		return wa_cli_fail(cli, "exec", WA_EPROTO);
	}
	wa_exec_env(lease);
	/* A container keeps its shipped offset: its runtime maps the ports. */
	if (container && (publish = wa_exec_publish(lease)) == NULL) {
		json_decref(resp);
		return wa_cli_fail(cli, "exec", WA_EPROTO);
	}
	if (publish != NULL)
		setenv("WSO2_ALLOC_PUBLISH", publish, 1);
	snprintf(offarg, sizeof offarg, "-DportOffset=%lld",
	    wa_json_int(lease, "offset", 0));
	if ((nargv = wa_exec_argv(argv + optind, argc - optind, publish,
	    container || no_offset_arg ? NULL : offarg)) == NULL) {
		free(publish);
		json_decref(resp);
		return WA_EXIT_SOFTWARE;
	}
	fflush(stdout);
	wa_client_close(cli->c);
	cli->c = NULL;
	execvp(nargv[0], nargv);
	fprintf(stderr, "wso2-alloc: exec: %s: %s\n", nargv[0],
	    strerror(errno));
	free(nargv);
	free(publish);
	json_decref(resp);
	/* The lease ends with this process, which is about to exit. */
	return 126;
}

static const struct option wa_exec_opts[] = {
	WA_LEASE_OPTS,
	{ "no-offset-arg", no_argument, NULL, 'N' },
	{ NULL, 0, NULL, 0 }
};

static const struct wa_cmd_help wa_exec_help[] = {
	WA_LEASE_HELP,
	{ "--no-offset-arg", "do not append -DportOffset=K to COMMAND (for "
	    "a wrapper that reads $WSO2_PORT_OFFSET)" },
	{ "COMMAND [ARGS...]", "the server to become, with the lease's "
	    "variables (WSO2_PORT_OFFSET, WSO2_PORT_<NAME>...): the lease ends "
	    "when it exits" },
	{ "{ports}", "with --container: an argument of COMMAND (docker run, "
	    "podman run in the foreground) that becomes the lease's -p "
	    "HOST:CONTAINER options, also in $WSO2_ALLOC_PUBLISH; no "
	    "-DportOffset is appended" },
	/* exec binds the lease to itself and prints nothing. */
	{ "--pid PID", NULL },
	{ "--format F", NULL },
	{ NULL, NULL }
};

const struct wa_cmd_entry wa_cmd_exec = {
	.name = "exec",
	.usage = "--product P [--name N] [lease options] [--no-offset-arg] "
	    "-- COMMAND [ARGS...]",
	.summary = "lease bound to this process, then exec COMMAND with "
	    "-DportOffset=K",
	.shortopts = "+", .opts = wa_exec_opts, .help = wa_exec_help,
	.min_args = 1, .max_args = -1,
	.exec = wa_exec_exec,
};
