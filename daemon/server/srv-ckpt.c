/*
 * srv-ckpt.c: WAL checkpoints on libuv's worker thread.  Inside a commit
 * SQLite would copy 1,000 pages back and fsync (10 ms here), and every
 * client waiting on that commit would wait for it too.
 *
 * A checkpoint on the worker is PASSIVE and never holds up the writer;
 * but under steady load the writer always begins with some frames not
 * yet backfilled, so the log would never restart and would grow without
 * bound (190 MB in a 16,000-request run).  Once it is long, the writer
 * backfills the remainder itself just before a batch begins (a few
 * hundred frames at most, as the worker keeps up), and that batch's
 * commit restarts the log.
 */
#include "srv.h"

#define WA_CKPT_FRAMES  1000    /* not backfilled: wake the worker */
#define WA_CKPT_LONG    4000    /* 16 MB: restart the log */
#define WA_CKPT_IDLE_MS 1000    /* the rest, once writes pause */

static void wa_ckpt_queue(struct wa_daemon *d);
static void wa_ckpt_idle_cb(uv_timer_t *t);

static void
wa_ckpt_work(uv_work_t *w)
{
	struct wa_daemon *d = w->data;

	d->ckpt_rc = wa_ledger_checkpoint(d->ckpt, &d->ckpt_frames);
}

/* Frames committed since the last checkpoint caught up. */
static int
wa_ckpt_behind(struct wa_daemon *d)
{
	int frames = wa_ledger_wal_frames(d->ledger);

	if (frames < d->ckpt_backfilled)   /* the log restarted */
		d->ckpt_backfilled = 0;
	return frames - d->ckpt_backfilled;
}

/*
 * Every checkpoint's outcome, on the worker or in line.  A failure (a
 * full disk fails every try) is said once and retried after 1 s, 2, 4...
 * up to a minute, by the idle timer even if no write comes; false then.
 */
static bool
wa_ckpt_outcome(struct wa_daemon *d, int rc, int backfilled)
{
	if (rc != 0 && rc != WA_EDBBUSY) {
		if (d->ckpt_retry_ms == 0)
			wa_log(WA_LOG_WARNING, "ledger checkpoint failed (%s): "
			    "retrying, the log grows meanwhile",
			    wa_strerror(rc));
		d->ckpt_retry_ms = d->ckpt_retry_ms == 0 ? 1000 :
		    d->ckpt_retry_ms < 60000 ? d->ckpt_retry_ms * 2 : 60000;
		d->ckpt_not_before = uv_now(d->loop) + d->ckpt_retry_ms;
		if (!d->stopping)
			uv_timer_start(&d->ckpt_idle, wa_ckpt_idle_cb,
			    d->ckpt_retry_ms, 0);
		return false;
	}
	if (d->ckpt_retry_ms != 0)
		wa_log(WA_LOG_NOTICE, "ledger checkpoints work again");
	d->ckpt_retry_ms = 0;
	if (rc == 0)
		d->ckpt_backfilled = backfilled;
	return true;
}

static void
wa_ckpt_done(uv_work_t *w, int status)
{
	struct wa_daemon *d = w->data;

	d->ckpt_busy = false;
	if (status != 0 || !wa_ckpt_outcome(d, d->ckpt_rc, d->ckpt_frames))
		return;
	/* Commits made while it ran may have filled the log again; a long
	 * log is left to the writer, which waits for an idle worker. */
	if (wa_ckpt_behind(d) >= WA_CKPT_FRAMES &&
	    wa_ledger_wal_frames(d->ledger) < WA_CKPT_LONG)
		wa_ckpt_queue(d);
}

/* In line, on the loop's own connection. */
static void
wa_ckpt_inline(struct wa_daemon *d)
{
	int backfilled = 0, rc;

	rc = wa_ledger_checkpoint(d->ledger, &backfilled);
	wa_ckpt_outcome(d, rc, backfilled);
}

static void
wa_ckpt_queue(struct wa_daemon *d)
{
	if (d->ckpt_busy || d->stopping ||
	    uv_now(d->loop) < d->ckpt_not_before)
		return;
	if (d->ckpt == NULL) {
		/* No second connection: in line, as SQLite would. */
		wa_ckpt_inline(d);
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

	if (wa_ckpt_behind(d) > 0)
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
wa_ckpt_before_begin(struct wa_daemon *d)
{
	if (!d->ckpt_busy && wa_ledger_wal_frames(d->ledger) >= WA_CKPT_LONG &&
	    wa_ckpt_behind(d) > 0 && uv_now(d->loop) >= d->ckpt_not_before)
		wa_ckpt_inline(d);
}

void
wa_ckpt_note(struct wa_daemon *d)
{
	if (d->stopping)
		return;
	if (wa_ckpt_behind(d) >= WA_CKPT_FRAMES)
		wa_ckpt_queue(d);
	uv_timer_start(&d->ckpt_idle, wa_ckpt_idle_cb, WA_CKPT_IDLE_MS, 0);
}

void
wa_ckpt_stop(struct wa_daemon *d)
{
	uv_close((uv_handle_t *)&d->ckpt_idle, NULL);
}
