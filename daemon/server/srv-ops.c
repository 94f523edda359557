/*
 * srv-ops.c: the op table and the path of one request: parse, check the
 * envelope, find the op, run its handler (writes inside a savepoint of
 * the current batch) and shape the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonin.h"
#include "srv.h"

/* The op table: one row per op, whose op-NAME.c defines wa_op_NAME. */
#define WA_OPS(X) \
	X(lease) \
	X(release) \
	X(renew) \
	X(attach) \
	X(show) \
	X(list) \
	X(who) \
	X(ports) \
	X(products) \
	X(next) \
	X(history) \
	X(status) \
	X(ping) \
	X(metrics) \
	X(shutdown)

#define WA_OP_DECL(n) extern const struct wa_op wa_op_##n;
WA_OPS(WA_OP_DECL)
#define WA_OP_ROW(n) &wa_op_##n,
static const struct wa_op *const wa_ops[] = { WA_OPS(WA_OP_ROW) };

static const struct wa_op *
wa_op_find(const char *name)
{
	for (size_t i = 0; i < sizeof wa_ops / sizeof wa_ops[0]; i++)
		if (strcmp(wa_ops[i]->name, name) == 0)
			return wa_ops[i];
	return NULL;
}

int
wa_op_flags(const char *name)
{
	const struct wa_op *op = name != NULL ? wa_op_find(name) : NULL;

	return op != NULL ? op->flags : 0;
}

/* Run a handler; a write runs in a savepoint of the current batch. */
static int
wa_run(struct wa_req *r, const struct wa_op *op)
{
	int rc, wrc;

	if (!(op->flags & WA_OP_WRITE))
		return op->handler(r);
	if ((rc = wa_batch_write_begin(r->d)) != 0)
		return wa_req_fail(r, rc == WA_EDBBUSY ? WA_EBUSY : WA_EUNAVAIL,
		    "ledger: %s", wa_strerror(rc));
	rc = op->handler(r);
	if ((wrc = wa_batch_write_end(r->d, rc)) != 0 && rc == 0)
		rc = wa_req_fail(r, WA_EUNAVAIL, "ledger: %s", wa_strerror(wrc));
	if (rc != 0 && op->rolled_back != NULL)
		op->rolled_back(r, rc);
	wa_metrics_refused(r->d, rc);
	return rc;
}

void
wa_dispatch(struct wa_daemon *d, const struct wa_peer *peer,
    const char *line, size_t len, int *flags, struct wa_answer *a)
{
	struct wa_req r;
	const struct wa_op *op = NULL;
	json_error_t jerr;
	json_t *resp, *id = NULL, *v;
	int rc;

	memset(&r, 0, sizeof r);
	memset(a, 0, sizeof *a);
	r.d = d;
	r.peer = *peer;
	*flags = 0;
	if (memchr(line, '\0', len) != NULL) {
		wa_answer_error(a, NULL, WA_EBADREQ, "NUL byte in request");
		return;
	}
	/* The usual flat request without jansson's lexer; jansson reads
	 * (and words the errors of) everything else. */
	if ((r.req = wa_json_flat(line, len)) == NULL)
		r.req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (r.req == NULL) {
		snprintf(r.msg, sizeof r.msg, "invalid JSON at column %d: %s",
		    jerr.column, jerr.text);
		wa_answer_error(a, NULL, WA_EBADREQ, r.msg);
		return;
	}
	if (!json_is_object(r.req)) {
		rc = wa_req_fail(&r, WA_EBADREQ, "a request is a JSON object");
		goto out;
	}
	id = json_object_get(r.req, "id");
	v = json_object_get(r.req, "op");
	if (!json_is_string(v)) {
		rc = wa_req_fail(&r, WA_EBADREQ, "op: missing or not a string");
		goto out;
	}
	if ((op = wa_op_find(json_string_value(v))) == NULL) {
		rc = wa_req_fail(&r, WA_EUNKNOWNOP, "unknown op '%.64s'",
		    json_string_value(v));
		goto out;
	}
	if (d->cfg.readonly && !(op->flags & WA_OP_OFFLINE)) {
		rc = wa_req_fail(&r, WA_EUNAVAIL, "%s needs the daemon; only "
		    "reads of the ledger run without it", op->name);
		goto out;
	}
	if (d->stopping && (op->flags & WA_OP_WRITE)) {
		rc = wa_req_fail(&r, WA_EBUSY, "daemon is stopping");
		goto out;
	}
	if ((r.resp = json_object()) == NULL) {
		rc = WA_ENOMEM;
		goto out;
	}
	rc = wa_run(&r, op);
	*flags = (op->flags & WA_OP_WRITE ? WA_RESP_WRITE : 0) |
	    (op->flags & WA_OP_READ ? WA_RESP_READ : 0);
out:
	if (rc == 0) {
		resp = r.resp;
		json_object_set_new(resp, "ok", json_true());
		if (id != NULL)
			json_object_set(resp, "id", id);
		a->text = op->render != NULL ? op->render(&r, resp, &a->len) :
		    wa_json_line(resp, &a->len);
		a->ok = true;
	} else {
		resp = wa_error_resp(id, rc, r.msg, r.err);
		r.err = NULL;
		a->text = wa_json_line(resp, &a->len);
		json_decref(resp);
	}
	a->id = json_incref(id);
	if (op != NULL && op->done != NULL)
		op->done(&r);
	json_decref(r.resp);
	json_decref(r.err);
	json_decref(r.req);
}
