/*
 * container.c: servers in containers on this host, seen from outside
 * without the runtime's command line or socket: namespaces and addresses
 * from /proc, published ports from the runtime's proxy processes, ids
 * from cgroups and names from the runtime's own files.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "container.h"
#include "podman.h"
#include "procnet.h"
#include "safeio.h"
#include "wso2alloc.h"

/* Where dockerd keeps each container's config.v2.json (its default
 * data-root). */
#define WA_DOCKER_CONTAINERS "/var/lib/docker/containers"

int
wa_ctr_ns_differs(int piddfd)
{
	static const char *const ns[] = { "ns/net", "ns/mnt" };
	char self[32];
	struct stat a, b;
	int bits = 0;

	for (int i = 0; i < 2; i++) {
		snprintf(self, sizeof self, "/proc/self/%s", ns[i]);
		if (fstatat(piddfd, ns[i], &a, 0) != 0 || stat(self, &b) != 0)
			continue;
		if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
			bits |= 1 << i;
	}
	return bits;
}

static int
wa_ctr_port(const char *s, uint16_t *out)
{
	char *e;
	long v = strtol(s, &e, 10);

	if (*s == '\0' || *e != '\0' || v < 1 || v > 65535)
		return WA_EINVAL;
	*out = (uint16_t)v;
	return 0;
}

/* One Go-style flag (-k v, -k=v, --k v) of a docker-proxy argv. */
static int
wa_ctr_flag(struct wa_ctr_pub *p, const char *k, const char *v)
{
	if (strcmp(k, "proto") == 0) {
		p->proto = wa_proto_parse(v);
		return p->proto < 0 ? WA_EINVAL : 0;
	}
	if (strcmp(k, "host-port") == 0)
		return wa_ctr_port(v, &p->host_port);
	if (strcmp(k, "container-port") == 0)
		return wa_ctr_port(v, &p->ctr_port);
	if (strcmp(k, "host-ip") == 0)
		snprintf(p->host_ip, sizeof p->host_ip, "%s", v);
	else if (strcmp(k, "container-ip") == 0)
		snprintf(p->ctr_ip, sizeof p->ctr_ip, "%s", v);
	return 0;
}

int
wa_ctr_proxy_parse(const char *buf, size_t len, struct wa_ctr_pub *p)
{
	const char *argv[64], *base, *eq;
	char key[32];
	size_t argc = 0, i;

	memset(p, 0, sizeof p[0]);
	p->proto = WA_TCP;
	for (i = 0; i < len && argc < 64; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	if (argc == 0 || len == 0 || buf[len - 1] != '\0')
		return WA_ENOTFOUND;
	base = strrchr(argv[0], '/');
	base = base != NULL ? base + 1 : argv[0];
	if (strcmp(base, "docker-proxy") != 0)
		return WA_ENOTFOUND;
	for (i = 1; i < argc; i++) {
		const char *k = argv[i], *v;

		if (*k++ != '-')
			continue;
		if (*k == '-')
			k++;
		if ((eq = strchr(k, '=')) != NULL) {
			snprintf(key, sizeof key, "%.*s", (int)(eq - k), k);
			v = eq + 1;
		} else {
			snprintf(key, sizeof key, " %.28s ", k);
			/* Boolean flags (-use-listen-fd) take no value. */
			if (strstr(" proto host-ip host-port container-ip "
			    "container-port ", key) == NULL || i + 1 >= argc)
				continue;
			snprintf(key, sizeof key, "%.28s", k);
			v = argv[++i];
		}
		if (wa_ctr_flag(p, key, v) != 0)
			return WA_EINVAL;
	}
	return p->host_port != 0 && p->ctr_port != 0 && p->ctr_ip[0] != '\0' ?
	    0 : WA_EINVAL;
}

/* fib_trie lists each prefix as "|-- A.B.C.D" and, under a local
 * address, "/32 host LOCAL". */
size_t
wa_ctr_fib_local(const char *text, char (*addr)[WA_CTR_ADDRLEN], size_t max)
{
	char last[WA_CTR_ADDRLEN] = "";
	const char *l, *nl;
	size_t n = 0, k;

	for (l = text; l != NULL && *l != '\0' && n < max; l = nl) {
		const char *p = l + strspn(l, " \t|");

		nl = strchr(l, '\n');
		nl = nl != NULL ? nl + 1 : NULL;
		if (strncmp(p, "-- ", 3) == 0) {
			k = strspn(p + 3, "0123456789.");
			snprintf(last, sizeof last, "%.*s", (int)(k < 45 ? k :
			    45), p + 3);
		} else if (strncmp(p, "/32 host LOCAL", 14) == 0 &&
		    last[0] != '\0' && strncmp(last, "127.", 4) != 0) {
			bool dup = false;

			for (k = 0; k < n; k++)
				dup = dup || strcmp(addr[k], last) == 0;
			if (!dup)
				snprintf(addr[n++], WA_CTR_ADDRLEN, "%s", last);
		}
	}
	return n;
}

/* if_inet6: "fd000000000000000000000000000002 03 40 00 80 eth0". */
size_t
wa_ctr_inet6_local(const char *text, char (*addr)[WA_CTR_ADDRLEN],
    size_t max)
{
	const char *l, *nl;
	size_t n = 0;

	for (l = text; l != NULL && *l != '\0' && n < max; l = nl) {
		unsigned char a[16];
		unsigned v;
		size_t i;

		nl = strchr(l, '\n');
		nl = nl != NULL ? nl + 1 : NULL;
		if (strspn(l, "0123456789abcdef") != 32)
			continue;
		for (i = 0; i < 16 && sscanf(l + 2 * i, "%2x", &v) == 1; i++)
			a[i] = (unsigned char)v;
		if (i != 16 || IN6_IS_ADDR_LOOPBACK((struct in6_addr *)a) ||
		    IN6_IS_ADDR_LINKLOCAL((struct in6_addr *)a))
			continue;
		if (inet_ntop(AF_INET6, a, addr[n], WA_CTR_ADDRLEN) != NULL)
			n++;
	}
	return n;
}

bool
wa_ctr_addr_eq(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (inet_pton(AF_INET, a, x) == 1 && inet_pton(AF_INET, b, y) == 1)
		return memcmp(x, y, 4) == 0;
	if (inet_pton(AF_INET6, a, x) == 1 && inet_pton(AF_INET6, b, y) == 1)
		return memcmp(x, y, 16) == 0;
	return false;
}

int
wa_ctr_cgroup_id(const char *text, char *id, size_t idlen,
    const char **runtime)
{
	static const struct { const char *tag, *runtime; } tags[] = {
		{ "docker-", "docker" }, { "docker/", "docker" },
		{ "libpod-", "podman" }, { "libpod/", "podman" },
		{ "cri-containerd-", "containerd" }, { "crio-", "crio" },
	};

	for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
		size_t k = strlen(tags[t].tag);

		for (const char *p = strstr(text, tags[t].tag); p != NULL;
		    p = strstr(p + 1, tags[t].tag)) {
			if (strspn(p + k, "0123456789abcdef") != 64 ||
			    isxdigit((unsigned char)p[k + 64]) || idlen < 65)
				continue;
			snprintf(id, idlen, "%.64s", p + k);
			*runtime = tags[t].runtime;
			return 0;
		}
	}
	return WA_ENOTFOUND;
}

/* A file under /proc/PID (kernel-made: no identity to take on). */
static char *
wa_ctr_proc_read(const char *procroot, pid_t pid, const char *file,
    size_t *len)
{
	char path[64], why[128], *text = NULL;
	int dfd;

	snprintf(path, sizeof path, "%s/%ld", procroot, (long)pid);
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return NULL;
	if (wa_safe_read_at(dfd, file, NULL, WA_SAFEIO_CAP, &text, len, why,
	    sizeof why) != 0)
		text = NULL;
	close(dfd);
	return text;
}

size_t
wa_ctr_addresses(const char *procroot, pid_t pid,
    char (*addr)[WA_CTR_ADDRLEN], size_t max)
{
	char *t;
	size_t n = 0;

	if ((t = wa_ctr_proc_read(procroot, pid, "net/fib_trie", NULL)) != NULL)
		n = wa_ctr_fib_local(t, addr, max);
	free(t);
	if ((t = wa_ctr_proc_read(procroot, pid, "net/if_inet6", NULL)) != NULL)
		n += wa_ctr_inet6_local(t, addr + n, max - n);
	free(t);
	return n;
}

/* Every pid under procroot, in /proc's (ascending) order, until cb
 * says stop. */
static void
wa_ctr_each_pid(const char *procroot, bool (*cb)(void *, pid_t), void *arg)
{
	struct dirent *de;
	DIR *d;

	if ((d = opendir(procroot)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (isdigit((unsigned char)de->d_name[0]) &&
		    !cb(arg, (pid_t)atol(de->d_name)))
			break;
	closedir(d);
}

struct wa_ctr_pubwalk {
	const char *procroot;
	char (*addr)[WA_CTR_ADDRLEN];
	size_t naddr, n, max;
	struct wa_ctr_pub *out;
};

static bool
wa_ctr_pub_one(void *arg, pid_t pid)
{
	struct wa_ctr_pubwalk *w = arg;
	struct wa_ctr_pub p;
	size_t len;
	char *cmd = wa_ctr_proc_read(w->procroot, pid, "cmdline", &len);
	bool match = w->naddr == 0;

	if (cmd != NULL && wa_ctr_proxy_parse(cmd, len, &p) == 0) {
		for (size_t i = 0; i < w->naddr; i++)
			match = match || wa_ctr_addr_eq(w->addr[i], p.ctr_ip);
		p.proxy_pid = pid;
		if (match)
			w->out[w->n++] = p;
	}
	free(cmd);
	return w->n < w->max;
}

size_t
wa_ctr_published(const char *procroot, char (*addr)[WA_CTR_ADDRLEN],
    size_t n, struct wa_ctr_pub *out, size_t max)
{
	struct wa_ctr_pubwalk w = { procroot, addr, n, 0, max, out };

	if (max > 0)
		wa_ctr_each_pid(procroot, wa_ctr_pub_one, &w);
	return w.n;
}

/* pid's addresses when its network namespace is not ours. */
static size_t
wa_ctr_own_addresses(const char *procroot, pid_t pid,
    char (*addr)[WA_CTR_ADDRLEN], size_t max)
{
	char path[64];
	int dfd, ns;

	snprintf(path, sizeof path, "%s/%ld", procroot, (long)pid);
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	ns = wa_ctr_ns_differs(dfd);
	close(dfd);
	return ns & WA_CTR_NS_NET ? wa_ctr_addresses(procroot, pid, addr,
	    max) : 0;
}

size_t
wa_ctr_published_for(const char *procroot, pid_t pid, struct wa_ctr_pub *out,
    size_t max)
{
	char addr[WA_CTR_MAXADDR][WA_CTR_ADDRLEN];
	size_t n = wa_ctr_own_addresses(procroot, pid, addr, WA_CTR_MAXADDR);
	size_t k;
	pid_t conmon;

	if (n == 0)
		return 0;
	k = wa_ctr_published(procroot, addr, n, out, max);
	/* Rootful podman: its conmon holds the host ports, NAT forwards. */
	if ((conmon = wa_podman_conmon(procroot, pid)) > 0)
		k += wa_podman_published(procroot, conmon, addr[0], out + k,
		    max - k);
	return k;
}

bool
wa_ctr_runtime_proc(const char *procroot, pid_t pid)
{
	static const char *const names[] = { "docker-proxy", "conmon",
	    "rootlessport", "rootlessport-child", "slirp4netns", "pasta",
	    "pasta.avx2", "gvproxy" };
	char *cmd = wa_ctr_proc_read(procroot, pid, "cmdline", NULL), *base;
	bool yes = false;

	if (cmd == NULL)
		return false;
	base = strrchr(cmd, '/') != NULL ? strrchr(cmd, '/') + 1 : cmd;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		yes = yes || strcmp(base, names[i]) == 0;
	free(cmd);
	return yes;
}

/* "Name": "/web" of dockerd's config.v2.json for id. */
static void
wa_ctr_docker_name(const char *id, json_t *c)
{
	char path[256], why[128], *text = NULL;
	json_t *cfg, *name;

	snprintf(path, sizeof path, "%s/%s/config.v2.json",
	    WA_DOCKER_CONTAINERS, id);
	if (wa_safe_read(path, NULL, WA_SAFEIO_CAP, &text, NULL, why,
	    sizeof why) != 0)
		return;
	if ((cfg = json_loads(text, 0, NULL)) != NULL &&
	    json_is_string(name = json_object_get(cfg, "Name")))
		json_object_set_new(c, "name", json_string(
		    json_string_value(name) + (json_string_value(name)[0] ==
		    '/')));
	json_decref(cfg);
	free(text);
}

/* podman's conmon, the parent of a container's first process, carries
 * --cid and --name. */
static void
wa_ctr_conmon_name(const char *procroot, pid_t pid, json_t *c)
{
	pid_t conmon = wa_podman_conmon(procroot, pid);
	char id[96], name[128];

	if (conmon > 0 && wa_podman_conmon_info(procroot, conmon, id,
	    sizeof id, name, sizeof name) == 0 && name[0] != '\0')
		json_object_set_new(c, "name", json_string(name));
}

json_t *
wa_ctr_describe(const char *procroot, pid_t pid)
{
	char id[80], *cg;
	const char *runtime = NULL;
	json_t *c = json_pack("{sI}", "pid", (json_int_t)pid);

	if (c == NULL || (cg = wa_ctr_proc_read(procroot, pid, "cgroup",
	    NULL)) == NULL)
		return c;
	if (wa_ctr_cgroup_id(cg, id, sizeof id, &runtime) == 0) {
		json_object_set_new(c, "id", json_string(id));
		json_object_set_new(c, "runtime", json_string(runtime));
		if (strcmp(runtime, "docker") == 0)
			wa_ctr_docker_name(id, c);
		else if (strcmp(runtime, "podman") == 0)
			wa_ctr_conmon_name(procroot, pid, c);
	}
	free(cg);
	return c;
}

struct wa_ctr_find {
	const char *procroot, *ip;
	pid_t found;
	ino_t seen[256];
	size_t nseen;
};

/* The first process in a namespace of its own that holds ip. */
static bool
wa_ctr_find_one(void *arg, pid_t pid)
{
	struct wa_ctr_find *f = arg;
	char path[64], addr[WA_CTR_MAXADDR][WA_CTR_ADDRLEN];
	struct stat st, self;
	size_t n;

	snprintf(path, sizeof path, "%s/%ld/ns/net", f->procroot, (long)pid);
	if (stat(path, &st) != 0 || stat("/proc/self/ns/net", &self) != 0 ||
	    st.st_ino == self.st_ino)
		return true;
	for (size_t i = 0; i < f->nseen; i++)
		if (f->seen[i] == st.st_ino)
			return true;
	if (f->nseen < 256)
		f->seen[f->nseen++] = st.st_ino;
	n = wa_ctr_addresses(f->procroot, pid, addr, WA_CTR_MAXADDR);
	for (size_t i = 0; i < n; i++)
		if (wa_ctr_addr_eq(addr[i], f->ip)) {
			f->found = pid;
			return false;
		}
	return true;
}

int
wa_ctr_proxy_of(const char *procroot, pid_t pid, struct wa_ctr_pub *p)
{
	size_t len;
	char *cmd = wa_ctr_proc_read(procroot, pid, "cmdline", &len);
	int rc = cmd != NULL ? wa_ctr_proxy_parse(cmd, len, p) : WA_ENOTFOUND;

	free(cmd);
	p->proxy_pid = pid;
	return rc;
}

/* Every process in a network namespace of its own holding ip: one uid
 * for them all, or a reason not to trust one. */
struct wa_ctr_owner {
	const char *procroot, *ip;
	struct stat self;
	ino_t yes[64], no[256];
	size_t nyes, nno;
	uid_t uid;
	int n;
	bool mixed;
};

static bool
wa_ctr_netns_has(struct wa_ctr_owner *o, pid_t pid, ino_t ns)
{
	char addr[WA_CTR_MAXADDR][WA_CTR_ADDRLEN];
	size_t i, n;
	bool has = false;

	for (i = 0; i < o->nyes; i++)
		if (o->yes[i] == ns)
			return true;
	for (i = 0; i < o->nno; i++)
		if (o->no[i] == ns)
			return false;
	n = wa_ctr_addresses(o->procroot, pid, addr, WA_CTR_MAXADDR);
	for (i = 0; i < n; i++)
		has = has || wa_ctr_addr_eq(addr[i], o->ip);
	if (has && o->nyes < 64)
		o->yes[o->nyes++] = ns;
	else if (!has && o->nno < 256)
		o->no[o->nno++] = ns;
	else
		has = true;     /* past what is remembered: counted, not trusted */
	return has;
}

static bool
wa_ctr_owner_one(void *arg, pid_t pid)
{
	struct wa_ctr_owner *o = arg;
	char path[64];
	struct stat st;
	uid_t uid;

	snprintf(path, sizeof path, "%s/%ld/ns/net", o->procroot, (long)pid);
	if (stat(path, &st) != 0 || st.st_ino == o->self.st_ino ||
	    !wa_ctr_netns_has(o, pid, st.st_ino))
		return true;
	if (wa_proc_uid(o->procroot, pid, &uid) != 0)
		o->mixed = true;
	else if (o->n++ == 0)
		o->uid = uid;
	else if (uid != o->uid)
		o->mixed = true;
	return true;
}

int
wa_ctr_ip_uid(const char *procroot, const char *ip, uid_t *uid)
{
	struct wa_ctr_owner o;

	memset(&o, 0, sizeof o);
	o.procroot = procroot;
	o.ip = ip;
	if (stat("/proc/self/ns/net", &o.self) != 0)
		return WA_EIO;
	wa_ctr_each_pid(procroot, wa_ctr_owner_one, &o);
	if (o.mixed)
		return WA_EINVAL;
	if (o.n == 0)
		return WA_ENOTFOUND;
	*uid = o.uid;
	return 0;
}

/* A port podman's conmon holds: the container is its child; the port
 * inside from podman's state, when readable. */
static json_t *
wa_ctr_conmon_holder(const char *procroot, pid_t conmon, uint16_t port)
{
	char addr[WA_CTR_MAXADDR][WA_CTR_ADDRLEN];
	struct wa_ctr_pub pub[WA_CTR_MAXPUB];
	pid_t child = wa_podman_conmon_child(procroot, conmon);
	json_t *c, *h;
	size_t n, naddr;

	if (child <= 0)
		return NULL;
	naddr = wa_ctr_own_addresses(procroot, child, addr, WA_CTR_MAXADDR);
	c = wa_ctr_describe(procroot, child);
	h = json_pack("{so}", "container", c);
	if (naddr == 0)
		return h;
	json_object_set_new(c, "ip", json_string(addr[0]));
	n = wa_podman_published(procroot, conmon, addr[0], pub, WA_CTR_MAXPUB);
	for (size_t i = 0; i < n; i++)
		if (pub[i].host_port == port && pub[i].ctr_port != 0)
			json_object_set_new(h, "container_port",
			    json_integer(pub[i].ctr_port));
	return h;
}

int
wa_ctr_forwards_to(const char *procroot, pid_t pid, uint16_t port,
    char *ip, size_t iplen)
{
	char addr[WA_CTR_MAXADDR][WA_CTR_ADDRLEN];
	struct wa_ctr_pub p;
	pid_t child;

	if (wa_ctr_proxy_of(procroot, pid, &p) == 0) {
		if (p.host_port != port)
			return WA_ENOTFOUND;
		snprintf(ip, iplen, "%s", p.ctr_ip);
		return 0;
	}
	if (wa_podman_conmon(procroot, pid) != pid)
		return WA_ENOTFOUND;
	if ((child = wa_podman_conmon_child(procroot, pid)) <= 0 ||
	    wa_ctr_own_addresses(procroot, child, addr, WA_CTR_MAXADDR) == 0)
		return WA_EINVAL;
	snprintf(ip, iplen, "%s", addr[0]);
	return 0;
}

json_t *
wa_ctr_holder(const char *procroot, pid_t pid, uint16_t port)
{
	struct wa_ctr_find f;
	struct wa_ctr_pub p;
	json_t *h = NULL, *c;

	if (wa_ctr_proxy_of(procroot, pid, &p) != 0)
		return wa_podman_conmon(procroot, pid) == pid ?
		    wa_ctr_conmon_holder(procroot, pid, port) : NULL;
	if (p.host_port != port)
		return NULL;
	memset(&f, 0, sizeof f);
	f.procroot = procroot;
	f.ip = p.ctr_ip;
	wa_ctr_each_pid(procroot, wa_ctr_find_one, &f);
	c = f.found > 0 ? wa_ctr_describe(procroot, f.found) : json_object();
	json_object_set_new(c, "ip", json_string(p.ctr_ip));
	h = json_pack("{sosi}", "container", c, "container_port",
	    (int)p.ctr_port);
	return h;
}

void
wa_ctr_holder_text(const json_t *h, char *buf, size_t len)
{
	const json_t *c = json_object_get(h, "container");
	const char *id = json_string_value(json_object_get(c, "id"));
	const char *name = json_string_value(json_object_get(c, "name"));
	const char *ip = json_string_value(json_object_get(c, "ip"));
	json_int_t pid = json_integer_value(json_object_get(c, "pid"));
	char who[128];

	buf[0] = '\0';
	if (!json_is_object(c))
		return;
	if (id != NULL && name != NULL)
		snprintf(who, sizeof who, "%.64s (%.12s)", name, id);
	else if (id != NULL)
		snprintf(who, sizeof who, "%.12s", id);
	else if (pid > 0)
		snprintf(who, sizeof who, "pid %lld", (long long)pid);
	else
		snprintf(who, sizeof who, "(not found)");
	if (json_is_integer(json_object_get(h, "container_port")))
		snprintf(buf, len, "container %s port %lld at %s", who,
		    (long long)json_integer_value(json_object_get(h,
		    "container_port")), ip != NULL ? ip : "?");
	else
		snprintf(buf, len, "container %s at %s", who, ip != NULL ? ip :
		    "?");
}
