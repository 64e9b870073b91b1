/* POST /webhooks/{carrier}/voice: a call arrives (or an outbound call we
 * placed is picked up).  Route the called number to its agent, create the
 * calls row once per carrier call id, answer with a media stream — or,
 * when the agent cannot take the call, a polite message or voicemail,
 * recorded on the call with the reason. */
#include "../handlers.h"
#include "answer.h"
#include "call_caps.h"
#include "webhook.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "stream_token.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What answering needs to know about the call and its agent. */
struct voice_call {
	char call_id[37], tenant_id[37], agent_id[37];
	char language[36], channels[8];
	int recording, voicemail, max_duration;
	enum answer_kind kind;
	char reason[32];
	char version[16];            /* agent version, for a new row */
};

#define AGENT_COLUMNS "a.id, a.tenant_id, a.language, a.recording_enabled, a.recording_channels," \
	" a.voicemail_enabled, a.max_duration_seconds"

static void
read_agent(PGresult *r, int col, struct voice_call *vc)
{
	snprintf(vc->agent_id, sizeof vc->agent_id, "%s", PQgetvalue(r, 0, col));
	snprintf(vc->tenant_id, sizeof vc->tenant_id, "%s", PQgetvalue(r, 0, col + 1));
	snprintf(vc->language, sizeof vc->language, "%s", PQgetvalue(r, 0, col + 2));
	vc->recording = strcmp(PQgetvalue(r, 0, col + 3), "t") == 0;
	snprintf(vc->channels, sizeof vc->channels, "%s", PQgetvalue(r, 0, col + 4));
	vc->voicemail = strcmp(PQgetvalue(r, 0, col + 5), "t") == 0;
	vc->max_duration = atoi(PQgetvalue(r, 0, col + 6));
}

static enum answer_kind
kind_from_name(const char *s)
{
	return s && strcmp(s, "voicemail") == 0 ? ANSWER_VOICEMAIL :
	    s && strcmp(s, "message") == 0 ? ANSWER_MESSAGE : ANSWER_STREAM;
}

/* The call already exists (a retried webhook, or an outbound call we
 * placed): 1 found, 0 not, -1 error. */
static int
find_existing(struct db *db, enum carrier c, const char *sid, const char *call_id,
    struct voice_call *vc)
{
	const char *p[3] = { carrier_name(c), sid, call_id };
	PGresult *r = db_prep(db, "voice_existing",
	    "SELECT c.id, c.answer, c.end_reason, c.direction, c.carrier_call_sid, " AGENT_COLUMNS
	    " FROM calls c JOIN agents a ON a.tenant_id = c.tenant_id AND a.id = c.agent_id"
	    " WHERE c.carrier = $1 AND (c.carrier_call_sid = $2"
	    "  OR (c.id = $3::uuid AND c.direction = 'outbound'"
	    "      AND (c.carrier_call_sid IS NULL OR c.carrier_call_sid = $2)))"
	    " ORDER BY c.carrier_call_sid = $2 DESC LIMIT 1", 3, p);
	if (r == NULL)
		return -1;
	int found = PQntuples(r) > 0;
	if (found) {
		snprintf(vc->call_id, sizeof vc->call_id, "%s", PQgetvalue(r, 0, 0));
		vc->kind = kind_from_name(PQgetisnull(r, 0, 1) ? NULL : PQgetvalue(r, 0, 1));
		snprintf(vc->reason, sizeof vc->reason, "%s", PQgetvalue(r, 0, 2));
		read_agent(r, 5, vc);
		/* An outbound call picked up: it now has its sid and is answered. */
		if (strcmp(PQgetvalue(r, 0, 3), "outbound") == 0 && PQgetisnull(r, 0, 1)) {
			const char *q[2] = { vc->call_id, sid };
			if (db_run(db, "UPDATE calls SET carrier_call_sid = coalesce(carrier_call_sid, $2),"
			    " answer = 'stream', status = CASE WHEN status IN ('queued', 'ringing')"
			    " THEN 'in_progress' ELSE status END, answered_at = coalesce(answered_at, now())"
			    " WHERE id = $1", 2, q) < 0)
				found = -1;
			vc->kind = ANSWER_STREAM;
			found = found < 0 ? -1 : 2;
		}
	}
	PQclear(r);
	return found;
}

/* Inbound routing: number -> tenant and agent; decides stream or refusal.
 * Returns 1 when routed (vc filled), 0 for an unknown number, -1 error. */
static int
route(struct db *db, enum carrier c, const char *to, struct voice_call *vc, char *number_id)
{
	const char *p[2] = { to, carrier_name(c) };
	/* Opening hours in the agent's (else the tenant's) time zone; an agent
	 * with no hours at all ({}) is always open. */
	PGresult *r = db_prep(db, "voice_route",
	    "WITH n AS (SELECT id, tenant_id, agent_id FROM phone_numbers"
	    "  WHERE e164 = $1 AND carrier = $2 AND agent_id IS NOT NULL),"
	    " x AS (SELECT n.id AS number_id, t.status AS tenant_status, a.status AS agent_status,"
	    "  a.version, a.hours, now() AT TIME ZONE coalesce(a.time_zone, t.time_zone) AS local, "
	    AGENT_COLUMNS " FROM n JOIN agents a ON a.tenant_id = n.tenant_id AND a.id = n.agent_id"
	    "  JOIN tenants t ON t.id = n.tenant_id)"
	    " SELECT number_id, tenant_status, agent_status, version,"
	    "  hours = '{}'::jsonb OR (jsonb_typeof(hours -> lower(to_char(local, 'Dy'))) = 'array'"
	    "   AND EXISTS (SELECT 1 FROM jsonb_array_elements(hours -> lower(to_char(local, 'Dy'))) i"
	    "    WHERE local::time >= (i ->> 'open')::time AND local::time < (i ->> 'close')::time)),"
	    "  id, tenant_id, language, recording_enabled, recording_channels,"
	    "  voicemail_enabled, max_duration_seconds FROM x", 2, p);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	snprintf(number_id, 37, "%s", PQgetvalue(r, 0, 0));
	read_agent(r, 5, vc);
	int suspended = strcmp(PQgetvalue(r, 0, 1), "active") != 0;
	const char *reason = suspended ? "tenant_suspended" :
	    strcmp(PQgetvalue(r, 0, 2), "live") != 0 ? "agent_disabled" :
	    strcmp(PQgetvalue(r, 0, 4), "t") != 0 ? "outside_hours" : "";
	snprintf(vc->reason, sizeof vc->reason, "%s", reason);
	vc->kind = !*reason ? ANSWER_STREAM : vc->voicemail && !suspended ?
	    ANSWER_VOICEMAIL : ANSWER_MESSAGE;
	snprintf(vc->version, sizeof vc->version, "%s", PQgetvalue(r, 0, 3));
	PQclear(r);
	return 1;
}

/* Creates the row; 1 created, 0 someone else created it first, -1 error. */
static int
insert_call(struct db *db, enum carrier c, const struct webhook *wh, struct voice_call *vc,
    const char *number_id)
{
	if (vc->kind == ANSWER_STREAM) {
		enum err_code e = call_caps_reserve(db, vc->tenant_id, NULL);
		if (e == ERR_database_unavailable)
			return -1;
		if (e != ERR_none) {
			snprintf(vc->reason, sizeof vc->reason, "%s", e == ERR_tenant_suspended ?
			    "tenant_suspended" : "over_capacity");
			vc->kind = vc->voicemail && e != ERR_tenant_suspended ? ANSWER_VOICEMAIL : ANSWER_MESSAGE;
		}
	}
	const char *p[10] = { vc->tenant_id, vc->agent_id, vc->version, number_id, carrier_name(c),
		webhook_param(wh, "CallSid"), webhook_param(wh, "From"), webhook_param(wh, "To"),
		answer_kind_name(vc->kind), *vc->reason ? vc->reason : NULL };
	PGresult *r = db_prep(db, "voice_insert",
	    "INSERT INTO calls (tenant_id, agent_id, agent_version, phone_number_id, carrier,"
	    " carrier_call_sid, direction, from_number, to_number, status, answered_at, answer, end_reason)"
	    " VALUES ($1, $2, $3::int, $4, $5, $6, 'inbound', $7, $8, 'in_progress', now(), $9, $10)"
	    " ON CONFLICT (carrier, carrier_call_sid) DO NOTHING RETURNING id", 10, p);
	if (r == NULL)
		return -1;
	int created = PQntuples(r) == 1;
	if (created)
		snprintf(vc->call_id, sizeof vc->call_id, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return created;
}

static void
respond(struct req *rq, struct resp *rs, enum carrier c, const struct voice_call *vc)
{
	struct stream_claims claims;
	memset(&claims, 0, sizeof claims);
	snprintf(claims.call_id, sizeof claims.call_id, "%s", vc->call_id);
	snprintf(claims.tenant_id, sizeof claims.tenant_id, "%s", vc->tenant_id);
	snprintf(claims.agent_id, sizeof claims.agent_id, "%s", vc->agent_id);
	char *token = vc->kind == ANSWER_STREAM ? stream_token_mint(cfg_str(CFG_stream_token_secret),
	    &claims, (int)cfg_int(CFG_stream_token_ttl)) : NULL;
	struct answer a = { .carrier = c, .kind = vc->kind, .public_url = cfg_str(CFG_public_url),
		.call_id = vc->call_id, .token = token, .language = vc->language,
		.record = vc->recording, .record_channels = vc->channels,
		.max_duration = vc->max_duration, .reason = vc->reason,
		.voicemail_max = (int)cfg_int(CFG_voicemail_max_seconds) };
	buf_reset(&rs->body);
	if (answer_render(&a, &rs->body) < 0)
		resp_fail(rq, rs, ERR_internal, "answer too large");
	else {
		rs->status = 200;
		rs->content_type = "text/xml; charset=utf-8";
	}
	free(token);
}

void
webhook_voice(struct req *rq, struct resp *rs)
{
	struct webhook wh;
	if (webhook_start(rq, rs, "voice", &wh) < 0)
		return;
	const char *sid = webhook_param(&wh, "CallSid"), *to = webhook_param(&wh, "To");
	if (sid == NULL || *sid == '\0' || strlen(sid) > 128 || to == NULL) {
		resp_error(rq, rs, ERR_validation_failed, json_pack("{s:s}", "CallSid",
		    "CallSid and To are required."));
		webhook_finish(rq, rs, &wh, "malformed");
		return;
	}
	struct voice_call vc;
	memset(&vc, 0, sizeof vc);
	char number_id[37] = "";
	const char *result = "answered";
	/* Platform scope: the number decides the tenant. */
	if (db_begin_tenant(rq->db, "*") < 0)
		goto fail;
	int found = find_existing(rq->db, wh.carrier, sid, webhook_call_id(&wh), &vc);
	if (found < 0)
		goto fail;
	if (found == 1)
		result = "duplicate";
	else if (found == 0) {
		int routed = route(rq->db, wh.carrier, to, &vc, number_id);
		if (routed < 0)
			goto fail;
		if (routed == 0) {
			db_rollback(rq->db);
			vc.kind = ANSWER_MESSAGE;
			snprintf(vc.reason, sizeof vc.reason, "unknown_number");
			respond(rq, rs, wh.carrier, &vc);
			webhook_finish(rq, rs, &wh, "rejected:unknown_number");
			return;
		}
		int created = insert_call(rq->db, wh.carrier, &wh, &vc, number_id);
		if (created < 0)
			goto fail;
		if (created == 0) {
			/* A concurrent delivery of the same call won: answer as it did. */
			db_rollback(rq->db);
			if (db_begin_tenant(rq->db, "*") < 0 ||
			    find_existing(rq->db, wh.carrier, sid, NULL, &vc) != 1)
				goto fail;
			result = "duplicate";
		}
	}
	if (db_commit(rq->db) < 0)
		goto fail;
	char res[64];
	if (strcmp(result, "answered") == 0 && *vc.reason)
		snprintf(res, sizeof res, "rejected:%s", vc.reason);
	else
		snprintf(res, sizeof res, "%s", result);
	log_set_call_id(vc.call_id);
	respond(rq, rs, wh.carrier, &vc);
	log_set_call_id(NULL);
	webhook_finish(rq, rs, &wh, res);
	return;
fail:
	db_rollback(rq->db);
	resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
	webhook_finish(rq, rs, &wh, "error");
}
