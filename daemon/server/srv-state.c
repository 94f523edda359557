/*
 * srv-state.c: the daemon's state: catalog, ledger and the port map that
 * caches the ledger's active leases.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procnet.h"
#include "srv.h"
#include "util.h"

static int
wa_catalog_open(struct wa_daemon *d, struct wa_catalog **cat, char *err,
    size_t errlen)
{
	const char *dirs[8];
	size_t n;

	if (d->cfg.ncatalog_dirs > 0)
		return wa_catalog_load(cat, d->cfg.catalog_dirs,
		    d->cfg.ncatalog_dirs, err, errlen);
	n = wa_catalog_default_dirs(dirs);
	return wa_catalog_load(cat, dirs, n, err, errlen);
}

int
wa_catalog_reload(struct wa_daemon *d)
{
	struct wa_catalog *cat;
	char err[512];
	int rc;

	if ((rc = wa_catalog_open(d, &cat, err, sizeof err)) != 0) {
		wa_log(WA_LOG_ERR, "catalog reload refused, keeping the old "
		    "one: %s", err);
		return rc;
	}
	wa_catalog_free(d->cat);
	d->cat = cat;
	wa_cache_forget_texts(d);
	wa_log(WA_LOG_NOTICE, "catalog reloaded: %zu products",
	    cat->nproducts);
	return 0;
}

/* "8000-8010,9000": ports no lease may take, tcp and udp. */
static int
wa_exclude_parse(struct wa_portmap *m, const char *spec)
{
	const char *p = spec;
	char *end;
	long lo, hi;

	while (*p != '\0') {
		errno = 0;
		lo = strtol(p, &end, 10);
		hi = lo;
		if (end == p || errno != 0)
			return WA_EINVAL;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p)
				return WA_EINVAL;
		}
		if (lo < 1 || hi > 65535 || lo > hi)
			return WA_EINVAL;
		for (long port = lo; port <= hi; port++) {
			wa_portmap_set(m, WA_LAYER_EXCLUDED, WA_TCP,
			    (uint16_t)port, true);
			wa_portmap_set(m, WA_LAYER_EXCLUDED, WA_UDP,
			    (uint16_t)port, true);
		}
		p = end;
		if (*p == ',')
			p++;
		else if (*p != '\0')
			return WA_EINVAL;
	}
	return 0;
}

/* The ledger is its owner's alone (0600), and readable by the socket's
 * --group in system mode (0640), whatever the umask. */
static void
wa_ledger_mode(const struct wa_daemon *d, struct wa_ledger_opts *lo)
{
	struct group *gr;

	lo->mode = 0600;
	if (d->cfg.user || d->cfg.group == NULL ||
	    (gr = getgrnam(d->cfg.group)) == NULL)
		return;
	lo->mode = 0640;
	lo->has_group = true;
	lo->group = gr->gr_gid;
}

int
wa_daemon_init(struct wa_daemon *d, uv_loop_t *loop, char *err,
    size_t errlen)
{
	struct wa_ledger_opts lo = { .sync = d->cfg.sync,
	    .busy_timeout_ms = 5000, .manual_checkpoint = true,
	    .own_sync = true };
	int rc, lo_port = 32768, hi_port = 60999;

	d->loop = loop;
	d->started_ms = wa_now_ms();
	if (d->cfg.readonly) {
		lo.readonly = true;
		lo.manual_checkpoint = false;
		lo.busy_timeout_ms = 1000;
	}
	wa_ledger_mode(d, &lo);
	if ((rc = wa_catalog_open(d, &d->cat, err, errlen)) != 0)
		return rc;
	if ((rc = wa_ledger_open(&d->ledger, d->db_path, &lo, err,
	    errlen)) != 0)
		return rc;
	if ((d->map = malloc(sizeof *d->map)) == NULL)
		return WA_ENOMEM;
	wa_portmap_init(d->map);
	wa_procnet_sysctls("/proc", &lo_port, &hi_port, d->map);
	wa_alloc_opts_init(&d->alloc);
	d->alloc.ephemeral_lo = lo_port;
	d->alloc.ephemeral_hi = hi_port;
	d->alloc.port_ceiling = d->cfg.port_ceiling > 0 ? d->cfg.port_ceiling :
	    lo_port - 1;
	d->alloc.min_offset = d->cfg.min_offset;
	d->alloc.max_offset = d->cfg.max_offset;
	if (d->cfg.exclude != NULL &&
	    wa_exclude_parse(d->map, d->cfg.exclude) != 0) {
		snprintf(err, errlen, "--exclude %s: use PORT or LO-HI, "
		    "comma-separated", d->cfg.exclude);
		return WA_EINVAL;
	}
	if ((rc = wa_leases_load(d)) != 0) {
		snprintf(err, errlen, "ledger %s: cannot load leases: %s",
		    d->db_path, wa_strerror(rc));
		return rc;
	}
	return 0;
}

void
wa_daemon_free(struct wa_daemon *d)
{
	wa_batch_free(d);
	wa_leases_free(d);
	wa_ledger_close(d->ckpt);   /* first: the last close cleans the WAL */
	wa_ledger_close(d->ledger);
	wa_catalog_free(d->cat);
	free(d->map);
	free(d->socket_path);
	free(d->db_path);
	memset(d, 0, sizeof *d);
}
