/*
 * confedit.h: the lease's offset written into a product's own files.
 */
#ifndef WA_CONFEDIT_H
#define WA_CONFEDIT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * [server] offset = N in a deployment.toml, however the file writes it
 * (toml.h): an existing value gets the new number; a commented-out
 * `offset =` in [server] is uncommented in place; else the key goes right
 * under [server], after server's root dotted keys, or first in an inline
 * server = { }; a missing [server] table is added before the first table
 * (so no root key falls under it).  The result is read back and must hold
 * server.offset = N and every other value as it was.  *out is malloc'd;
 * on an error (WA_EINVAL: not TOML, or server is not a table;
 * WA_EINTERNAL: the edit did not read back) err says why.
 */
int wa_toml_set_offset(const char *in, int offset, char **out, char *err,
    size_t errlen);
/*
 * The XML edits read the file as XML (xmlscan.h) and read the result back:
 * the edited element or attribute holds the value, every other byte of
 * markup and text is as it was; else nothing (WA_EINVAL: not well-formed,
 * or the element holds more than text; WA_ENOTFOUND: no such element;
 * WA_EINTERNAL: the edit did not read back).
 */
/* <Offset> of <Ports> in a carbon.xml, comments and CDATA left alone. */
int wa_carbon_xml_set_offset(const char *in, int offset, char **out);
/* The text of the first <tag> (a child of the first <parent>, if given). */
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
