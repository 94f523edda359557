/*
 * srv-ckpt.c: WAL checkpoints on libuv's worker thread.  Inside a commit
 * SQLite would copy 1,000 pages back and fsync (10 ms here), and every
 * client waiting on that commit would wait for it too.  A checkpoint is
 * PASSIVE: it never holds up the writer, which restarts the log once a
 * checkpoint has caught up with it.
 */
#include "srv.h"

#define WA_CKPT_FRAMES  1000    /* SQLite's own threshold */
#define WA_CKPT_IDLE_MS 1000    /* the rest, once writes pause */

static void wa_ckpt_queue(struct wa_daemon *d);

static void
wa_ckpt_work(uv_work_t *w)
{
	struct wa_daemon *d = w->data;

	d->ckpt_rc = wa_ledger_checkpoint(d->ckpt, false);
}

static void
wa_ckpt_done(uv_work_t *w, int status)
{
	struct wa_daemon *d = w->data;

	d->ckpt_busy = false;
	if (status == 0 && d->ckpt_rc != 0 && d->ckpt_rc != WA_EDBBUSY)
		wa_log(WA_LOG_WARNING, "ledger checkpoint: %s",
		    wa_strerror(d->ckpt_rc));
	/* Commits made while it ran may have filled the log again. */
	if (!d->stopping && wa_ledger_wal_frames(d->ledger) >= WA_CKPT_FRAMES)
		wa_ckpt_queue(d);
}

static void
wa_ckpt_queue(struct wa_daemon *d)
{
	if (d->ckpt_busy || d->stopping)
		return;
	if (d->ckpt == NULL) {
		/* No second connection: in line, as SQLite would. */
		wa_ledger_checkpoint(d->ledger, false);
		return;
	}
	d->ckpt_work.data = d;
	if (uv_queue_work(d->loop, &d->ckpt_work, wa_ckpt_work,
	    wa_ckpt_done) == 0)
		d->ckpt_busy = true;
}

static void
wa_ckpt_idle_cb(uv_timer_t *t)
{
	struct wa_daemon *d = t->data;

	if (wa_ledger_wal_frames(d->ledger) > 0)
		wa_ckpt_queue(d);
}

void
wa_ckpt_start(struct wa_daemon *d)
{
	int rc;

	if ((rc = wa_ledger_checkpointer_open(d->ledger, &d->ckpt)) != 0)
		wa_log(WA_LOG_WARNING, "ledger checkpoints run in line: %s",
		    wa_strerror(rc));
	uv_timer_init(d->loop, &d->ckpt_idle);
	d->ckpt_idle.data = d;
}

void
wa_ckpt_note(struct wa_daemon *d)
{
	if (d->stopping)
		return;
	if (wa_ledger_wal_frames(d->ledger) >= WA_CKPT_FRAMES)
		wa_ckpt_queue(d);
	uv_timer_start(&d->ckpt_idle, wa_ckpt_idle_cb, WA_CKPT_IDLE_MS, 0);
}

void
wa_ckpt_stop(struct wa_daemon *d)
{
	uv_close((uv_handle_t *)&d->ckpt_idle, NULL);
}
