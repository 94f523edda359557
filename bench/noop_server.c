/*
 * noop_server.c: the limit in bench/compare.  It speaks wso2-allocd's
 * framing on a Unix socket with a libuv loop, as the daemon does, and
 * answers each line with an answer the daemon itself gave (captured by
 * `load capture`), doing nothing else: no ledger, no JSON parsing, no
 * allocation.  What wso2-allocd reaches below it is what its own work
 * costs under the same load generator.
 *
 *   noop_server SOCKET ANSWERS
 *
 * ANSWERS holds lines "PRODUCT lease JSON" and "PRODUCT release JSON".
 * A lease gets its product's lease answer; a release gets the release
 * answer of the product last leased on its connection.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <uv.h>

#define WA_NOOP_PRODUCTS 16
#define WA_NOOP_LINE 65536

struct wa_noop_product {
	char *name;
	char *lease, *release;  /* each ends in its newline */
	size_t lease_len, release_len;
};

struct wa_noop_conn {
	uv_pipe_t pipe;
	int product;            /* the last leased on this connection */
	size_t len;             /* of a line not yet whole */
	char in[WA_NOOP_LINE + 1];
};

static struct wa_noop_product wa_products[WA_NOOP_PRODUCTS];
static int wa_nproducts;
static const char wa_refused[] = "{\"error\":{\"code\":\"bad_request\","
    "\"message\":\"noop_server: a lease of a captured product or a "
    "release only\"},\"ok\":false}\n";

static void
wa_noop_closed(uv_handle_t *h)
{
	free(h->data);
}

static void
wa_noop_close(struct wa_noop_conn *c)
{
	if (!uv_is_closing((uv_handle_t *)&c->pipe))
		uv_close((uv_handle_t *)&c->pipe, wa_noop_closed);
}

static void
wa_noop_written(uv_write_t *req, int status)
{
	(void)status;
	free(req);
}

/* The answers are constants: written from where they lie, at once as a
 * rule, the rest queued in order when the socket is full. */
static void
wa_noop_send(struct wa_noop_conn *c, const char *text, size_t len)
{
	uv_stream_t *s = (uv_stream_t *)&c->pipe;
	uv_buf_t b = uv_buf_init((char *)text, (unsigned)len);
	uv_write_t *req;
	int n;

	if (uv_is_closing((uv_handle_t *)&c->pipe))
		return;
	if ((n = uv_try_write(s, &b, 1)) == (int)len)
		return;
	if (n > 0) {
		b.base += n;
		b.len -= (size_t)n;
	} else if (n != UV_EAGAIN) {
		wa_noop_close(c);
		return;
	}
	if ((req = malloc(sizeof *req)) == NULL ||
	    uv_write(req, s, &b, 1, wa_noop_written) != 0) {
		free(req);
		wa_noop_close(c);
	}
}

static int
wa_noop_find(const char *q)
{
	for (int i = 0; i < wa_nproducts; i++) {
		size_t n = strlen(wa_products[i].name);

		if (strncmp(q, wa_products[i].name, n) == 0 && q[n] == '"')
			return i;
	}
	return -1;
}

static void
wa_noop_line(struct wa_noop_conn *c, const char *line)
{
	static const char key[] = "\"product\":\"";
	const struct wa_noop_product *p;
	const char *q;
	int i;

	if (strstr(line, "\"op\":\"release\"") != NULL) {
		p = &wa_products[c->product];
		wa_noop_send(c, p->release, p->release_len);
	} else if (strstr(line, "\"op\":\"lease\"") != NULL &&
	    (q = strstr(line, key)) != NULL &&
	    (i = wa_noop_find(q + sizeof key - 1)) >= 0) {
		c->product = i;
		p = &wa_products[i];
		wa_noop_send(c, p->lease, p->lease_len);
	} else
		wa_noop_send(c, wa_refused, sizeof wa_refused - 1);
}

static void
wa_noop_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct wa_noop_conn *c = h->data;

	(void)hint;
	*b = uv_buf_init(c->in + c->len, (unsigned)(WA_NOOP_LINE - c->len));
}

static void
wa_noop_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct wa_noop_conn *c = s->data;
	char *line = c->in, *end, *nl;

	(void)b;
	if (n < 0) {
		wa_noop_close(c);
		return;
	}
	c->len += (size_t)n;
	end = c->in + c->len;
	while ((nl = memchr(line, '\n', (size_t)(end - line))) != NULL) {
		*nl = '\0';
		wa_noop_line(c, line);
		line = nl + 1;
	}
	c->len = (size_t)(end - line);
	if (c->len == WA_NOOP_LINE)
		wa_noop_close(c);   /* a line longer than the daemon takes */
	else
		memmove(c->in, line, c->len);
}

static void
wa_noop_accept(uv_stream_t *l, int status)
{
	struct wa_noop_conn *c;

	if (status != 0 || (c = calloc(1, sizeof *c)) == NULL)
		return;
	uv_pipe_init(l->loop, &c->pipe, 0);
	c->pipe.data = c;
	if (uv_accept(l, (uv_stream_t *)&c->pipe) != 0 ||
	    uv_read_start((uv_stream_t *)&c->pipe, wa_noop_alloc,
	    wa_noop_read) != 0)
		wa_noop_close(c);
}

/* The table's entry for a product, added if new. */
static int
wa_noop_entry(const char *name)
{
	int i;

	for (i = 0; i < wa_nproducts; i++)
		if (strcmp(wa_products[i].name, name) == 0)
			return i;
	if (i == WA_NOOP_PRODUCTS || name[0] == '\0' ||
	    (wa_products[i].name = strdup(name)) == NULL)
		return -1;
	return wa_nproducts++;
}

/* One "PRODUCT OP JSON" line into the table. */
static int
wa_noop_answer(char *line, size_t len)
{
	char *op, *json;
	int i;

	if ((op = strchr(line, ' ')) == NULL ||
	    (json = strchr(op + 1, ' ')) == NULL)
		return -1;
	*op++ = '\0';
	*json++ = '\0';
	len -= (size_t)(json - line);
	if ((i = wa_noop_entry(line)) < 0 || (json = strdup(json)) == NULL)
		return -1;
	if (strcmp(op, "lease") == 0) {
		free(wa_products[i].lease);
		wa_products[i].lease = json;
		wa_products[i].lease_len = len;
	} else if (strcmp(op, "release") == 0) {
		free(wa_products[i].release);
		wa_products[i].release = json;
		wa_products[i].release_len = len;
	} else {
		free(json);
		return -1;
	}
	return 0;
}

static int
wa_noop_load(const char *path)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = -1;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while ((n = getline(&line, &cap, f)) > 0)
		if (line[n - 1] != '\n' || wa_noop_answer(line, (size_t)n) != 0)
			goto out;
	for (int i = 0; i < wa_nproducts; i++)
		if (wa_products[i].lease == NULL ||
		    wa_products[i].release == NULL)
			goto out;
	rc = wa_nproducts > 0 ? 0 : -1;
out:
	free(line);
	fclose(f);
	return rc;
}

int
main(int argc, char **argv)
{
	uv_loop_t *loop = uv_default_loop();
	uv_pipe_t listener;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: noop_server SOCKET ANSWERS\n");
		return 64;
	}
	if (wa_noop_load(argv[2]) != 0) {
		fprintf(stderr, "noop_server: %s: want \"PRODUCT lease JSON\" "
		    "and \"PRODUCT release JSON\" lines\n", argv[2]);
		return 66;
	}
	signal(SIGPIPE, SIG_IGN);
	unlink(argv[1]);
	if ((rc = uv_pipe_init(loop, &listener, 0)) != 0 ||
	    (rc = uv_pipe_bind(&listener, argv[1])) != 0 ||
	    (rc = uv_listen((uv_stream_t *)&listener, SOMAXCONN,
	    wa_noop_accept)) != 0) {
		fprintf(stderr, "noop_server: %s: %s\n", argv[1],
		    uv_strerror(rc));
		return 71;
	}
	return uv_run(loop, UV_RUN_DEFAULT);
}
