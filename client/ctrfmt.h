/*
 * ctrfmt.h: a lease as a container runtime's port mappings: each leased
 * host port published to the port the server binds inside, where it
 * keeps the product's shipped offset.
 */
#ifndef WA_CTRFMT_H
#define WA_CTRFMT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

/* "docker" (-p HOST:CONTAINER arguments) or "compose" (a ports: list). */
bool wa_ctr_format_ok(const char *format);
int wa_ctr_format_print(FILE *f, const json_t *lease, const char *format);

#endif
