/*
 * srv-batch.c: group commit.  The writes of one event-loop iteration
 * share one ledger transaction, each in its own savepoint; the commit
 * (one fsync) happens in a check callback after the iteration's reads,
 * and only then are the answers sent.  A lease is never acknowledged
 * before it is durable, and a failed commit undoes the portmap too.
 */
#include <stdarg.h>
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
	b->log_mark = b->nlogs;
	b->cache_mark = d->cache.gen;
	return wa_ledger_savepoint(d->ledger);
}

static void
wa_batch_logs_drop(struct wa_batch *b, size_t mark)
{
	while (b->nlogs > mark)
		free(b->logs[--b->nlogs].line);
}

void
wa_batch_log(struct wa_daemon *d, int prio, const char *fmt, ...)
{
	struct wa_batch *b = &d->batch;
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (!b->open) {
		wa_log(prio, "%s", line);
		return;
	}
	if (wa_grow((void **)&b->logs, &b->caplogs, b->nlogs,
	    sizeof *b->logs) != 0 || (b->logs[b->nlogs].line =
	    strdup(line)) == NULL)
		return;
	b->logs[b->nlogs++].prio = prio;
}

void
wa_batch_free(struct wa_daemon *d)
{
	struct wa_batch *b = &d->batch;

	wa_batch_logs_drop(b, 0);
	free(b->logs);
	free(b->undo);
	free(b->out);
	memset(b, 0, sizeof *b);
}

size_t
wa_batch_undo_mark(const struct wa_daemon *d)
{
	return d->batch.nundo;
}

/* Put the portmap back as it was before undo entry mark. */
static void
wa_batch_undo(struct wa_daemon *d, size_t mark)
{
	struct wa_batch *b = &d->batch;

	while (b->nundo > mark) {
		struct wa_undo *u = &b->undo[--b->nundo];

		if (u->held)
			wa_portmap_unlease(d->map, u->proto, u->port, u->holder);
		else
			wa_portmap_lease(d->map, u->proto, u->port, u->holder);
	}
}

int
wa_batch_write_end(struct wa_daemon *d, size_t mark, int rc)
{
	int src = 0;

	if (rc == 0 && (src = wa_ledger_savepoint_release(d->ledger)) == 0)
		return 0;
	/* This request only: the others in the batch stand. */
	wa_ledger_savepoint_rollback(d->ledger);
	wa_batch_undo(d, mark);
	/* The request changed leases: the mirror and, after the commit,
	 * the reaper's watches start again from the ledger. */
	if (d->cache.gen != d->batch.cache_mark) {
		d->cache.stale = true;
		d->batch.resync = true;
	}
	wa_batch_logs_drop(&d->batch, d->batch.log_mark);
	return src;
}

int
wa_batch_note(struct wa_daemon *d, bool held, int proto, uint16_t port,
    uint32_t holder)
{
	struct wa_batch *b = &d->batch;

	if (wa_grow((void **)&b->undo, &b->capundo, b->nundo,
	    sizeof *b->undo) != 0)
		return WA_ENOMEM;
	b->undo[b->nundo++] = (struct wa_undo){ held, (uint8_t)proto, port,
	    holder };
	d->kernel_dirty = true;
	return 0;
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
		wa_conn_send(c, a->text, a->len, (flags & WA_RESP_CLOSE) != 0);
		a->text = NULL;
		wa_answer_clear(a);
		return;
	}
	if (wa_grow((void **)&b->out, &b->capout, b->nout, sizeof *b->out)
	    != 0) {
		/* The answer cannot wait in order: the client loses them. */
		wa_answer_clear(a);
		wa_conn_close(c);
		return;
	}
	wa_conn_ref(c);
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
	if ((rc = wa_ledger_commit(d->ledger)) != 0) {
		wa_log(WA_LOG_ERR, "ledger commit failed (%s): %zu writes "
		    "answered 'unavailable'", wa_strerror(rc), b->writes);
		wa_batch_undo(d, 0);
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
		wa_batch_logs_drop(b, 0);
		/* The cached state may have run ahead of the ledger. */
		wa_ledger_load(d->ledger, d->map);
		d->cache.stale = true;
		wa_reaper_resync(d);
		d->kernel_dirty = true;
	} else {
		wa_ckpt_note(d);
		if (b->resync)
			wa_reaper_resync(d);
	}
	b->resync = false;
	/* The kernel's reservations change before the answers go out: a
	 * server started on a lease's answer finds its ports reserved. */
	wa_kernel_sync(d);
	for (size_t i = 0; i < b->nlogs; i++)
		wa_log(b->logs[i].prio, "%s", b->logs[i].line);
	wa_batch_logs_drop(b, 0);
	for (size_t i = 0; i < b->nout; i++) {
		struct wa_pending *p = &b->out[i];

		wa_conn_send(p->conn, p->a.text, p->a.len,
		    (p->flags & WA_RESP_CLOSE) != 0);
		p->a.text = NULL;
		wa_answer_clear(&p->a);
		wa_conn_unref(p->conn);
	}
	b->nout = 0;
	b->nundo = 0;
	b->writes = 0;
	b->held = 0;
}

void
wa_batch_check_cb(uv_check_t *h)
{
	struct wa_daemon *d = h->data;

	wa_batch_commit(d);
	wa_kernel_sync(d);
	/* The next iteration's requests get a new time budget. */
	d->turn_ns = 0;
}
