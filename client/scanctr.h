/*
 * scanctr.h: scan's view of a WSO2 server in a container: its files read
 * through /proc/PID/root, its host ports those published for it.
 */
#ifndef WA_SCANCTR_H
#define WA_SCANCTR_H

#include <jansson.h>

#include "carbon.h"
#include "catalog.h"
#include "safeio.h"
#include "wso2alloc.h"

/* The scan entry of pid when it runs in namespaces of its own, else
 * NULL (a server of this host). */
json_t *wa_scan_container(const struct wa_product *p, long pid,
    const struct wa_cmdline *cl, const struct wa_fsid *id);
/* The lease request adopting container entry s: its published host ports
 * only (q->ports and q->labels are the caller's to free; q->name may
 * point into name); WA_ENOTFOUND with why when nothing is published. */
int wa_scan_ctr_request(const json_t *s, struct wa_lease_request *q,
    char *name, size_t namelen, char *why, size_t len);

#endif
