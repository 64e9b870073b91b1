/* POST /webhooks/{carrier}/status: call progress.  Events arrive as
 * separate requests, possibly out of order: the carrier's sequence number
 * decides, so an older event never overwrites a newer one.  Answered and
 * ended times are filled from whichever event carries them. */
#include "../handlers.h"
#include "webhook.h"
#include "db.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* RFC 2822 "Tue, 31 Aug 2010 20:36:28 +0000" -> epoch; -1 if unparsable. */
static long long
parse_timestamp(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = s ? strptime(s, "%a, %d %b %Y %H:%M:%S %z", &tm) : NULL;
	if (end == NULL || *end != '\0')
		return -1;
	long off = tm.tm_gmtoff;
	return (long long)timegm(&tm) - off;
}

/* Digits only, at most 18 of them (fits a bigint); else -1. */
static long long
parse_count(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
		return -1;
	return strtoll(s, NULL, 10);
}

void
webhook_status(struct req *rq, struct resp *rs)
{
	struct webhook wh;
	if (webhook_start(rq, rs, "status", &wh) < 0)
		return;
	const char *sid = webhook_param(&wh, "CallSid");
	const char *status = carrier_call_status(webhook_param(&wh, "CallStatus"));
	if (sid == NULL || status == NULL) {
		resp_error(rq, rs, ERR_validation_failed, json_pack("{s:s}", "CallStatus",
		    "CallSid and a known CallStatus are required."));
		webhook_finish(rq, rs, &wh, "malformed");
		return;
	}
	long long ts = parse_timestamp(webhook_param(&wh, "Timestamp"));
	if (ts < 0)
		ts = (long long)time(NULL);
	/* Carriers without SequenceNumber: the event time in milliseconds. */
	long long seq = parse_count(webhook_param(&wh, "SequenceNumber"));
	if (seq < 0)
		seq = ts * 1000;
	long long duration = parse_count(webhook_param(&wh, "CallDuration"));
	char seq_s[24], ts_s[24], dur_s[24];
	snprintf(seq_s, sizeof seq_s, "%lld", seq);
	snprintf(ts_s, sizeof ts_s, "%lld", ts);
	snprintf(dur_s, sizeof dur_s, "%lld", duration);
	const char *p[7] = { carrier_name(wh.carrier), sid, webhook_call_id(&wh), status, seq_s,
		ts_s, duration >= 0 ? dur_s : NULL };
	const char *result = "error";
	if (db_begin_tenant(rq->db, "*") < 0)
		goto fail;
	/* Outbound calls are found by our call id until they know their sid. */
	PGresult *r = db_prep(rq->db, "status_apply",
	    "WITH target AS (SELECT id FROM calls WHERE carrier = $1 AND (carrier_call_sid = $2"
	    "   OR (id = $3::uuid AND carrier_call_sid IS NULL)) FOR UPDATE)"
	    " UPDATE calls c SET"
	    "  carrier_call_sid = coalesce(c.carrier_call_sid, $2),"
	    "  status = CASE WHEN c.status_sequence IS NULL OR c.status_sequence < $5::bigint"
	    "   THEN $4 ELSE c.status END,"
	    "  status_sequence = greatest(c.status_sequence, $5::bigint),"
	    "  answered_at = CASE WHEN $4 = 'in_progress' OR ($4 = 'completed' AND $7::int > 0)"
	    "   THEN coalesce(c.answered_at, to_timestamp($6::bigint) - make_interval(secs =>"
	    "    CASE WHEN $4 = 'completed' THEN $7::int ELSE 0 END)) ELSE c.answered_at END,"
	    "  ended_at = CASE WHEN $4 IN ('completed', 'busy', 'no_answer', 'failed', 'canceled')"
	    "   THEN coalesce(c.ended_at, to_timestamp($6::bigint)) ELSE c.ended_at END,"
	    "  duration_seconds = coalesce($7::int, c.duration_seconds)"
	    " FROM target WHERE c.id = target.id"
	    " RETURNING c.status = $4 AND c.status_sequence = $5::bigint", 7, p);
	if (r == NULL)
		goto fail;
	result = PQntuples(r) == 0 ? "ignored" :
	    strcmp(PQgetvalue(r, 0, 0), "t") == 0 ? "updated" : "stale";
	PQclear(r);
	if (db_commit(rq->db) < 0)
		goto fail;
	webhook_ok(rs);
	webhook_finish(rq, rs, &wh, result);
	return;
fail:
	db_rollback(rq->db);
	resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
	webhook_finish(rq, rs, &wh, "error");
}
