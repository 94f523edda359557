/*
 * podman.h: what rootful podman publishes for a container, read from its
 * own database (no podman command run): host port ranges to ports
 * inside.  Parsers take text so the unit tests run on samples.
 */
#ifndef WA_PODMAN_H
#define WA_PODMAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "container.h"

/* One -p mapping: host_port..host_port+range-1 to ctr_port... */
struct wa_podman_map {
	int host_port, ctr_port, range;
	bool tcp, udp;
	char host_ip[46];
};

/* A container config's newPortMappings (or, before podman 4, its
 * portMappings). */
size_t wa_podman_config_maps(const json_t *cfg, struct wa_podman_map *out,
    size_t max);
/* The config of container id (64 hex digits) in a bolt file's bytes. */
json_t *wa_podman_bolt_config(const char *buf, size_t len, const char *id);
/* Container id's mappings under storage root (db.sql, else
 * libpod/bolt_state.db); 0 when neither can be read or names it. */
size_t wa_podman_maps_in(const char *root, const char *id,
    struct wa_podman_map *out, size_t max);
/* The same under /var/lib/containers/storage (rootful podman). */
size_t wa_podman_maps(const char *id, struct wa_podman_map *out, size_t max);
/* The port inside a host port reaches (0: none), and its host address. */
int wa_podman_ctr_port(const struct wa_podman_map *m, size_t n, int proto,
    int host_port, const char **host_ip);

/* conmon: pid itself or its nearest ancestor that is; 0 when none. */
pid_t wa_podman_conmon(const char *procroot, pid_t pid);
/* The value of flag s or l (also l=value) in a NUL-separated argv. */
int wa_podman_conmon_arg(const char *cmd, size_t len, const char *s,
    const char *l, char *out, size_t outlen);
/* A conmon's container id (-c) and name (-n; "" when absent). */
int wa_podman_conmon_info(const char *procroot, pid_t conmon, char *id,
    size_t idlen, char *name, size_t namelen);
/* The container's first process: conmon's child. */
pid_t wa_podman_conmon_child(const char *procroot, pid_t conmon);
/* The host ports conmon holds for its container at ctr_ip, each with
 * the port inside from podman's state (0 when it cannot be read). */
size_t wa_podman_published(const char *procroot, pid_t conmon,
    const char *ctr_ip, struct wa_ctr_pub *out, size_t max);

#endif
