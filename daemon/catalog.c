/* catalog.c: being written */
typedef int wa_catalog_placeholder;
