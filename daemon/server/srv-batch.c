/*
 * srv-batch.c: group commit.  The writes of one event-loop iteration
 * share one ledger transaction, each in its own savepoint; the commit
 * happens in a check callback after the iteration's reads, and the
 * answers go once it is durable: with --sync full, after an fdatasync of
 * the WAL on a worker thread that the loop does not wait for.  A lease
 * is never acknowledged before it is durable, nor shown to another
 * client; what a rolled-back request or a failed commit changed in
 * memory is srv-leases.c's to put back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Send the first n answers waiting, in order, and drop them. */
static void
wa_batch_send(struct wa_daemon *d, size_t n)
{
	struct wa_batch *b = &d->batch;

	for (size_t i = 0; i < n; i++) {
		struct wa_pending *p = &b->out[i];

		b->held -= p->a.len < b->held ? p->a.len : b->held;
		b->sink->send(p->conn, &p->a, p->flags);
		b->sink->release(p->conn);
	}
	memmove(b->out, b->out + n, (b->nout - n) * sizeof *b->out);
	b->nout -= n;
	b->ncommitted -= n;
	b->nsyncing -= n < b->nsyncing ? n : b->nsyncing;
	if (b->nout == 0)
		b->held = 0;
}

/* What was committed may not be on disk: no answer may follow. */
static void
wa_batch_sync_lost(struct wa_daemon *d, const char *why)
{
	wa_log(WA_LOG_ERR, "ledger sync failed (%s): stopping, %zu answers "
	    "unsent (what they changed may not be on disk)", why,
	    d->batch.nout);
	wa_log_flush();
	exit(EXIT_FAILURE);
}

static void
wa_batch_sync_work(uv_work_t *w)
{
	struct wa_daemon *d = w->data;

	d->batch.sync_errno = fdatasync(d->batch.sync_fd) == 0 ? 0 : errno;
}

static void wa_batch_sync_start(struct wa_daemon *d);

static void
wa_batch_synced(uv_work_t *w, int status)
{
	struct wa_daemon *d = w->data;
	struct wa_batch *b = &d->batch;

	(void)status;   /* never cancelled */
	b->syncing = false;
	if (b->sync_errno != 0)
		wa_batch_sync_lost(d, strerror(b->sync_errno));
	/* A drain meanwhile may have covered more. */
	if (b->sync_seq > b->synced_seq)
		b->synced_seq = b->sync_seq;
	wa_batch_send(d, b->nsyncing);
	b->sink->flush(d);
	/* What gathered meanwhile commits now, and its sync starts. */
	wa_batch_commit(d);
	wa_batch_sync_start(d);
}

/*
 * The committed answers wait for an fdatasync of the WAL on a worker,
 * one at a time: the loop meanwhile serves the next batch, which
 * commits when that sync ends (committed earlier, in smaller pieces, it
 * cost 15% more CPU a pair at 8 clients) and the next sync covers.
 * Without a sync to wait for (sync NORMAL) the answers go at once.
 */
static void
wa_batch_sync_start(struct wa_daemon *d)
{
	struct wa_batch *b = &d->batch;
	int fd;

	if (b->syncing || b->ncommitted == 0)
		return;
	if (wa_ledger_sync_fd(d->ledger, &fd) != 0)
		wa_batch_sync_lost(d, "cannot open the ledger's WAL");
	if (fd < 0) {
		wa_batch_send(d, b->ncommitted);
		return;
	}
	b->sync_fd = fd;
	b->sync_seq = wa_ledger_commit_seq(d->ledger);
	b->nsyncing = b->ncommitted;
	b->syncing = true;
	b->sync_work.data = d;
	if (uv_queue_work(d->loop, &b->sync_work, wa_batch_sync_work,
	    wa_batch_synced) != 0) {
		wa_batch_sync_work(&b->sync_work);
		wa_batch_synced(&b->sync_work, 0);
	}
}

void
wa_batch_respond(struct wa_daemon *d, struct wa_conn *c, struct wa_answer *a,
    int flags)
{
	struct wa_batch *b = &d->batch;

	/* Nothing waits for a commit or a sync, and nothing committed
	 * outside a batch (the reaper's ends) waits for one: at once. */
	if (!b->open && b->nout == 0 &&
	    wa_ledger_commit_seq(d->ledger) == b->synced_seq) {
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
	/* Read from what is committed but maybe not yet on disk: it waits
	 * for the next sync, behind the answers before it. */
	if (!b->open) {
		b->ncommitted = b->nout;
		wa_batch_sync_start(d);
	}
	/* Sent now, a slow reader's answers meet the connection's limit. */
	if (b->held > WA_BATCH_HELD_MAX)
		wa_batch_drain(d);
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
		for (size_t i = b->ncommitted; i < b->nout; i++) {
			struct wa_pending *p = &b->out[i];
			json_t *id = p->a.id;

			/* A write, or a read after one, answered from what
			 * did not commit: its error too (a not_found, a
			 * conflict) may be false now. */
			if (!(p->flags & (WA_RESP_WRITE | WA_RESP_READ)))
				continue;
			b->held -= p->a.len < b->held ? p->a.len : b->held;
			p->a.id = NULL;
			wa_answer_clear(&p->a);
			wa_answer_error(&p->a, id, WA_EUNAVAIL, wa_strerror(rc));
			b->held += p->a.len;
			json_decref(id);
		}
		wa_logq_drop(d, true);
	} else
		wa_ckpt_note(d);
	/* The leases in memory may have run ahead of the ledger. */
	wa_leases_committed(d, rc == 0);
	wa_logq_flush(d);
	b->writes = 0;
	b->ncommitted = b->nout;
	/* Their own transactions, which the sync below covers too. */
	wa_prune_deferred(d);
	wa_refused_deferred(d);
	wa_batch_sync_start(d);
}

void
wa_batch_drain(struct wa_daemon *d)
{
	struct wa_batch *b = &d->batch;
	int fd;

	wa_batch_commit(d);
	if (b->ncommitted == 0)
		return;
	if (wa_ledger_sync_fd(d->ledger, &fd) != 0)
		wa_batch_sync_lost(d, "cannot open the ledger's WAL");
	if (fd >= 0 && fdatasync(fd) != 0)
		wa_batch_sync_lost(d, strerror(errno));
	b->synced_seq = wa_ledger_commit_seq(d->ledger);
	/* A sync in flight finds nothing left to send. */
	wa_batch_send(d, b->ncommitted);
}

void
wa_batch_check_cb(uv_check_t *h)
{
	struct wa_daemon *d = h->data;

	if (!d->batch.syncing)
		wa_batch_commit(d);
	d->batch.sink->flush(d);
	wa_kernel_sync(d);
	/* The next iteration's requests get a new time budget. */
	d->turn_ns = 0;
}
