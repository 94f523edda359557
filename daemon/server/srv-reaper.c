/*
 * srv-reaper.c: leases that end on their own.  A ttl'd lease expires on
 * time (one timer armed for the earliest expiry, no polling of the whole
 * ledger); a pid-bound lease is reclaimed when its process exits, seen
 * through a pidfd polled by libuv, or, where the kernel has no pidfd, by
 * a one-second check of /proc/PID/stat's start time, so a reused pid
 * never keeps a dead server's lease alive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "carbon.h"
#include "procnet.h"
#include "srv.h"
#include "util.h"

#define WA_RECONCILE_MS 1000

struct wa_watch {
	struct wa_daemon *d;
	char name[80];
	pid_t pid;
	unsigned long long start;
	int pidfd;                  /* -1: checked by the reconcile timer */
	uint64_t reported;          /* foreign binds already logged */
	uv_poll_t poll;
	struct wa_watch *next;
};

static void
wa_watch_closed(uv_handle_t *h)
{
	free(h->data);
}

static void
wa_watch_free(struct wa_watch *w)
{
	if (w->pidfd >= 0) {
		uv_poll_stop(&w->poll);
		close(w->pidfd);
		w->pidfd = -1;
		uv_close((uv_handle_t *)&w->poll, wa_watch_closed);
	} else
		free(w);
}

/* Take w out of the list; the caller frees it. */
static void
wa_watch_unlink(struct wa_daemon *d, struct wa_watch *w)
{
	struct wa_watch **pp;

	for (pp = &d->watches; *pp != NULL; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

static void
wa_watch_exited(uv_poll_t *h, int status, int events)
{
	struct wa_watch *w = h->data;
	struct wa_daemon *d = w->d;
	char name[80];
	pid_t pid = w->pid;

	(void)status;
	(void)events;
	snprintf(name, sizeof name, "%s", w->name);
	wa_watch_unlink(d, w);
	wa_watch_free(w);
	d->reap(d, name, pid, WA_STATE_RECLAIMED, "process exited");
}

int
wa_reaper_watch(struct wa_daemon *d, const char *name, pid_t pid,
    unsigned long long start)
{
	struct wa_watch *w;

	wa_reaper_unwatch(d, name);
	if ((w = calloc(1, sizeof *w)) == NULL)
		return WA_ENOMEM;
	w->d = d;
	snprintf(w->name, sizeof w->name, "%s", name);
	w->pid = pid;
	w->start = start;
	w->pidfd = -1;
#ifdef SYS_pidfd_open
	w->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	/* The pidfd names the process that has the recorded start time. */
	if (w->pidfd >= 0 && !wa_proc_alive(pid, start)) {
		close(w->pidfd);
		w->pidfd = -1;
	}
	if (w->pidfd >= 0) {
		w->poll.data = w;
		if (uv_poll_init(d->loop, &w->poll, w->pidfd) != 0) {
			close(w->pidfd);
			w->pidfd = -1;
		} else
			uv_poll_start(&w->poll, UV_READABLE, wa_watch_exited);
	}
	w->next = d->watches;
	d->watches = w;
	return 0;
}

void
wa_reaper_unwatch(struct wa_daemon *d, const char *name)
{
	struct wa_watch *w;

	for (w = d->watches; w != NULL; w = w->next)
		if (strcmp(w->name, name) == 0) {
			wa_watch_unlink(d, w);
			wa_watch_free(w);
			return;
		}
}

static int
wa_expire_one(void *arg, const char *name)
{
	struct wa_daemon *d = arg;

	d->reap(d, name, 0, WA_STATE_EXPIRED, "ttl elapsed");
	return 0;
}

static void
wa_expiry_cb(uv_timer_t *t)
{
	struct wa_daemon *d = t->data;

	wa_ledger_expired(d->ledger, wa_now_ms(), wa_expire_one, d);
	wa_reaper_rearm(d);
}

void
wa_reaper_rearm(struct wa_daemon *d)
{
	int64_t next = wa_ledger_next_expiry(d->ledger), now = wa_now_ms();

	if (next == 0) {
		uv_timer_stop(&d->expiry);
		return;
	}
	uv_timer_start(&d->expiry, wa_expiry_cb,
	    next > now ? (uint64_t)(next - now) : 0, 0);
}

struct wa_bound_set {
	uint16_t port[512];
	uint8_t proto[512];
	size_t n;
};

static void
wa_bound_add(void *arg, int proto, unsigned port)
{
	struct wa_bound_set *b = arg;

	if (b->n < 512) {
		b->proto[b->n] = (uint8_t)proto;
		b->port[b->n++] = (uint16_t)port;
	}
}

/*
 * One pid-bound lease per call: its leased ports that are bound on the
 * host but not by its process (or a descendant) are logged, once each;
 * a container's lease's ports held by its runtime (a proxy, conmon) are
 * its own.  One lease per cycle keeps the work bounded however many
 * there are.
 */
static void
wa_reconcile_one(struct wa_daemon *d, struct wa_watch *w)
{
	struct wa_bound_set b = { .n = 0 };
	struct wa_instance in;
	uint64_t foreign = 0;
	uint32_t h;

	if (wa_ledger_find(d->ledger, w->name, &in) != 0)
		return;
	wa_host_refresh(d);
	if (wa_proc_bound("/proc", w->pid, wa_bound_add, &b) == 0)
		for (size_t i = 0; i < in.nports && i < 64; i++) {
			bool own = false;

			for (size_t k = 0; k < b.n && !own; k++)
				own = b.port[k] == in.ports[i].port &&
				    b.proto[k] == in.ports[i].proto;
			if (own || (w->reported >> i & 1) ||
			    wa_portmap_state(d->map, in.ports[i].proto,
			    in.ports[i].port, &h) != WA_HOLD_LEASE ||
			    !(d->map->bits[WA_LAYER_HOST][in.ports[i].proto]
			    [in.ports[i].port >> 6] >> (in.ports[i].port & 63) & 1))
				continue;
			foreign |= 1ULL << i;
		}
	if (foreign != 0 && wa_ctr_lease(&in))
		foreign &= ~wa_ctr_runtime_held(&in, foreign);
	for (size_t i = 0; i < in.nports && i < 64; i++) {
		if (!(foreign >> i & 1))
			continue;
		w->reported |= 1ULL << i;
		wa_log(WA_LOG_WARNING, "port %u/%s (%s) of %s is bound by a "
		    "process other than its owner pid %ld", in.ports[i].port,
		    wa_proto_name(in.ports[i].proto), in.ports[i].name,
		    in.name, (long)w->pid);
	}
	wa_instance_clear(&in);
}

/* Watches without a pidfd, checked by start time; foreign binds. */
static void
wa_reconcile_cb(uv_timer_t *t)
{
	struct wa_daemon *d = t->data;
	struct wa_watch *w, *next;
	char name[80];
	unsigned i;
	pid_t pid;

	/* Every fifth tick, the next watched lease in turn. */
	if (++d->reconcile_tick % 5 == 0 && d->watches != NULL) {
		for (i = 0, w = d->watches; w != NULL &&
		    i < d->reconcile_turn; w = w->next)
			i++;
		if (w == NULL) {
			w = d->watches;
			d->reconcile_turn = 0;
		}
		d->reconcile_turn++;
		wa_reconcile_one(d, w);
	}

	for (w = d->watches; w != NULL; w = next) {
		next = w->next;
		if (w->pidfd >= 0 || wa_proc_alive(w->pid, w->start))
			continue;
		snprintf(name, sizeof name, "%s", w->name);
		pid = w->pid;
		wa_watch_unlink(d, w);
		wa_watch_free(w);
		d->reap(d, name, pid, WA_STATE_RECLAIMED, "process exited");
	}
}

struct wa_sweep {
	struct wa_daemon *d;
	char (*dead)[80];
	size_t ndead, cap;
};

static int
wa_sweep_one(void *arg, const struct wa_instance *in)
{
	struct wa_sweep *s = arg;

	if (in->pid == 0)
		return 0;
	if (wa_proc_alive(in->pid, in->pid_start))
		return wa_reaper_watch(s->d, in->name, in->pid, in->pid_start);
	if (s->ndead == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 16;
		void *n = realloc(s->dead, ncap * sizeof *s->dead);

		if (n == NULL)
			return WA_ENOMEM;
		s->dead = n;
		s->cap = ncap;
	}
	snprintf(s->dead[s->ndead++], 80, "%s", in->name);
	return 0;
}

static void
wa_watch_all_free(struct wa_daemon *d)
{
	struct wa_watch *w;

	while ((w = d->watches) != NULL) {
		d->watches = w->next;
		wa_watch_free(w);
	}
}

/*
 * Watch every pid-bound active lease of the ledger, reclaim those whose
 * process is gone, arm the expiry timer.  why says when the dead ones
 * died from the daemon's point of view.
 */
static int
wa_reaper_sync(struct wa_daemon *d, const char *why)
{
	struct wa_ledger_filter f = { NULL, WA_STATE_ACTIVE, -1 };
	struct wa_sweep s = { d, NULL, 0, 0 };
	int rc;

	wa_watch_all_free(d);
	rc = wa_ledger_list(d->ledger, &f, wa_sweep_one, &s);
	for (size_t i = 0; i < s.ndead; i++)
		d->reap(d, s.dead[i], 0, WA_STATE_RECLAIMED, why);
	free(s.dead);
	wa_expiry_cb(&d->expiry);
	return rc;
}

/* The watches ran ahead of a batch whose commit failed: start again
 * from what the ledger holds. */
void
wa_reaper_resync(struct wa_daemon *d)
{
	if (!d->stopping)
		wa_reaper_sync(d, "process gone");
}

int
wa_reaper_start(struct wa_daemon *d)
{
	int rc;

	uv_timer_init(d->loop, &d->expiry);
	uv_timer_init(d->loop, &d->reconcile);
	d->expiry.data = d;
	d->reconcile.data = d;
	/* Owners that died while the daemon was down. */
	rc = wa_reaper_sync(d, "process gone at start-up");
	uv_timer_start(&d->reconcile, wa_reconcile_cb, WA_RECONCILE_MS,
	    WA_RECONCILE_MS);
	uv_unref((uv_handle_t *)&d->reconcile);
	return rc;
}

void
wa_reaper_stop(struct wa_daemon *d)
{
	wa_watch_all_free(d);
	uv_close((uv_handle_t *)&d->expiry, NULL);
	uv_close((uv_handle_t *)&d->reconcile, NULL);
}
