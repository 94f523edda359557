/*
 * lease.h: the lease and event model, as the ledger stores it and the
 * daemon, the renderer and the client read it.  No SQLite here: files
 * that only read or copy leases include this, not ledger.h.
 */
#ifndef WA_LEASE_H
#define WA_LEASE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum wa_state { WA_STATE_ACTIVE, WA_STATE_RELEASED, WA_STATE_EXPIRED,
	WA_STATE_RECLAIMED };

enum wa_event_kind { WA_EV_LEASED, WA_EV_RENEWED, WA_EV_RELEASED,
	WA_EV_EXPIRED, WA_EV_RECLAIMED, WA_EV_ADOPTED, WA_EV_REFUSED,
	WA_EV_ATTACHED };

struct wa_lease_port {
	char *name;
	uint16_t port;
	uint8_t proto;
};

struct wa_instance {
	int64_t id;
	char *name;
	char *product;
	int offset;
	enum wa_state state;
	uid_t owner_uid;
	pid_t pid;                   /* 0 when not bound to a process */
	unsigned long long pid_start;
	int64_t created, renewed, expires;
	char *labels;                /* JSON object text, never NULL once read */
	char *home;                  /* may be NULL */
	char *note;                  /* may be NULL */
	struct wa_lease_port *ports; /* active leases only */
	size_t nports;
};

struct wa_event {
	int64_t id, time;
	enum wa_event_kind kind;
	char *instance;
	char *product;
	int offset;
	uid_t uid;
	pid_t pid;
	char *detail;                /* JSON text or NULL */
	long repeats;                /* refusals this one stands for, >= 1 */
	int64_t last_time;           /* the last of them; 0: no repeat */
};

/* A refused request; reason is what repeats coalesce on (NULL: never). */
struct wa_refusal {
	const char *name, *product;
	int offset;                  /* -1: none asked */
	uid_t uid;
	pid_t pid;
	const char *reason;
	const char *detail;          /* JSON text or NULL */
};

/* A deep copy, ports included; dst is cleared on failure. */
int wa_instance_copy(struct wa_instance *dst, const struct wa_instance *src);
void wa_instance_clear(struct wa_instance *inst);
void wa_event_clear(struct wa_event *ev);
const char *wa_state_name(enum wa_state s);
int wa_state_parse(const char *s);
const char *wa_event_name(enum wa_event_kind k);

#endif
