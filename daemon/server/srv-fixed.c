/*
 * srv-fixed.c: a lease of explicit host ports ("ports" of the lease op):
 * adopting a server in a container, whose host ports are what its
 * runtime publishes, not its offset's.  Only with adopt: a new lease
 * takes an offset.  A port bound on the host is recorded only for the
 * user whose process holds it, or root: else anyone could take the
 * port of another user's server not leased yet.
 */
#include <stdio.h>
#include <string.h>

#include "container.h"
#include "procnet.h"
#include "srv.h"

int
wa_lease_fixed(struct wa_req *r, const struct wa_product *p, bool adopt,
    struct wa_lease_port *out, const struct wa_port_def **sel, size_t *n)
{
	json_t *ports = json_object_get(r->req, "ports"), *v;
	const char *k;
	size_t i;

	*n = 0;
	if (ports == NULL || json_is_null(ports))
		return 0;
	if (!json_is_object(ports) || json_object_size(ports) == 0)
		return wa_req_fail(r, WA_EBADREQ, "ports: must be an object of "
		    "port names and host ports");
	if (!adopt)
		return wa_req_fail(r, WA_EINVAL, "ports: only with adopt (a "
		    "running server's published ports)");
	if (json_object_size(ports) > 128)
		return wa_req_fail(r, WA_EINVAL, "ports: too many");
	json_object_foreach(ports, k, v) {
		for (i = 0; i < p->nports && strcmp(p->ports[i].name, k) != 0;
		    i++)
			;
		if (i == p->nports)
			return wa_req_fail(r, WA_EINVAL, "ports: %s has no port "
			    "named '%.64s'", p->id, k);
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 65535)
			return wa_req_fail(r, WA_EINVAL, "ports: %.64s: must be "
			    "a port number 1-65535", k);
		/* The ceiling every lease keeps (below the ephemeral range
		 * unless the daemon allows it). */
		if (json_integer_value(v) > r->d->alloc.port_ceiling)
			return wa_req_fail(r, WA_EINVAL, "ports: %.64s: %lld is "
			    "above the highest port granted, %d (wso2-allocd "
			    "--port-ceiling, --allow-ephemeral)", k,
			    (long long)json_integer_value(v),
			    r->d->alloc.port_ceiling);
		sel[*n] = &p->ports[i];
		out[*n].name = p->ports[i].name;
		out[*n].proto = p->ports[i].proto;
		out[(*n)++].port = (uint16_t)json_integer_value(v);
	}
	for (i = 0; i < *n; i++)
		for (size_t j = 0; j < i; j++)
			if (out[i].port == out[j].port &&
			    out[i].proto == out[j].proto)
				return wa_req_fail(r, WA_EINVAL, "ports: %u/%s "
				    "given twice", out[i].port,
				    wa_proto_name(out[i].proto));
	return 0;
}

/* Free, or bound on the host (the server being adopted holds them
 * through its proxy); anything else is a conflict. */
int
wa_fixed_check(const struct wa_portmap *m, const struct wa_lease_port *ports,
    const struct wa_port_def *const *sel, size_t n, struct wa_conflict *c)
{
	enum wa_hold h;
	uint32_t holder = 0;

	for (size_t i = 0; i < n; i++) {
		h = wa_portmap_state(m, ports[i].proto, ports[i].port, &holder);
		if (h == WA_HOLD_FREE || h == WA_HOLD_HOST)
			continue;
		memset(c, 0, sizeof *c);
		c->def = sel[i];
		c->port = ports[i].port;
		c->proto = ports[i].proto;
		c->hold = h;
		c->holder = holder;
		return WA_ECONFLICT;
	}
	return 0;
}

#define WA_FIXED_SOCKS 32

/* Whose a port bound on the host is: every holder must run as the
 * caller, a runtime's proxy (docker-proxy, conmon) standing for the container it
 * forwards to. */
struct wa_fixed_who {
	uint16_t port;
	uid_t caller;
	uid_t uid;                  /* another user's, when foreign */
	pid_t pid;                  /* the holder named in the answer */
	char ip[WA_CTR_ADDRLEN];    /* the container's, when pid is a proxy */
	bool held[WA_FIXED_SOCKS];
	bool foreign;               /* a holder runs as another user */
	bool unsure;                /* a holder's uid is not known */
};

static void
wa_fixed_holder(void *arg, pid_t pid, size_t i)
{
	struct wa_fixed_who *w = arg;
	char ip[WA_CTR_ADDRLEN] = "";
	uid_t uid;
	int rc;

	w->held[i] = true;
	if (w->foreign)
		return;
	rc = wa_ctr_forwards_to("/proc", pid, w->port, ip, sizeof ip);
	if (rc == 0)
		rc = wa_ctr_ip_uid("/proc", ip, &uid);
	else if (rc == WA_ENOTFOUND)
		rc = wa_proc_uid("/proc", pid, &uid);
	if (rc == 0 && uid == w->caller)
		return;
	w->pid = pid;
	memcpy(w->ip, ip, sizeof ip);
	if (rc == 0) {
		w->foreign = true;
		w->uid = uid;
	} else
		w->unsure = true;
}

static int
wa_fixed_refuse(struct wa_req *r, const struct wa_lease_port *lp,
    const struct wa_fixed_who *w)
{
	char who[160];

	r->err = json_pack("{sissssss}", "port", lp->port, "proto",
	    wa_proto_name(lp->proto), "port_name", lp->name, "holder_kind",
	    "host");
	if (w->pid > 0)
		json_object_set_new(r->err, "holder_pid", json_integer(w->pid));
	if (w->ip[0] != '\0')
		snprintf(who, sizeof who, "the container at %s that pid %ld "
		    "forwards it to", w->ip, (long)w->pid);
	else if (w->pid > 0)
		snprintf(who, sizeof who, "pid %ld", (long)w->pid);
	else
		snprintf(who, sizeof who, "no process this daemon can see");
	if (!w->foreign)
		return wa_req_fail(r, WA_EFORBIDDEN, "port %u/%s (%s) is bound "
		    "on the host and whose it is cannot be told (%s): only root "
		    "may record it", lp->port, wa_proto_name(lp->proto),
		    lp->name, who);
	json_object_set_new(r->err, "owner_uid", json_integer(w->uid));
	return wa_req_fail(r, WA_EFORBIDDEN, "port %u/%s (%s) is bound on the "
	    "host by %s, running as uid %ld: only that user or root may "
	    "record it", lp->port, wa_proto_name(lp->proto), lp->name, who,
	    (long)w->uid);
}

int
wa_fixed_owned(struct wa_req *r, const struct wa_lease_port *ports, size_t n)
{
	unsigned long inodes[WA_FIXED_SOCKS];
	struct wa_fixed_who w;
	size_t k;
	bool denied;

	if (r->peer.uid == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		memset(&w, 0, sizeof w);
		w.port = ports[i].port;
		w.caller = r->peer.uid;
		/* Read now, not from the snapshot: a port bound since counts. */
		k = wa_procnet_inodes("/proc", ports[i].proto, ports[i].port,
		    inodes, WA_FIXED_SOCKS);
		if (k == 0)
			continue;
		wa_proc_socket_holders("/proc", inodes, k, wa_fixed_holder, &w,
		    &denied);
		/* A socket no process was seen holding is no one's known. */
		for (size_t j = 0; j < k; j++)
			w.unsure = w.unsure || !w.held[j];
		if (k == WA_FIXED_SOCKS || denied)
			w.unsure = true;
		if (w.foreign || w.unsure)
			return wa_fixed_refuse(r, &ports[i], &w);
	}
	return 0;
}
