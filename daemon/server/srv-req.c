/*
 * srv-req.c: what an op's handler uses of its request: typed fields,
 * failing with a message, and an answer with a pre-rendered member.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "procnet.h"
#include "srv.h"
#include "util.h"

int
wa_req_fail(struct wa_req *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
	wa_utf8_repair(r->msg);
	return err;
}

int
wa_req_str(struct wa_req *r, const char *key, bool required,
    const char **out)
{
	json_t *v = json_object_get(r->req, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return wa_req_fail(r, WA_EBADREQ, "%s: missing", key);
		return 0;
	}
	if (!json_is_string(v))
		return wa_req_fail(r, WA_EBADREQ, "%s: must be a string", key);
	*out = json_string_value(v);
	return 0;
}

int
wa_req_int(struct wa_req *r, const char *key, bool required,
    long long lo, long long hi, long long *out)
{
	json_t *v = json_object_get(r->req, key);

	if (v == NULL || json_is_null(v)) {
		if (required)
			return wa_req_fail(r, WA_EBADREQ, "%s: missing", key);
		return 0;
	}
	if (!json_is_integer(v))
		return wa_req_fail(r, WA_EBADREQ, "%s: must be an integer",
		    key);
	if (json_integer_value(v) < lo || json_integer_value(v) > hi)
		return wa_req_fail(r, WA_EINVAL, "%s: %lld is outside "
		    "%lld-%lld", key, (long long)json_integer_value(v), lo, hi);
	*out = json_integer_value(v);
	return 0;
}

int
wa_req_bool(struct wa_req *r, const char *key, bool *out)
{
	json_t *v = json_object_get(r->req, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return wa_req_fail(r, WA_EBADREQ, "%s: must be true or false",
		    key);
	*out = json_is_true(v);
	return 0;
}

bool
wa_req_may_change(const struct wa_req *r, uid_t owner)
{
	return r->peer.uid == 0 || r->peer.uid == owner;
}

static void
wa_raw_member(struct wa_out *w, const char *key, size_t klen)
{
	if (w->len > 1)
		wa_out_put(w, ",", 1);
	wa_out_string(w, key, klen);
	wa_out_put(w, ":", 1);
}

/* The successful answer: the pre-rendered member at its place among
 * resp's. */
char *
wa_raw_render(struct wa_req *r, json_t *resp, size_t *len)
{
	struct wa_raw *raw = WA_RAW(r);
	struct wa_out w = { NULL, 0, 0, false };
	void *it = json_object_iter(resp);

	if (raw->key == NULL)
		return wa_json_line(resp, len);
	wa_out_reserve(&w, raw->out.len + 256);
	wa_out_put(&w, "{", 1);
	for (size_t i = 0; it != NULL; it = json_object_iter_next(resp, it)) {
		if (i++ == raw->at)
			break;
		wa_raw_member(&w, json_object_iter_key(it),
		    json_object_iter_key_len(it));
		wa_out_value(&w, json_object_iter_value(it));
	}
	wa_raw_member(&w, raw->key, strlen(raw->key));
	wa_out_put(&w, raw->out.p, raw->out.len);
	w.failed = w.failed || raw->out.failed;
	for (; it != NULL; it = json_object_iter_next(resp, it)) {
		wa_raw_member(&w, json_object_iter_key(it),
		    json_object_iter_key_len(it));
		wa_out_value(&w, json_object_iter_value(it));
	}
	wa_out_put(&w, "}", 1);
	return wa_out_line(&w, len);
}

void
wa_raw_done(struct wa_req *r)
{
	wa_out_free(&WA_RAW(r)->out);
}

/*
 * A lease binds to pid only when it is the caller's own process (root
 * may bind any): bound to another user's server, a lease would claim it,
 * and that user's scan --adopt would find it taken.
 */
int
wa_req_own_pid(struct wa_req *r, pid_t pid)
{
	uid_t uid;

	if (r->peer.uid == 0)
		return 0;
	if (wa_proc_uid("/proc", pid, &uid) != 0)
		return wa_req_fail(r, WA_EINVAL, "pid %ld: no such process",
		    (long)pid);
	if (uid == r->peer.uid)
		return 0;
	json_decref(r->err);
	r->err = json_pack("{si}", "owner_uid", (json_int_t)uid);
	return wa_req_fail(r, WA_EFORBIDDEN, "pid %ld runs as uid %lu, not "
	    "as you: a lease binds only to your own processes", (long)pid,
	    (unsigned long)uid);
}
