/*
 * carbon.c: reading Carbon servers: command lines, deployment.toml,
 * carbon.xml, and the sockets a process holds.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "carbon.h"
#include "procnet.h"
#include "safeio.h"
#include "toml.h"
#include "xmlscan.h"
#include "util.h"
#include "wso2alloc.h"

int
wa_cmdline_parse(const char *buf, size_t len, struct wa_cmdline *out)
{
	const char *p = buf, *end = buf + len, *base;
	bool first = true;

	memset(out, 0, sizeof *out);
	out->port_offset = -1;
	while (p < end) {
		size_t n = strnlen(p, (size_t)(end - p));

		if (first) {
			base = memrchr(p, '/', n);
			base = base != NULL ? base + 1 : p;
			out->java = (size_t)(p + n - base) == 4 &&
			    memcmp(base, "java", 4) == 0;
			first = false;
		} else if (n > 15 && strncmp(p, "-Dcarbon.home=", 14) == 0)
			snprintf(out->home, sizeof out->home, "%.*s",
			    (int)(n - 14), p + 14);
		else if (n > 15 && strncmp(p, "-Dwso2.runtime=", 15) == 0)
			snprintf(out->runtime, sizeof out->runtime, "%.*s",
			    (int)(n - 15), p + 15);
		else if (n > 13 && strncmp(p, "-DportOffset=", 13) == 0) {
			char num[16], *e;
			long v;

			snprintf(num, sizeof num, "%.*s", (int)(n - 13), p + 13);
			v = strtol(num, &e, 10);
			if (*e == '\0' && v >= 0 && v <= 65535)
				out->port_offset = (int)v;
		}
		p += n + 1;
	}
	return out->java && out->home[0] != '\0' ? 0 : WA_ENOTFOUND;
}

int
wa_toml_offset(const char *text, int *offset)
{
	struct wa_toml_doc d;
	const struct wa_toml_node *o;
	const char *p;
	char *e;
	long v;
	int rc = WA_ENOTFOUND;

	if (wa_toml_read(text, strlen(text), &d) != 0) {
		rc = WA_EINVAL;
		goto out;
	}
	/* "i:N" or a string of digits "s:N", however the file wrote it. */
	if ((o = wa_toml_find(&d, "server.offset")) == NULL)
		goto out;
	rc = WA_EINVAL;
	p = o->canon + 2;
	if (o->kind != WA_TOML_VALUE || (o->canon[0] != 'i' &&
	    o->canon[0] != 's') || !isdigit((unsigned char)*p))
		goto out;
	v = strtol(p, &e, 10);
	if (*e == '\0' && v >= 0 && v <= 65535) {
		*offset = (int)v;
		rc = 0;
	}
out:
	wa_toml_doc_free(&d);
	return rc;
}

int
wa_carbon_xml_offset(const char *text, int *offset)
{
	struct wa_xml_doc d;
	const struct wa_xml_event *t;
	char *e;
	long v;
	int j, rc = WA_ENOTFOUND;

	if (wa_xml_read(text, strlen(text), &d) != 0) {
		rc = WA_EINVAL;
		goto out;
	}
	if ((j = wa_xml_find(&d, text, "Ports", "Offset")) < 0)
		goto out;
	t = &d.v[j];
	rc = WA_EINVAL;
	if (t->kind != WA_XML_START || t->close != j + 2 ||
	    d.v[j + 1].kind != WA_XML_TEXT)
		goto out;
	v = strtol(text + d.v[j + 1].start, &e, 10);
	if (e != text + d.v[j + 1].start && v >= 0 && v <= 65535 &&
	    (size_t)(e + strspn(e, " \t\r\n") - text) == d.v[j + 1].end) {
		*offset = (int)v;
		rc = 0;
	}
out:
	wa_xml_doc_free(&d);
	return rc;
}

/* One file under home, read as id; a reason to cb unless it is absent. */
static char *
wa_home_read(int rootfd, const char *home, const char *file,
    const struct wa_fsid *id, wa_unread_cb cb, void *arg)
{
	char path[PATH_MAX], why[128], *text = NULL;
	int rc;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", home, file) >=
	    sizeof path)
		return NULL;
	rc = rootfd < 0 ? wa_safe_read(path, id, WA_SAFEIO_CAP, &text, NULL,
	    why, sizeof why) : wa_safe_read_in(rootfd, path, id,
	    WA_SAFEIO_CAP, &text, NULL, why, sizeof why);
	if (rc != 0 && rc != WA_ENOTFOUND && cb != NULL)
		cb(arg, file, why);
	return rc == 0 ? text : NULL;
}

int
wa_home_offset(const char *home, const struct wa_fsid *id, int internal,
    int *offset, const char **from, wa_unread_cb cb, void *arg)
{
	return wa_home_offset_in(-1, home, id, internal, offset, from, cb, arg);
}

int
wa_home_offset_in(int rootfd, const char *home, const struct wa_fsid *id,
    int internal, int *offset, const char **from, wa_unread_cb cb, void *arg)
{
	static const char *const tomls[] = { "conf/deployment.toml",
	    "repository/conf/deployment.toml" };
	static const char *const xmls[] = { "repository/conf/carbon.xml",
	    "conf/carbon.xml" };
	char *text;
	int rc;

	for (size_t i = 0; i < 2; i++) {
		if ((text = wa_home_read(rootfd, home, tomls[i], id, cb,
		    arg)) == NULL)
			continue;
		rc = wa_toml_offset(text, offset);
		free(text);
		if (rc == 0) {
			*from = "deployment.toml";
			return 0;
		}
	}
	for (size_t i = 0; i < 2; i++) {
		if ((text = wa_home_read(rootfd, home, xmls[i], id, cb,
		    arg)) == NULL)
			continue;
		rc = wa_carbon_xml_offset(text, offset);
		free(text);
		if (rc == 0) {
			*from = "carbon.xml";
			return 0;
		}
	}
	*offset = internal;
	*from = "internal default";
	return 0;
}

struct wa_inodes {
	unsigned long *v;
	size_t n;
	wa_bound_cb cb;
	void *arg;
};

static void
wa_bound_match(void *arg, int proto, uint16_t port, unsigned long inode)
{
	struct wa_inodes *in = arg;

	for (size_t i = 0; i < in->n; i++)
		if (in->v[i] == inode) {
			in->cb(in->arg, proto, port);
			return;
		}
}

static pid_t
wa_ppid(const char *procroot, pid_t pid)
{
	char path[64], *text, *p;
	long ppid = -1;

	snprintf(path, sizeof path, "%s/%ld/stat", procroot, (long)pid);
	if ((text = wa_file_read(path, NULL)) == NULL)
		return -1;
	/* After the last ')': " S PPID ..." (comm may hold anything). */
	if ((p = strrchr(text, ')')) != NULL && sscanf(p + 1, " %*c %ld",
	    &ppid) != 1)
		ppid = -1;
	free(text);
	return (pid_t)ppid;
}

bool
wa_proc_descends(const char *procroot, pid_t pid, pid_t ancestor)
{
	/* Start scripts run the JVM as a child: it counts as the owner. */
	for (int depth = 0; pid > 1 && depth < 32; depth++) {
		if (pid == ancestor)
			return true;
		pid = wa_ppid(procroot, pid);
	}
	return false;
}

static void
wa_fd_inodes(const char *procroot, pid_t pid, struct wa_inodes *in)
{
	char path[PATH_MAX], link[64];
	struct dirent *de;
	unsigned long *nv;
	ssize_t n;
	DIR *d;

	snprintf(path, sizeof path, "%s/%ld/fd", procroot, (long)pid);
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		snprintf(path, sizeof path, "%s/%ld/fd/%s", procroot, (long)pid,
		    de->d_name);
		n = readlink(path, link, sizeof link - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strncmp(link, "socket:[", 8) != 0)
			continue;
		if ((nv = realloc(in->v, (in->n + 1) * sizeof *nv)) == NULL)
			break;
		in->v = nv;
		in->v[in->n++] = strtoul(link + 8, NULL, 10);
	}
	closedir(d);
}

int
wa_proc_bound(const char *procroot, pid_t pid, wa_bound_cb cb, void *arg)
{
	static const char *const tables[] = { "tcp", "tcp6", "udp", "udp6" };
	struct wa_inodes in = { NULL, 0, cb, arg };
	char path[PATH_MAX], *text;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof path, "%s/%ld/fd", procroot, (long)pid);
	if (access(path, R_OK | X_OK) != 0)
		return errno == EACCES ? WA_EFORBIDDEN : WA_ENOTFOUND;
	/* The process and its descendants (the JVM under a start script). */
	if ((d = opendir(procroot)) == NULL)
		return WA_EIO;
	while ((de = readdir(d)) != NULL) {
		long p = strtol(de->d_name, NULL, 10);

		if (p > 0 && wa_proc_descends(procroot, (pid_t)p, pid))
			wa_fd_inodes(procroot, (pid_t)p, &in);
	}
	closedir(d);
	for (size_t i = 0; i < 4 && in.n > 0; i++) {
		snprintf(path, sizeof path, "%s/net/%s", procroot, tables[i]);
		if ((text = wa_file_read(path, NULL)) == NULL)
			continue;
		wa_procnet_parse(text, i < 2 ? WA_TCP : WA_UDP, wa_bound_match,
		    &in);
		free(text);
	}
	free(in.v);
	return 0;
}
