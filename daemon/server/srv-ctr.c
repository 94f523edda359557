/*
 * srv-ctr.c: a container's lease (labelled container by lease
 * --container or scan --adopt) and the processes that stand for it on
 * the host: the container's own, or its runtime's (docker-proxy, conmon,
 * rootlessport), which hold its host ports.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "carbon.h"
#include "container.h"
#include "procnet.h"
#include "srv.h"

bool
wa_ctr_lease(const struct wa_instance *in)
{
	json_t *l = in->labels != NULL ? json_loads(in->labels, 0, NULL) :
	    NULL;
	bool yes = json_object_get(l, "container") != NULL;

	json_decref(l);
	return yes;
}

struct wa_ctr_held {
	const struct wa_instance *in;
	bool any;
};

static void
wa_ctr_held_one(void *arg, int proto, unsigned port)
{
	struct wa_ctr_held *h = arg;

	for (size_t i = 0; i < h->in->nports; i++)
		h->any = h->any || (h->in->ports[i].port == port &&
		    h->in->ports[i].proto == proto);
}

bool
wa_ctr_lease_pid(const struct wa_instance *in, pid_t pid)
{
	struct wa_ctr_held h = { in, false };
	struct wa_ctr_pub pub[WA_CTR_MAXPUB];
	size_t n;

	wa_proc_bound("/proc", pid, wa_ctr_held_one, &h);
	n = h.any ? 0 : wa_ctr_published_for("/proc", pid, pub,
	    WA_CTR_MAXPUB);
	for (size_t k = 0; k < n; k++)
		wa_ctr_held_one(&h, pub[k].proto, pub[k].host_port);
	return h.any;
}

struct wa_ctr_rt {
	size_t idx[64];
	uint64_t held;
};

static void
wa_ctr_rt_one(void *arg, pid_t pid, size_t i)
{
	struct wa_ctr_rt *r = arg;

	if (!(r->held >> r->idx[i] & 1) && wa_ctr_runtime_proc("/proc", pid))
		r->held |= 1ULL << r->idx[i];
}

uint64_t
wa_ctr_runtime_held(const struct wa_instance *in, uint64_t mask)
{
	struct wa_ctr_rt r = { .held = 0 };
	unsigned long inodes[64];
	size_t k = 0;
	bool denied;

	for (size_t i = 0; i < in->nports && i < 64; i++)
		if ((mask >> i & 1) && (inodes[k] = wa_procnet_inode("/proc",
		    in->ports[i].proto, in->ports[i].port)) != 0)
			r.idx[k++] = i;
	wa_proc_socket_holders("/proc", inodes, k, wa_ctr_rt_one, &r, &denied);
	return r.held;
}

int
wa_ctr_adopt_check(struct wa_req *r, pid_t pid)
{
	char path[32];
	int dfd, ns;

	snprintf(path, sizeof path, "/proc/%ld", (long)pid);
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	ns = wa_ctr_ns_differs(dfd);
	close(dfd);
	if (!(ns & WA_CTR_NS_NET))
		return 0;
	return wa_req_fail(r, WA_EINVAL, "pid %ld runs in a network namespace "
	    "of its own (a container): the ports it binds there are not host "
	    "ports; adopt it with the host ports its runtime publishes "
	    "(ports), as root's scan --adopt does", (long)pid);
}
