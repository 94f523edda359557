/*
 * client.h: what libwso2alloc gives the wso2-alloc command line alone
 * (linked from the static library; the shared one does not export it).
 */
#ifndef WA_CLIENT_H
#define WA_CLIENT_H
#include <stddef.h>

#include "wso2alloc.h"

/* As wa_client_call, but a successful answer is handed back as the line
 * the daemon sent (malloc'd, NUL-terminated, *len bytes), unchecked: for
 * a caller that prints it without building it. */
int wa_client_call_text(wa_client *c, json_t *req, char **text,
    size_t *len);
#endif
