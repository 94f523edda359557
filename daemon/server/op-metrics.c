/*
 * op-metrics.c: what only the daemon knows, for export --prometheus:
 * counters since start (refusals by reason, leases reclaimed and
 * expired), leases by product and state, the offsets each product could
 * still get under this daemon's own range, exclusions and view of the
 * host, and the ledger's size and last commit.
 *
 * The counters live in memory and start at zero: a Prometheus counter
 * resets with its process, and rate() and increase() allow for that.
 * Seeding them from the ledger's events would not survive the history's
 * pruning (a restart would then look like a reset followed by a jump of
 * the whole history), and a forbidden request leaves no event at all.
 */
#include <sys/stat.h>
#include <stdio.h>
#include <unistd.h>

#include "srv.h"
#include "util.h"

static const char *const wa_refused_names[WA_NREFUSED] = {
	[WA_REFUSED_CONFLICT] = "conflict",
	[WA_REFUSED_EXHAUSTED] = "exhausted",
	[WA_REFUSED_FORBIDDEN] = "forbidden",
};

/* Called with every write's outcome; counts the three refusals. */
void
wa_metrics_refused(struct wa_daemon *d, int err)
{
	if (err == WA_ECONFLICT)
		d->counters.refused[WA_REFUSED_CONFLICT]++;
	else if (err == WA_EEXHAUSTED)
		d->counters.refused[WA_REFUSED_EXHAUSTED]++;
	else if (err == WA_EFORBIDDEN)
		d->counters.refused[WA_REFUSED_FORBIDDEN]++;
}

/* Called when the reaper ends a lease. */
void
wa_metrics_ended(struct wa_daemon *d, enum wa_state to)
{
	if (to == WA_STATE_RECLAIMED)
		d->counters.reclaimed++;
	else if (to == WA_STATE_EXPIRED)
		d->counters.expired++;
}

static void
wa_metrics_tally_one(void *arg, const char *product, int state, long n)
{
	json_t *by = json_object_get(arg, product);

	if (state < 0)
		return;
	if (by == NULL) {
		by = json_pack("{sisisisi}", "active", 0, "released", 0,
		    "expired", 0, "reclaimed", 0);
		json_object_set_new(arg, product, by);
	}
	json_object_set_new(by, wa_state_name((enum wa_state)state),
	    json_integer(n));
}

/* Every catalog product, leased or not, then what the ledger holds. */
static json_t *
wa_metrics_leases(struct wa_daemon *d, int *rc)
{
	json_t *leases = json_object();

	for (size_t i = 0; i < d->cat->nproducts; i++)
		wa_metrics_tally_one(leases, d->cat->products[i].id,
		    WA_STATE_ACTIVE, 0);
	*rc = wa_ledger_tally(d->ledger, wa_metrics_tally_one, leases);
	return leases;
}

/* Offsets a new lease of each product's default ports could get. */
static json_t *
wa_metrics_free_offsets(struct wa_daemon *d)
{
	const struct wa_port_def *sel[128];
	json_t *free_offsets = json_object();
	size_t nsel;

	wa_host_refresh(d);
	for (size_t i = 0; i < d->cat->nproducts; i++) {
		const struct wa_product *p = &d->cat->products[i];
		long n = 0;

		if (p->nports <= 128 && wa_port_select(p, NULL, 0, NULL, 0,
		    sel, &nsel, NULL, 0) == 0)
			n = wa_alloc_count(d->map, sel, nsel, &d->alloc);
		json_object_set_new(free_offsets, p->id, json_integer(n));
	}
	return free_offsets;
}

static json_int_t
wa_metrics_ports_leased(const struct wa_daemon *d)
{
	json_int_t n = 0;

	for (int proto = 0; proto < WA_NPROTO; proto++)
		for (size_t w = 0; w < WA_BITMAP_WORDS; w++)
			n += __builtin_popcountll(
			    d->map->bits[WA_LAYER_LEASE][proto][w]);
	return n;
}

static json_int_t
wa_metrics_file_size(const char *path, const char *suffix)
{
	char name[4096];
	struct stat st;

	snprintf(name, sizeof name, "%s%s", path, suffix);
	return stat(name, &st) == 0 ? (json_int_t)st.st_size : 0;
}

static int
wa_op_metrics_run(struct wa_req *r)
{
	struct wa_daemon *d = r->d;
	json_t *refusals, *leases;
	long events = 0;
	int rc;

	leases = wa_metrics_leases(d, &rc);
	if (rc != 0 || (rc = wa_ledger_counts(d->ledger, NULL, NULL,
	    &events)) != 0) {
		json_decref(leases);
		return wa_req_fail(r, WA_EUNAVAIL, "ledger: %s",
		    wa_strerror(rc));
	}
	refusals = json_object();
	for (int i = 0; i < WA_NREFUSED; i++)
		json_object_set_new(refusals, wa_refused_names[i],
		    json_integer((json_int_t)d->counters.refused[i]));
	json_object_set_new(r->resp, "version", json_string(WA_VERSION));
	json_object_set_new(r->resp, "mode", json_string(d->cfg.user ||
	    !wa_uid_system(geteuid()) ? "private" : "system"));
	json_object_set_new(r->resp, "started_ms",
	    json_integer(d->started_ms));
	json_object_set_new(r->resp, "refusals", refusals);
	json_object_set_new(r->resp, "reclaimed",
	    json_integer((json_int_t)d->counters.reclaimed));
	json_object_set_new(r->resp, "expired",
	    json_integer((json_int_t)d->counters.expired));
	json_object_set_new(r->resp, "leases", leases);
	json_object_set_new(r->resp, "ports_leased",
	    json_integer(wa_metrics_ports_leased(d)));
	json_object_set_new(r->resp, "free_offsets",
	    wa_metrics_free_offsets(d));
	json_object_set_new(r->resp, "events", json_integer(events));
	json_object_set_new(r->resp, "ledger_bytes",
	    json_integer(wa_metrics_file_size(d->db_path, "")));
	json_object_set_new(r->resp, "wal_bytes",
	    json_integer(wa_metrics_file_size(d->db_path, "-wal")));
	json_object_set_new(r->resp, "last_commit_ms",
	    json_integer(wa_ledger_last_commit(d->ledger)));
	return 0;
}

const struct wa_op wa_op_metrics = {
	.name = "metrics", .flags = WA_OP_READ, .handler = wa_op_metrics_run,
};
