/*
 * fuzz_jsonin.c: any bytes to the flat request reader and to json_loadb:
 * whatever wa_json_flat accepts, jansson must read to the same members in
 * the same order (else abort), and neither may crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t e;
	json_t *got = wa_json_flat((const char *)data, size), *ref;
	char *a, *b;

	if (got == NULL)
		return 0;
	ref = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
	if (ref == NULL || !json_equal(ref, got))
		abort();
	a = json_dumps(ref, JSON_COMPACT);
	b = json_dumps(got, JSON_COMPACT);
	if (a == NULL || b == NULL || strcmp(a, b) != 0)
		abort();
	free(a);
	free(b);
	json_decref(ref);
	json_decref(got);
	return 0;
}
