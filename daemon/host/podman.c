/*
 * podman.c: the ports rootful podman publishes for a container, from its
 * own state (no podman command run): its conmon holds each host port
 * open and netavark's NAT rules forward it, so no process's arguments
 * say which port inside a host port reaches.  The container's config
 * (JSON) sits in podman's database: a SQLite file (podman 5's default),
 * or a bolt file whose values are stored as they are, found by scanning.
 * The container's id and name are on its conmon's command line.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "carbon.h"
#include "catalog.h"
#include "podman.h"
#include "safeio.h"
#include "util.h"
#include "wso2alloc.h"

#define WA_PODMAN_ROOT "/var/lib/containers/storage"
/* A bolt file holds every container's config and its history of pages. */
#define WA_PODMAN_BOLT_CAP (64u << 20)
#define WA_PODMAN_SPEC_MAX (1 << 20)

/* A port number, 0 for anything else (one that only a cast to int
 * would bring into range included). */
static int
wa_podman_port(const json_t *v)
{
	json_int_t p = json_integer_value(v);

	return p >= 1 && p <= 65535 ? (int)p : 0;
}

static void
wa_podman_map_one(const json_t *m, bool compat, struct wa_podman_map *out)
{
	const char *proto = json_string_value(json_object_get(m, "protocol"));
	json_int_t range;
	int hi;

	memset(out, 0, sizeof *out);
	out->host_port = wa_podman_port(json_object_get(m, compat ?
	    "hostPort" : "host_port"));
	out->ctr_port = wa_podman_port(json_object_get(m, compat ?
	    "containerPort" : "container_port"));
	range = compat ? 1 : json_integer_value(json_object_get(m, "range"));
	/* A range runs no port past 65535, on either side. */
	hi = out->host_port > out->ctr_port ? out->host_port : out->ctr_port;
	out->range = range < 1 ? 1 : range > 65536 - hi ? 65536 - hi :
	    (int)range;
	/* "tcp", "udp", "tcp,udp"; empty is tcp. */
	out->tcp = proto == NULL || *proto == '\0' || strstr(proto, "tcp");
	out->udp = proto != NULL && strstr(proto, "udp") != NULL;
	snprintf(out->host_ip, sizeof out->host_ip, "%s", json_string_value(
	    json_object_get(m, compat ? "hostIP" : "host_ip")) != NULL ?
	    json_string_value(json_object_get(m, compat ? "hostIP" :
	    "host_ip")) : "");
}

size_t
wa_podman_config_maps(const json_t *cfg, struct wa_podman_map *out,
    size_t max)
{
	json_t *a = json_object_get(cfg, "newPortMappings"), *m;
	bool compat = false;
	size_t i, n = 0;

	/* Podman before 4.0 kept CNI's portMappings. */
	if (!json_is_array(a)) {
		a = json_object_get(cfg, "portMappings");
		compat = true;
	}
	json_array_foreach(a, i, m) {
		if (n == max)
			break;
		wa_podman_map_one(m, compat, &out[n]);
		if (out[n].host_port >= 1 && out[n].host_port <= 65535 &&
		    out[n].ctr_port >= 1 && out[n].ctr_port <= 65535)
			n++;
	}
	return n;
}

json_t *
wa_podman_bolt_config(const char *buf, size_t len, const char *id)
{
	char key[96];
	const char *p, *start, *end = buf + len;
	json_t *cfg;

	snprintf(key, sizeof key, "\"id\":\"%.64s\"", id);
	for (p = memmem(buf, len, key, strlen(key)); p != NULL;
	    p = memmem(p + 1, (size_t)(end - p - 1), key, strlen(key))) {
		/* The config object opens with its OCI spec, a few KiB
		 * before its id. */
		for (start = p; start > buf && p - start < WA_PODMAN_SPEC_MAX &&
		    memcmp(start, "{\"spec\":", 8) != 0; start--)
			;
		if (memcmp(start, "{\"spec\":", 8) != 0)
			continue;
		cfg = json_loadb(start, (size_t)(end - start),
		    JSON_DISABLE_EOF_CHECK, NULL);
		if (cfg != NULL && json_is_string(json_object_get(cfg, "id")) &&
		    strcmp(json_string_value(json_object_get(cfg, "id")),
		    id) == 0)
			return cfg;
		json_decref(cfg);
	}
	return NULL;
}

static json_t *
wa_podman_sqlite_config(const char *root, const char *id)
{
	char path[256];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	json_t *cfg = NULL;

	snprintf(path, sizeof path, "file:%s/db.sql?mode=ro", root);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
	    NULL) != SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(db, 100);
	if (sqlite3_prepare_v2(db, "SELECT JSON FROM ContainerConfig WHERE "
	    "ID = ?", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) != SQLITE_OK)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		cfg = json_loads((const char *)sqlite3_column_text(st, 0), 0,
		    NULL);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return cfg;
}

size_t
wa_podman_maps_in(const char *root, const char *id, struct wa_podman_map *out,
    size_t max)
{
	char path[256], why[128], *text = NULL;
	json_t *cfg;
	size_t len = 0, n = 0;

	if (strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64)
		return 0;
	if ((cfg = wa_podman_sqlite_config(root, id)) == NULL) {
		snprintf(path, sizeof path, "%s/libpod/bolt_state.db", root);
		if (wa_safe_read(path, NULL, WA_PODMAN_BOLT_CAP, &text, &len,
		    why, sizeof why) == 0)
			cfg = wa_podman_bolt_config(text, len, id);
		free(text);
	}
	if (cfg != NULL)
		n = wa_podman_config_maps(cfg, out, max);
	json_decref(cfg);
	return n;
}

size_t
wa_podman_maps(const char *id, struct wa_podman_map *out, size_t max)
{
	return wa_podman_maps_in(WA_PODMAN_ROOT, id, out, max);
}

int
wa_podman_ctr_port(const struct wa_podman_map *m, size_t n, int proto,
    int host_port, const char **host_ip)
{
	for (size_t i = 0; i < n; i++) {
		if (host_port < m[i].host_port ||
		    host_port >= m[i].host_port + m[i].range ||
		    !(proto == WA_TCP ? m[i].tcp : m[i].udp))
			continue;
		if (host_ip != NULL)
			*host_ip = m[i].host_ip;
		return m[i].ctr_port + (host_port - m[i].host_port);
	}
	return 0;
}

/* procroot/PID/cmdline (NUL-separated, NUL-ended), or NULL. */
static char *
wa_podman_cmdline(const char *procroot, pid_t pid, size_t *len)
{
	char path[64], *cmd;

	snprintf(path, sizeof path, "%s/%ld/cmdline", procroot, (long)pid);
	if ((cmd = wa_file_read(path, len)) != NULL &&
	    (*len == 0 || cmd[*len - 1] != '\0')) {
		free(cmd);
		cmd = NULL;
	}
	return cmd;
}

static pid_t
wa_podman_ppid(const char *procroot, pid_t pid)
{
	char path[64], *text, *p;
	long ppid = 0;

	snprintf(path, sizeof path, "%s/%ld/stat", procroot, (long)pid);
	if ((text = wa_file_read(path, NULL)) == NULL)
		return 0;
	if ((p = strrchr(text, ')')) == NULL ||
	    sscanf(p + 1, " %*c %ld", &ppid) != 1)
		ppid = 0;
	free(text);
	return (pid_t)ppid;
}

static bool
wa_podman_is_conmon(const char *procroot, pid_t pid)
{
	size_t len;
	char *cmd = wa_podman_cmdline(procroot, pid, &len);
	const char *base = cmd != NULL ? strrchr(cmd, '/') : NULL;
	bool yes;

	base = base != NULL ? base + 1 : cmd;
	yes = base != NULL && strcmp(base, "conmon") == 0;
	free(cmd);
	return yes;
}

pid_t
wa_podman_conmon(const char *procroot, pid_t pid)
{
	/* A container's first process is conmon's child; others below it. */
	for (int depth = 0; pid > 1 && depth < 8; depth++) {
		if (wa_podman_is_conmon(procroot, pid))
			return pid;
		pid = wa_podman_ppid(procroot, pid);
	}
	return 0;
}

int
wa_podman_conmon_arg(const char *cmd, size_t len, const char *s,
    const char *l, char *out, size_t outlen)
{
	size_t i, k = strlen(l);

	for (i = 0; i < len; i += strlen(cmd + i) + 1) {
		const char *a = cmd + i, *next = a + strlen(a) + 1;

		if (strncmp(a, l, k) == 0 && a[k] == '=') {
			snprintf(out, outlen, "%s", a + k + 1);
			return 0;
		}
		if ((strcmp(a, s) == 0 || strcmp(a, l) == 0) &&
		    next < cmd + len) {
			snprintf(out, outlen, "%s", next);
			return 0;
		}
	}
	return WA_ENOTFOUND;
}

int
wa_podman_conmon_info(const char *procroot, pid_t conmon, char *id,
    size_t idlen, char *name, size_t namelen)
{
	size_t len;
	char *cmd = wa_podman_cmdline(procroot, conmon, &len);
	int rc;

	if (cmd == NULL)
		return WA_ENOTFOUND;
	name[0] = '\0';
	rc = wa_podman_conmon_arg(cmd, len, "-c", "--cid", id, idlen);
	wa_podman_conmon_arg(cmd, len, "-n", "--name", name, namelen);
	free(cmd);
	return rc;
}

pid_t
wa_podman_conmon_child(const char *procroot, pid_t conmon)
{
	struct dirent *de;
	pid_t pid, found = 0;
	DIR *d;

	if ((d = opendir(procroot)) == NULL)
		return 0;
	while (found == 0 && (de = readdir(d)) != NULL)
		if (isdigit((unsigned char)de->d_name[0]) &&
		    wa_podman_ppid(procroot, pid = (pid_t)atol(de->d_name)) ==
		    conmon)
			found = pid;
	closedir(d);
	return found;
}

struct wa_podman_walk {
	struct wa_ctr_pub *out;
	size_t n, max;
	pid_t conmon;
	const char *ip;
	struct wa_podman_map maps[WA_CTR_MAXPUB];
	size_t nmaps;
};

static void
wa_podman_held(void *arg, int proto, unsigned port)
{
	struct wa_podman_walk *w = arg;
	struct wa_ctr_pub *p;
	const char *hip = "";

	if (w->n == w->max)
		return;
	p = &w->out[w->n++];
	memset(p, 0, sizeof *p);
	p->proto = proto;
	p->host_port = (uint16_t)port;
	/* 0: podman's state did not say (not readable as this user). */
	p->ctr_port = (uint16_t)wa_podman_ctr_port(w->maps, w->nmaps, proto,
	    (int)port, &hip);
	snprintf(p->host_ip, sizeof p->host_ip, "%s", hip);
	snprintf(p->ctr_ip, sizeof p->ctr_ip, "%s", w->ip);
	p->proxy_pid = w->conmon;
}

size_t
wa_podman_published(const char *procroot, pid_t conmon, const char *ctr_ip,
    struct wa_ctr_pub *out, size_t max)
{
	struct wa_podman_walk *w = calloc(1, sizeof *w);
	char id[96], name[128];
	size_t n;

	if (w == NULL)
		return 0;
	w->out = out;
	w->max = max;
	w->conmon = conmon;
	w->ip = ctr_ip;
	if (wa_podman_conmon_info(procroot, conmon, id, sizeof id, name,
	    sizeof name) == 0)
		w->nmaps = wa_podman_maps(id, w->maps, WA_CTR_MAXPUB);
	/* conmon holds every host port of its container open. */
	wa_proc_bound(procroot, conmon, wa_podman_held, w);
	n = w->n;
	free(w);
	return n;
}
