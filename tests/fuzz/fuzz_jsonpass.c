/*
 * fuzz_jsonpass.c: wa_json_print_member (what `--json list` prints the
 * daemon's text with) against json_loads, which read it before, on any
 * text: what json_loads refuses, or what is no object with "leases", is
 * refused with nothing printed; what it takes prints as JSON that reads
 * back to the same value, with no raw byte that moves a terminal.  A NUL
 * ends json_loads' text; the line's length ends ours, so text with one
 * is refused.  (test_client_jsonpass checks the bytes themselves.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* C0 but newline, DEL, C1, line separators, bidi overrides. */
static int
wa_moves(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7f ||
		    (i + 1 < n && p[i] == 0xc2 && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f) ||
		    (i + 2 < n && p[i] == 0xe2 && ((p[i + 1] == 0x80 &&
		    p[i + 2] >= 0xa8 && p[i + 2] <= 0xae) || (p[i + 1] == 0x81 &&
		    p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9))))
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *out = NULL;
	json_t *j, *v, *back;
	size_t n = 0;
	FILE *f;
	int rc;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	j = memchr(text, '\0', size) == NULL ? json_loads(text, 0, NULL) :
	    NULL;
	v = json_is_object(j) ? json_object_get(j, "leases") : NULL;
	f = open_memstream(&out, &n);
	rc = wa_json_print_member(text, size, "leases", f);
	fclose(f);
	if (v == NULL) {
		if (rc == 0 || n != 0)
			abort();
	} else {
		if (rc != 0 || wa_moves((unsigned char *)out, n))
			abort();
		back = json_loadb(out, n, 0, NULL);
		if (json_object_size(back) != 1 ||
		    !json_equal(json_object_get(back, "leases"), v))
			abort();
		json_decref(back);
	}
	json_decref(j);
	free(out);
	free(text);
	return 0;
}
