/*
 * srv-prune.c: history retention.  A timer deletes the events older than
 * --history-max-age and beyond --history-max-events, oldest first, a
 * chunk per transaction of its own, so the loop never stalls on one long
 * delete: while a backlog lasts the next chunk follows shortly, leaving
 * the requests that came meanwhile their turn.
 */
#include "srv.h"
#include "util.h"

/* 100 events per transaction: 1.0 ms (p99 2.8) on a 200,000-event
 * ledger; 500 took 50 ms (the index pages of as many instances). */
#define WA_PRUNE_CHUNK   100
#define WA_PRUNE_IDLE_MS 1000   /* between checks; each is two seeks */
#define WA_PRUNE_BUSY_MS 10     /* between chunks of a backlog */

static void
wa_prune_cb(uv_timer_t *t)
{
	struct wa_daemon *d = t->data;
	int64_t before = 0;
	uint64_t t0;
	long deleted = 0;
	int rc;

	if (d->stopping)
		goto again;
	/* Never inside a batch of requests, whose failure would undo it;
	 * under load one is open at nearly every turn: right after it. */
	if (d->batch.open) {
		d->prune_due = true;
		return;
	}
	if (d->cfg.history_max_age > 0)
		before = wa_now_ms() - d->cfg.history_max_age * 1000;
	wa_ckpt_before_begin(d);
	t0 = uv_hrtime();
	rc = wa_ledger_prune(d->ledger, before, d->cfg.history_max_events,
	    WA_PRUNE_CHUNK, &deleted);
	if (rc != 0 && !d->prune_failed)
		wa_log(WA_LOG_WARNING, "history pruning failed (%s): retrying "
		    "every second", wa_strerror(rc));
	else if (rc == 0 && d->prune_failed)
		wa_log(WA_LOG_NOTICE, "history pruning works again");
	d->prune_failed = rc != 0;
	if (deleted > 0) {
		wa_ckpt_note(d);
		wa_log(WA_LOG_DEBUG, "pruned %ld history events in %.1f ms",
		    deleted, (double)(uv_hrtime() - t0) / 1e6);
	}
again:
	if (!d->stopping)
		uv_timer_start(&d->prune, wa_prune_cb, deleted ==
		    WA_PRUNE_CHUNK ? WA_PRUNE_BUSY_MS : WA_PRUNE_IDLE_MS, 0);
}

void
wa_prune_deferred(struct wa_daemon *d)
{
	if (d->prune_due) {
		d->prune_due = false;
		wa_prune_cb(&d->prune);
	}
}

void
wa_prune_start(struct wa_daemon *d)
{
	uv_timer_init(d->loop, &d->prune);
	d->prune.data = d;
	if (d->cfg.history_max_age > 0 || d->cfg.history_max_events > 0)
		uv_timer_start(&d->prune, wa_prune_cb, WA_PRUNE_IDLE_MS, 0);
}

void
wa_prune_stop(struct wa_daemon *d)
{
	uv_close((uv_handle_t *)&d->prune, NULL);
}
