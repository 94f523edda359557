/*
 * srv-conn.c: one client connection: credentials, admission, newline
 * framing, in-order responses, turns and backpressure.  Nothing a client
 * sends can stop the daemon: a bad line gets an error and the connection
 * stays usable; only an oversized line, a client that hung up, or one
 * that takes neither requests nor answers for a while closes it.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "jsonout.h"
#include "srv.h"

/* A connection's requests wait while more than this of its answers is
 * unwritten, and go on once half of it is: whatever it pipelines, it
 * holds at most this plus its largest answer. */
#define WA_OUT_HIGH (1024 * 1024)
#define WA_OUT_LOW (WA_OUT_HIGH / 2)
/* Such a connection is closed when its client takes none of them for
 * this long (or the idle timeout, if shorter). */
#define WA_STALL_SECS 30
/* A connection's turn: this many lines at most, then the next one's. */
#define WA_TURN_LINES 32
/* The lines of one loop iteration, all connections together, stop after
 * this long: a signal, a new client and the commit wait no longer. */
#define WA_TURN_BUDGET_NS (20 * 1000 * 1000)
#define WA_READ_CHUNK 65536

struct wa_conn {
	uv_pipe_t pipe;
	uv_timer_t idle;
	struct wa_daemon *d;
	struct wa_peer peer;
	char *in;
	size_t inoff, inlen, incap; /* lines not yet run: in[inoff, inlen) */
	bool borrowed;          /* in is the daemon's read buffer */
	size_t owed;            /* bytes of answers made, not yet written */
	char *out;              /* answers made, not yet given to the socket */
	size_t outlen, outcap;
	bool flushing;          /* in the daemon's flush list */
	struct wa_conn *fnext;
	uint64_t handed;        /* bytes ever given to the socket or libuv */
	uint64_t drained;       /* of those, written as the timer started */
	int refs;               /* handles, batch entries, writes, queue */
	bool closing;
	bool eof;               /* no more input: shut down, or too long */
	bool reading;
	bool queued;            /* in the run queue */
	bool full;              /* waits for its answers to drain */
	struct wa_conn *prev, *next;
	struct wa_conn *rnext;  /* run queue */
};

struct wa_write {
	uv_write_t req;
	struct wa_conn *conn;
	size_t len;
	char *buf;
};

static void wa_conn_next(struct wa_conn *c);
static void wa_conn_touch(struct wa_conn *c);

void
wa_conn_ref(struct wa_conn *c)
{
	c->refs++;
}

void
wa_conn_unref(struct wa_conn *c)
{
	/* A client that half-closed has had every answer: done. */
	if (--c->refs == 2 && c->eof)
		wa_conn_close(c);
	if (c->refs > 0)
		return;
	if (!c->borrowed)
		free(c->in);
	free(c->out);
	free(c);
}

static void
wa_conn_closed(uv_handle_t *h)
{
	wa_conn_unref(h->data);
}

void
wa_conn_close(struct wa_conn *c)
{
	struct wa_daemon *d = c->d;

	if (c->closing)
		return;
	c->closing = true;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		d->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	d->nconns--;
	uv_close((uv_handle_t *)&c->pipe, wa_conn_closed);
	uv_close((uv_handle_t *)&c->idle, wa_conn_closed);
}

/* Bytes of the answers the client has taken so far. */
static uint64_t
wa_conn_drained(struct wa_conn *c)
{
	return c->handed -
	    uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe);
}

/* Closed when nothing moved since the timer started: no request, and
 * not a byte of the answers it is owed taken. */
static void
wa_conn_idle(uv_timer_t *t)
{
	struct wa_conn *c = t->data;

	if (c->queued || (c->owed > 0 && wa_conn_drained(c) != c->drained)) {
		wa_conn_touch(c);
		return;
	}
	if (c->owed > 0)
		wa_log(WA_LOG_NOTICE, "pid %ld does not read its answers: "
		    "connection closed", (long)c->peer.pid);
	wa_conn_close(c);
}

/* Start waiting for something to move: the idle timeout, or less when
 * the connection's requests wait for its answers to drain. */
static void
wa_conn_touch(struct wa_conn *c)
{
	unsigned secs = c->d->cfg.idle_timeout;

	if (c->full && (secs == 0 || secs > WA_STALL_SECS))
		secs = WA_STALL_SECS;
	if (c->closing)
		return;
	if (secs == 0) {
		uv_timer_stop(&c->idle);
		return;
	}
	c->drained = wa_conn_drained(c);
	uv_timer_start(&c->idle, wa_conn_idle, (uint64_t)secs * 1000, 0);
}

/* The socket took n bytes of c's answers: one whose answers had piled
 * up goes on once half of them are gone. */
static void
wa_conn_took(struct wa_conn *c, size_t n)
{
	c->owed -= n;
	if (c->full && c->owed <= WA_OUT_LOW) {
		c->full = false;
		wa_conn_touch(c);
		wa_conn_next(c);
	}
}

static void
wa_write_done(uv_write_t *req, int status)
{
	struct wa_write *w = (struct wa_write *)req;
	struct wa_conn *c = w->conn;

	if (status != 0) {
		c->owed -= w->len;
		wa_conn_close(c);
	} else
		wa_conn_took(c, w->len);
	wa_conn_unref(c);
	free(w->buf);
	free(w);
}

/* What the socket did not take at once, from off on: libuv writes it
 * when the client reads. */
static void
wa_conn_queue_rest(struct wa_conn *c, size_t off)
{
	struct wa_write *w;
	uv_buf_t b;

	if ((w = calloc(1, sizeof *w)) == NULL) {
		wa_conn_close(c);
		return;
	}
	w->buf = c->out;
	w->len = c->outlen - off;
	w->conn = c;
	c->out = NULL;
	c->outlen = c->outcap = 0;
	b = uv_buf_init(w->buf + off, (unsigned)w->len);
	wa_conn_ref(c);
	if (uv_write(&w->req, (uv_stream_t *)&c->pipe, &b, 1,
	    wa_write_done) != 0) {
		c->owed -= w->len;
		wa_conn_unref(c);
		free(w->buf);
		free(w);
		wa_conn_close(c);
		return;
	}
	c->handed += w->len;
}

/*
 * c's answers in one write, tried at once: a write libuv completes
 * costs an epoll_ctl (it stops watching for writability it never
 * watched), one taken whole costs nothing more.
 */
static void
wa_conn_flush(struct wa_conn *c)
{
	uv_buf_t b;
	size_t done;
	int n;

	if (c->closing || c->outlen == 0)
		return;
	b = uv_buf_init(c->out, (unsigned)c->outlen);
	n = uv_try_write((uv_stream_t *)&c->pipe, &b, 1);
	if (n < 0 && n != UV_EAGAIN) {
		wa_conn_close(c);
		return;
	}
	done = n > 0 ? (size_t)n : 0;
	c->handed += done;
	if (done < c->outlen)
		wa_conn_queue_rest(c, done);
	else {
		free(c->out);
		c->out = NULL;
		c->outlen = c->outcap = 0;
	}
	wa_conn_took(c, done);
}

/* Appends text (taken) to c's answers. */
static int
wa_conn_put(struct wa_conn *c, char *text, size_t len)
{
	size_t cap = c->outcap;
	char *n;

	if (c->outlen == 0) {
		free(c->out);
		c->out = text;
		c->outlen = c->outcap = len;
		return 0;
	}
	while (cap - c->outlen < len)
		cap *= 2;
	if (cap != c->outcap) {
		if ((n = realloc(c->out, cap)) == NULL) {
			free(text);
			return WA_ENOMEM;
		}
		c->out = n;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, text, len);
	c->outlen += len;
	free(text);
	return 0;
}

/* Answers wait for the iteration's flush, to go out together. */
void
wa_conn_send(struct wa_conn *c, char *text, size_t len, bool close_after)
{
	struct wa_daemon *d = c->d;

	if (c->closing || text == NULL) {
		free(text);
		if (!c->closing)
			wa_conn_close(c);
		return;
	}
	if (wa_conn_put(c, text, len) != 0) {
		wa_conn_close(c);
		return;
	}
	if (close_after) {
		wa_conn_flush(c);
		wa_conn_close(c);
		return;
	}
	if (c->flushing)
		return;
	c->flushing = true;
	c->fnext = d->flushq;
	d->flushq = c;
	wa_conn_ref(c);
}

/* Every answer goes through here: owed until it is written. */
static void
wa_conn_answer(struct wa_conn *c, struct wa_answer *a, int flags)
{
	c->owed += a->len;
	if (c->owed > WA_OUT_HIGH)
		c->full = true;
	wa_batch_respond(c->d, c, a, flags);
}

static void
wa_conn_line(struct wa_conn *c, const char *line, size_t len)
{
	struct wa_answer a;
	int flags = 0;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return;
	wa_dispatch(c->d, &c->peer, line, len, &flags, &a);
	c->d->requests++;
	wa_conn_answer(c, &a, flags);
}

static void wa_conn_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b);
static void wa_conn_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b);

static void
wa_conn_reading(struct wa_conn *c, bool on)
{
	if (c->closing || c->reading == on)
		return;
	c->reading = on;
	if (!on)
		uv_read_stop((uv_stream_t *)&c->pipe);
	else if (uv_read_start((uv_stream_t *)&c->pipe, wa_conn_alloc,
	    wa_conn_read) != 0)
		wa_conn_close(c);
}

/* The answer goes out (after the batch commits if one is open), then
 * the connection closes: what follows an oversized line is not trusted
 * to be a request boundary. */
static void
wa_conn_too_large(struct wa_conn *c)
{
	struct wa_answer a;

	wa_answer_error(&a, NULL, WA_ETOOLARGE, "request longer than 65536 "
	    "bytes: connection closed");
	wa_conn_reading(c, false);
	c->inoff = c->inlen = 0;
	c->eof = true;
	wa_conn_answer(c, &a, WA_RESP_CLOSE);
}

/* Whether this loop iteration's time for requests is spent; the first
 * request of an iteration starts its clock. */
static bool
wa_conn_spent(struct wa_daemon *d)
{
	uint64_t now = uv_hrtime();

	if (d->turn_ns == 0)
		d->turn_ns = now;
	return now - d->turn_ns > WA_TURN_BUDGET_NS;
}

/* A client that closed its socket reads no answer: its requests are not
 * run.  One that only shut down its writing side gets them all. */
static bool
wa_conn_hungup(struct wa_conn *c)
{
	struct pollfd p = { .events = 0 };
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) != 0)
		return true;
	p.fd = fd;
	if (poll(&p, 1, 0) != 1 || !(p.revents & (POLLHUP | POLLERR)))
		return false;
	wa_log(WA_LOG_DEBUG, "pid %ld hung up: %zu bytes of its requests "
	    "not run", (long)c->peer.pid, c->inlen - c->inoff);
	return true;
}

/* One turn: up to WA_TURN_LINES of c's lines, while its answers fit
 * and the iteration has time left. */
static void
wa_conn_turn(struct wa_conn *c)
{
	char *p, *nl;
	size_t len;

	for (int n = 0; n < WA_TURN_LINES && !c->closing && !c->full &&
	    c->inoff < c->inlen && !wa_conn_spent(c->d); n++) {
		p = c->in + c->inoff;
		if ((nl = memchr(p, '\n', c->inlen - c->inoff)) == NULL)
			break;
		len = (size_t)(nl - p);
		if (len > WA_MAX_LINE - 1) {
			wa_conn_too_large(c);
			return;
		}
		c->inoff += len + 1;
		wa_conn_line(c, p, len);
	}
	wa_conn_next(c);
}

/* The queued connections, a turn each in order, while the iteration
 * has time; those queued again wait for the next iteration. */
static void
wa_conn_runner(uv_idle_t *h)
{
	struct wa_daemon *d = h->data;
	struct wa_conn *c, *last = d->runq_tail;
	bool end;

	while ((c = d->runq) != NULL) {
		if ((d->runq = c->rnext) == NULL)
			d->runq_tail = NULL;
		c->queued = false;
		end = c == last;
		if (!c->closing && wa_conn_hungup(c))
			wa_conn_close(c);
		else
			wa_conn_turn(c);
		wa_conn_unref(c);
		if (end || wa_conn_spent(d))
			break;
	}
	if (d->runq == NULL)
		uv_idle_stop(h);
}

static void
wa_conn_enqueue(struct wa_conn *c)
{
	struct wa_daemon *d = c->d;

	if (c->queued)
		return;
	c->queued = true;
	c->rnext = NULL;
	wa_conn_ref(c);
	if (d->runq_tail != NULL)
		d->runq_tail->rnext = c;
	else
		d->runq = c;
	d->runq_tail = c;
	uv_idle_start(&d->runner, wa_conn_runner);
}

/*
 * After a turn, or once its answers drained: c reads while it has no
 * whole line left, waits in the run queue while it has, and does
 * neither while its answers wait for the client.
 */
static void
wa_conn_next(struct wa_conn *c)
{
	bool line;

	if (c->closing)
		return;
	line = c->inoff < c->inlen &&
	    memchr(c->in + c->inoff, '\n', c->inlen - c->inoff) != NULL;
	if (!line && c->inlen - c->inoff > WA_MAX_LINE - 1) {
		wa_conn_too_large(c);
		return;
	}
	/* Nothing left: an idle connection keeps no buffer. */
	if (c->inoff == c->inlen) {
		if (!c->borrowed)
			free(c->in);
		c->borrowed = false;
		c->in = NULL;
		c->inoff = c->inlen = c->incap = 0;
	}
	wa_conn_reading(c, !line && !c->full && !c->eof);
	if (c->full)
		wa_conn_touch(c);
	else if (line)
		wa_conn_enqueue(c);
}

/*
 * A connection with nothing left to run reads into the daemon's buffer
 * and keeps only what its turn leaves (wa_conn_keep): a request then
 * costs no buffer of its own, a 64 KiB malloc and a free that
 * consolidates the heap.
 */
static void
wa_conn_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct wa_conn *c = h->data;
	char *n;

	(void)hint;
	if (c->inoff == c->inlen && c->d->rbuf != NULL) {
		if (!c->borrowed)
			free(c->in);
		c->in = c->d->rbuf;
		c->inoff = c->inlen = 0;
		c->incap = WA_READ_CHUNK;
		c->borrowed = true;
	}
	/* What is left is part of a line: to the front. */
	if (c->inoff > 0) {
		memmove(c->in, c->in + c->inoff, c->inlen - c->inoff);
		c->inlen -= c->inoff;
		c->inoff = 0;
	}
	if (c->incap - c->inlen < WA_READ_CHUNK) {
		n = realloc(c->in, c->inlen + WA_READ_CHUNK);
		if (n == NULL) {
			*b = uv_buf_init(NULL, 0);
			return;
		}
		c->in = n;
		c->incap = c->inlen + WA_READ_CHUNK;
	}
	*b = uv_buf_init(c->in + c->inlen, (unsigned)(c->incap - c->inlen));
}

/* What c's turn left in the daemon's buffer becomes c's own. */
static void
wa_conn_keep(struct wa_conn *c)
{
	size_t left = c->inlen - c->inoff;
	char *own = NULL;

	if (!c->borrowed)
		return;
	c->borrowed = false;
	if (c->closing)
		left = 0;
	if (left > 0 && (own = malloc(left + WA_READ_CHUNK)) != NULL)
		memcpy(own, c->in + c->inoff, left);
	c->in = own;
	c->inoff = 0;
	c->inlen = own != NULL ? left : 0;
	c->incap = own != NULL ? left + WA_READ_CHUNK : 0;
	if (left > 0 && own == NULL)
		wa_conn_close(c);
}

/* n bytes (or an error, or the end) read into c->in. */
static void
wa_conn_got(struct wa_conn *c, ssize_t n)
{
	if (n < 0) {
		/*
		 * A half line never reaches the ledger.  At EOF the answers
		 * still owed (waiting for the commit, or being written) go
		 * out first: "send, shut down, read" is a fine client.
		 */
		if (n == UV_EOF && c->refs > 2) {
			wa_conn_reading(c, false);
			c->eof = true;
			return;
		}
		wa_conn_close(c);
		return;
	}
	if (n == 0)
		return;
	wa_conn_touch(c);
	c->inlen += (size_t)n;
	wa_conn_turn(c);
}

static void
wa_conn_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct wa_conn *c = s->data;

	(void)b;
	wa_conn_got(c, n);
	wa_conn_keep(c);
}

static void
wa_conn_peer(struct wa_conn *c)
{
	struct ucred uc;
	socklen_t len = sizeof uc;
	uv_os_fd_t fd;

	c->peer.uid = (uid_t)-1;
	c->peer.gid = (gid_t)-1;
	c->peer.pid = 0;
	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0) {
		c->peer.uid = uc.uid;
		c->peer.gid = uc.gid;
		c->peer.pid = uc.pid;
	}
}

/* Root, the daemon's own user and the service user always get in; any
 * other uid within the connection limit and its own share of it. */
static const char *
wa_conn_refusal(struct wa_daemon *d, const struct wa_conn *c)
{
	uid_t uid = c->peer.uid;
	size_t mine = 0;

	if (uid == 0 || uid == d->self_uid || uid == d->service_uid)
		return NULL;
	if (d->nconns > d->cfg.max_conns)
		return "too many connections";
	for (const struct wa_conn *o = d->conns; o != NULL; o = o->next)
		if (o != c && o->peer.uid == uid &&
		    ++mine >= d->cfg.max_conns_uid)
			return "too many connections from this user";
	return NULL;
}

void
wa_conn_accept(uv_stream_t *server, int status)
{
	struct wa_daemon *d = server->data;
	struct wa_answer a;
	const char *why;
	struct wa_conn *c;

	if (status != 0 || d->stopping)
		return;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return;
	c->d = d;
	uv_pipe_init(d->loop, &c->pipe, 0);
	uv_timer_init(d->loop, &c->idle);
	c->pipe.data = c;
	c->idle.data = c;
	c->refs = 2;   /* the two handles */
	c->next = d->conns;
	if (d->conns != NULL)
		d->conns->prev = c;
	d->conns = c;
	d->nconns++;
	if (uv_accept(server, (uv_stream_t *)&c->pipe) != 0) {
		wa_conn_close(c);
		return;
	}
	wa_conn_peer(c);
	if ((why = wa_conn_refusal(d, c)) != NULL) {
		wa_answer_error(&a, NULL, WA_EBUSY, why);
		wa_conn_answer(c, &a, WA_RESP_CLOSE);
		return;
	}
	wa_conn_touch(c);
	wa_conn_reading(c, true);
}

/* The log's held lines, then every connection's answers. */
static void
wa_conn_flush_all(struct wa_daemon *d)
{
	struct wa_conn *c;

	wa_log_flush();
	while ((c = d->flushq) != NULL) {
		d->flushq = c->fnext;
		c->flushing = false;
		wa_conn_flush(c);
		wa_conn_unref(c);
	}
}

/* Takes a's text. */
static void
wa_conn_sink_send(struct wa_conn *c, struct wa_answer *a, int flags)
{
	wa_conn_send(c, a->text, a->len, (flags & WA_RESP_CLOSE) != 0);
	a->text = NULL;
	wa_answer_clear(a);
}

static const struct wa_sink wa_conn_sink = {
	.send = wa_conn_sink_send, .hold = wa_conn_ref,
	.release = wa_conn_unref, .lost = wa_conn_close,
	.flush = wa_conn_flush_all,
};

static void
wa_conn_flusher(uv_prepare_t *h)
{
	wa_conn_flush_all(h->data);
}

void
wa_conn_start(struct wa_daemon *d)
{
	d->batch.sink = &wa_conn_sink;
	uv_idle_init(d->loop, &d->runner);
	d->runner.data = d;
	d->rbuf = malloc(WA_READ_CHUNK);
	/* What the iteration's timers, writes and turns produced goes out
	 * before the loop waits; it keeps no loop alive. */
	uv_prepare_init(d->loop, &d->flusher);
	d->flusher.data = d;
	uv_prepare_start(&d->flusher, wa_conn_flusher);
	uv_unref((uv_handle_t *)&d->flusher);
}

/* Lines read and not yet run are dropped with their connections. */
void
wa_conn_close_all(struct wa_daemon *d)
{
	struct wa_conn *c;

	/* Answers made go out first: a stop's commit answered them. */
	wa_conn_flush_all(d);
	while ((c = d->runq) != NULL) {
		d->runq = c->rnext;
		c->queued = false;
		wa_conn_unref(c);
	}
	d->runq_tail = NULL;
	uv_close((uv_handle_t *)&d->runner, NULL);
	uv_close((uv_handle_t *)&d->flusher, NULL);
	while (d->conns != NULL)
		wa_conn_close(d->conns);
	free(d->rbuf);
	d->rbuf = NULL;
}
