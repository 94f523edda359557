/*
 * scanctr.c: a server in a container, seen from the host: its offset
 * from its own files (through /proc/PID/root, as its owner), its host
 * ports only what a runtime's proxy publishes for its addresses; the
 * ports it binds inside its namespace are never taken for host ports.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "cmd.h"
#include "container.h"
#include "scanctr.h"

static void
wa_ctr_unread(void *arg, const char *file, const char *why)
{
	json_array_append_new(arg, json_pack("{ssss}", "file", file,
	    "reason", why));
}

/* The offset the server runs at inside, read as for a host server. */
static void
wa_ctr_offset(int piddfd, const struct wa_product *p,
    const struct wa_cmdline *cl, const struct wa_fsid *id, json_t *s)
{
	const char *from = "-DportOffset";
	json_t *unread = json_array();
	int offset = cl->port_offset, rootfd;

	if (offset < 0) {
		rootfd = openat(piddfd, "root", O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);
		if (rootfd < 0)
			json_array_append_new(unread, json_pack("{ssss}", "file",
			    "/proc/PID/root", "reason", "not readable"));
		wa_home_offset_in(rootfd < 0 ? AT_FDCWD : rootfd, cl->home, id,
		    p != NULL ? p->internal_offset : 0, &offset, &from,
		    wa_ctr_unread, unread);
		if (rootfd < 0) {
			offset = p != NULL ? p->internal_offset : 0;
			from = "internal default";
		} else
			close(rootfd);
	}
	json_object_set_new(s, "offset", json_integer(offset));
	json_object_set_new(s, "offset_from", json_string(from));
	if (json_array_size(unread) > 0)
		json_object_set(s, "unread", unread);
	json_decref(unread);
}

/* container_port null: the holder (podman's conmon) does not say and
 * the runtime's state could not be read. */
static json_t *
wa_ctr_pub_json(const struct wa_ctr_pub *p)
{
	return json_pack("{sssssisosI}", "proto", wa_proto_name(p->proto),
	    "host_ip", p->host_ip, "host_port", (int)p->host_port,
	    "container_port", p->ctr_port != 0 ? json_integer(p->ctr_port) :
	    json_null(), "proxy_pid", (json_int_t)p->proxy_pid);
}

/* The product's default ports at the offset inside, each with the host
 * port published for it or null. */
static json_t *
wa_ctr_ports(const struct wa_product *p, int offset,
    const struct wa_ctr_pub *pub, size_t npub)
{
	json_t *ports = json_array();

	for (size_t i = 0; p != NULL && i < p->nports; i++) {
		const struct wa_port_def *d = &p->ports[i];
		int cport = wa_port_effective(d, offset);
		json_t *host = json_null();

		if (d->open != WA_OPEN_DEFAULT || cport < 0)
			continue;
		for (size_t k = 0; k < npub; k++)
			if (pub[k].proto == d->proto && pub[k].ctr_port == cport) {
				host = json_integer(pub[k].host_port);
				break;
			}
		json_array_append_new(ports, json_pack("{sssssiso}", "name",
		    d->name, "proto", wa_proto_name(d->proto),
		    "container_port", cport, "host_port", host));
	}
	return ports;
}

json_t *
wa_scan_container(const struct wa_product *p, long pid,
    const struct wa_cmdline *cl, const struct wa_fsid *id)
{
	char path[64], addr[WA_CTR_MAXADDR][WA_CTR_ADDRLEN];
	struct wa_ctr_pub pub[WA_CTR_MAXPUB];
	json_t *s = NULL, *c, *a, *pl;
	size_t naddr, npub;
	int dfd, ns;

	snprintf(path, sizeof path, "/proc/%ld", pid);
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return NULL;
	if ((ns = wa_ctr_ns_differs(dfd)) == 0)
		goto out;
	s = json_pack("{sIssso}", "pid", (json_int_t)pid, "home", cl->home,
	    "product", p != NULL ? json_string(p->id) : json_null());
	wa_ctr_offset(dfd, p, cl, id, s);
	c = wa_ctr_describe("/proc", (pid_t)pid);
	a = json_array();
	/* Without a network namespace of its own it shares the host's
	 * ports: no proxy publishes anything for it. */
	naddr = ns & WA_CTR_NS_NET ? wa_ctr_addresses("/proc", (pid_t)pid,
	    addr, WA_CTR_MAXADDR) : 0;
	for (size_t i = 0; i < naddr; i++)
		json_array_append_new(a, json_string(addr[i]));
	json_object_set_new(c, "addresses", a);
	json_object_set_new(c, "own_netns", json_boolean(ns & WA_CTR_NS_NET));
	json_object_set_new(s, "container", c);
	npub = naddr > 0 ? wa_ctr_published_for("/proc", (pid_t)pid, pub,
	    WA_CTR_MAXPUB) : 0;
	pl = json_array();
	for (size_t i = 0; i < npub; i++)
		json_array_append_new(pl, wa_ctr_pub_json(&pub[i]));
	json_object_set_new(s, "published", pl);
	json_object_set_new(s, "ports", wa_ctr_ports(p,
	    (int)wa_json_int(s, "offset", 0), pub, npub));
out:
	close(dfd);
	return s;
}

/* A lease name from the container's name or id, when one is valid. */
static const char *
wa_ctr_name(const json_t *c, char *buf, size_t len)
{
	const char *n = wa_json_str(c, "name"), *id = wa_json_str(c, "id");

	if (n != NULL && strlen(n) <= 64 && strspn(n, "abcdefghijklmnopqrstuv"
	    "wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == strlen(n) &&
	    n[0] != '-' && n[0] != '.' && n[0] != '\0')
		return n;
	if (id == NULL)
		return NULL;
	snprintf(buf, len, "ctr-%.8s", id);
	return buf;
}

int
wa_scan_ctr_request(const json_t *s, struct wa_lease_request *q,
    char *name, size_t namelen, char *why, size_t len)
{
	json_t *ports = json_object(), *v;
	const json_t *c = json_object_get(s, "container");
	size_t i;

	json_array_foreach(json_object_get(s, "ports"), i, v)
		if (json_is_integer(json_object_get(v, "host_port")))
			json_object_set(ports, wa_json_str(v, "name"),
			    json_object_get(v, "host_port"));
	if (json_object_size(ports) == 0 &&
	    json_array_size(json_object_get(s, "published")) > 0) {
		snprintf(why, len, "in a container whose host ports are held "
		    "(by podman's conmon) but which ports inside they reach "
		    "cannot be read (podman's state, root's): not adopted");
		json_decref(ports);
		return WA_ENOTFOUND;
	}
	if (json_object_size(ports) == 0) {
		snprintf(why, len, "in a container and none of its ports is "
		    "published on the host by a proxy this host can see: not "
		    "adopted (its ports inside are not host ports)");
		json_decref(ports);
		return WA_ENOTFOUND;
	}
	q->product = wa_json_str(s, "product");
	q->pid = (pid_t)wa_json_int(s, "pid", 0);
	q->offset = (int)wa_json_int(s, "offset", -1);
	q->ports = ports;
	q->adopt = true;
	q->name = wa_ctr_name(c, name, namelen);
	q->labels = json_pack("{ss}", "container", wa_json_str(c, "id") !=
	    NULL ? wa_json_str(c, "id") : "true");
	return 0;
}
