#include "outbound.h"
#include "call_caps.h"
#include "carrier.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct agent_line {
	char version[16], max_duration[16], from[20], number_id[37];
	enum carrier carrier;
};

/* The agent (live) and the first of its numbers on a configured
 * carrier, which calls go out from. */
static enum err_code
find_agent(struct db *db, const struct outbound_request *rq, struct agent_line *a)
{
	const char *p[1] = { rq->agent_id };
	PGresult *r = db_prep(db, "outbound_agent",
	    "SELECT a.status, a.version, a.max_duration_seconds, n.e164, n.carrier, n.id"
	    " FROM agents a LEFT JOIN phone_numbers n ON n.tenant_id = a.tenant_id AND n.agent_id = a.id"
	    " WHERE a.id = $1::uuid ORDER BY n.created_at, n.id LIMIT 50", 1, p);
	enum err_code e = ERR_none;
	if (r == NULL)
		e = ERR_database_unavailable;
	else if (PQntuples(r) == 0)
		e = ERR_agent_not_found;
	else if (strcmp(PQgetvalue(r, 0, 0), "live") != 0)
		e = ERR_agent_not_live;
	else if (PQgetisnull(r, 0, 3))
		e = ERR_no_caller_number;
	else {
		int i, n = PQntuples(r);
		for (i = 0; i < n && !carrier_configured((enum carrier)carrier_from_name(PQgetvalue(r, i, 4))); i++)
			;
		if (i == n)
			e = ERR_carrier_not_configured;
		else {
			snprintf(a->version, sizeof a->version, "%s", PQgetvalue(r, i, 1));
			snprintf(a->max_duration, sizeof a->max_duration, "%s", PQgetvalue(r, i, 2));
			snprintf(a->from, sizeof a->from, "%s", PQgetvalue(r, i, 3));
			snprintf(a->number_id, sizeof a->number_id, "%s", PQgetvalue(r, i, 5));
			a->carrier = (enum carrier)carrier_from_name(PQgetvalue(r, i, 4));
		}
	}
	PQclear(r);
	return e;
}

/* Reserve + insert, one transaction. */
static enum err_code
create_row(struct db *db, const struct outbound_request *rq, struct agent_line *a,
    struct outbound_result *out)
{
	if (db_begin_tenant(db, rq->tenant_id) < 0)
		return ERR_database_unavailable;
	enum err_code e = find_agent(db, rq, a);
	if (e == ERR_none)
		e = call_caps_reserve(db, rq->tenant_id, rq->campaign_id);
	if (e != ERR_none) {
		db_rollback(db);
		return e;
	}
	char *vars = rq->variables ? json_dumps(rq->variables, JSON_COMPACT) : xstrdup("{}");
	const char *p[9] = { rq->tenant_id, rq->agent_id, a->version, a->number_id,
		carrier_name(a->carrier), a->from, rq->to, rq->campaign_id, vars };
	PGresult *r = db_prep(db, "outbound_insert",
	    "INSERT INTO calls (tenant_id, agent_id, agent_version, phone_number_id, carrier,"
	    " direction, from_number, to_number, status, campaign_id, prompt_variables)"
	    " VALUES ($1, $2, $3::int, $4, $5, 'outbound', $6, $7, 'queued', $8, $9::jsonb)"
	    " RETURNING id", 9, p);
	free(vars);
	if (r == NULL || db_commit(db) < 0) {
		PQclear(r);
		db_rollback(db);
		return ERR_database_unavailable;
	}
	snprintf(out->call_id, sizeof out->call_id, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return ERR_none;
}

/* Records the carrier's answer on the row: its call sid, or the failure.
 * 0, or -1 when the row could not be updated. */
static int
finish_row(struct db *db, const struct outbound_request *rq, const struct outbound_result *out,
    const struct carrier_result *cr)
{
	const char *p[2] = { out->call_id, cr->err == ERR_none ? cr->call_sid : err_get(cr->err)->code };
	if (db_begin_tenant(db, rq->tenant_id) < 0)
		return -1;
	int rc = cr->err == ERR_none ?
	    db_run(db, "UPDATE calls SET carrier_call_sid = $2 WHERE id = $1"
	    " AND carrier_call_sid IS NULL", 2, p) :
	    db_run(db, "UPDATE calls SET status = 'failed', ended_at = now(), end_reason = $2"
	    " WHERE id = $1 AND status = 'queued'", 2, p);
	if (rc < 0 || db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* The carrier placed the call but its sid could not be recorded: a call
 * nobody can follow must not go on.  Hang it up and fail the row, so the
 * caller hears an error instead of "placed" for a call without its sid. */
static void
abandon(struct db *db, const struct outbound_request *rq, struct agent_line *a,
    struct outbound_result *out, struct carrier_result *cr)
{
	log_error("outbound_unrecorded", "{s:s,s:s,s:s}", "call_id", out->call_id,
	    "carrier_call_sid", cr->call_sid, "error", db_error(db));
	struct carrier_result hang;
	carrier_call_hangup(a->carrier, cr->call_sid, &hang);
	cr->err = ERR_database_unavailable;
	snprintf(cr->detail, sizeof cr->detail, "call %s hung up: its sid could not be recorded",
	    cr->call_sid);
	finish_row(db, rq, out, cr);
}

int
outbound_place(struct db *db, const struct outbound_request *rq, struct outbound_result *out)
{
	struct agent_line a;
	memset(out, 0, sizeof *out);
	out->err = create_row(db, rq, &a, out);
	if (out->err != ERR_none)
		return -1;
	struct carrier_result cr;
	memset(&cr, 0, sizeof cr);
	char *answer = carrier_webhook_url(a.carrier, "voice", out->call_id);
	char *status = carrier_webhook_url(a.carrier, "status", out->call_id);
	struct carrier_call call = { .to = rq->to, .from = a.from, .answer_url = answer,
		.status_url = status, .ring_timeout = (int)cfg_int(CFG_outbound_ring_timeout),
		.time_limit = atoi(a.max_duration) };
	carrier_call_create(a.carrier, &call, &cr);
	free(answer);
	free(status);
	if (finish_row(db, rq, out, &cr) < 0 && cr.err == ERR_none)
		abandon(db, rq, &a, out, &cr);
	out->err = cr.err;
	snprintf(out->detail, sizeof out->detail, "%s", cr.detail);
	log_event(cr.err ? LOG_WARN : LOG_INFO, cr.err ? "outbound_failed" : "outbound_placed",
	    "{s:s,s:s,s:s,s:s}", "call_id", out->call_id, "carrier", carrier_name(a.carrier),
	    "carrier_call_sid", cr.call_sid, "detail", cr.detail);
	return cr.err == ERR_none ? 0 : -1;
}
