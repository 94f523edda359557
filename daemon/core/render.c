/*
 * render.c: leases and events in the protocol's shape (docs/protocol.md).
 */
#include <stdio.h>
#include <string.h>

#include "render.h"
#include "util.h"

static json_t *
wa_time_json(int64_t ms)
{
	char buf[40];

	return ms != 0 ? json_string(wa_time_format(ms, buf, sizeof buf)) :
	    json_null();
}

static json_t *
wa_port_json(const struct wa_lease_port *lp, const struct wa_port_def *def,
    bool describe)
{
	json_t *j = json_object();

	json_object_set_new(j, "name", json_string(lp->name));
	json_object_set_new(j, "port", json_integer(lp->port));
	json_object_set_new(j, "proto", json_string(wa_proto_name(lp->proto)));
	if (describe)
		json_object_set_new(j, "description", json_string(def != NULL ?
		    def->description : ""));
	return j;
}

/* When a lease ends by its ttl: an active one, or when an expired one
 * did; a released or reclaimed lease has no expiry (0). */
static int64_t
wa_expiry(const struct wa_instance *in)
{
	return in->state == WA_STATE_ACTIVE || in->state == WA_STATE_EXPIRED ?
	    in->expires : 0;
}

json_t *
wa_instance_json(const struct wa_catalog *cat, const struct wa_instance *in,
    int ephemeral_lo, int ephemeral_hi, bool describe)
{
	const struct wa_product *p = wa_catalog_find(cat, in->product);
	json_t *j, *ports = json_array(), *warn = json_array(), *labels;
	char w[160];

	/* Most leases have none: skip the parser for them. */
	labels = in->labels == NULL || strcmp(in->labels, "{}") == 0 ?
	    json_object() : json_loads(in->labels, 0, NULL);
	if (p == NULL && cat != NULL)
		json_array_append_new(warn, json_string("product no longer in "
		    "the catalog"));
	for (size_t i = 0; i < in->nports; i++) {
		const struct wa_port_def *def = p != NULL ?
		    wa_product_port(p, in->ports[i].name) : NULL;

		json_array_append_new(ports, wa_port_json(&in->ports[i], def,
		    describe));
		if (in->ports[i].port >= ephemeral_lo &&
		    in->ports[i].port <= ephemeral_hi) {
			snprintf(w, sizeof w, "port %u/%s (%s) is inside the "
			    "ephemeral range %d-%d", in->ports[i].port,
			    wa_proto_name(in->ports[i].proto),
			    in->ports[i].name, ephemeral_lo,
			    ephemeral_hi);
			json_array_append_new(warn, json_string(w));
		}
	}
	if ((j = json_object()) == NULL)
		goto out;
	json_object_set_new(j, "name", json_string(in->name));
	json_object_set_new(j, "product", json_string(in->product));
	json_object_set_new(j, "offset", json_integer(in->offset));
	json_object_set_new(j, "state", json_string(wa_state_name(in->state)));
	json_object_set_new(j, "owner_uid", json_integer(in->owner_uid));
	json_object_set_new(j, "pid", in->pid != 0 ? json_integer(in->pid) :
	    json_null());
	json_object_set_new(j, "home", in->home != NULL ?
	    json_string(in->home) : json_null());
	json_object_set_new(j, "created_at", wa_time_json(in->created));
	json_object_set_new(j, "expires_at", wa_time_json(wa_expiry(in)));
	json_object_set_new(j, "labels", labels != NULL ? json_incref(labels) :
	    json_object());
	json_object_set(j, "ports", ports);
	json_object_set(j, "warnings", warn);
	if (in->note != NULL)
		json_object_set_new(j, "link", json_string(in->note));
out:
	json_decref(labels);
	json_decref(ports);
	json_decref(warn);
	return j;
}

json_t *
wa_event_json(const struct wa_event *ev)
{
	char buf[40];
	json_t *j = json_object(), *detail = NULL;

	if (ev->detail != NULL)
		detail = json_loads(ev->detail, 0, NULL);
	if (j == NULL) {
		json_decref(detail);
		return NULL;
	}
	json_object_set_new(j, "time", json_string(wa_time_format(ev->time,
	    buf, sizeof buf)));
	json_object_set_new(j, "kind", json_string(wa_event_name(ev->kind)));
	json_object_set_new(j, "instance", ev->instance != NULL ?
	    json_string(ev->instance) : json_null());
	json_object_set_new(j, "product", ev->product != NULL ?
	    json_string(ev->product) : json_null());
	json_object_set_new(j, "offset", ev->offset >= 0 ?
	    json_integer(ev->offset) : json_null());
	json_object_set_new(j, "uid", json_integer(ev->uid));
	json_object_set_new(j, "pid", ev->pid != 0 ? json_integer(ev->pid) :
	    json_null());
	json_object_set_new(j, "detail", detail != NULL ? detail : json_null());
	json_object_set_new(j, "repeats", json_integer(ev->repeats > 1 ?
	    ev->repeats : 1));
	json_object_set_new(j, "last_time", wa_time_json(ev->last_time));
	return j;
}

static const char *const wa_brief_cols[] = { "name", "product", "offset",
	"state", "owner_uid", "pid", "expires_at", "ports", "port_min",
	"port_max" };

json_t *
wa_brief_columns(void)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sizeof wa_brief_cols / sizeof *wa_brief_cols;
	    i++)
		json_array_append_new(a, json_string(wa_brief_cols[i]));
	return a;
}

/* A row's later cells: a comma, then the value or null. */
static void
wa_brief_int(struct wa_out *o, long long v, bool absent)
{
	wa_out_put(o, ",", 1);
	if (absent)
		wa_out_put(o, "null", 4);
	else
		wa_out_int(o, v);
}

static void
wa_brief_str(struct wa_out *o, const char *s)
{
	wa_out_put(o, ",", 1);
	if (s == NULL)
		wa_out_put(o, "null", 4);
	else
		wa_out_string(o, s, strlen(s));
}

void
wa_instance_brief(struct wa_out *o, const struct wa_instance *in)
{
	unsigned lo = 65536, hi = 0;
	char t[40];

	for (size_t i = 0; i < in->nports; i++) {
		lo = in->ports[i].port < lo ? in->ports[i].port : lo;
		hi = in->ports[i].port > hi ? in->ports[i].port : hi;
	}
	wa_out_put(o, "[", 1);
	wa_out_string(o, in->name, strlen(in->name));
	wa_brief_str(o, in->product);
	wa_brief_int(o, in->offset, false);
	wa_brief_str(o, wa_state_name(in->state));
	wa_brief_int(o, (long long)in->owner_uid, false);
	wa_brief_int(o, in->pid, in->pid == 0);
	wa_brief_str(o, wa_expiry(in) != 0 ?
	    wa_time_format(wa_expiry(in), t, sizeof t) : NULL);
	wa_brief_int(o, (long long)in->nports, false);
	wa_brief_int(o, lo, in->nports == 0);
	wa_brief_int(o, hi, in->nports == 0);
	wa_out_put(o, "]", 1);
}
