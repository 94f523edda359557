/*
 * scan.c: the WSO2 servers running on the host: Java processes whose
 * command line carries -Dcarbon.home=, with product and offset worked out
 * the way the server itself does.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "carbon.h"
#include "catalog.h"
#include "cmd.h"
#include "safeio.h"
#include "scanctr.h"
#include "util.h"

/* The kernel bounds a command line (ARG_MAX); this bounds our copy. */
#define WA_CMDLINE_CAP (8 * 1024 * 1024)

struct wa_catalog *
wa_cli_catalog(void)
{
	struct wa_catalog *cat = NULL;
	const char *dirs[2];
	char err[512];

	if (wa_catalog_load(&cat, dirs, wa_catalog_default_dirs(dirs), err,
	    sizeof err) != 0)
		fprintf(stderr, "wso2-alloc: catalog: %s\n", wa_term_str(err));
	return cat;
}

struct wa_scan_unread {
	long pid;
	json_t *list;
};

/* A file under a server's home not read: said on stderr and in JSON. */
static void
wa_scan_unread(void *arg, const char *file, const char *why)
{
	struct wa_scan_unread *u = arg;

	fprintf(stderr, "wso2-alloc: pid %ld: %s under its carbon home: %s: "
	    "not read\n", u->pid, wa_term_str(file), wa_term_str(why));
	json_array_append_new(u->list, json_pack("{ssss}", "file", file,
	    "reason", why));
}

/* The command line and owner of one process, through one directory
 * descriptor: a pid reused meanwhile cannot mix two processes. */
static int
wa_scan_proc(long pid, struct wa_cmdline *cl, struct wa_fsid *id)
{
	char path[64], why[128], *buf = NULL;
	size_t len;
	int dfd, rc;

	snprintf(path, sizeof path, "/proc/%ld", pid);
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return WA_ENOTFOUND;
	if ((rc = wa_safe_read_at(dfd, "status", NULL, WA_SAFEIO_CAP, &buf,
	    NULL, why, sizeof why)) == 0)
		rc = wa_fsid_from_status(buf, id);
	free(buf);
	buf = NULL;
	if (rc == 0 && (rc = wa_safe_read_at(dfd, "cmdline", NULL,
	    WA_CMDLINE_CAP, &buf, &len, why, sizeof why)) == 0)
		rc = wa_cmdline_parse(buf, len, cl);
	free(buf);
	close(dfd);
	return rc;
}

static json_t *
wa_scan_one(const struct wa_catalog *cat, long pid)
{
	const struct wa_product *p;
	struct wa_scan_unread u = { pid, NULL };
	struct wa_cmdline cl;
	struct wa_fsid id;
	const char *from = "-DportOffset";
	json_t *s;
	int offset;

	if (wa_scan_proc(pid, &cl, &id) != 0)
		return NULL;
	/* The Carbon 5 runtimes of one home (worker, dashboard...) are
	 * told apart by -Dwso2.runtime, not by the home. */
	p = wa_catalog_runtime(cat, wa_catalog_match_home(cat, cl.home),
	    cl.runtime);
	if ((s = wa_scan_container(p, pid, &cl, &id)) != NULL)
		return s;
	offset = cl.port_offset;
	u.list = json_array();
	/* -DportOffset replaces every configured offset.  The files are
	 * read as the process's owner: root's scan reads nothing for a user
	 * that the user could not read. */
	if (offset < 0)
		wa_home_offset(cl.home, &id, p != NULL ? p->internal_offset : 0,
		    &offset, &from, wa_scan_unread, &u);
	s = json_pack("{sIsssosiss}", "pid", (json_int_t)pid, "home",
	    cl.home, "product", p != NULL ? json_string(p->id) : json_null(),
	    "offset", offset, "offset_from", from);
	if (s != NULL && cl.runtime[0] != '\0')
		json_object_set_new(s, "runtime", json_string(cl.runtime));
	if (s != NULL && json_array_size(u.list) > 0)
		json_object_set(s, "unread", u.list);
	json_decref(u.list);
	return s;
}

json_t *
wa_scan_servers(const struct wa_catalog *cat)
{
	json_t *servers = json_array(), *s;
	struct dirent *de;
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		return servers;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if ((s = wa_scan_one(cat, atol(de->d_name))) != NULL)
			json_array_append_new(servers, s);
	}
	closedir(d);
	return servers;
}

/* The active lease a server belongs to: bound to its pid, or its home
 * and product (a home's Carbon 5 runtimes are products of their own). */
const json_t *
wa_scan_lease(const json_t *leases, const json_t *server)
{
	const char *home = wa_json_str(server, "home");
	const char *product = wa_json_str(server, "product");
	const char *lp;
	size_t i;
	json_t *l;

	/* A runtime of no known product is none of its home's leases. */
	if (product == NULL && wa_json_str(server, "runtime") != NULL)
		home = NULL;
	json_array_foreach(leases, i, l) {
		if (wa_json_int(l, "pid", 0) == wa_json_int(server, "pid", -1))
			return l;
		/* A container's home is a path in its own mount namespace. */
		lp = wa_json_str(l, "product");
		if (home != NULL && json_object_get(server, "container") == NULL &&
		    wa_json_str(l, "home") != NULL &&
		    strcmp(home, wa_json_str(l, "home")) == 0 &&
		    (product == NULL || lp == NULL || strcmp(product, lp) == 0))
			return l;
	}
	return NULL;
}
