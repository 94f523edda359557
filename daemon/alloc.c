/* alloc.c: being written */
typedef int wa_alloc_placeholder;
