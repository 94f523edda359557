/*
 * srv-refused.c: refused leases in the history.  A client retrying in a
 * loop must neither grow the ledger nor force a commit per try (3,000
 * tries were 3,000 rows and a 16 MB log): the refusals of one uid,
 * product and reason within ten minutes of the first are one row, whose
 * count is kept here and written once a second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"
#include "util.h"

#define WA_REFUSED_WINDOW_MS (10 * 60 * 1000)
#define WA_REFUSED_FLUSH_MS  1000

/* The row f's refusal counts on, if its window is still open. */
static struct wa_refused_row *
wa_refused_find(struct wa_daemon *d, const struct wa_refusal *f,
    int64_t now)
{
	struct wa_refused_row *row;

	for (size_t i = 0; i < d->nrefused; i++) {
		row = &d->refused[i];
		if (row->uid == f->uid && row->first > now -
		    WA_REFUSED_WINDOW_MS && strcmp(row->reason, f->reason) == 0 &&
		    strcmp(row->product, f->product) == 0)
			return row;
	}
	return NULL;
}

/* Write the counts kept (in the open transaction); rows whose window
 * is over are forgotten once written. */
static int
wa_refused_write(struct wa_daemon *d, int64_t now)
{
	struct wa_refused_row *row;
	size_t kept = 0;
	int rc = 0;

	for (size_t i = 0; i < d->nrefused; i++) {
		row = &d->refused[i];
		if (row->pending > 0 && rc == 0 &&
		    (rc = wa_ledger_repeat(d->ledger, row->id, row->uid,
		    row->reason, row->pending, row->last)) == 0)
			row->pending = 0;
		if (row->pending > 0 || row->first > now - WA_REFUSED_WINDOW_MS)
			d->refused[kept++] = *row;
	}
	d->nrefused = kept;
	return rc;
}

/* Write the counts in a transaction of their own, or in the batch's. */
static void
wa_refused_flush(struct wa_daemon *d)
{
	bool own = !wa_ledger_in_tx(d->ledger);
	int rc = 0;

	if (own) {
		wa_ckpt_before_begin(d);
		rc = wa_ledger_begin(d->ledger);
	}
	if (rc == 0)
		rc = wa_refused_write(d, wa_now_ms());
	if (own && rc == 0)
		rc = wa_ledger_commit(d->ledger);
	else if (own)
		wa_ledger_rollback(d->ledger);
	if (rc != 0)
		wa_log(WA_LOG_WARNING, "cannot count repeated refusals: %s",
		    wa_strerror(rc));
	else if (own)
		wa_ckpt_note(d);
}

static void
wa_refused_flush_cb(uv_timer_t *t)
{
	struct wa_daemon *d = t->data;

	/* Under load a batch is open at nearly every turn: right after. */
	if (d->batch.open)
		d->refused_due = true;
	else
		wa_refused_flush(d);
}

void
wa_refused_deferred(struct wa_daemon *d)
{
	if (d->refused_due) {
		d->refused_due = false;
		wa_refused_flush(d);
	}
}

/* Remember the row a refusal was written to; a full table makes room by
 * writing its counts and forgetting the oldest row. */
static void
wa_refused_keep(struct wa_daemon *d, const struct wa_refusal *f,
    int64_t id, int64_t first)
{
	struct wa_refused_row *row;

	if (d->nrefused == WA_REFUSED_ROWS)
		wa_refused_flush(d);
	if (d->nrefused == WA_REFUSED_ROWS)
		memmove(&d->refused[0], &d->refused[1],
		    --d->nrefused * sizeof d->refused[0]);
	row = &d->refused[d->nrefused++];
	memset(row, 0, sizeof *row);
	row->id = id;
	row->first = first;
	row->uid = f->uid;
	snprintf(row->product, sizeof row->product, "%s", f->product);
	row->reason = f->reason;
}

void
wa_refused_note(struct wa_daemon *d, struct wa_refusal *f,
    const json_t *err, const char *msg)
{
	struct wa_refused_row *row = NULL;
	int64_t now = wa_now_ms(), id = 0, first = 0;
	json_t *detail;
	char *s = NULL;
	int rc;

	if (f->reason != NULL && f->product != NULL &&
	    (row = wa_refused_find(d, f, now)) != NULL) {
		row->pending++;
		row->last = now;
		if (!uv_is_active((uv_handle_t *)&d->refused_flush))
			uv_timer_start(&d->refused_flush, wa_refused_flush_cb,
			    WA_REFUSED_FLUSH_MS, 0);
		return;
	}
	if ((detail = json_deep_copy(err)) != NULL) {
		json_object_set_new(detail, "message", json_string(msg));
		s = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(detail);
	}
	f->detail = s;
	rc = wa_ledger_refused(d->ledger, f, WA_REFUSED_WINDOW_MS, &id,
	    &first);
	if (rc != 0)
		wa_log(WA_LOG_WARNING, "cannot record the refusal of %s: %s",
		    f->name, wa_strerror(rc));
	else if (f->reason != NULL && f->product != NULL)
		wa_refused_keep(d, f, id, first);
	f->detail = NULL;
	free(s);
}

void
wa_refused_start(struct wa_daemon *d)
{
	uv_timer_init(d->loop, &d->refused_flush);
	d->refused_flush.data = d;
}

void
wa_refused_stop(struct wa_daemon *d)
{
	wa_refused_flush(d);
	uv_close((uv_handle_t *)&d->refused_flush, NULL);
}
