/* Campaigns: create, upload targets (CSV with a validation report), show
 * progress, and start / pause / resume / cancel.  `voxline worker` dials
 * (cli/jobs/campaigns.c).  The tenant is always the caller's. */
#include "../handlers.h"
#include "../auth.h"
#include "targets_csv.h"
#include "db.h"
#include <stdlib.h>
#include <string.h>

const struct field campaign_create_fields[] = {
	{ "name", FT_STRING, FIELD_REQUIRED, 1, 200, NULL },
	{ "agent_id", FT_UUID, FIELD_REQUIRED, 0, 0, NULL },
	{ "window_start", FT_STRING, 0, 5, 5, NULL },
	{ "window_end", FT_STRING, 0, 5, 5, NULL },
	{ "window_days", FT_JSON, 0, 0, 0, NULL },
	{ "max_concurrency", FT_INT, 0, 1, 1000, NULL },
	{ "retry_on", FT_JSON, 0, 0, 0, NULL },
	{ "max_attempts", FT_INT, 0, 1, 10, NULL },
	{ "retry_delay_seconds", FT_INT, 0, 60, 604800, NULL },
	{ NULL }
};

const struct field campaign_targets_fields[] = {
	{ "csv", FT_TEXT, FIELD_REQUIRED, 1, 4 * 1024 * 1024, NULL },
	{ NULL }
};

static int
can_write(struct req *rq, struct resp *rs)
{
	if (*rq->auth->api_key_id && !rq->auth->api_key_write) {
		resp_error(rq, rs, ERR_forbidden, NULL);
		return 0;
	}
	return 1;
}

/* HH:MM with sane values. */
static int
valid_hhmm(const char *s)
{
	return s == NULL || (strlen(s) == 5 && s[2] == ':' && strspn(s, "0123456789:") == 5 &&
	    atoi(s) < 24 && atoi(s + 3) < 60);
}

/* The campaign with its progress; NULL when not visible. */
static json_t *
campaign_json(struct db *db, const char *id)
{
	const char *p[1] = { id };
	PGresult *r = db_prep(db, "campaign_get",
	    "SELECT json_build_object('id', c.id, 'name', c.name, 'agent_id', c.agent_id,"
	    " 'status', c.status, 'window_start', to_char(c.window_start, 'HH24:MI'),"
	    " 'window_end', to_char(c.window_end, 'HH24:MI'), 'window_days', c.window_days,"
	    " 'max_concurrency', c.max_concurrency, 'retry_on', c.retry_on,"
	    " 'max_attempts', c.max_attempts, 'retry_delay_seconds', c.retry_delay_seconds,"
	    " 'progress', (SELECT json_build_object('total', count(*),"
	    "   'pending', count(*) FILTER (WHERE status = 'pending'),"
	    "   'calling', count(*) FILTER (WHERE status = 'calling'),"
	    "   'done', count(*) FILTER (WHERE status = 'done'),"
	    "   'failed', count(*) FILTER (WHERE status = 'failed'),"
	    "   'cancelled', count(*) FILTER (WHERE status = 'cancelled'))"
	    "  FROM campaign_targets WHERE campaign_id = c.id), 'created_at', c.created_at)"
	    " FROM campaigns c WHERE c.id = $1", 1, p);
	json_t *j = r && PQntuples(r) ? json_loads(PQgetvalue(r, 0, 0), 0, NULL) : NULL;
	PQclear(r);
	return j;
}

static void
answer_campaign(struct req *rq, struct resp *rs, const char *id, int status)
{
	json_t *c = campaign_json(rq->db, id);
	db_rollback(rq->db);
	if (c == NULL)
		resp_error(rq, rs, ERR_campaign_not_found, NULL);
	else
		resp_json(rs, status, json_pack("{s:o}", "campaign", c));
}

void
campaign_create(struct req *rq, struct resp *rs)
{
	if (!can_write(rq, rs))
		return;
	json_t *in = rq->in;
	const char *ws = json_string_value(json_object_get(in, "window_start"));
	const char *we = json_string_value(json_object_get(in, "window_end"));
	json_t *days = json_object_get(in, "window_days"), *retry = json_object_get(in, "retry_on");
	if (!valid_hhmm(ws) || !valid_hhmm(we)) {
		resp_error(rq, rs, ERR_validation_failed, json_pack("{s:s}", ws && !valid_hhmm(ws) ?
		    "window_start" : "window_end", "A time as HH:MM."));
		return;
	}
	char *days_s = days ? json_dumps(days, JSON_COMPACT) : NULL;
	char *retry_s = retry ? json_dumps(retry, JSON_COMPACT) : NULL;
	char conc[16], att[16], delay[16];
	snprintf(conc, sizeof conc, "%lld", (long long)json_integer_value(json_object_get(in, "max_concurrency")));
	snprintf(att, sizeof att, "%lld", (long long)json_integer_value(json_object_get(in, "max_attempts")));
	snprintf(delay, sizeof delay, "%lld", (long long)json_integer_value(json_object_get(in, "retry_delay_seconds")));
	const char *p[11] = { rq->auth->tenant_id, json_string_value(json_object_get(in, "agent_id")),
		json_string_value(json_object_get(in, "name")), ws, we, days_s,
		json_object_get(in, "max_concurrency") ? conc : NULL, retry_s,
		json_object_get(in, "max_attempts") ? att : NULL,
		json_object_get(in, "retry_delay_seconds") ? delay : NULL, rq->auth->user_id[0] ? rq->auth->user_id : NULL };
	if (db_begin_tenant(rq->db, rq->auth->tenant_id) < 0) {
		free(days_s), free(retry_s);
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		return;
	}
	/* Arrays arrive as JSON and are checked by the table's constraints. */
	PGresult *r = db_prep(rq->db, "campaign_insert",
	    "INSERT INTO campaigns (tenant_id, agent_id, name, window_start, window_end, window_days,"
	    " max_concurrency, retry_on, max_attempts, retry_delay_seconds, created_by)"
	    " SELECT $1, a.id, $3, coalesce($4::time, '09:00'), coalesce($5::time, '17:00'),"
	    " coalesce((SELECT array_agg(v::int) FROM jsonb_array_elements_text($6::jsonb) v), '{1,2,3,4,5}'),"
	    " coalesce($7::int, 1),"
	    " coalesce((SELECT array_agg(v) FROM jsonb_array_elements_text($8::jsonb) v), '{busy,no_answer,failed}'),"
	    " coalesce($9::int, 3), coalesce($10::int, 1800), $11::uuid FROM agents a WHERE a.id = $2"
	    " RETURNING id", 11, p);
	free(days_s), free(retry_s);
	if (r == NULL) {
		/* A constraint refused the days or retry list (or a bad JSON shape). */
		db_rollback(rq->db);
		resp_error(rq, rs, ERR_validation_failed, json_pack("{s:s}", "window_days",
		    "window_days must be ISO weekdays 1-7; retry_on a list of busy, no_answer, failed."));
		return;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		db_rollback(rq->db);
		resp_error(rq, rs, ERR_agent_not_found, NULL);
		return;
	}
	char id[37];
	snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	if (db_commit(rq->db) < 0 || db_begin_tenant(rq->db, rq->auth->tenant_id) < 0) {
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		return;
	}
	resp_header(rs, "Location", "/api/v1/campaigns/%s", id);
	answer_campaign(rq, rs, id, 201);
}

void
campaign_show(struct req *rq, struct resp *rs)
{
	if (db_begin_tenant(rq->db, rq->auth->tenant_id) < 0) {
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		return;
	}
	answer_campaign(rq, rs, json_string_value(json_object_get(rq->path_args, "id")), 200);
}

void
campaign_targets_upload(struct req *rq, struct resp *rs)
{
	if (!can_write(rq, rs))
		return;
	const char *id = json_string_value(json_object_get(rq->path_args, "id"));
	const char *csv = json_string_value(json_object_get(rq->in, "csv"));
	json_t *targets, *rejected;
	const char *error = NULL;
	if (targets_csv_parse(csv, strlen(csv), &targets, &rejected, &error) < 0) {
		json_decref(targets);
		json_decref(rejected);
		resp_error(rq, rs, ERR_validation_failed, json_pack("{s:s}", "csv", error));
		return;
	}
	char *text = json_dumps(targets, JSON_COMPACT);
	const char *p[2] = { id, text };
	PGresult *r = NULL;
	if (db_begin_tenant(rq->db, rq->auth->tenant_id) == 0)
		r = db_prep(rq->db, "campaign_targets_insert",
		    "WITH c AS (SELECT id, tenant_id FROM campaigns WHERE id = $1"
		    "  AND status IN ('draft', 'running', 'paused') FOR UPDATE),"
		    " ins AS (INSERT INTO campaign_targets (tenant_id, campaign_id, phone, variables)"
		    "  SELECT c.tenant_id, c.id, t->>'phone', t->'variables'"
		    "  FROM c, jsonb_array_elements($2::jsonb) t"
		    "  ON CONFLICT (campaign_id, phone) DO NOTHING RETURNING 1)"
		    " SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM ins)", 2, p);
	free(text);
	if (r == NULL || db_commit(rq->db) < 0) {
		PQclear(r);
		db_rollback(rq->db);
		json_decref(targets);
		json_decref(rejected);
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		return;
	}
	int found = atoi(PQgetvalue(r, 0, 0));
	long added = atol(PQgetvalue(r, 0, 1));
	PQclear(r);
	if (!found) {
		json_decref(targets);
		json_decref(rejected);
		resp_error(rq, rs, ERR_campaign_not_found, NULL);
		return;
	}
	resp_json(rs, 200, json_pack("{s:{s:I,s:I,s:I,s:o}}", "report",
	    "accepted", (json_int_t)added,
	    "already_present", (json_int_t)(json_array_size(targets) - (size_t)added),
	    "rejected_count", (json_int_t)json_array_size(rejected), "rejected", rejected));
	json_decref(targets);
}

/* action: allowed from-states -> new state. */
static const struct { const char *action, *from, *to; } transitions[] = {
	{ "start", "draft", "running" },
	{ "pause", "running", "paused" },
	{ "resume", "paused", "running" },
	{ "cancel", "draft running paused", "cancelled" },
};

void
campaign_action(struct req *rq, struct resp *rs)
{
	if (!can_write(rq, rs))
		return;
	const char *id = json_string_value(json_object_get(rq->path_args, "id"));
	const char *action = json_string_value(json_object_get(rq->path_args, "action"));
	size_t i, n = sizeof transitions / sizeof transitions[0];
	for (i = 0; i < n && strcmp(transitions[i].action, action) != 0; i++)
		;
	if (i == n || json_object_size(rq->form) > 0) {
		resp_error(rq, rs, ERR_not_found, NULL);
		return;
	}
	const char *p[3] = { id, transitions[i].from, transitions[i].to };
	if (db_begin_tenant(rq->db, rq->auth->tenant_id) < 0) {
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		return;
	}
	PGresult *r = db_prep(rq->db, "campaign_transition",
	    "WITH cur AS (SELECT id, status FROM campaigns WHERE id = $1 FOR UPDATE),"
	    " upd AS (UPDATE campaigns c SET status = $3 FROM cur WHERE c.id = cur.id"
	    "  AND cur.status = ANY (string_to_array($2, ' ')) RETURNING c.id)"
	    " SELECT (SELECT count(*) FROM cur), (SELECT count(*) FROM upd)", 3, p);
	if (r && strcmp(transitions[i].to, "cancelled") == 0 && atoi(PQgetvalue(r, 0, 1)) == 1 &&
	    db_run(rq->db, "UPDATE campaign_targets SET status = 'cancelled' WHERE campaign_id = $1"
	    " AND status = 'pending'", 1, p) < 0) {
		PQclear(r);
		r = NULL;
	}
	if (r == NULL || db_commit(rq->db) < 0) {
		PQclear(r);
		db_rollback(rq->db);
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		return;
	}
	int found = atoi(PQgetvalue(r, 0, 0)), changed = atoi(PQgetvalue(r, 0, 1));
	PQclear(r);
	if (!found)
		resp_error(rq, rs, ERR_campaign_not_found, NULL);
	else if (!changed)
		resp_error(rq, rs, ERR_campaign_state, NULL);
	else if (db_begin_tenant(rq->db, rq->auth->tenant_id) < 0)
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
	else
		answer_campaign(rq, rs, id, 200);
}
