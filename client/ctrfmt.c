/*
 * ctrfmt.c: lease --format docker|compose: a container keeps its
 * product's shipped offset inside, and the runtime publishes each leased
 * host port to the port the server binds there.
 */
#include <string.h>

#include "alloc.h"
#include "cmd.h"
#include "ctrfmt.h"

bool
wa_ctr_format_ok(const char *format)
{
	return strcmp(format, "docker") == 0 || strcmp(format, "compose") == 0;
}

int
wa_ctr_format_print(FILE *f, const json_t *lease, const char *format)
{
	struct wa_catalog *cat = wa_cli_catalog();
	const struct wa_product *p;
	const char *sep = "";
	json_t *v;
	size_t i;
	int rc = WA_EPROTO;

	if (cat == NULL)
		return WA_EINVAL;
	if ((p = wa_catalog_find(cat, wa_json_str(lease, "product"))) == NULL)
		goto out;
	if (strcmp(format, "compose") == 0)
		fprintf(f, "ports:\n");
	json_array_foreach(json_object_get(lease, "ports"), i, v) {
		const char *name = wa_json_str(v, "name");
		const char *proto = wa_json_str(v, "proto");
		long long host = wa_json_int(v, "port", 0);
		int cport = -1;

		for (size_t k = 0; name != NULL && k < p->nports; k++)
			if (strcmp(p->ports[k].name, name) == 0)
				cport = wa_port_effective(&p->ports[k],
				    p->internal_offset);
		if (cport < 0 || host < 1 || proto == NULL)
			goto out;
		/* The names are the catalog's: nothing to escape. */
		if (strcmp(format, "docker") == 0)
			fprintf(f, "%s-p %lld:%d%s", sep, host, cport,
			    strcmp(proto, "udp") == 0 ? "/udp" : "");
		else
			fprintf(f, "  - \"%lld:%d%s\"  # %s\n", host, cport,
			    strcmp(proto, "udp") == 0 ? "/udp" : "", name);
		sep = " ";
	}
	if (strcmp(format, "docker") == 0)
		fprintf(f, "\n");
	rc = 0;
out:
	wa_catalog_free(cat);
	return rc;
}
