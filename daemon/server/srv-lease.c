/*
 * srv-lease.c: granting and ending leases, and showing them.  Every check
 * runs before any change, so a refused request changes nothing.
 */
#include <ctype.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbon.h"
#include "container.h"
#include "homecheck.h"
#include "procnet.h"
#include "render.h"
#include "srv.h"
#include "util.h"

#define WA_MAX_LABELS 32

/* A lease refused for a name, a conflict or exhaustion, kept in the
 * request's ctx for the history: recorded outside the request's
 * rolled-back savepoint (wa_lease_refused_note). */
struct wa_lease_refusal {
	bool refused;
	char name[80];
	const char *product;
	int offset;
	const char *reason;         /* what was in the way (static) */
};

/* The lease op's ctx: its answer (wa_lease_answer), or its refusal. */
struct wa_lease_ctx {
	struct wa_raw raw;          /* first, as wa_raw_render reads it */
	struct wa_lease_refusal refusal;
};
_Static_assert(sizeof(struct wa_lease_ctx) <= WA_OP_CTX_MAX,
    "a request's ctx holds a lease's answer and refusal");
#define WA_REFUSAL(r) (&((struct wa_lease_ctx *)(void *)(r)->ctx)->refusal)

static bool
wa_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '-' || s[0] == '.')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return false;
	return true;
}

/* Fill r->err and r->msg for an allocation refusal. */
static int
wa_lease_conflict(struct wa_req *r, int rc, const struct wa_product *p,
    const struct wa_conflict *c)
{
	struct wa_instance holder;
	char line[400];
	const char *hname = NULL, *hport = NULL;
	static const char *const kinds[] = { "free", "lease", "excluded",
	    "reserved", "host" };

	memset(&holder, 0, sizeof holder);
	if (c->def == NULL)
		return wa_req_fail(r, rc, "%s: no offset in %d-%d keeps every "
		    "port of %s free and below %d", p->id,
		    r->d->alloc.min_offset, r->d->alloc.max_offset, p->id,
		    r->d->alloc.port_ceiling + 1);
	if (c->hold == WA_HOLD_LEASE &&
	    wa_ledger_find_id(r->d->ledger, c->holder, &holder) == 0)
		hname = holder.name;
	/* Which of the holder's ports it is: another product names the
	 * same number otherwise. */
	for (size_t i = 0; hname != NULL && i < holder.nports; i++)
		if (holder.ports[i].port == c->port &&
		    holder.ports[i].proto == c->proto)
			hport = holder.ports[i].name;
	wa_conflict_format(c, p->id, hname, hport, line, sizeof line);
	r->err = json_pack("{sissssssss}", "port", c->port,
	    "proto", wa_proto_name(c->proto), "port_name", c->def->name,
	    "holder_kind", kinds[c->hold],
	    "holder", hname != NULL ? hname : kinds[c->hold]);
	if (hport != NULL && r->err != NULL)
		json_object_set_new(r->err, "holder_port", json_string(hport));
	if (c->hold == WA_HOLD_HOST && r->err != NULL) {
		json_t *h = wa_host_holder(c->proto, (uint16_t)c->port);
		json_t *pid = json_object_get(h, "holder_pid");
		json_t *cmd = json_object_get(h, "holder_cmdline");
		char ctr[200];

		json_object_update(r->err, h);
		wa_ctr_holder_text(h, ctr, sizeof ctr);
		if (pid != NULL) {
			size_t n = strlen(line);

			snprintf(line + n, sizeof line - n, " (%s%spid %lld: "
			    "%.120s)", ctr, ctr[0] != '\0' ? ", " : "",
			    (long long)json_integer_value(pid),
			    cmd != NULL ? json_string_value(cmd) : "?");
		}
		json_decref(h);
	}
	wa_instance_clear(&holder);
	WA_REFUSAL(r)->reason = rc == WA_EEXHAUSTED ? "exhausted" :
	    kinds[c->hold];
	if (rc == WA_EEXHAUSTED)
		return wa_req_fail(r, rc, "no offset fits: %s", line);
	return wa_req_fail(r, rc, "%s", line);
}

static int
wa_lease_labels(struct wa_req *r, char **out)
{
	json_t *l = json_object_get(r->req, "labels"), *v;
	const char *k;

	*out = NULL;
	if (l == NULL || json_is_null(l))
		return 0;
	if (!json_is_object(l))
		return wa_req_fail(r, WA_EBADREQ, "labels: must be an object");
	if (json_object_size(l) > WA_MAX_LABELS)
		return wa_req_fail(r, WA_EINVAL, "labels: at most %d",
		    WA_MAX_LABELS);
	json_object_foreach(l, k, v) {
		if (!wa_name_valid(k))
			return wa_req_fail(r, WA_EINVAL, "label key '%.64s': "
			    "use [A-Za-z0-9._-], at most 64", k);
		if (!json_is_string(v) || strlen(json_string_value(v)) > 256)
			return wa_req_fail(r, WA_EINVAL, "label %s: value must "
			    "be a string of at most 256 bytes", k);
	}
	*out = json_dumps(l, JSON_COMPACT | JSON_SORT_KEYS);
	return *out != NULL ? 0 : WA_ENOMEM;
}

/* Port names from a JSON array (borrowed strings into names). */
static int
wa_lease_names(struct wa_req *r, const char *key, const char **names,
    size_t max, size_t *n)
{
	json_t *a = json_object_get(r->req, key), *v;
	size_t i;

	*n = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return wa_req_fail(r, WA_EBADREQ, "%s: must be an array", key);
	if (json_array_size(a) > max)
		return wa_req_fail(r, WA_EINVAL, "%s: too many names", key);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return wa_req_fail(r, WA_EBADREQ, "%s: must hold "
			    "strings", key);
		names[(*n)++] = json_string_value(v);
	}
	return 0;
}

struct wa_lease_args {
	const char *product, *name, *home, *link;
	long long offset, pid, ttl;
	bool adopt;
	char *labels;
	const char *with[64], *without[64];
	size_t nwith, nwithout;
	char namebuf[80];
	struct wa_lease_port fixed[128];  /* explicit host ports (adopt) */
	size_t nfixed;
};

static int
wa_lease_parse(struct wa_req *r, struct wa_lease_args *a)
{
	int rc;

	a->offset = -1;
	a->pid = 0;
	a->ttl = 0;
	if ((rc = wa_req_str(r, "product", true, &a->product)) != 0 ||
	    (rc = wa_req_str(r, "name", false, &a->name)) != 0 ||
	    (rc = wa_req_str(r, "home", false, &a->home)) != 0 ||
	    (rc = wa_req_str(r, "link", false, &a->link)) != 0 ||
	    (rc = wa_req_int(r, "offset", false, 0, INT_MAX,
	    &a->offset)) != 0 ||
	    (rc = wa_req_int(r, "pid", false, 1, INT_MAX, &a->pid)) != 0 ||
	    (rc = wa_req_int(r, "ttl", false, 1, 3650LL * 86400,
	    &a->ttl)) != 0 ||
	    (rc = wa_req_bool(r, "adopt", &a->adopt)) != 0 ||
	    (rc = wa_lease_names(r, "with", a->with, 64, &a->nwith)) != 0 ||
	    (rc = wa_lease_names(r, "without", a->without, 64,
	    &a->nwithout)) != 0)
		return rc;
	if (a->home != NULL && (a->home[0] != '/' || strlen(a->home) >= 4096))
		return wa_req_fail(r, WA_EINVAL, "home: must be an absolute "
		    "path");
	if (a->name == NULL && a->home != NULL) {
		/* The instance is named after its carbon home. */
		char tmp[4096], *b;

		snprintf(tmp, sizeof tmp, "%s", a->home);
		b = basename(tmp);
		snprintf(a->namebuf, sizeof a->namebuf, "%.64s", b);
		a->name = a->namebuf;
	}
	if (a->name != NULL && !wa_name_valid(a->name))
		return wa_req_fail(r, WA_EINVAL, "name '%.64s': use 1-64 of "
		    "[A-Za-z0-9._-], not starting with - or .", a->name);
	return wa_lease_labels(r, &a->labels);
}

/* Keep a refused lease for the history (wa_lease_refused_note). */
static void
wa_lease_refused(struct wa_req *r, const struct wa_lease_args *a,
    const struct wa_product *p)
{
	struct wa_lease_refusal *f = WA_REFUSAL(r);

	f->refused = true;
	snprintf(f->name, sizeof f->name, "%s", a->name);
	f->product = p->id;
	f->offset = (int)a->offset;
}

/* What differs between an active lease and a request for its name, as
 * a JSON array of "owner", "product", "home", "offset", "pid" (empty:
 * none). */
static json_t *
wa_name_mismatch(const struct wa_req *r, const struct wa_product *p,
    const struct wa_lease_args *a, const struct wa_instance *in)
{
	json_t *m = json_array();

	if (in->owner_uid != r->peer.uid)
		json_array_append_new(m, json_string("owner"));
	if (strcmp(in->product, p->id) != 0)
		json_array_append_new(m, json_string("product"));
	if (a->home != NULL && (in->home == NULL ||
	    strcmp(in->home, a->home) != 0))
		json_array_append_new(m, json_string("home"));
	if (a->offset >= 0 && in->offset != a->offset)
		json_array_append_new(m, json_string("offset"));
	/* A second `exec` of a running server's name would start another
	 * server on the same ports. */
	if (a->pid > 0 && in->pid > 0 && in->pid != (pid_t)a->pid)
		json_array_append_new(m, json_string("pid"));
	return m;
}

/*
 * A name already leased is someone's: handing it over would let root's
 * hook write into the holder's files or the holder release root's ports.
 * Refused with the holder named, unless owner, product and what was
 * asked of home and offset all match.
 */
static int
wa_name_taken(struct wa_req *r, const struct wa_instance *in,
    json_t *mismatch)
{
	char what[64] = "";
	size_t i;
	json_t *v;

	json_array_foreach(mismatch, i, v)
		snprintf(what + strlen(what), sizeof what - strlen(what),
		    "%s%s", i > 0 ? ", " : "", json_string_value(v));
	r->err = json_pack("{sssssIsssIsoso}", "holder", in->name,
	    "holder_kind", "name", "owner_uid", (json_int_t)in->owner_uid,
	    "product", in->product, "offset", (json_int_t)in->offset,
	    "home", in->home != NULL ? json_string(in->home) : json_null(),
	    "mismatch", json_incref(mismatch));
	WA_REFUSAL(r)->reason = "name";
	return wa_req_fail(r, WA_ECONFLICT, "name %s is taken: leased by uid "
	    "%ld for %s at offset %d, %s%.200s; this request's %s differ%s: "
	    "use another --name", in->name, (long)in->owner_uid, in->product,
	    in->offset, in->home != NULL ? "home " : "no home",
	    in->home != NULL ? in->home : "", what,
	    json_array_size(mismatch) == 1 ? "s" : "");
}

/* An active lease of the same name, owner, product, home and offset:
 * returned as it is (renewed). */
static int
wa_lease_existing(struct wa_req *r, struct wa_instance *in, long long ttl)
{
	int64_t expires, now;
	int rc;

	if (ttl > 0 || in->expires != 0) {
		now = wa_now_ms();
		expires = now + (ttl > 0 ? ttl * 1000 :
		    in->expires - in->renewed);
		if ((rc = wa_leases_renew(r->d, in, now, expires, r->peer.uid,
		    r->peer.pid)) != 0)
			return wa_req_fail(r, WA_EUNAVAIL, "ledger: %s",
			    wa_strerror(rc));
	}
	wa_lease_answer(r, in);
	json_object_set_new(r->resp, "created", json_false());
	return 0;
}

static int
wa_lease_record(struct wa_req *r, const struct wa_product *p,
    struct wa_lease_args *a, const struct wa_port_def **sel, size_t nsel,
    int offset, unsigned long long start)
{
	struct wa_instance in;
	struct wa_lease_port ports[128];
	int rc;

	memset(&in, 0, sizeof in);
	in.name = (char *)a->name;
	in.product = p->id;
	in.offset = offset;
	in.owner_uid = r->peer.uid;
	in.pid = (pid_t)a->pid;
	in.pid_start = start;
	in.expires = a->ttl > 0 ? wa_now_ms() + a->ttl * 1000 : 0;
	in.labels = a->labels;
	in.home = (char *)a->home;
	in.note = (char *)a->link;
	for (size_t i = 0; i < nsel && i < 128; i++) {
		ports[i].name = sel[i]->name;
		ports[i].port = a->nfixed > 0 ? a->fixed[i].port :
		    (uint16_t)wa_port_effective(sel[i], offset);
		ports[i].proto = sel[i]->proto;
	}
	in.ports = ports;
	in.nports = nsel;
	rc = wa_leases_add(r->d, &in, a->adopt ? WA_EV_ADOPTED : WA_EV_LEASED);
	if (rc == WA_EINTERNAL)
		return wa_req_fail(r, WA_EINTERNAL, "portmap out of step");
	if (rc == WA_ECONFLICT)
		return wa_req_fail(r, WA_EINTERNAL, "the ledger refused a "
		    "colliding port for %s: the allocator and the ledger "
		    "disagree", a->name);
	if (rc != 0)
		return wa_req_fail(r, rc == WA_EDBBUSY ? WA_EBUSY : WA_EUNAVAIL,
		    "ledger: %s", wa_strerror(rc));
	/* What was just written, rendered without reading it back. */
	wa_lease_answer(r, &in);
	json_object_set_new(r->resp, "created", json_true());
	wa_log_change(r->d, WA_LOG_INFO, "%s %s: %s offset %d for uid %ld",
	    a->adopt ? "adopted" : "leased", a->name, p->id, offset,
	    (long)r->peer.uid);
	return 0;
}

struct wa_own {
	uint16_t ports[256];
	uint8_t protos[256];
	size_t n;
};

static void
wa_own_port(void *arg, int proto, unsigned port)
{
	struct wa_own *o = arg;

	if (o->n < 256) {
		o->protos[o->n] = (uint8_t)proto;
		o->ports[o->n++] = (uint16_t)port;
	}
}

/*
 * Allocate; a server being adopted or bound already holds its own ports,
 * which must not count against it: only the caller's own (or, for root,
 * any), else naming another user's server would hand over its ports.
 */
static int
wa_lease_find(struct wa_daemon *d, pid_t pid,
    const struct wa_port_def *const *sel, size_t nsel,
    const struct wa_alloc_opts *o, struct wa_alloc_result *res)
{
	struct wa_own own = { .n = 0 };
	int rc;

	if (pid > 0)
		wa_proc_bound("/proc", pid, wa_own_port, &own);
	for (size_t i = 0; i < own.n; i++)
		wa_portmap_set(d->map, WA_LAYER_HOST, own.protos[i],
		    own.ports[i], false);
	rc = wa_alloc_find(d->map, sel, nsel, o, res);
	for (size_t i = 0; i < own.n; i++)
		wa_portmap_set(d->map, WA_LAYER_HOST, own.protos[i],
		    own.ports[i], true);
	return rc;
}

/* The pid whose bound ports count as the lease's own: the caller's
 * process, any for root; 0 for none. */
static pid_t
wa_lease_own_pid(const struct wa_req *r, const struct wa_lease_args *a)
{
	uid_t uid;

	if (a->pid <= 0)
		return 0;
	if (r->peer.uid == 0 || (wa_proc_uid("/proc", (pid_t)a->pid,
	    &uid) == 0 && uid == r->peer.uid))
		return (pid_t)a->pid;
	return 0;
}

/* A requested offset refused as out of range: the range, in words and
 * as error fields. */
static int
wa_lease_out_of_range(struct wa_req *r, const struct wa_lease_args *a,
    const struct wa_product *p, const struct wa_port_def *const *sel,
    size_t nsel, const struct wa_alloc_opts *o)
{
	int lo, hi;

	wa_alloc_range(sel, nsel, o, &lo, &hi);
	if (a->offset >= lo && a->offset <= hi)
		return wa_req_fail(r, WA_EINVAL, "offset %lld puts a port of "
		    "%s outside 1-%d", a->offset, p->id, o->port_ceiling);
	r->err = json_pack("{sisi}", "offset_min", lo, "offset_max", hi);
	if (hi < lo)
		return wa_req_fail(r, WA_EINVAL, "offset %lld: no offset keeps "
		    "every port of %s at or below %d", a->offset, p->id,
		    o->port_ceiling);
	return wa_req_fail(r, WA_EINVAL, "offset %lld is outside %d-%d, the "
	    "offsets that keep every port of %s at or below %d", a->offset,
	    lo, hi, p->id, o->port_ceiling);
}

int
wa_lease_grant(struct wa_req *r, bool adopt)
{
	struct wa_daemon *d = r->d;
	struct wa_lease_args a;
	struct wa_instance old;
	const struct wa_product *p;
	const struct wa_port_def *sel[128];
	struct wa_alloc_opts o;
	struct wa_alloc_result res;
	unsigned long long start = 0;
	char err[512];
	size_t nsel = 0;
	int rc;

	memset(&a, 0, sizeof a);
	memset(&old, 0, sizeof old);
	if ((rc = wa_lease_parse(r, &a)) != 0)
		goto out;
	a.adopt = a.adopt || adopt;
	if ((p = wa_catalog_find(d->cat, a.product)) == NULL) {
		rc = wa_unknown_product(r, a.product);
		goto out;
	}
	if (p->nports > 128) {
		rc = wa_req_fail(r, WA_EINVAL, "%s has too many ports", p->id);
		goto out;
	}
	if (a.home != NULL && wa_home_check(d->cat, p, a.home, r->peer.uid,
	    err, sizeof err) != 0) {
		rc = wa_req_fail(r, WA_EINVAL, "%s", err);
		goto out;
	}
	if ((rc = wa_port_select(p, a.with, a.nwith, a.without, a.nwithout,
	    sel, &nsel, err, sizeof err)) != 0) {
		rc = wa_req_fail(r, WA_EINVAL, "%s", err);
		goto out;
	}
	if ((rc = wa_lease_fixed(r, p, a.adopt, a.fixed, sel, &a.nfixed)) != 0)
		goto out;
	if (a.nfixed > 0)
		nsel = a.nfixed;
	if (a.pid != 0 && wa_proc_start_time((pid_t)a.pid, &start) != 0) {
		rc = wa_req_fail(r, WA_EINVAL, "pid %lld: no such process",
		    a.pid);
		goto out;
	}
	if (a.adopt && a.pid != 0 && a.nfixed == 0 &&
	    (rc = wa_ctr_adopt_check(r, (pid_t)a.pid)) != 0)
		goto out;
	if (a.pid != 0 && (rc = wa_req_own_pid(r, (pid_t)a.pid)) != 0)
		goto out;
	if (a.name == NULL) {
		if ((rc = wa_ledger_next_name(d->ledger, p->id, a.namebuf,
		    sizeof a.namebuf)) != 0) {
			rc = wa_req_fail(r, WA_EUNAVAIL, "ledger: %s",
			    wa_strerror(rc));
			goto out;
		}
		a.name = a.namebuf;
	}
	if (a.link != NULL && (rc = wa_link_check(r, p, a.name, a.link)) != 0)
		goto out;
	rc = wa_ledger_find(d->ledger, a.name, &old);
	if (rc == 0 && old.state == WA_STATE_ACTIVE) {
		json_t *mismatch = wa_name_mismatch(r, p, &a, &old);

		if (json_array_size(mismatch) == 0)
			rc = wa_lease_existing(r, &old, a.ttl);
		else {
			rc = wa_name_taken(r, &old, mismatch);
			wa_lease_refused(r, &a, p);
		}
		json_decref(mismatch);
		goto out;
	}
	if (rc != 0 && rc != WA_ENOTFOUND) {
		rc = wa_req_fail(r, WA_EUNAVAIL, "ledger: %s", wa_strerror(rc));
		goto out;
	}
	o = d->alloc;
	/* Sticky: a released instance gets its old offset back if free. */
	o.preferred = rc == 0 && strcmp(old.product, p->id) == 0 ?
	    old.offset : -1;
	o.requested = (int)a.offset;
	wa_host_refresh(d);
	memset(&res, 0, sizeof res);
	res.offset = a.offset >= 0 ? (int)a.offset : p->internal_offset;
	rc = a.nfixed > 0 ? wa_fixed_check(d->map, a.fixed, sel, nsel,
	    &res.conflict) : wa_lease_find(d, wa_lease_own_pid(r, &a), sel,
	    nsel, &o, &res);
	if (rc == WA_EINVAL) {
		if (a.offset >= 0)
			rc = wa_lease_out_of_range(r, &a, p, sel, nsel, &o);
		else
			rc = wa_req_fail(r, WA_EINVAL, "a port of %s that does "
			    "not shift lies above %d: leave it out or raise "
			    "wso2-allocd --port-ceiling", p->id, o.port_ceiling);
		goto out;
	}
	if (rc != 0) {
		rc = wa_lease_conflict(r, rc, p, &res.conflict);
		wa_lease_refused(r, &a, p);
		goto out;
	}
	if (a.nfixed > 0 && (rc = wa_fixed_owned(r, a.fixed, a.nfixed)) != 0) {
		WA_REFUSAL(r)->reason = "owner";
		wa_lease_refused(r, &a, p);
		goto out;
	}
	rc = wa_lease_record(r, p, &a, sel, nsel, res.offset, start);
out:
	wa_instance_clear(&old);
	free(a.labels);
	return rc;
}

/* The history keeps what was refused and why; a failure to record it
 * does not change the answer. */
void
wa_lease_refused_note(struct wa_req *r, int rc)
{
	struct wa_lease_refusal *k = WA_REFUSAL(r);
	struct wa_refusal f = { k->name, k->product, k->offset, r->peer.uid,
	    r->peer.pid, k->reason, NULL };

	(void)rc;
	if (k->refused)
		wa_refused_note(r->d, &f, r->err, r->msg);
}

int
wa_lease_lookup(struct wa_req *r, const char *name, bool must_own,
    struct wa_instance *out)
{
	/* An active lease is in memory; any other state only in the ledger. */
	int rc = must_own ? wa_leases_get(r->d, name, out) :
	    wa_leases_find(r->d, name, out);

	if (rc == WA_ENOTFOUND || (rc == 0 && must_own &&
	    out->state != WA_STATE_ACTIVE)) {
		wa_instance_clear(out);
		return wa_req_fail(r, WA_ENOTFOUND, "no active lease named "
		    "'%.64s'", name);
	}
	if (rc != 0)
		return wa_req_fail(r, WA_EUNAVAIL, "ledger: %s",
		    wa_strerror(rc));
	if (must_own && !wa_req_may_change(r, out->owner_uid)) {
		rc = wa_req_fail(r, WA_EFORBIDDEN, "lease %s belongs to uid "
		    "%ld", name, (long)out->owner_uid);
		wa_instance_clear(out);
		return rc;
	}
	return 0;
}

void
wa_lease_answer(struct wa_req *r, const struct wa_instance *in)
{
	struct wa_raw *raw = WA_RAW(r);

	raw->key = "lease";
	raw->at = json_object_size(r->resp);
	raw->out.len = 0;
	wa_instance_write(&raw->out, r->d->cat, in, r->d->alloc.ephemeral_lo,
	    r->d->alloc.ephemeral_hi, true);
}
