/*
 * wa_confedit.c: the config editor on one file, for the oracle tests.
 *
 *   wa_confedit toml FILE K    print FILE with [server] offset = K; exit 3
 *                              with the reason when it is refused
 *   wa_confedit xml FILE K     the same for <Ports><Offset> of a carbon.xml
 *   wa_confedit read FILE      the offset as scan reads it: a number,
 *                              "absent" or "invalid"
 *   wa_confedit dump FILE      every TOML node: path, kind, value
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbon.h"
#include "confedit.h"
#include "toml.h"
#include "util.h"
#include "wso2alloc.h"

static int
wa_edit(const char *kind, const char *text, int k)
{
	char err[256] = "", *out = NULL;
	int rc;

	if (strcmp(kind, "toml") == 0)
		rc = wa_toml_set_offset(text, k, &out, err, sizeof err);
	else {
		rc = wa_carbon_xml_set_offset(text, k, &out);
		snprintf(err, sizeof err, "%s", wa_strerror(rc));
	}
	if (rc != 0) {
		fprintf(stderr, "refused: %s\n", err);
		return 3;
	}
	fputs(out, stdout);
	free(out);
	return 0;
}

static int
wa_dump(const char *text, size_t len)
{
	static const char *const kinds[] = { "value", "array", "table",
	    "implicit", "dotted", "inline", "tables" };
	struct wa_toml_doc d;
	int rc = wa_toml_read(text, len, &d);

	if (rc != 0)
		fprintf(stderr, "%s\n", d.err);
	for (size_t j = 0; rc == 0 && j < d.n; j++)
		printf("%s\t%s\t%s\n", d.v[j].path, kinds[d.v[j].kind],
		    d.v[j].canon);
	wa_toml_doc_free(&d);
	return rc != 0 ? 3 : 0;
}

int
main(int argc, char **argv)
{
	char *text;
	size_t len;
	int rc, off;

	if (argc < 3 || (text = wa_file_read(argv[2], &len)) == NULL) {
		fprintf(stderr, "usage: see wa_confedit.c\n");
		return 64;
	}
	if (argc == 4)
		rc = wa_edit(argv[1], text, atoi(argv[3]));
	else if (strcmp(argv[1], "dump") == 0)
		rc = wa_dump(text, len);
	else {
		rc = wa_toml_offset(text, &off);
		if (rc == 0)
			printf("%d\n", off);
		else
			printf("%s\n", rc == WA_ENOTFOUND ? "absent" : "invalid");
		rc = 0;
	}
	free(text);
	return rc;
}
