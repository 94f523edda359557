/*
 * srv-leases.c: the one writer of a lease's copies: the ledger rows, the
 * port map, the in-memory mirror (srv-cache.c), the reaper's watches and
 * the kernel's reserved ports (srv-kernel.c).  Ops change leases only
 * through add, renew, attach and end; each port map change inside a batch
 * is noted so a rolled-back request takes back exactly its own, and
 * wa_leases_rebuild starts every copy again from the ledger.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"
#include "util.h"

static int
wa_leases_note(struct wa_daemon *d, bool held, int proto, uint16_t port,
    uint32_t holder)
{
	struct wa_leases *s = &d->leases;

	d->kernel_dirty = true;
	if (s->nundo == s->capundo) {
		size_t ncap = s->capundo ? s->capundo * 2 : 64;
		struct wa_undo *nv = realloc(s->undo, ncap * sizeof *nv);

		if (nv == NULL)
			return WA_ENOMEM;
		s->undo = nv;
		s->capundo = ncap;
	}
	s->undo[s->nundo++] = (struct wa_undo){ held, (uint8_t)proto, port,
	    holder };
	return 0;
}

/* Put the port map back as it was before undo entry mark. */
static void
wa_leases_undo(struct wa_daemon *d, size_t mark)
{
	struct wa_leases *s = &d->leases;

	while (s->nundo > mark) {
		struct wa_undo *u = &s->undo[--s->nundo];

		if (u->held)
			wa_portmap_unlease(d->map, u->proto, u->port, u->holder);
		else
			wa_portmap_lease(d->map, u->proto, u->port, u->holder);
	}
}

/* The reaper's end of a lease: only the process it is bound to (pid 0:
 * any) ends it. */
static void
wa_leases_reap(struct wa_daemon *d, const char *name, pid_t pid,
    enum wa_state to, const char *why)
{
	struct wa_instance in;
	char detail[160];

	if (wa_ledger_find(d->ledger, name, &in) != 0)
		return;
	if (in.state == WA_STATE_ACTIVE && (pid == 0 || in.pid == pid)) {
		snprintf(detail, sizeof detail, "{\"reason\": \"%s\"}", why);
		if (wa_leases_end(d, &in, to, 0, 0, detail) != 0)
			wa_log(WA_LOG_ERR, "cannot end %s: %s", name,
			    wa_ledger_errmsg(d->ledger));
		else
			wa_metrics_ended(d, to);
	}
	wa_instance_clear(&in);
}

int
wa_leases_load(struct wa_daemon *d)
{
	int rc;

	d->reap = wa_leases_reap;
	if ((rc = wa_ledger_load(d->ledger, d->map)) != 0)
		return rc;
	return wa_cache_load(d);
}

size_t
wa_leases_mark(struct wa_daemon *d)
{
	d->leases.open = true;
	d->leases.cache_mark = d->cache.gen;
	return d->leases.nundo;
}

void
wa_leases_rollback(struct wa_daemon *d, size_t mark)
{
	wa_leases_undo(d, mark);
	/* The request changed leases: the mirror at once and, after the
	 * commit, every copy start again from the ledger. */
	if (d->cache.gen != d->leases.cache_mark) {
		d->cache.stale = true;
		d->leases.rebuild = true;
	}
}

void
wa_leases_rebuild(struct wa_daemon *d)
{
	wa_leases_undo(d, 0);
	wa_ledger_load(d->ledger, d->map);
	d->cache.stale = true;
	wa_reaper_resync(d);
	d->kernel_dirty = true;
	d->leases.rebuild = false;
}

void
wa_leases_committed(struct wa_daemon *d, bool ok)
{
	d->leases.open = false;
	if (ok)
		d->leases.nundo = 0;
	if (!ok || d->leases.rebuild)
		wa_leases_rebuild(d);
	d->leases.nundo = 0;
	/* Before the answers go out: a server started on a lease's answer
	 * finds its ports reserved. */
	wa_kernel_sync(d);
}

void
wa_leases_free(struct wa_daemon *d)
{
	free(d->leases.undo);
	memset(&d->leases, 0, sizeof d->leases);
	wa_cache_free(d);
}

static int
wa_leases_port_cmp(const void *a, const void *b)
{
	const struct wa_lease_port *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return (x->proto > y->proto) - (x->proto < y->proto);
}

/* All of in's ports, or none: WA_ECONFLICT when one is leased. */
static int
wa_leases_hold(struct wa_daemon *d, const struct wa_instance *in)
{
	size_t i;

	for (i = 0; i < in->nports; i++)
		if (wa_portmap_lease(d->map, in->ports[i].proto,
		    in->ports[i].port, (uint32_t)in->id) != 0)
			break;
	if (i == in->nports)
		return 0;
	while (i-- > 0)
		wa_portmap_unlease(d->map, in->ports[i].proto,
		    in->ports[i].port, (uint32_t)in->id);
	return WA_EINTERNAL;
}

/*
 * A new lease; in->id is filled and its ports are sorted as the ledger
 * keeps them.  WA_EINTERNAL (never the ledger's): the port map disagrees
 * with the ledger; else the ledger's error (WA_ECONFLICT: a port).
 */
int
wa_leases_add(struct wa_daemon *d, struct wa_instance *in,
    enum wa_event_kind kind)
{
	int rc;

	if ((rc = wa_ledger_lease(d->ledger, in, kind, NULL)) != 0)
		return rc;
	if ((rc = wa_leases_hold(d, in)) != 0)
		return rc;
	for (size_t i = 0; i < in->nports; i++)
		wa_leases_note(d, true, in->ports[i].proto, in->ports[i].port,
		    (uint32_t)in->id);
	if (in->pid != 0)
		wa_reaper_watch(d, in->name, in->pid, in->pid_start);
	if (in->expires != 0)
		wa_reaper_rearm(d);
	qsort(in->ports, in->nports, sizeof *in->ports, wa_leases_port_cmp);
	wa_cache_put(d, in);
	return 0;
}

/* A new lifetime: expires 0 never ends. */
int
wa_leases_renew(struct wa_daemon *d, struct wa_instance *in, int64_t now,
    int64_t expires, uid_t uid, pid_t pid)
{
	int rc;

	if ((rc = wa_ledger_renew(d->ledger, in->name, now, expires, uid,
	    pid)) != 0)
		return rc;
	in->expires = expires;
	in->renewed = now;
	wa_cache_put(d, in);
	wa_reaper_rearm(d);
	return 0;
}

/* Bind in to the process pid that started at start. */
int
wa_leases_attach(struct wa_daemon *d, struct wa_instance *in, pid_t pid,
    unsigned long long start, uid_t uid, pid_t by)
{
	int rc;

	if ((rc = wa_ledger_attach(d->ledger, in->name, pid, start, uid,
	    by)) != 0)
		return rc;
	in->pid = pid;
	in->pid_start = start;
	wa_cache_put(d, in);
	wa_reaper_watch(d, in->name, pid, start);
	return 0;
}

int
wa_leases_end(struct wa_daemon *d, const struct wa_instance *in,
    enum wa_state to, uid_t uid, pid_t pid, const char *detail)
{
	int rc;

	if ((rc = wa_ledger_end(d->ledger, in->name, to, uid, pid,
	    detail)) != 0)
		return rc;
	for (size_t i = 0; i < in->nports; i++) {
		wa_portmap_unlease(d->map, in->ports[i].proto,
		    in->ports[i].port, (uint32_t)in->id);
		if (d->leases.open)
			wa_leases_note(d, false, in->ports[i].proto,
			    in->ports[i].port, (uint32_t)in->id);
	}
	wa_reaper_unwatch(d, in->name);
	wa_cache_drop(d, in->name);
	d->kernel_dirty = true;
	if (!d->leases.open)
		wa_kernel_sync(d);
	wa_log_change(d, WA_LOG_INFO, "%s %s (%s offset %d)",
	    wa_state_name(to), in->name, in->product, in->offset);
	return 0;
}

/* name's active lease, from the mirror; WA_ENOTFOUND when none. */
int
wa_leases_get(struct wa_daemon *d, const char *name, struct wa_instance *out)
{
	return wa_cache_get(d, name, out);
}

/* name's lease in any state, from the ledger. */
int
wa_leases_find(struct wa_daemon *d, const char *name, struct wa_instance *out)
{
	return wa_ledger_find(d->ledger, name, out);
}

int
wa_leases_list(struct wa_daemon *d, const char *product, long owner_uid,
    bool brief, struct wa_out *o)
{
	return wa_cache_list(d, product, owner_uid, brief, o);
}
