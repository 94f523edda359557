/*
 * render.c: leases and events in the protocol's shape (docs/protocol.md).
 */
#include <stdbool.h>
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

/* When a lease ends by its ttl: an active one, or when an expired one
 * did; a released or reclaimed lease has no expiry (0). */
static int64_t
wa_expiry(const struct wa_instance *in)
{
	return in->state == WA_STATE_ACTIVE || in->state == WA_STATE_EXPIRED ?
	    in->expires : 0;
}

/*
 * Text a jansson string may hold.  The protocol's shape was a jansson
 * tree, which drops a member or an element whose text is not UTF-8; the
 * writer drops it too, asking jansson itself for the rare text that is
 * not ASCII.
 */
static bool
wa_text_ok(const char *s)
{
	json_t *j;
	bool ok;

	if (s == NULL)
		return false;
	for (const char *c = s; *c != '\0'; c++)
		if ((unsigned char)*c >= 0x80) {
			j = json_string(s);
			ok = j != NULL;
			json_decref(j);
			return ok;
		}
	return true;
}

/* A member's key (quoted, with its colon), after a comma unless it is
 * its object's first. */
static inline void
wa_key(struct wa_out *o, const char *key)
{
	if (o->len > 0 && o->p[o->len - 1] != '{')
		wa_out_put(o, ",", 1);
	wa_out_put(o, key, strlen(key));
}

static void
wa_mem_str(struct wa_out *o, const char *key, const char *s)
{
	if (!wa_text_ok(s))
		return;
	wa_key(o, key);
	wa_out_string(o, s, strlen(s));
}

/* A string member whose absence (NULL) is null. */
static void
wa_mem_opt(struct wa_out *o, const char *key, const char *s)
{
	if (s == NULL) {
		wa_key(o, key);
		wa_out_put(o, "null", 4);
	} else
		wa_mem_str(o, key, s);
}

static void
wa_mem_int(struct wa_out *o, const char *key, long long v, bool absent)
{
	wa_key(o, key);
	if (absent)
		wa_out_put(o, "null", 4);
	else
		wa_out_int(o, v);
}

static void
wa_mem_time(struct wa_out *o, const char *key, int64_t ms)
{
	char buf[40];

	wa_mem_opt(o, key, ms != 0 ? wa_time_format(ms, buf, sizeof buf) :
	    NULL);
}

/* The port definition named name, looked for from *hint on (a lease
 * made from the catalog's order is found at once); a name's first byte
 * rules most others out without a call. */
static const struct wa_port_def *
wa_port_def(const struct wa_product *p, const char *name, size_t *hint)
{
	for (size_t k = 0; p != NULL && k < p->nports; k++) {
		size_t i = (*hint + k) % p->nports;
		const char *dn = p->ports[i].name;

		if (dn == name || (dn[0] == name[0] && strcmp(dn, name) == 0)) {
			*hint = i + 1;
			return &p->ports[i];
		}
	}
	return NULL;
}

static void
wa_ports_write(struct wa_out *o, const struct wa_product *p,
    const struct wa_instance *in, bool describe)
{
	const struct wa_port_def *def;
	size_t hint = 0;

	wa_key(o, "\"ports\":");
	wa_out_put(o, "[", 1);
	for (size_t i = 0; i < in->nports; i++) {
		wa_out_put(o, i > 0 ? ",{" : "{", i > 0 ? 2 : 1);
		wa_mem_str(o, "\"name\":", in->ports[i].name);
		wa_mem_int(o, "\"port\":", in->ports[i].port, false);
		/* A name of ours: plain ASCII, nothing to escape. */
		wa_key(o, "\"proto\":\"");
		wa_out_put(o, wa_proto_name(in->ports[i].proto),
		    strlen(wa_proto_name(in->ports[i].proto)));
		wa_out_put(o, "\"", 1);
		def = describe ? wa_port_def(p, in->ports[i].name, &hint) :
		    NULL;
		if (describe) {
			wa_key(o, "\"description\":");
			if (def != NULL)
				wa_out_put(o, def->description_json,
				    def->description_json_len);
			else
				wa_out_put(o, "\"\"", 2);
		}
		wa_out_put(o, "}", 1);
	}
	wa_out_put(o, "]", 1);
}

static void
wa_warn(struct wa_out *o, const char *w, bool *first)
{
	if (!wa_text_ok(w))
		return;
	if (!*first)
		wa_out_put(o, ",", 1);
	*first = false;
	wa_out_string(o, w, strlen(w));
}

static void
wa_warnings_write(struct wa_out *o, const struct wa_catalog *cat,
    const struct wa_product *p, const struct wa_instance *in,
    int ephemeral_lo, int ephemeral_hi)
{
	bool first = true;
	char w[160];

	wa_key(o, "\"warnings\":");
	wa_out_put(o, "[", 1);
	if (p == NULL && cat != NULL)
		wa_warn(o, "product no longer in the catalog", &first);
	for (size_t i = 0; i < in->nports; i++) {
		if (in->ports[i].port < ephemeral_lo ||
		    in->ports[i].port > ephemeral_hi)
			continue;
		snprintf(w, sizeof w, "port %u/%s (%s) is inside the "
		    "ephemeral range %d-%d", in->ports[i].port,
		    wa_proto_name(in->ports[i].proto), in->ports[i].name,
		    ephemeral_lo, ephemeral_hi);
		wa_warn(o, w, &first);
	}
	wa_out_put(o, "]", 1);
}

static void
wa_labels_write(struct wa_out *o, const char *labels)
{
	json_t *l;

	wa_key(o, "\"labels\":");
	/* Most leases have none: skip the parser for them. */
	if (labels == NULL || strcmp(labels, "{}") == 0 ||
	    (l = json_loads(labels, 0, NULL)) == NULL) {
		wa_out_put(o, "{}", 2);
		return;
	}
	wa_out_value(o, l);
	json_decref(l);
}

void
wa_instance_write(struct wa_out *o, const struct wa_catalog *cat,
    const struct wa_instance *in, int ephemeral_lo, int ephemeral_hi,
    bool describe)
{
	const struct wa_product *p = wa_catalog_find(cat, in->product);

	/* About what a port takes, to grow the buffer once. */
	wa_out_reserve(o, 512 + in->nports * (describe ? 192 : 64));
	wa_out_put(o, "{", 1);
	wa_mem_str(o, "\"name\":", in->name);
	wa_mem_str(o, "\"product\":", in->product);
	wa_mem_int(o, "\"offset\":", in->offset, false);
	wa_mem_str(o, "\"state\":", wa_state_name(in->state));
	wa_mem_int(o, "\"owner_uid\":", (long long)in->owner_uid, false);
	wa_mem_int(o, "\"pid\":", in->pid, in->pid == 0);
	wa_mem_opt(o, "\"home\":", in->home);
	wa_mem_time(o, "\"created_at\":", in->created);
	wa_mem_time(o, "\"expires_at\":", wa_expiry(in));
	wa_labels_write(o, in->labels);
	wa_ports_write(o, p, in, describe);
	wa_warnings_write(o, cat, p, in, ephemeral_lo, ephemeral_hi);
	if (in->note != NULL)
		wa_mem_str(o, "\"link\":", in->note);
	wa_out_put(o, "}", 1);
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
