/*
 * test_client_parse.c: the client's command-line parsing (the lease
 * request built from argv, each command's usage errors) and the mapping
 * of every protocol error code to an exit code.  Nothing here reaches a
 * daemon: every case is refused or built before a connection is made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd.h"

#define WA_ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

/* Parse argv as `lease` does and build the request the library's way;
 * format filled ("text" when not given). */
static int
wa_parse(char **argv, int argc, json_t **req, const char **format)
{
	struct wa_lease_args a;
	int rc;

	optind = 0;
	*req = NULL;
	if ((rc = wa_lease_parse(&wa_cmd_lease, argc, argv, &a)) == 0)
		*req = wa_lease_req(&a.r);
	*format = a.format != NULL ? a.format : "text";
	wa_lease_args_free(&a);
	return rc;
}

static void
test_lease_request(void **state)
{
	char *argv[] = { "lease", "--product", "apim", "--name", "gw1",
	    "--offset", "7", "--with", "hazelcast-member", "--with", "thrift",
	    "--without", "servlet-http", "--pid", "1234", "--ttl", "2h",
	    "--label", "env=dev", "--label", "team=a=b", "--link", "km=k1",
	    "--format", "env", "--home", "/nonexistent/wso2am-4.2.0", NULL };
	json_t *req, *want;
	const char *format;

	(void)state;
	assert_int_equal(wa_parse(argv, WA_ARGC(argv), &req, &format), 0);
	want = json_loads("{\"op\": \"lease\", \"product\": \"apim\", "
	    "\"name\": \"gw1\", \"offset\": 7, \"with\": [\"hazelcast-member\", "
	    "\"thrift\"], \"without\": [\"servlet-http\"], \"pid\": 1234, "
	    "\"ttl\": 7200, \"labels\": {\"env\": \"dev\", \"team\": \"a=b\"}, "
	    "\"link\": \"km=k1\", \"home\": \"/nonexistent/wso2am-4.2.0\"}",
	    0, NULL);
	assert_non_null(want);
	assert_true(json_equal(req, want));
	assert_string_equal(format, "env");
	assert_int_equal(optind, WA_ARGC(argv));
	json_decref(want);
	json_decref(req);
}

static void
test_lease_minimal(void **state)
{
	char *argv[] = { "lease", "--product", "mi", NULL };
	json_t *req, *want = json_pack("{ssss}", "op", "lease", "product",
	    "mi");
	const char *format;

	(void)state;
	assert_int_equal(wa_parse(argv, WA_ARGC(argv), &req, &format), 0);
	/* No empty with/without/labels go on the wire. */
	assert_true(json_equal(req, want));
	assert_string_equal(format, "text");
	json_decref(want);
	json_decref(req);
}

/* A relative --home is made absolute, so the name is the base name. */
static void
test_lease_home(void **state)
{
	char *argv[] = { "lease", "--product", "is", "--home", ".", NULL };
	char *cwd = realpath(".", NULL);
	json_t *req;
	const char *format;

	(void)state;
	assert_non_null(cwd);
	assert_int_equal(wa_parse(argv, WA_ARGC(argv), &req, &format), 0);
	assert_string_equal(json_string_value(json_object_get(req, "home")),
	    cwd);
	free(cwd);
	json_decref(req);
}

static void
test_lease_refused(void **state)
{
	static const struct {
		const char *args[4];
		int exit;
	} cases[] = {
		{ { "--name", "x" }, WA_EXIT_USAGE },             /* no --product */
		{ { "--product", "apim", "--bogus" }, WA_EXIT_USAGE },
		{ { "--product", "apim", "--no-offset-arg" }, WA_EXIT_USAGE },
		{ { "--product", "apim", "--ttl", "5x" }, WA_EXIT_DATAERR },
		{ { "--product", "apim", "--ttl", "0s" }, WA_EXIT_DATAERR },
		{ { "--product", "apim", "--label", "novalue" }, WA_EXIT_DATAERR },
		{ { "--product", "apim", "--label", "a b=c" }, WA_EXIT_DATAERR },
		/* Which offsets fit is the daemon's to say (its range). */
		{ { "--product", "apim", "--offset", "70000" }, 0 },
		{ { "--product", "apim", "--offset", "99999999999" },
		    WA_EXIT_DATAERR },
		{ { "--product", "apim", "--offset", "-1" }, WA_EXIT_DATAERR },
		{ { "--product", "apim", "--offset", "3x" }, WA_EXIT_DATAERR },
		{ { "--product", "apim", "--pid", "abc" }, WA_EXIT_DATAERR },
	};
	char *argv[6];
	json_t *req;
	const char *format;
	int argc;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		argv[0] = "lease";
		for (argc = 1; argc < 5 && cases[i].args[argc - 1] != NULL;
		    argc++)
			argv[argc] = (char *)cases[i].args[argc - 1];
		argv[argc] = NULL;
		assert_int_equal(wa_parse(argv, argc, &req, &format),
		    cases[i].exit);
		json_decref(req);
	}
}

/* Run a command's handler; only usage errors can come back here. */
static int
wa_exec(const struct wa_cmd_entry *e, char **argv, int argc)
{
	struct wa_cli cli;
	int rc;

	memset(&cli, 0, sizeof cli);
	cli.no_start = true;
	cli.socket_opt = "/nonexistent/wso2-alloc.sock";
	optind = 0;
	rc = wa_cmd_run(&cli, e, argc, argv);
	wa_client_close(cli.c);
	free(cli.socket);
	return rc;
}

static void
test_command_usage(void **state)
{
	char *show0[] = { "show", NULL };
	char *show2[] = { "show", "a", "b", NULL };
	char *release0[] = { "release", NULL };
	char *who_proto[] = { "who", "9443/sctp", NULL };
	char *who_port[] = { "who", "0", NULL };
	char *renew_ttl[] = { "renew", "a", "--ttl", "soon", NULL };
	char *renew0[] = { "renew", NULL };
	char *list_arg[] = { "list", "extra", NULL };
	char *list_owner[] = { "list", "--owner", "no-such-user-wa-test", NULL };
	char *history_limit[] = { "history", "--limit", "lots", NULL };
	char *lease_format[] = { "lease", "--product", "apim", "--format",
	    "yaml", NULL };
	char *lease_arg[] = { "lease", "--product", "apim", "stray", NULL };

	(void)state;
	assert_int_equal(wa_exec(&wa_cmd_show, show0, 1), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_show, show2, 3), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_release, release0, 1), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_who, who_proto, 2), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_who, who_port, 2), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_renew, renew_ttl, 4), WA_EXIT_DATAERR);
	assert_int_equal(wa_exec(&wa_cmd_renew, renew0, 1), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_list, list_arg, 2), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_list, list_owner, 3), WA_EXIT_DATAERR);
	assert_int_equal(wa_exec(&wa_cmd_history, history_limit, 3),
	    WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_lease, lease_format, 5),
	    WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_lease, lease_arg, 4), WA_EXIT_USAGE);
}

/* What the dispatcher refuses before any command runs or connects. */
static void
test_dispatch(void **state)
{
	char *scan[] = { "scan", "extra", NULL };
	char *status[] = { "status", "--bogus", NULL };
	char *check[] = { "check", "x", NULL };
	char *export[] = { "export", "--prometheus", "a", "b", NULL };
	char *attach[] = { "attach", "--pid", "1", NULL };
	char *config[] = { "config", "--write", NULL };
	char *exec[] = { "exec", "--product", "mi", NULL };
	char *renew[] = { "renew", "--ttl", NULL };
	char *show[] = { "show", "--", "-a", "b", NULL };

	(void)state;
	assert_int_equal(wa_exec(&wa_cmd_scan, scan, 2), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_status, status, 2), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_check, check, 2), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_export, export, 4), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_attach, attach, 3), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_config, config, 2), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_exec, exec, 3), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_renew, renew, 2), WA_EXIT_USAGE);
	assert_int_equal(wa_exec(&wa_cmd_show, show, 4), WA_EXIT_USAGE);
}

/* Every option a command takes has a row in its help, and every row
 * that names an option names one it takes. */
static void
test_help_rows(void **state)
{
	static const struct wa_cmd_entry *const cmds[] = {
		&wa_cmd_lease, &wa_cmd_release, &wa_cmd_renew, &wa_cmd_list,
		&wa_cmd_show, &wa_cmd_who, &wa_cmd_ports, &wa_cmd_products,
		&wa_cmd_history, &wa_cmd_status, &wa_cmd_exec, &wa_cmd_attach,
		&wa_cmd_scan, &wa_cmd_check, &wa_cmd_config, &wa_cmd_export,
		&wa_cmd_shutdown,
	};

	(void)state;
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		const struct wa_cmd_entry *e = cmds[i];
		const struct wa_cmd_help *h;
		const struct option *o;
		int args = 0;

		for (o = e->opts; o != NULL && o->name != NULL; o++)
			if (wa_cmd_help_find(e, o->name) == NULL)
				fail_msg("%s: --%s has no help row", e->name,
				    o->name);
		for (h = e->help; h != NULL && h->what != NULL; h++) {
			bool known = false;

			if (h->what[0] != '-') {
				args++;
				continue;
			}
			for (o = e->opts; o != NULL && o->name != NULL; o++)
				known = known || wa_cmd_help_find(e, o->name) == h;
			if (!known)
				fail_msg("%s: row %s names no option", e->name,
				    h->what);
		}
		/* Each required argument is named (its "expected" message). */
		if (args < e->min_args)
			fail_msg("%s: %d arguments required, %d described",
			    e->name, e->min_args, args);
		assert_non_null(e->summary);
	}
}

/* A well-formed command with no daemon and --no-start: exit 69. */
static void
test_unreachable(void **state)
{
	char *status[] = { "status", NULL };
	char *release[] = { "release", "a", NULL };

	(void)state;
	assert_int_equal(wa_exec(&wa_cmd_status, status, 1),
	    WA_EXIT_UNAVAILABLE);
	assert_int_equal(wa_exec(&wa_cmd_release, release, 2),
	    WA_EXIT_UNAVAILABLE);
}

/* docs/protocol.md's table, code by code. */
static void
test_exit_codes(void **state)
{
	static const struct {
		const char *code;
		int exit;
	} map[] = {
		{ "bad_request", 64 }, { "too_large", 64 }, { "unknown_op", 64 },
		{ "unknown_product", 65 }, { "invalid", 65 },
		{ "not_found", 1 }, { "conflict", 3 }, { "exhausted", 3 },
		{ "forbidden", 77 }, { "busy", 69 }, { "unavailable", 70 },
		{ "internal", 70 }, { "some_future_code", 70 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		int err = wa_err_from_code(map[i].code);

		assert_true(err < 0);
		if (wa_exit_code(err) != map[i].exit)
			fail_msg("%s: exit %d, wanted %d", map[i].code,
			    wa_exit_code(err), map[i].exit);
	}
	assert_int_equal(wa_exit_code(0), 0);
	assert_int_equal(wa_exit_code(WA_ECONNECT), 69);
	assert_int_equal(wa_exit_code(WA_EPROTO), 70);
	assert_int_equal(wa_exit_code(WA_ENOMEM), 70);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lease_request),
		cmocka_unit_test(test_lease_minimal),
		cmocka_unit_test(test_lease_home),
		cmocka_unit_test(test_lease_refused),
		cmocka_unit_test(test_command_usage),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_help_rows),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_exit_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
