/*
 * lease.c: the lease and event model's names, copies and clean-up.
 */
#include <stdlib.h>
#include <string.h>

#include "lease.h"
#include "wso2alloc.h"

static const char *const wa_state_names[] = { "active", "released",
	"expired", "reclaimed" };
static const char *const wa_event_names[] = { "leased", "renewed",
	"released", "expired", "reclaimed", "adopted", "refused", "attached" };

static int
wa_strdup_opt(char **dst, const char *src)
{
	*dst = src != NULL ? strdup(src) : NULL;
	return src != NULL && *dst == NULL ? WA_ENOMEM : 0;
}

int
wa_instance_copy(struct wa_instance *dst, const struct wa_instance *src)
{
	int rc = 0;

	*dst = *src;
	dst->name = dst->product = dst->labels = dst->home = dst->note = NULL;
	dst->ports = NULL;
	dst->nports = 0;
	if (src->nports > 0 &&
	    (dst->ports = calloc(src->nports, sizeof *dst->ports)) == NULL)
		rc = WA_ENOMEM;
	for (size_t i = 0; rc == 0 && i < src->nports; i++) {
		dst->ports[i] = src->ports[i];
		dst->nports++;
		rc = wa_strdup_opt(&dst->ports[i].name, src->ports[i].name);
	}
	if (rc == 0)
		rc = wa_strdup_opt(&dst->name, src->name) ||
		    wa_strdup_opt(&dst->product, src->product) ||
		    wa_strdup_opt(&dst->labels, src->labels) ||
		    wa_strdup_opt(&dst->home, src->home) ||
		    wa_strdup_opt(&dst->note, src->note) ? WA_ENOMEM : 0;
	if (rc != 0)
		wa_instance_clear(dst);
	return rc;
}

void
wa_instance_clear(struct wa_instance *in)
{
	for (size_t i = 0; in->ports != NULL && i < in->nports; i++)
		free(in->ports[i].name);
	free(in->ports);
	free(in->name);
	free(in->product);
	free(in->labels);
	free(in->home);
	free(in->note);
	memset(in, 0, sizeof *in);
}

void
wa_event_clear(struct wa_event *ev)
{
	free(ev->instance);
	free(ev->product);
	free(ev->detail);
	memset(ev, 0, sizeof *ev);
}

const char *
wa_state_name(enum wa_state s)
{
	return (unsigned)s <= WA_STATE_RECLAIMED ? wa_state_names[s] : "unknown";
}

int
wa_state_parse(const char *s)
{
	for (int i = 0; s != NULL && i <= WA_STATE_RECLAIMED; i++)
		if (strcmp(s, wa_state_names[i]) == 0)
			return i;
	return -1;
}

const char *
wa_event_name(enum wa_event_kind k)
{
	return (unsigned)k <= WA_EV_ATTACHED ? wa_event_names[k] : "unknown";
}

