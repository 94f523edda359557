/*
 * scan.c: the WSO2 servers running on the host: Java processes whose
 * command line carries -Dcarbon.home=, with product and offset worked out
 * the way the server itself does.
 */
#include <ctype.h>
#include <dirent.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbon.h"
#include "catalog.h"
#include "cmd.h"
#include "util.h"

struct wa_catalog *
wa_cli_catalog(void)
{
	struct wa_catalog *cat = NULL;
	const char *dirs[2];
	char err[512];

	if (wa_catalog_load(&cat, dirs, wa_catalog_default_dirs(dirs), err,
	    sizeof err) != 0)
		fprintf(stderr, "wso2-alloc: catalog: %s\n", err);
	return cat;
}

static json_t *
wa_scan_one(const struct wa_catalog *cat, long pid)
{
	const struct wa_product *p;
	struct wa_cmdline cl;
	const char *from = "-DportOffset";
	char path[64], *buf;
	size_t len;
	int offset;

	snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
	if ((buf = wa_file_read(path, &len)) == NULL)
		return NULL;
	if (wa_cmdline_parse(buf, len, &cl) != 0) {
		free(buf);
		return NULL;
	}
	free(buf);
	p = wa_catalog_match_home(cat, cl.home);
	offset = cl.port_offset;
	/* -DportOffset replaces every configured offset. */
	if (offset < 0)
		wa_home_offset(cl.home, p != NULL ? p->internal_offset : 0,
		    &offset, &from);
	return json_pack("{sIsssosiss}", "pid", (json_int_t)pid, "home",
	    cl.home, "product", p != NULL ? json_string(p->id) : json_null(),
	    "offset", offset, "offset_from", from);
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

/* The active lease a server belongs to: bound to its pid, or its home. */
const json_t *
wa_scan_lease(const json_t *leases, const json_t *server)
{
	const char *home = wa_json_str(server, "home");
	size_t i;
	json_t *l;

	json_array_foreach(leases, i, l) {
		if (wa_json_int(l, "pid", 0) == wa_json_int(server, "pid", -1))
			return l;
		if (home != NULL && wa_json_str(l, "home") != NULL &&
		    strcmp(home, wa_json_str(l, "home")) == 0)
			return l;
	}
	return NULL;
}
