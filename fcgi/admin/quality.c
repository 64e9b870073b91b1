/* Quality: system errors grouped by code and severity, an error's
 * occurrences, marking it resolved; provider errors as the platform has
 * recorded them.  Platform scope, superadmin only (system_errors has no
 * tenant). */
#include "admin.h"
#include "../handlers.h"
#include <string.h>

#define SEVERITY_RANK "CASE e.severity WHEN 'critical' THEN 0 WHEN 'error' THEN 1 WHEN 'warning' THEN 2 ELSE 3 END"

void
admin_quality_page(struct req *rq, struct resp *rs)
{
	if (admin_begin_platform(rq, rs) < 0)
		return;
	size_t i;
	json_t *errors = admin_query(rq->db,
	    "SELECT e.code, e.category, e.severity, e.message, e.occurrences::text AS occurrences,"
	    " to_char(e.first_seen, 'YYYY-MM-DD HH24:MI') AS first_seen,"
	    " to_char(e.last_seen, 'YYYY-MM-DD HH24:MI') AS last_seen,"
	    " e.resolved_at IS NOT NULL AS resolved,"
	    " (SELECT count(DISTINCT o.call_id) FROM system_error_occurrences o WHERE o.code = e.code) AS calls"
	    " FROM system_errors e"
	    " ORDER BY e.resolved_at IS NOT NULL, " SEVERITY_RANK ", e.last_seen DESC", 0, NULL);
	/* Carrier webhook attempts of the last day, failures first. */
	json_t *hooks = errors ? admin_query(rq->db,
	    "SELECT carrier, endpoint, host(source_addr) AS source, signature_valid, result, http_status,"
	    " round(duration_ms, 1)::text AS duration_ms, carrier_call_sid, correlation_id,"
	    " to_char(created_at, 'YYYY-MM-DD HH24:MI:SS') AS at, http_status >= 400 AS failed"
	    " FROM webhook_attempts WHERE created_at > now() - interval '24 hours'"
	    " ORDER BY http_status >= 400 DESC, created_at DESC, id DESC LIMIT 100", 0, NULL) : NULL;
	json_t *hook_counts = hooks ? admin_query(rq->db,
	    "SELECT count(*) AS total, count(*) FILTER (WHERE http_status >= 400) AS failed"
	    " FROM webhook_attempts WHERE created_at > now() - interval '24 hours'", 0, NULL) : NULL;
	json_t *health = hook_counts ? admin_provider_health(rq->db) : NULL;
	if (errors == NULL || hooks == NULL || hook_counts == NULL || health == NULL) {
		json_decref(errors);
		json_decref(hooks);
		json_decref(hook_counts);
		admin_db_fail(rq, rs);
		return;
	}
	db_commit(rq->db);
	json_t *h;
	json_array_foreach(hooks, i, h) {
		json_object_set_new(h, "failed", json_boolean(strcmp(json_string_value(json_object_get(h, "failed")), "t") == 0));
		json_object_set_new(h, "signature_valid", json_string(strcmp(json_string_value(
		    json_object_get(h, "signature_valid")), "t") == 0 ? "valid" : "invalid"));
	}
	json_t *open = json_array(), *resolved = json_array(), *providers = json_array();
	json_t *e;
	json_array_foreach(errors, i, e) {
		int is_resolved = strcmp(json_string_value(json_object_get(e, "resolved")), "t") == 0;
		json_object_set_new(e, "resolved", json_boolean(is_resolved));
		json_array_append(is_resolved ? resolved : open, e);
		if (strcmp(json_string_value(json_object_get(e, "category")), "provider") == 0)
			json_array_append(providers, e);
	}
	json_decref(errors);
	json_t *ctx = admin_ctx(rq, "Quality", "quality");
	json_object_set_new(ctx, "open", open);
	json_object_set_new(ctx, "resolved", resolved);
	json_object_set_new(ctx, "providers", providers);
	json_object_set_new(ctx, "provider_health", health);
	json_object_set_new(ctx, "webhooks", hooks);
	json_object_set_new(ctx, "webhook_counts", json_incref(json_array_get(hook_counts, 0)));
	json_decref(hook_counts);
	admin_render(rq, rs, 200, "quality", ctx);
}

void
admin_quality_error(struct req *rq, struct resp *rs)
{
	if (admin_begin_platform(rq, rs) < 0)
		return;
	const char *p[1] = { admin_arg(rq, "code") };
	json_t *err = admin_query_one(rq, rs, "SELECT e.code, e.category, e.severity, e.message,"
	    " e.occurrences::text AS occurrences, to_char(e.first_seen, 'YYYY-MM-DD HH24:MI:SS') AS first_seen,"
	    " to_char(e.last_seen, 'YYYY-MM-DD HH24:MI:SS') AS last_seen,"
	    " to_char(e.resolved_at, 'YYYY-MM-DD HH24:MI') AS resolved_at, u.name AS resolved_by"
	    " FROM system_errors e LEFT JOIN users u ON u.id = e.resolved_by WHERE e.code = $1", 1, p);
	if (err == NULL)
		return;
	/* The call opens in the dashboard of its tenant (tenant_id, for the switch). */
	json_t *occ = admin_query(rq->db, "SELECT o.id, to_char(o.occurred_at, 'YYYY-MM-DD HH24:MI:SS') AS occurred,"
	    " o.correlation_id, o.call_id, o.detail, t.name AS tenant, o.tenant_id"
	    " FROM system_error_occurrences o LEFT JOIN tenants t ON t.id = o.tenant_id"
	    " WHERE o.code = $1 ORDER BY o.occurred_at DESC LIMIT 100", 1, p);
	if (occ == NULL) {
		json_decref(err);
		admin_db_fail(rq, rs);
		return;
	}
	db_commit(rq->db);
	json_t *ctx = admin_ctx(rq, p[0], "quality");
	json_object_set_new(ctx, "error", err);
	json_object_set_new(ctx, "occurrences", occ);
	admin_render(rq, rs, 200, "quality_error", ctx);
}

void
admin_quality_resolve(struct req *rq, struct resp *rs)
{
	if (admin_begin_platform(rq, rs) < 0)
		return;
	const char *p[2] = { admin_arg(rq, "code"), rq->auth->user_id[0] ? rq->auth->user_id : NULL };
	PGresult *r = db_exec(rq->db, "UPDATE system_errors SET resolved_at = now(), resolved_by = $2"
	    " WHERE code = $1 RETURNING occurrences", 2, p);
	if (r == NULL) {
		admin_db_fail(rq, rs);
		return;
	}
	int n = PQntuples(r);
	json_t *after = n ? json_pack("{s:s}", "occurrences", db_value(r, 0, 0)) : NULL;
	PQclear(r);
	if (n == 0) {
		db_rollback(rq->db);
		resp_error(rq, rs, ERR_not_found, NULL);
		return;
	}
	int rc = auth_audit(rq, NULL, "system_error.resolve", "system_error", p[0], NULL, after);
	json_decref(after);
	if (rc < 0 || db_commit(rq->db) < 0) {
		admin_db_fail(rq, rs);
		return;
	}
	char loc[200];
	snprintf(loc, sizeof loc, "/admin/quality/errors/%s", p[0]);
	resp_redirect(rs, loc);
}
