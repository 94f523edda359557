/* ledger.c: being written */
typedef int wa_ledger_placeholder;
