/*
 * ledger-ports.c: a lease's ports as its instance row keeps them, one
 * text of "name=port/proto" entries joined by ','.  Read from the row, a
 * lease needs no second table walked by instance; the leased_ports table
 * keeps only the keys that make ports unique.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger-int.h"
#include "wso2alloc.h"

/* What a name may not hold as it is: the separators and the escape. */
static bool
wa_ports_special(char c)
{
	return c == '%' || c == ',' || c == '=';
}

int
wa_ports_pack(char **buf, size_t *cap, const struct wa_lease_port *p,
    size_t n)
{
	size_t need = 1, len = 0;
	char *nb;

	for (size_t i = 0; i < n; i++) {
		need += sizeof ",=65535/tcp";
		for (const char *c = p[i].name; *c != '\0'; c++)
			need += wa_ports_special(*c) ? 3 : 1;
	}
	if (need > *cap) {
		if ((nb = realloc(*buf, need)) == NULL)
			return WA_ENOMEM;
		*buf = nb;
		*cap = need;
	}
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			(*buf)[len++] = ',';
		for (const char *c = p[i].name; *c != '\0'; c++)
			if (wa_ports_special(*c))
				len += (size_t)snprintf(*buf + len, 4, "%%%02X",
				    (unsigned char)*c);
			else
				(*buf)[len++] = *c;
		len += (size_t)snprintf(*buf + len, need - len, "=%u/%s",
		    (unsigned)p[i].port, wa_proto_name(p[i].proto));
	}
	(*buf)[len] = '\0';
	return 0;
}

static int
wa_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
wa_ports_next(const char **s, struct wa_port_entry *e)
{
	const char *p = *s, *end, *eq;
	unsigned long v;
	char *num;

	if (p == NULL || *p == '\0')
		return 0;
	end = p + strcspn(p, ",");
	if ((eq = memchr(p, '=', (size_t)(end - p))) == NULL)
		return WA_ECORRUPT;
	e->name = p;
	e->namelen = (size_t)(eq - p);
	v = strtoul(eq + 1, &num, 10);
	if (num == eq + 1 || *num != '/' || v < 1 || v > 65535 ||
	    end - (num + 1) != 3)
		return WA_ECORRUPT;
	e->port = (uint16_t)v;
	if (strncmp(num + 1, "tcp", 3) == 0)
		e->proto = WA_TCP;
	else if (strncmp(num + 1, "udp", 3) == 0)
		e->proto = WA_UDP;
	else
		return WA_ECORRUPT;
	*s = *end == ',' ? end + 1 : end;
	return 1;
}

/* The name of e, its escapes undone. */
static char *
wa_ports_name(const struct wa_port_entry *e)
{
	char *name = malloc(e->namelen + 1), *o = name;
	int hi, lo;

	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < e->namelen; i++) {
		if (e->name[i] == '%' && i + 2 < e->namelen &&
		    (hi = wa_hex(e->name[i + 1])) >= 0 &&
		    (lo = wa_hex(e->name[i + 2])) >= 0) {
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else
			*o++ = e->name[i];
	}
	*o = '\0';
	return name;
}

static int
wa_ports_cmp(const struct wa_lease_port *a, const struct wa_lease_port *b)
{
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return (a->proto > b->proto) - (a->proto < b->proto);
}

int
wa_ports_unpack(const char *text, struct wa_instance *in)
{
	struct wa_port_entry e;
	struct wa_lease_port *np, t;
	size_t n = 0, j;
	int rc;

	for (const char *p = text; p != NULL && *p != '\0'; p++)
		n += *p == ',';
	if (text == NULL || *text == '\0')
		return 0;
	if ((np = calloc(n + 1, sizeof *np)) == NULL)
		return WA_ENOMEM;
	in->ports = np;
	while ((rc = wa_ports_next(&text, &e)) == 1 && in->nports <= n) {
		t = (struct wa_lease_port){ wa_ports_name(&e), e.port,
		    (uint8_t)e.proto };
		if (t.name == NULL)
			return WA_ENOMEM;
		/* In (port, proto) order, as the v1 ledger listed them. */
		for (j = in->nports; j > 0 && wa_ports_cmp(&np[j - 1], &t) > 0;
		    j--)
			np[j] = np[j - 1];
		np[j] = t;
		in->nports++;
	}
	return rc < 0 ? rc : 0;
}
