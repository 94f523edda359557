/*
 * fuzz_catalog.c: the catalog loader must reject, never crash on, any
 * file a user drops into a catalog directory.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wa_product p;
	char err[512];

	memset(&p, 0, sizeof p);
	if (wa_product_parse(&p, (const char *)data, size, "fuzz.json",
	    err, sizeof err) == 0)
		wa_product_clear(&p);
	return 0;
}
