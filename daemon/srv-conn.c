/*
 * srv-conn.c: one client connection: credentials, newline framing,
 * in-order responses, limits.  Nothing a client sends can stop the
 * daemon: a bad line gets an error and the connection stays usable; only
 * an oversized line, an idle timeout or a client that never reads its
 * answers closes it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "jsonout.h"
#include "srv.h"

/* A client whose answers pile up this far beyond what the kernel's
 * socket buffer took (it does not read them) is dropped. */
#define WA_MAX_BACKLOG (4 * 1024 * 1024)
#define WA_READ_CHUNK 65536

struct wa_conn {
	uv_pipe_t pipe;
	uv_timer_t idle;
	struct wa_daemon *d;
	struct wa_peer peer;
	char *in;
	size_t inlen, incap;
	int refs;               /* handles open + batch entries + writes */
	bool closing;
	bool eof;               /* the client shut down its side */
	struct wa_conn *prev, *next;
};

struct wa_write {
	uv_write_t req;
	struct wa_conn *conn;
	size_t len;
	char *buf;
};


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
	free(c->in);
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

static void
wa_conn_idle(uv_timer_t *t)
{
	wa_conn_close(t->data);
}

static void
wa_conn_touch(struct wa_conn *c)
{
	if (c->d->cfg.idle_timeout > 0 && !c->closing)
		uv_timer_start(&c->idle, wa_conn_idle,
		    (uint64_t)c->d->cfg.idle_timeout * 1000, 0);
}

static void
wa_write_done(uv_write_t *req, int status)
{
	struct wa_write *w = (struct wa_write *)req;

	if (status != 0)
		wa_conn_close(w->conn);
	wa_conn_unref(w->conn);
	free(w->buf);
	free(w);
}

void
wa_conn_send(struct wa_conn *c, char *text, size_t len, bool close_after)
{
	struct wa_write *w;
	uv_buf_t b;

	if (c->closing) {
		free(text);
		return;
	}
	if (text == NULL || (w = calloc(1, sizeof *w)) == NULL) {
		free(text);
		wa_conn_close(c);
		return;
	}
	w->buf = text;
	w->len = len;
	w->conn = c;
	b = uv_buf_init(w->buf, (unsigned)len);
	wa_conn_ref(c);
	if (uv_write(&w->req, (uv_stream_t *)&c->pipe, &b, 1,
	    wa_write_done) != 0) {
		wa_conn_unref(c);
		free(w->buf);
		free(w);
		wa_conn_close(c);
		return;
	}
	if (close_after)
		wa_conn_close(c);
	else if (uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe) >
	    WA_MAX_BACKLOG) {
		wa_log(WA_LOG_NOTICE, "pid %ld does not read its answers: "
		    "connection closed", (long)c->peer.pid);
		wa_conn_close(c);
	}
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
	wa_batch_respond(c->d, c, &a, flags);
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
	uv_read_stop((uv_stream_t *)&c->pipe);
	c->inlen = 0;
	wa_batch_respond(c->d, c, &a, WA_RESP_CLOSE);
}

static void
wa_conn_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct wa_conn *c = h->data;
	char *n;

	(void)hint;
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

static void
wa_conn_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct wa_conn *c = s->data;
	size_t start = 0, i;
	char *nl;

	(void)b;
	if (n < 0) {
		/*
		 * A half line never reaches the ledger.  At EOF the answers
		 * still owed (waiting for the commit, or being written) go
		 * out first: "send, shut down, read" is a fine client.
		 */
		if (n == UV_EOF && c->refs > 2) {
			uv_read_stop(s);
			c->eof = true;
			return;
		}
		wa_conn_close(c);
		return;
	}
	if (n == 0)
		return;
	wa_conn_touch(c);
	i = c->inlen;
	c->inlen += (size_t)n;
	while ((nl = memchr(c->in + i, '\n', c->inlen - i)) != NULL) {
		size_t end = (size_t)(nl - c->in);

		if (end - start > WA_MAX_LINE - 1) {
			wa_conn_too_large(c);
			return;
		}
		wa_conn_line(c, c->in + start, end - start);
		if (c->closing || c->inlen == 0)
			return;
		start = end + 1;
		i = start;
	}
	if (c->inlen - start > WA_MAX_LINE - 1) {
		wa_conn_too_large(c);
		return;
	}
	memmove(c->in, c->in + start, c->inlen - start);
	c->inlen -= start;
	/* Keep the buffer small between requests. */
	if (c->inlen == 0 && c->incap > 4 * WA_READ_CHUNK) {
		free(c->in);
		c->in = NULL;
		c->incap = 0;
	}
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

void
wa_conn_accept(uv_stream_t *server, int status)
{
	struct wa_daemon *d = server->data;
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
	if (d->nconns > d->cfg.max_conns) {
		struct wa_answer a;

		wa_answer_error(&a, NULL, WA_EBUSY, "too many connections");
		wa_conn_send(c, a.text, a.len, true);
		return;
	}
	wa_conn_touch(c);
	uv_read_start((uv_stream_t *)&c->pipe, wa_conn_alloc, wa_conn_read);
}

void
wa_conn_close_all(struct wa_daemon *d)
{
	while (d->conns != NULL)
		wa_conn_close(d->conns);
}
