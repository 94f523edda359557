/*
 * jsonin.h: a request's usual shape read without jansson's lexer, which
 * was most of the parse (about 9,000 instructions for a 60-byte lease).
 */
#ifndef WA_JSONIN_H
#define WA_JSONIN_H

#include <stddef.h>

#include <jansson.h>

/*
 * One JSON object of plain members, exactly as json_loadb(text, len,
 * JSON_REJECT_DUPLICATES) reads it: keys and string values of printable
 * ASCII without escapes, integers of up to 18 digits, true, false, null,
 * JSON whitespace.  NULL for anything else (nested values, escapes, other
 * bytes, reals, duplicate keys, errors, no memory): json_loadb decides.
 */
json_t *wa_json_flat(const char *text, size_t len);

#endif
