/*
 * cmd-exec.c: wso2-alloc exec ... -- COMMAND: lease bound to this very
 * process, then become COMMAND (same pid) with -DportOffset=K and the
 * lease's variables, so the lease ends when the server does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

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

static int
wa_exec_exec(struct wa_cli *cli, int argc, char **argv)
{
	struct wa_lease_args a;
	json_t *resp = NULL, *lease;
	bool no_offset_arg;
	char offarg[32], **nargv;
	int rc, n;

	if ((rc = wa_lease_parse(&wa_cmd_exec, argc, argv, &a)) != 0) {
		wa_lease_args_free(&a);
		return rc;
	}
	/* The lease is ours: its process is the one about to exec. */
	a.r.pid = getpid();
	no_offset_arg = a.no_offset_arg;
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
	n = argc - optind;
	if ((nargv = calloc((size_t)n + 2, sizeof *nargv)) == NULL)
		return WA_EXIT_SOFTWARE;
	memcpy(nargv, argv + optind, (size_t)n * sizeof *nargv);
	snprintf(offarg, sizeof offarg, "-DportOffset=%lld",
	    wa_json_int(lease, "offset", 0));
	if (!no_offset_arg)
		nargv[n++] = offarg;
	nargv[n] = NULL;
	fflush(stdout);
	wa_client_close(cli->c);
	cli->c = NULL;
	execvp(nargv[0], nargv);
	fprintf(stderr, "wso2-alloc: exec: %s: %s\n", nargv[0],
	    strerror(errno));
	free(nargv);
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
