/* procnet.c: being written */
typedef int wa_procnet_placeholder;
