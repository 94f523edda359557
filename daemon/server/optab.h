/*
 * optab.h: what the op table tells about an op by name, for the daemon's
 * dispatcher and for the client (offline reads, the private-daemon
 * warning), so that no op name is compared outside the table.
 */
#ifndef WA_OPTAB_H
#define WA_OPTAB_H

#define WA_OP_WRITE   0x1       /* changes leases: in a savepoint */
#define WA_OP_READ    0x2       /* reads leases (may see the open batch) */
#define WA_OP_OFFLINE 0x4       /* runs on a read-only ledger, no loop */

/* An op's WA_OP_* flags, 0 for no such op. */
int wa_op_flags(const char *name);

#endif
