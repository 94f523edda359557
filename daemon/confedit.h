/*
 * confedit.h: the lease's offset written into a product's own files.
 */
#ifndef WA_CONFEDIT_H
#define WA_CONFEDIT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * [server] offset = N in a deployment.toml: an existing offset line gets
 * the new value; a commented-out one is uncommented in place; else the
 * key goes right under [server]; a missing [server] table is added before
 * the first table (so no root key falls under it).  *out is malloc'd.
 */
int wa_toml_set_offset(const char *in, int offset, char **out);
/* <Offset> inside <Ports> in a carbon.xml, comments left alone. */
int wa_carbon_xml_set_offset(const char *in, int offset, char **out);
/* The text of the first <tag> (after <parent> when given). */
int wa_xml_set(const char *in, const char *parent, const char *tag,
    int value, char **out);
/* The port of the first <address uri="scheme://host:PORT/..."> */
int wa_address_set_port(const char *in, int port, char **out);
/* A unified diff (3 lines of context) of a to b; "" when equal. */
char *wa_unified_diff(const char *path, const char *a, const char *b);
/* Atomically replace path the safeio way (wa_safe_replace: no symlink
 * followed, the owner's identity as root, owner and mode kept); with
 * backup, path.bak holds the old content first. */
int wa_file_replace(const char *path, const char *text, size_t len,
    bool backup);

#endif
