/*
 * srv-batch.c: group commit.  The writes of one event-loop iteration
 * share one ledger transaction, each in its own savepoint; the commit
 * (one fsync) happens in a check callback after the iteration's reads,
 * and only then are the answers sent.  A lease is never acknowledged
 * before it is durable; what a rolled-back request or a failed commit
 * changed in memory is srv-leases.c's to put back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"

static int
wa_grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	if ((nv = realloc(*v, ncap * size)) == NULL)
		return WA_ENOMEM;
	*v = nv;
	*cap = ncap;
	return 0;
}

int
wa_batch_write_begin(struct wa_daemon *d)
{
	struct wa_batch *b = &d->batch;
	int rc;

	if (!b->open) {
		wa_ckpt_before_begin(d);
		if ((rc = wa_ledger_begin(d->ledger)) != 0)
			return rc;
		b->open = true;
	}
	b->lease_mark = wa_leases_mark(d);
	wa_logq_begin(d);
	return wa_ledger_savepoint(d->ledger);
}

void
wa_batch_free(struct wa_daemon *d)
{
	struct wa_batch *b = &d->batch;

	wa_logq_free(d);
	free(b->out);
	memset(b, 0, sizeof *b);
}

int
wa_batch_write_end(struct wa_daemon *d, int rc)
{
	int src = 0;

	if (rc == 0 && (src = wa_ledger_savepoint_release(d->ledger)) == 0)
		return 0;
	/* This request only: the others in the batch stand. */
	wa_ledger_savepoint_rollback(d->ledger);
	wa_leases_rollback(d, d->batch.lease_mark);
	wa_logq_drop(d, false);
	return src;
}

/* Answers held for one commit, at most: a client pipelining reads after
 * a write would otherwise make the daemon hold every answer at once. */
#define WA_BATCH_HELD_MAX (8 * 1024 * 1024)

void
wa_batch_respond(struct wa_daemon *d, struct wa_conn *c, struct wa_answer *a,
    int flags)
{
	struct wa_batch *b = &d->batch;

	/* Nothing waits for a commit: answer at once. */
	if (!b->open) {
		b->sink->send(c, a, flags);
		return;
	}
	if (wa_grow((void **)&b->out, &b->capout, b->nout, sizeof *b->out)
	    != 0) {
		/* The answer cannot wait in order: the client loses them. */
		wa_answer_clear(a);
		b->sink->lost(c);
		return;
	}
	b->sink->hold(c);
	b->out[b->nout++] = (struct wa_pending){ c, *a, flags };
	b->held += a->len;
	memset(a, 0, sizeof *a);
	if (flags & WA_RESP_WRITE)
		b->writes++;
	/* Sent now, a slow reader's answers meet the connection's limit. */
	if (b->held > WA_BATCH_HELD_MAX)
		wa_batch_commit(d);
}

void
wa_batch_commit(struct wa_daemon *d)
{
	struct wa_batch *b = &d->batch;
	int rc;

	if (!b->open)
		return;
	b->open = false;
	wa_logq_release(d);
	if ((rc = wa_ledger_commit(d->ledger)) != 0) {
		wa_log(WA_LOG_ERR, "ledger commit failed (%s): %zu writes "
		    "answered 'unavailable'", wa_strerror(rc), b->writes);
		for (size_t i = 0; i < b->nout; i++) {
			struct wa_pending *p = &b->out[i];
			json_t *id = p->a.id;

			/* A write, or a read after one, answered from what
			 * did not commit: its error too (a not_found, a
			 * conflict) may be false now. */
			if (!(p->flags & (WA_RESP_WRITE | WA_RESP_READ)))
				continue;
			p->a.id = NULL;
			wa_answer_clear(&p->a);
			wa_answer_error(&p->a, id, WA_EUNAVAIL, wa_strerror(rc));
			json_decref(id);
		}
		wa_logq_drop(d, true);
	} else
		wa_ckpt_note(d);
	/* The leases in memory may have run ahead of the ledger. */
	wa_leases_committed(d, rc == 0);
	wa_logq_flush(d);
	for (size_t i = 0; i < b->nout; i++) {
		struct wa_pending *p = &b->out[i];

		b->sink->send(p->conn, &p->a, p->flags);
		b->sink->release(p->conn);
	}
	b->nout = 0;
	b->writes = 0;
	b->held = 0;
}

void
wa_batch_check_cb(uv_check_t *h)
{
	struct wa_daemon *d = h->data;

	wa_batch_commit(d);
	d->batch.sink->flush(d);
	wa_kernel_sync(d);
	/* The next iteration's requests get a new time budget. */
	d->turn_ns = 0;
}
