/*
 * xmlscan.h: the markup of an XML file as a list of events with their
 * places in the text, checked for well-formedness: enough to find an
 * element's text without being fooled by comments or CDATA, and to check
 * an edit by reading the result again.
 */
#ifndef WA_XMLSCAN_H
#define WA_XMLSCAN_H

#include <stddef.h>

enum wa_xml_kind {
	WA_XML_START,           /* <a ...> */
	WA_XML_END,             /* </a> */
	WA_XML_EMPTY,           /* <a .../> */
	WA_XML_TEXT,            /* character data, references unexpanded */
	WA_XML_CDATA,           /* <![CDATA[...]]> */
	WA_XML_OTHER,           /* a comment, a PI, the declaration, a DOCTYPE */
};

struct wa_xml_event {
	enum wa_xml_kind kind;
	size_t start, end;      /* the event's text */
	size_t name, name_len;  /* an element's name in the text */
	int parent;             /* the enclosing START's index, -1 at the top */
	int close;              /* a START's END, else -1 */
};

struct wa_xml_doc {
	struct wa_xml_event *v;
	size_t n, cap;
	char err[160];          /* why the text is not well-formed XML */
};

/* 0, or WA_EINVAL with doc->err set; doc is to be freed either way. */
int wa_xml_read(const char *text, size_t len, struct wa_xml_doc *doc);
void wa_xml_doc_free(struct wa_xml_doc *doc);
/* The first element named tag (a direct child of the element named parent
 * nearest the root, the first of them, when given): its START or EMPTY
 * event, or -1. */
int wa_xml_find(const struct wa_xml_doc *doc, const char *text,
    const char *parent, const char *tag);
/* The value of attribute name in a START or EMPTY event: 0 with its span
 * (inside the quotes), or WA_ENOTFOUND. */
int wa_xml_attr(const struct wa_xml_doc *doc, const char *text, int ev,
    const char *name, size_t *start, size_t *end);

#endif
