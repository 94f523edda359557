/*
 * toml.h: a TOML 1.0 reader for the files wso2-alloc edits.  It keeps
 * every value and table with its full key path, a comparable form of its
 * value and where it lies in the text: enough to find [server] offset
 * however it is written, and to check an edit by reading the result.
 */
#ifndef WA_TOML_H
#define WA_TOML_H

#include <stdbool.h>
#include <stddef.h>

enum wa_toml_kind {
	WA_TOML_VALUE,          /* a string, number, boolean or date-time */
	WA_TOML_ARRAY,          /* an array value; its elements follow */
	WA_TOML_TABLE,          /* a [table] header */
	WA_TOML_IMPLICIT,       /* made by a longer header: [a.b] makes a */
	WA_TOML_DOTTED,         /* made by a dotted key: a.b = 1 makes a */
	WA_TOML_INLINE,         /* an inline table { ... } */
	WA_TOML_AOT,            /* an array of tables [[a]] */
};

struct wa_toml_node {
	/* Keys joined by '.', each with '\\', '.' and '[' escaped by a
	 * backslash; an element of an array as [N]: server.offset, a[0].b. */
	char *path;
	/* The value, comparable across readings: "i:42" (an integer, in
	 * decimal), "s:text" (a string, decoded), "b:true", "f:1e3",
	 * "d:1979-05-27", "array", "table", "tables". */
	char *canon;
	enum wa_toml_kind kind;
	int section;            /* node index of its [header], -1: the root */
	bool header;            /* a [table] or [[table]] header line */
	size_t count;           /* an array of tables: its elements so far */
	size_t start, end;      /* the value's text; a header's brackets */
	size_t stmt, stmt_end;  /* its line's start, the end of its
	                         * statement (before the newline); 0, 0 for
	                         * what a statement holds (elements, members) */
};

struct wa_toml_doc {
	struct wa_toml_node *v;
	size_t n, cap;
	size_t bom;             /* 3 after a UTF-8 byte order mark, else 0 */
	size_t first_header;    /* the first header line's start, or the length */
	size_t *comments;       /* the start of each comment-only line */
	size_t ncomments, ccap;
	bool crlf;              /* the first line ends in \r\n */
	char err[200];          /* why the text is not TOML: "line N: ..." */
};

/* 0, or WA_EINVAL with doc->err set; doc is to be freed either way. */
int wa_toml_read(const char *text, size_t len, struct wa_toml_doc *doc);
void wa_toml_doc_free(struct wa_toml_doc *doc);
const struct wa_toml_node *wa_toml_find(const struct wa_toml_doc *doc,
    const char *path);

#endif
