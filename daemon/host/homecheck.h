/*
 * homecheck.h: whether a carbon home given for a lease is the requested
 * product's, or plainly another's (its name, its files).
 */
#ifndef WA_HOMECHECK_H
#define WA_HOMECHECK_H

#include <stddef.h>
#include <sys/types.h>

#include "catalog.h"

/*
 * 0 when home may be p's; WA_EINVAL, with err saying what the home looks
 * like, when its name matches another product's home pattern, or its
 * files are another product's layout (offset file and start script) and
 * not p's.  A product without home patterns of its own (a Carbon-5
 * runtime sharing another's home) is judged by its files only.  Files
 * are read only when uid is 0 or owns home (uid (uid_t)-1: always), so a
 * daemon tells nobody what lies in a directory that is not theirs; a
 * home that cannot be read is judged by its name.
 */
int wa_home_check(const struct wa_catalog *cat, const struct wa_product *p,
    const char *home, uid_t uid, char *err, size_t errlen);

#endif
