/* portmap.c: being written */
typedef int wa_portmap_placeholder;
