/*
 * confwire.h: the ports inside a deployment.toml's URL values: an
 * instance's own literal ports moved with its offset, and the URLs that
 * point at a linked instance set to its ports.
 */
#ifndef WA_CONFWIRE_H
#define WA_CONFWIRE_H

#include <stddef.h>

/* A port number as shipped (or at the previous offset) and as leased. */
struct wa_port_move {
	int from, to;
};

/*
 * One key (a TOML path, "[]" for every element of an array or array of
 * tables): in each of its string values (or array elements) that is a
 * URL on the local host ("localhost", "127.0.0.1" or [server] hostname),
 * with no ${...} placeholder and no escape, the port becomes to when to
 * is not 0, else the to of the move whose from it equals.  When the key
 * is absent and create is set, "LAST = create" goes under its table
 * (created at the end of the file when absent; into the first element
 * of an array of tables).
 */
struct wa_url_rule {
	const char *key;
	const struct wa_port_move *moves;
	size_t nmoves;
	int to;
	const char *create;
};

/*
 * The rules applied to in, as one edit, read back: every edited value
 * holds its new port, every created key is there, every other value is
 * as it was; else nothing (WA_EINVAL: in is not TOML; WA_EINTERNAL: the
 * edit does not read back) with err saying why.  *out is malloc'd.
 */
int wa_toml_set_urls(const char *in, const struct wa_url_rule *r, size_t n,
    char **out, char *err, size_t errlen);

#endif
