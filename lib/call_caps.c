#include "call_caps.h"
#include "cfg.h"
#include "db.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum err_code
call_caps_reserve(struct db *db, const char *tenant_id, const char *campaign_id)
{
	/* One lock for every placement: the count below and the caller's
	 * insert happen with no other placement in between. */
	if (db_run(db, "SELECT pg_advisory_xact_lock(hashtext('voxline_call_caps'))", 0, NULL) < 0)
		return ERR_database_unavailable;
	/* The platform count needs every tenant's calls: platform scope for
	 * this one read, then back to the tenant. */
	if (db_set_tenant(db, "*") < 0)
		return ERR_database_unavailable;
	const char *p[2] = { tenant_id, campaign_id };
	PGresult *r = db_prep(db, "caps_count",
	    "SELECT t.status, t.max_concurrent_calls,"
	    " (SELECT count(*) FROM calls WHERE tenant_id = t.id AND " CALL_CAPS_LIVE "),"
	    " (SELECT count(*) FROM calls WHERE " CALL_CAPS_LIVE "),"
	    " (SELECT max_concurrency FROM campaigns WHERE id = $2::uuid AND tenant_id = t.id),"
	    " (SELECT count(*) FROM calls WHERE campaign_id = $2::uuid AND " CALL_CAPS_LIVE ")"
	    " FROM tenants t WHERE t.id = $1::uuid", 2, p);
	if (db_set_tenant(db, tenant_id) < 0 || r == NULL) {
		PQclear(r);
		return ERR_database_unavailable;
	}
	enum err_code e = ERR_none;
	long global_cap = cfg_int(CFG_calls_max_concurrent);
	if (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 0), "active") != 0)
		e = ERR_tenant_suspended;
	else if (global_cap > 0 && atol(PQgetvalue(r, 0, 3)) >= global_cap)
		e = ERR_platform_call_cap;
	else if (atol(PQgetvalue(r, 0, 2)) >= atol(PQgetvalue(r, 0, 1)))
		e = ERR_tenant_call_cap;
	else if (campaign_id && (PQgetisnull(r, 0, 4) ||
	    atol(PQgetvalue(r, 0, 5)) >= atol(PQgetvalue(r, 0, 4))))
		e = ERR_campaign_call_cap;
	PQclear(r);
	return e;
}
