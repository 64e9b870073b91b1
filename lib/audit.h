/* The audit trail (table audit_log, append-only): every change of
 * configuration, membership, key, and every sign-in event.  Every
 * program writes it through audit_write. */
#ifndef VOXLINE_AUDIT_H
#define VOXLINE_AUDIT_H
#include <jansson.h>

struct db;

struct audit_entry {
	const char *tenant_id;            /* NULL: a platform action */
	const char *actor_user_id;        /* NULL: the system, an API key or nobody */
	const char *actor_api_key_prefix; /* set when an API key acted */
	const char *action;               /* e.g. user.login, api_key.create */
	const char *target_type;          /* e.g. user, invitation, api_key */
	const char *target_id;
	const char *source_ip;            /* NULL when not from the network */
	const char *correlation_id;       /* NULL: the thread's log correlation id */
	json_t *before, *after;           /* summaries (borrowed), may be NULL */
};

/* Appends one row.  Inside an open transaction it runs in that
 * transaction (whose tenant scope must allow the row); otherwise in its
 * own, scoped to the entry's tenant.  0 or -1. */
int audit_write(struct db *db, const struct audit_entry *e);

#endif
