/* campaign_dial (periodic): settle targets whose call ended (done, retry
 * later per the campaign's policy, or failed), complete campaigns with
 * nothing left, then start calls for due targets of running campaigns
 * inside their window (tenant's time zone), within every cap. */
#include "../jobs.h"
#include "call_caps.h"
#include "db.h"
#include "log.h"
#include "outbound.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char settle_sql[] =
    "UPDATE campaign_targets t SET"
    " status = CASE WHEN c.status = 'completed' THEN 'done'"
    "  WHEN c.status = ANY (k.retry_on) AND t.attempts < k.max_attempts THEN 'pending'"
    "  ELSE 'failed' END,"
    " next_attempt_at = now() + make_interval(secs => k.retry_delay_seconds),"
    " last_result = c.status"
    " FROM calls c, campaigns k WHERE t.status = 'calling' AND c.id = t.last_call_id"
    " AND k.id = t.campaign_id AND c.status IN ('completed', 'busy', 'no_answer', 'failed', 'canceled')";

static const char complete_sql[] =
    "UPDATE campaigns k SET status = 'completed' WHERE status = 'running' AND NOT EXISTS"
    " (SELECT 1 FROM campaign_targets WHERE campaign_id = k.id AND status IN ('pending', 'calling'))";

static const char claim_sql[] =
    "WITH open AS (SELECT k.id, k.max_concurrency - (SELECT count(*) FROM calls"
    "   WHERE campaign_id = k.id AND " CALL_CAPS_LIVE ") AS free"
    "  FROM campaigns k JOIN tenants tn ON tn.id = k.tenant_id"
    "  WHERE k.status = 'running'"
    "  AND extract(isodow FROM now() AT TIME ZONE tn.time_zone)::int = ANY (k.window_days)"
    "  AND (now() AT TIME ZONE tn.time_zone)::time >= k.window_start"
    "  AND (now() AT TIME ZONE tn.time_zone)::time < k.window_end),"
    " picked AS (SELECT ct.id FROM open o CROSS JOIN LATERAL (SELECT id FROM campaign_targets"
    "  WHERE campaign_id = o.id AND status = 'pending' AND next_attempt_at <= now()"
    "  ORDER BY next_attempt_at, id LIMIT greatest(o.free, 0) FOR UPDATE SKIP LOCKED) ct)"
    " UPDATE campaign_targets t SET status = 'calling', attempts = t.attempts + 1"
    " FROM picked, campaigns k WHERE t.id = picked.id AND k.id = t.campaign_id"
    " RETURNING t.id, t.tenant_id, t.campaign_id, t.phone, t.variables, k.agent_id";

/* After a placement attempt: the call to watch, back to the queue (a
 * cap was full), or failed (the call could not even be created). */
static void
record_attempt(struct db *db, const char *tenant, const char *target,
    const struct outbound_result *out)
{
	const char *p[3] = { target, out->call_id[0] ? out->call_id : NULL, err_get(out->err)->code };
	const char *sql = out->call_id[0] ?
	    "UPDATE campaign_targets SET last_call_id = $2::uuid, last_result = CASE WHEN $3 = 'none'"
	    " THEN NULL ELSE $3 END WHERE id = $1" :
	    out->err == ERR_campaign_call_cap || out->err == ERR_tenant_call_cap ||
	    out->err == ERR_platform_call_cap || out->err == ERR_database_unavailable ?
	    "UPDATE campaign_targets SET status = 'pending', attempts = attempts - 1 WHERE id = $1"
	    " AND $2::uuid IS NULL AND $3 <> ''" :
	    "UPDATE campaign_targets SET status = 'failed', last_result = $3 WHERE id = $1"
	    " AND $2::uuid IS NULL";
	if (db_begin_tenant(db, tenant) < 0)
		return;
	if (db_run(db, sql, 3, p) < 0 || db_commit(db) < 0)
		db_rollback(db);
}

int
task_campaign_dial(struct db *db)
{
	if (db_begin_tenant(db, "*") < 0)
		return -1;
	PGresult *r = NULL;
	if (db_run(db, settle_sql, 0, NULL) < 0 || db_run(db, complete_sql, 0, NULL) < 0 ||
	    (r = db_exec(db, claim_sql, 0, NULL)) == NULL || db_commit(db) < 0) {
		PQclear(r);
		db_rollback(db);
		return -1;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *vars = json_loads(PQgetvalue(r, i, 4), 0, NULL);
		struct outbound_request o = { .tenant_id = PQgetvalue(r, i, 1),
			.agent_id = PQgetvalue(r, i, 5), .to = PQgetvalue(r, i, 3),
			.campaign_id = PQgetvalue(r, i, 2), .variables = vars };
		struct outbound_result out;
		outbound_place(db, &o, &out);
		record_attempt(db, o.tenant_id, PQgetvalue(r, i, 0), &out);
		json_decref(vars);
	}
	if (PQntuples(r) > 0)
		log_info("campaign_dial", "{s:i}", "targets", PQntuples(r));
	PQclear(r);
	return 0;
}
