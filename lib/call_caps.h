/* Concurrency caps on live calls: platform (calls_max_concurrent),
 * tenant (tenants.max_concurrent_calls) and campaign (max_concurrency).
 * Checked atomically in PostgreSQL: call_caps_reserve takes a
 * transaction-scoped advisory lock that every placement and every
 * answered inbound call takes, counts, and leaves the lock held until
 * the caller's transaction (which inserts the calls row) ends.  Two web
 * processes can therefore never both take the last slot. */
#ifndef VOXLINE_CALL_CAPS_H
#define VOXLINE_CALL_CAPS_H
#include "errors.h"

struct db;

/* A live call, in SQL: what every cap counts.  Calls answered with a
 * spoken refusal do not hold a slot; a call with no final status after
 * four hours (the longest allowed duration) is presumed over. */
#define CALL_CAPS_LIVE "status IN ('queued', 'ringing', 'in_progress')" \
	" AND answer IS DISTINCT FROM 'message' AND started_at > now() - interval '4 hours'"

/* Inside an open transaction scoped to tenant_id: ERR_none when one more
 * call fits every cap, else ERR_tenant_suspended, ERR_platform_call_cap,
 * ERR_tenant_call_cap, ERR_campaign_call_cap (or ERR_database_unavailable).
 * campaign_id may be NULL.  The transaction's scope is left as it was. */
enum err_code call_caps_reserve(struct db *db, const char *tenant_id, const char *campaign_id);

#endif
