/* cmd-list.c: wso2-alloc list: the active leases, one line each. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const struct option wa_list_opts[] = {
	{ "product", required_argument, NULL, 'p' },
	{ "owner", required_argument, NULL, 'o' },
	{ "state", required_argument, NULL, 's' },
	{ "names", no_argument, NULL, 'N' },
	{ NULL, 0, NULL, 0 }
};

static long
wa_owner_uid(const char *s)
{
	struct passwd *pw;
	char *end;
	long v = strtol(s, &end, 10);

	if (*s != '\0' && *end == '\0' && v >= 0)
		return v;
	return (pw = getpwnam(s)) != NULL ? (long)pw->pw_uid : -1;
}

enum { WA_C_NAME, WA_C_PRODUCT, WA_C_OFFSET, WA_C_STATE, WA_C_OWNER,
	WA_C_PID, WA_C_EXPIRES, WA_C_PORTS, WA_C_MIN, WA_C_MAX, WA_C_N };

/* Where each column is in a brief answer's rows (-1: absent). */
static void
wa_brief_index(json_t *cols, int idx[WA_C_N])
{
	static const char *const names[WA_C_N] = { "name", "product",
	    "offset", "state", "owner_uid", "pid", "expires_at", "ports",
	    "port_min", "port_max" };
	size_t i;
	json_t *c;

	for (int k = 0; k < WA_C_N; k++)
		idx[k] = -1;
	json_array_foreach(cols, i, c)
		for (int k = 0; k < WA_C_N; k++)
			if (json_is_string(c) &&
			    strcmp(json_string_value(c), names[k]) == 0)
				idx[k] = (int)i;
}

static json_t *
wa_cell(json_t *row, const int idx[WA_C_N], int k)
{
	return idx[k] >= 0 ? json_array_get(row, (size_t)idx[k]) : NULL;
}

/* A table line from a brief list's row (the daemon and the offline
 * ledger reader both answer brief lists: a fifth of the parsing of full
 * leases for 1,000 of them). */
static void
wa_list_brief_row(struct wa_table *t, const int idx[WA_C_N], json_t *r)
{
	char off[24] = "-", pid[24], pr[72], owner[32] = "-";
	const char *row[8];
	json_t *uid = wa_cell(r, idx, WA_C_OWNER);
	json_int_t n = json_integer_value(wa_cell(r, idx, WA_C_PORTS));

	/* A column the answer lacks prints "-", never a made-up 0. */
	if (json_is_integer(wa_cell(r, idx, WA_C_OFFSET)))
		snprintf(off, sizeof off, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(wa_cell(r, idx, WA_C_OFFSET)));
	snprintf(pid, sizeof pid, "%" JSON_INTEGER_FORMAT,
	    json_integer_value(wa_cell(r, idx, WA_C_PID)));
	if (n > 0 && json_is_integer(wa_cell(r, idx, WA_C_MIN)) &&
	    json_is_integer(wa_cell(r, idx, WA_C_MAX)))
		snprintf(pr, sizeof pr, "%" JSON_INTEGER_FORMAT " (%"
		    JSON_INTEGER_FORMAT "-%" JSON_INTEGER_FORMAT ")", n,
		    json_integer_value(wa_cell(r, idx, WA_C_MIN)),
		    json_integer_value(wa_cell(r, idx, WA_C_MAX)));
	else
		snprintf(pr, sizeof pr, "-");
	if (json_is_integer(uid))
		wa_user_name(json_integer_value(uid), owner, sizeof owner);
	row[0] = json_string_value(wa_cell(r, idx, WA_C_NAME));
	row[1] = json_string_value(wa_cell(r, idx, WA_C_PRODUCT));
	row[2] = off;
	row[3] = json_string_value(wa_cell(r, idx, WA_C_STATE));
	row[4] = owner;
	row[5] = json_integer_value(wa_cell(r, idx, WA_C_PID)) > 0 ? pid : "-";
	row[6] = pr;
	row[7] = json_string_value(wa_cell(r, idx, WA_C_EXPIRES));
	wa_table_add(t, row);
}

/* The names alone, one a line, for the bash completion. */
static void
wa_list_names(json_t *resp)
{
	int idx[WA_C_N];
	const char *name;
	size_t i;
	json_t *r;

	wa_brief_index(json_object_get(resp, "columns"), idx);
	json_array_foreach(json_object_get(resp, "rows"), i, r)
		if ((name = json_string_value(wa_cell(r, idx, WA_C_NAME))) !=
		    NULL)
			printf("%s\n", wa_term_str(name));
}

static int
wa_list_exec(struct wa_cli *cli, int argc, char **argv)
{
	static const char *const hdr[] = { "NAME", "PRODUCT", "OFFSET",
	    "STATE", "OWNER", "PID", "PORTS", "EXPIRES" };
	const char *product = NULL, *state = NULL;
	json_t *resp, *l;
	struct wa_table *t;
	bool names = false;
	char *text;
	long uid = -1;
	size_t i, len;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", wa_list_opts, NULL)) != -1) {
		switch (ch) {
		case 'p': product = optarg; break;
		case 's': state = optarg; break;
		case 'N': names = true; break;
		case 'o':
			if ((uid = wa_owner_uid(optarg)) < 0) {
				fprintf(stderr, "wso2-alloc: list: --owner: no "
				    "user '%s'\n", optarg);
				return WA_EXIT_DATAERR;
			}
			break;
		}
	}
	if (cli->json && !names) {
		/* Printed from the answer's text: 405 KB for 1,000 leases. */
		if ((rc = wa_cli_request_text(cli, wa_list_req(product, uid,
		    state, false), &text, &len)) == 0)
			rc = wa_json_print_member(text, len, "leases", stdout);
		free(text);
		return rc != 0 ? wa_cli_fail(cli, "list", rc) : 0;
	}
	if ((rc = wa_cli_request(cli, wa_list_req(product, uid, state,
	    true), &resp)) != 0)
		return wa_cli_fail(cli, "list", rc);
	if (names)
		wa_list_names(resp);
	else {
		int idx[WA_C_N];

		wa_brief_index(json_object_get(resp, "columns"), idx);
		t = wa_table_new(hdr, 8);
		json_array_foreach(json_object_get(resp, "rows"), i, l)
			wa_list_brief_row(t, idx, l);
		wa_table_print(t, stdout);
		wa_table_free(t);
	}
	json_decref(resp);
	return 0;
}

static const struct wa_cmd_help wa_list_help[] = {
	{ "--product P", "only this product's (an id or alias)" },
	{ "--owner USER", "only the leases of USER (a name or uid)" },
	{ "--state S", "active (default), released, expired, reclaimed, or all" },
	{ "--names", NULL },
	{ NULL, NULL }
};

const struct wa_cmd_entry wa_cmd_list = {
	.name = "list", .usage = "[--product P] [--owner USER] "
	    "[--state S]",
	.summary = "list leases (active ones by default)",
	.opts = wa_list_opts, .shortopts = "", .help = wa_list_help,
	.exec = wa_list_exec,
};
