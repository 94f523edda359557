/* cmd-history.c: wso2-alloc history [NAME] [--limit N]. */
#include <stdlib.h>

#include "cmd.h"

static const struct option wa_history_opts[] = {
	{ "limit", required_argument, NULL, 'l' },
	{ NULL, 0, NULL, 0 }
};

static int
wa_history_exec(struct wa_cli *cli, int argc, char **argv)
{
	static const char *const hdr[] = { "TIME", "EVENT", "INSTANCE",
	    "PRODUCT", "OFFSET", "UID", "PID", "DETAIL" };
	json_t *resp, *ev;
	struct wa_table *t;
	char off[24], uid[24], pid[24], kind[48], *end;
	long v, limit = 50;
	size_t i;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", wa_history_opts, NULL)) != -1) {
		v = strtol(optarg, &end, 10);
		if (*optarg == '\0' || *end != '\0' || v < 1 || v > 100000)
			return wa_cli_usage(&wa_cmd_history, "--limit takes "
			    "1-100000");
		limit = v;
	}
	if ((rc = wa_cli_request(cli, wa_history_req(optind < argc ?
	    argv[optind] : NULL, (int)limit), &resp)) != 0)
		return wa_cli_fail(cli, "history", rc);
	if (cli->json) {
		json_object_del(resp, "ok");
		wa_json_print(resp);
		json_decref(resp);
		return 0;
	}
	t = wa_table_new(hdr, 8);
	json_array_foreach(json_object_get(resp, "events"), i, ev) {
		const char *row[8];

		snprintf(off, sizeof off, "%lld", wa_json_int(ev, "offset", -1));
		snprintf(uid, sizeof uid, "%lld", wa_json_int(ev, "uid", 0));
		snprintf(pid, sizeof pid, "%lld", wa_json_int(ev, "pid", 0));
		row[0] = wa_json_str(ev, "time");
		/* A coalesced refusal says how many it stands for. */
		row[1] = wa_json_str(ev, "kind");
		if (row[1] != NULL && wa_json_int(ev, "repeats", 1) > 1) {
			snprintf(kind, sizeof kind, "%s x%lld", row[1],
			    wa_json_int(ev, "repeats", 1));
			row[1] = kind;
		}
		row[2] = wa_json_str(ev, "instance");
		row[3] = wa_json_str(ev, "product");
		row[4] = wa_json_int(ev, "offset", -1) >= 0 ? off : "-";
		row[5] = wa_json_int(ev, "uid", -1) >= 0 ? uid : "-";
		row[6] = wa_json_int(ev, "pid", 0) > 0 ? pid : "-";
		/* Why a lease was refused: it may quote a foreign process's
		 * command line, which the table escapes. */
		row[7] = wa_json_str(json_object_get(ev, "detail"), "message");
		wa_table_add(t, row);
	}
	wa_table_print(t, stdout);
	wa_table_free(t);
	json_decref(resp);
	return 0;
}

static const struct wa_cmd_help wa_history_help[] = {
	{ "NAME", "only this lease's events (default: every lease's)" },
	{ "--limit N", "the newest N events, 1-100000 (default 50)" },
	{ NULL, NULL }
};

const struct wa_cmd_entry wa_cmd_history = {
	.name = "history", .usage = "[NAME] [--limit N]",
	.summary = "lease events, oldest first (the newest 50 by default)",
	.opts = wa_history_opts, .shortopts = "", .help = wa_history_help,
	.max_args = 1,
	.exec = wa_history_exec,
};
