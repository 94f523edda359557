/* cmd-renew.c: wso2-alloc renew NAME [--ttl DUR]. */
#include <string.h>

#include "cmd.h"
#include "util.h"

static const struct option wa_renew_opts[] = {
	{ "ttl", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 }
};

static int
wa_renew_exec(struct wa_cli *cli, int argc, char **argv)
{
	json_t *resp;
	long ttl = 0;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", wa_renew_opts, NULL)) != -1) {
		if (ch == 't' && wa_duration_parse(optarg, &ttl) != 0) {
			fprintf(stderr, "wso2-alloc: renew: --ttl: '%s' is not "
			    "a duration (30s, 15m, 2h, 7d)\n", optarg);
			return WA_EXIT_DATAERR;
		}
	}
	if ((rc = wa_cli_request(cli, wa_renew_req(argv[optind], ttl),
	    &resp)) != 0)
		return wa_cli_fail(cli, argv[optind], rc);
	if (cli->json)
		wa_json_print(json_object_get(resp, "lease"));
	else {
		const char *exp = wa_json_str(json_object_get(resp, "lease"),
		    "expires_at");

		printf("renewed %s%s%s\n", wa_term_str(argv[optind]),
		    exp ? ": expires " : "", exp ? wa_term_str(exp) : "");
	}
	json_decref(resp);
	return 0;
}

static const struct wa_cmd_help wa_renew_help[] = {
	{ "NAME", "the lease" },
	{ "--ttl DUR", "its new lifetime from now (30s, 15m, 2h, 7d; default: "
	    "the one it had)" },
	{ NULL, NULL }
};

const struct wa_cmd_entry wa_cmd_renew = {
	.name = "renew", .usage = "NAME [--ttl DUR]",
	.summary = "extend a lease's lifetime (owner or root)",
	.opts = wa_renew_opts, .shortopts = "", .help = wa_renew_help,
	.min_args = 1, .max_args = 1,
	.exec = wa_renew_exec,
};
