/*
 * srv-kernel.c: --reserve-kernel-ports.  Leased ports go into
 * net.ipv4.ip_local_reserved_ports, so an outgoing connection never takes
 * a leased port before its server binds it.  Ports the administrator put
 * there stay; the list is rewritten after each commit that changed leases.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procnet.h"
#include "srv.h"
#include "util.h"

#define WA_RESERVED "/proc/sys/net/ipv4/ip_local_reserved_ports"

static bool
wa_kernel_want(const struct wa_daemon *d, unsigned port)
{
	uint32_t h;

	return (d->kernel_admin[port >> 6] >> (port & 63) & 1) ||
	    wa_portmap_state(d->map, WA_TCP, (uint16_t)port, &h) ==
	    WA_HOLD_LEASE ||
	    wa_portmap_state(d->map, WA_UDP, (uint16_t)port, &h) ==
	    WA_HOLD_LEASE;
}

int
wa_kernel_sync(struct wa_daemon *d)
{
	char *buf, *p;
	size_t cap = 65536 * 12;
	unsigned lo;
	FILE *f;
	int rc = 0;

	if (!d->cfg.reserve_kernel_ports || !d->kernel_dirty)
		return 0;
	d->kernel_dirty = false;
	if ((buf = p = malloc(cap)) == NULL)
		return WA_ENOMEM;
	*p = '\0';
	for (unsigned port = 1; port < 65536; port++) {
		if (!wa_kernel_want(d, port))
			continue;
		for (lo = port; port + 1 < 65536 && wa_kernel_want(d, port + 1);)
			port++;
		p += sprintf(p, "%s%u", p == buf ? "" : ",", lo);
		if (port != lo)
			p += sprintf(p, "-%u", port);
	}
	strcpy(p, "\n");
	if ((f = fopen(WA_RESERVED, "we")) == NULL ||
	    fputs(buf, f) == EOF || fclose(f) != 0) {
		wa_log(WA_LOG_ERR, "%s: %s", WA_RESERVED, strerror(errno));
		rc = WA_EIO;
	}
	free(buf);
	return rc;
}

int
wa_kernel_init(struct wa_daemon *d)
{
	struct wa_portmap *m;
	char *text;
	uint32_t h;

	if (!d->cfg.reserve_kernel_ports)
		return 0;
	if (geteuid() != 0) {
		wa_log(WA_LOG_ERR, "--reserve-kernel-ports needs root");
		return WA_EFORBIDDEN;
	}
	if ((text = wa_file_read(WA_RESERVED, NULL)) == NULL ||
	    (m = calloc(1, sizeof *m)) == NULL) {
		free(text);
		wa_log(WA_LOG_ERR, "%s cannot be read", WA_RESERVED);
		return WA_EIO;
	}
	wa_portmap_init(m);
	wa_parse_reserved_ports(text, m);
	free(text);
	/* What is reserved and not leased is the administrator's. */
	for (unsigned port = 1; port < 65536; port++) {
		if (wa_portmap_state(m, WA_TCP, (uint16_t)port, &h) !=
		    WA_HOLD_RESERVED)
			continue;
		if (wa_portmap_state(d->map, WA_TCP, (uint16_t)port, &h) ==
		    WA_HOLD_LEASE || wa_portmap_state(d->map, WA_UDP,
		    (uint16_t)port, &h) == WA_HOLD_LEASE) {
			/* Ours from an earlier run: not a reason to refuse. */
			wa_portmap_set(d->map, WA_LAYER_RESERVED, WA_TCP,
			    (uint16_t)port, false);
			wa_portmap_set(d->map, WA_LAYER_RESERVED, WA_UDP,
			    (uint16_t)port, false);
		} else
			d->kernel_admin[port >> 6] |= 1ULL << (port & 63);
	}
	free(m);
	d->kernel_dirty = true;
	return wa_kernel_sync(d);
}
