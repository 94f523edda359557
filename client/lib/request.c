/*
 * request.c: the protocol's requests, one builder per op (docs/protocol.md).
 * The library's typed calls send them on their connection; the command
 * line sends the same objects through its own (auto-start, offline
 * reads), so each request has one shape, made here.
 */
#include <jansson.h>

#include "wso2alloc.h"

#define WA_PUBLIC __attribute__((visibility("default")))

static json_t *
wa_req_new(const char *op)
{
	return json_pack("{ss}", "op", op);
}

static void
wa_req_str(json_t *q, const char *key, const char *v)
{
	if (q != NULL && v != NULL)
		json_object_set_new(q, key, json_string(v));
}

static void
wa_req_int(json_t *q, const char *key, long long v)
{
	if (q != NULL)
		json_object_set_new(q, key, json_integer(v));
}

static void
wa_req_strv(json_t *q, const char *key, const char *const *v, size_t n)
{
	json_t *a;

	if (q == NULL || n == 0)
		return;
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	json_object_set_new(q, key, a);
}

WA_PUBLIC json_t *
wa_lease_req(const struct wa_lease_request *r)
{
	json_t *q;

	if (r->product == NULL || (q = wa_req_new("lease")) == NULL)
		return NULL;
	wa_req_str(q, "product", r->product);
	wa_req_str(q, "name", r->name);
	wa_req_str(q, "home", r->home);
	if (r->offset >= 0)
		wa_req_int(q, "offset", r->offset);
	wa_req_strv(q, "with", r->with, r->nwith);
	wa_req_strv(q, "without", r->without, r->nwithout);
	if (r->pid > 0)
		wa_req_int(q, "pid", r->pid);
	if (r->ttl > 0)
		wa_req_int(q, "ttl", r->ttl);
	if (r->labels != NULL && json_object_size(r->labels) > 0)
		json_object_set(q, "labels", r->labels);
	wa_req_str(q, "link", r->link);
	if (r->ports != NULL)
		json_object_set(q, "ports", r->ports);
	if (r->adopt)
		json_object_set_new(q, "adopt", json_true());
	return q;
}

WA_PUBLIC json_t *
wa_release_req(const char *name)
{
	json_t *q = wa_req_new("release");

	wa_req_str(q, "name", name);
	return q;
}

WA_PUBLIC json_t *
wa_renew_req(const char *name, long ttl)
{
	json_t *q = wa_req_new("renew");

	wa_req_str(q, "name", name);
	if (ttl > 0)
		wa_req_int(q, "ttl", ttl);
	return q;
}

WA_PUBLIC json_t *
wa_attach_req(const char *name, pid_t pid)
{
	json_t *q = wa_req_new("attach");

	wa_req_str(q, "name", name);
	wa_req_int(q, "pid", pid);
	return q;
}

WA_PUBLIC json_t *
wa_show_req(const char *name)
{
	json_t *q = wa_req_new("show");

	wa_req_str(q, "name", name);
	return q;
}

WA_PUBLIC json_t *
wa_list_req(const char *product, long owner_uid, const char *state,
    bool brief)
{
	json_t *q = wa_req_new("list");

	wa_req_str(q, "product", product);
	if (owner_uid >= 0)
		wa_req_int(q, "owner_uid", owner_uid);
	wa_req_str(q, "state", state);
	if (q != NULL && brief)
		json_object_set_new(q, "brief", json_true());
	return q;
}

WA_PUBLIC json_t *
wa_who_req(int port, const char *proto)
{
	json_t *q = wa_req_new("who");

	wa_req_int(q, "port", port);
	wa_req_str(q, "proto", proto);
	return q;
}

WA_PUBLIC json_t *
wa_ports_req(const char *product)
{
	json_t *q = wa_req_new("ports");

	wa_req_str(q, "product", product);
	return q;
}

WA_PUBLIC json_t *
wa_products_req(const char *id)
{
	json_t *q = wa_req_new("products");

	wa_req_str(q, "id", id);
	return q;
}

WA_PUBLIC json_t *
wa_next_req(const char *product)
{
	json_t *q = wa_req_new("next");

	wa_req_str(q, "product", product);
	return q;
}

WA_PUBLIC json_t *
wa_history_req(const char *name, int limit)
{
	json_t *q = wa_req_new("history");

	wa_req_str(q, "name", name);
	if (limit > 0)
		wa_req_int(q, "limit", limit);
	return q;
}

/* The ops without arguments. */
WA_PUBLIC json_t *
wa_status_req(void)
{
	return wa_req_new("status");
}

WA_PUBLIC json_t *
wa_ping_req(void)
{
	return wa_req_new("ping");
}

WA_PUBLIC json_t *
wa_metrics_req(void)
{
	return wa_req_new("metrics");
}

WA_PUBLIC json_t *
wa_shutdown_req(void)
{
	return wa_req_new("shutdown");
}
