/*
 * cmd-check.c: wso2-alloc check: the ledger against the host.  Reports
 * owners that died, leased ports bound by someone else, leased ports in
 * the ephemeral range, WSO2 servers nobody recorded, and for each
 * pid-bound lease the leased ports its process did not bind and the ports
 * it bound that are not its own.  Exit 0 when clean, 1 otherwise.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "carbon.h"
#include "catalog.h"
#include "cmd.h"
#include "procnet.h"

struct wa_check {
	json_t *findings;
	json_t *bound;          /* "proto/port" -> true, of one process */
};

static void
wa_finding(struct wa_check *c, const char *kind, const char *lease,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
wa_finding(struct wa_check *c, const char *kind, const char *lease,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_array_append_new(c->findings, json_pack("{sssoss}", "kind", kind,
	    "lease", lease != NULL ? json_string(lease) : json_null(),
	    "message", msg));
}

static void
wa_check_bound_one(void *arg, int proto, unsigned port)
{
	char key[24];

	snprintf(key, sizeof key, "%s/%u", wa_proto_name(proto), port);
	json_object_set_new(arg, key, json_true());
}

/* Who holds a leased port on the host, if anyone. */
static pid_t
wa_check_holder(int proto, unsigned port, bool *bound)
{
	unsigned long inode = wa_procnet_inode("/proc", proto, (uint16_t)port);
	bool denied;

	*bound = inode != 0;
	return inode != 0 ? wa_proc_socket_owner("/proc", inode, &denied) : -1;
}

static void
wa_check_lease(struct wa_check *c, const json_t *l, const json_t *leases)
{
	const char *name = wa_json_str(l, "name");
	pid_t pid = (pid_t)wa_json_int(l, "pid", 0), holder;
	json_t *p, *w;
	const char *k;
	char key[24];
	size_t i;
	bool bound;

	json_array_foreach(json_object_get(l, "warnings"), i, w)
		if (json_is_string(w))
			wa_finding(c, "ephemeral", name, "%s",
			    json_string_value(w));
	if (pid > 0 && kill(pid, 0) != 0 && errno == ESRCH) {
		wa_finding(c, "owner-dead", name, "pid %ld is gone but the "
		    "lease is active", (long)pid);
		pid = 0;
	}
	json_array_foreach(json_object_get(l, "ports"), i, p) {
		int proto = wa_proto_parse(wa_json_str(p, "proto"));
		unsigned port = (unsigned)wa_json_int(p, "port", 0);

		holder = wa_check_holder(proto, port, &bound);
		if (bound && holder > 0 && pid > 0 &&
		    !wa_proc_descends("/proc", holder, pid))
			wa_finding(c, "foreign", name, "port %u/%s (%s) is bound "
			    "by pid %ld, not by the lease's pid %ld", port,
			    wa_proto_name(proto), wa_json_str(p, "name"),
			    (long)holder, (long)pid);
	}
	if (pid <= 0)
		return;
	/* What the process bound, against what it leased. */
	json_object_clear(c->bound);
	if (wa_proc_bound("/proc", pid, wa_check_bound_one, c->bound) != 0) {
		wa_finding(c, "hidden", name, "cannot read the fds of pid %ld",
		    (long)pid);
		return;
	}
	json_array_foreach(json_object_get(l, "ports"), i, p) {
		snprintf(key, sizeof key, "%s/%lld", wa_json_str(p, "proto"),
		    wa_json_int(p, "port", 0));
		if (json_object_get(c->bound, key) == NULL)
			wa_finding(c, "missing", name, "pid %ld has not bound "
			    "its leased port %s (%s)", (long)pid, key,
			    wa_json_str(p, "name"));
		else
			json_object_del(c->bound, key);
	}
	json_object_foreach(c->bound, k, w) {
		const char *other = NULL;
		size_t j;
		json_t *o, *op;

		json_array_foreach(leases, j, o)
			json_array_foreach(json_object_get(o, "ports"), i, op) {
				snprintf(key, sizeof key, "%s/%lld",
				    wa_json_str(op, "proto"),
				    wa_json_int(op, "port", 0));
				if (strcmp(key, k) == 0)
					other = wa_json_str(o, "name");
			}
		if (other != NULL)
			wa_finding(c, "unexpected", name, "pid %ld bound %s, "
			    "which is leased to %s", (long)pid, k, other);
		else
			wa_finding(c, "unexpected", name, "pid %ld bound %s, "
			    "which is not in its lease", (long)pid, k);
	}
}

/* Every kind of finding, as reports and metrics name them. */
const char *const wa_check_kinds[] = { "owner-dead", "foreign",
	"unrecorded", "ephemeral", "missing", "unexpected", "hidden", NULL };

int
wa_check_collect(struct wa_cli *cli, json_t **findings, size_t *nleases)
{
	struct wa_check c = { json_array(), json_object() };
	struct wa_catalog *cat;
	json_t *resp = NULL, *leases, *servers, *s;
	size_t i;
	int rc;

	*findings = NULL;
	if ((rc = wa_cli_request(cli, wa_list_req(NULL, -1, NULL, false),
	    &resp)) != 0) {
		json_decref(c.findings);
		json_decref(c.bound);
		return rc;
	}
	leases = json_object_get(resp, "leases");
	json_array_foreach(leases, i, s)
		if (!wa_lease_valid(s)) {
			json_decref(c.findings);
			json_decref(c.bound);
			json_decref(resp);
			return WA_EPROTO;
		}
	json_array_foreach(leases, i, s)
		wa_check_lease(&c, s, leases);
	if ((cat = wa_cli_catalog()) != NULL) {
		servers = wa_scan_servers(cat);
		json_array_foreach(servers, i, s)
			if (wa_scan_lease(leases, s) == NULL)
				wa_finding(&c, "unrecorded", NULL, "pid %lld "
				    "runs %s (%s, offset %lld) with no lease",
				    wa_json_int(s, "pid", 0),
				    wa_json_str(s, "home"),
				    wa_json_str(s, "product") != NULL ?
				    wa_json_str(s, "product") : "unknown",
				    wa_json_int(s, "offset", 0));
		json_decref(servers);
		wa_catalog_free(cat);
	}
	*nleases = json_array_size(leases);
	*findings = c.findings;
	json_decref(c.bound);
	json_decref(resp);
	return 0;
}

static int
wa_check_exec(struct wa_cli *cli, int argc, char **argv)
{
	struct wa_check c = { NULL, NULL };
	size_t i, nleases;
	json_t *f;
	int rc;

	(void)argc;
	(void)argv;
	if ((rc = wa_check_collect(cli, &c.findings, &nleases)) != 0)
		return wa_cli_fail(cli, "check", rc);
	if (cli->json) {
		json_t *out = json_pack("{sbsO}", "clean",
		    json_array_size(c.findings) == 0, "findings", c.findings);

		wa_json_print(out);
		json_decref(out);
	} else if (json_array_size(c.findings) == 0)
		printf("clean: %zu leases agree with the host\n",
		    nleases);
	else
		json_array_foreach(c.findings, i, f)
			printf("%-10s %-16s %s\n",
			    wa_term_str(wa_json_str(f, "kind")),
			    wa_term_str(wa_json_str(f, "lease")),
			    wa_term_str(wa_json_str(f, "message")));
	rc = json_array_size(c.findings) == 0 ? 0 : 1;
	json_decref(c.findings);
	return rc;
}

const struct wa_cmd_entry wa_cmd_check = {
	.name = "check", .usage = "",
	.summary = "compare the ledger with the host (exit 1 with a report)",
	.exec = wa_check_exec,
};
