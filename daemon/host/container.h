/*
 * container.h: WSO2 servers in containers on the same host: a process in
 * a network or mount namespace other than ours, its files read through
 * /proc/PID/root, its host ports those a runtime's proxy publishes for
 * its addresses, and its name from its cgroup and the runtime's files.
 * Parsers take text so the unit tests run on samples.
 */
#ifndef WA_CONTAINER_H
#define WA_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#define WA_CTR_ADDRLEN 46
#define WA_CTR_MAXADDR 16
#define WA_CTR_MAXPUB 64

/* One port a proxy publishes: host_ip:host_port -> ctr_ip:ctr_port. */
struct wa_ctr_pub {
	int proto;
	char host_ip[WA_CTR_ADDRLEN];
	uint16_t host_port;
	char ctr_ip[WA_CTR_ADDRLEN];
	uint16_t ctr_port;
	pid_t proxy_pid;
};

/* Which of pid's namespaces differ from ours (the scanner's): bits. */
#define WA_CTR_NS_NET 1
#define WA_CTR_NS_MNT 2
int wa_ctr_ns_differs(int piddfd);

/* A docker-proxy command line (NUL-separated): WA_ENOTFOUND when argv[0]
 * is not docker-proxy, WA_EINVAL when its arguments do not say a port. */
int wa_ctr_proxy_parse(const char *buf, size_t len, struct wa_ctr_pub *p);
/* The local addresses in /proc/PID/net/fib_trie (IPv4, loopback left
 * out) and /proc/PID/net/if_inet6 (IPv6, ::1 and link-local left out). */
size_t wa_ctr_fib_local(const char *text, char (*addr)[WA_CTR_ADDRLEN],
    size_t max);
size_t wa_ctr_inet6_local(const char *text, char (*addr)[WA_CTR_ADDRLEN],
    size_t max);
/* Whether two textual addresses are the same address. */
bool wa_ctr_addr_eq(const char *a, const char *b);
/*
 * The container id (64 hex digits) in /proc/PID/cgroup text, and the
 * runtime its path names ("docker", "podman", "containerd", "crio"):
 * WA_ENOTFOUND when the path names none.
 */
int wa_ctr_cgroup_id(const char *text, char *id, size_t idlen,
    const char **runtime);

/* pid's addresses, read through its own /proc/PID/net. */
size_t wa_ctr_addresses(const char *procroot, pid_t pid,
    char (*addr)[WA_CTR_ADDRLEN], size_t max);
/* The ports proxies publish for any of addr (all proxies when n == 0). */
size_t wa_ctr_published(const char *procroot, char (*addr)[WA_CTR_ADDRLEN],
    size_t n, struct wa_ctr_pub *out, size_t max);
/* The ports proxies publish for the container pid runs in (none when
 * its network namespace is ours). */
size_t wa_ctr_published_for(const char *procroot, pid_t pid,
    struct wa_ctr_pub *out, size_t max);
/* Whether pid is a container runtime's process that holds host ports
 * for containers (docker-proxy, conmon, rootlessport, slirp4netns...). */
bool wa_ctr_runtime_proc(const char *procroot, pid_t pid);
/* {"id", "name", "runtime", "pid"} of the container pid runs in (id and
 * name only where its cgroup and the runtime's files show them). */
json_t *wa_ctr_describe(const char *procroot, pid_t pid);
/*
 * For a port's holder: when pid is a runtime's proxy, what it publishes
 * and the container behind it ({"container": {...}, "container_port"}),
 * else NULL.
 */
json_t *wa_ctr_holder(const char *procroot, pid_t pid, uint16_t port);
/* What pid publishes when it is a runtime's proxy (WA_ENOTFOUND: not
 * one). */
int wa_ctr_proxy_of(const char *procroot, pid_t pid, struct wa_ctr_pub *p);
/*
 * The uid every process in a network namespace other than ours that
 * holds ip runs as: the container a proxy forwards to.  WA_ENOTFOUND
 * when none holds it, WA_EINVAL when they run as more than one uid (or
 * one's is unreadable): another user's namespace may claim the address.
 */
int wa_ctr_ip_uid(const char *procroot, const char *ip, uid_t *uid);
/* The container address pid forwards port to, when pid is a runtime's
 * holder of it (a docker-proxy, podman's conmon): WA_ENOTFOUND when it is
 * not, WA_EINVAL when its container's address cannot be told. */
int wa_ctr_forwards_to(const char *procroot, pid_t pid, uint16_t port,
    char *ip, size_t iplen);
/* "container web (3f2a1b9c0d4e) port 9443 at 172.17.0.2" from a holder
 * wa_ctr_holder described; "" when it names no container. */
void wa_ctr_holder_text(const json_t *h, char *buf, size_t len);

#endif
