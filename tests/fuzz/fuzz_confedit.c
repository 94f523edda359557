/*
 * fuzz_confedit.c: the config editor reads any deployment.toml or
 * carbon.xml a user has, and must refuse, never crash on, what it cannot
 * edit; an edit it makes must read back (the editor checks it).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carbon.h"
#include "confedit.h"
#include "wso2alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *out = NULL, err[256];
	int off;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* The editor's own check failing would be a bug: crash loudly. */
	if (wa_toml_set_offset(text, 7, &out, err, sizeof err) == WA_EINTERNAL)
		abort();
	free(out);
	if (wa_carbon_xml_set_offset(text, 7, &out) == WA_EINTERNAL)
		abort();
	free(out);
	wa_toml_offset(text, &off);
	wa_carbon_xml_offset(text, &off);
	if (wa_address_set_port(text, 9444, &out) == WA_EINTERNAL)
		abort();
	free(out);
	free(text);
	return 0;
}
