/* POST /webhooks/{carrier}/recording: a recording is ready (or absent).
 * Creates the recordings row once per recording id and queues the job
 * that downloads the file into storage (cli/jobs/recordings.c). */
#include "../handlers.h"
#include "webhook.h"
#include "db.h"
#include "jobs.h"
#include "xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
webhook_recording(struct req *rq, struct resp *rs)
{
	struct webhook wh;
	if (webhook_start(rq, rs, "recording", &wh) < 0)
		return;
	const char *sid = webhook_param(&wh, "CallSid"), *rsid = webhook_param(&wh, "RecordingSid");
	const char *status = webhook_param(&wh, "RecordingStatus");
	const char *url = webhook_param(&wh, "RecordingUrl");
	const char *channels = webhook_param(&wh, "RecordingChannels");
	const char *duration = webhook_param(&wh, "RecordingDuration");
	if (sid == NULL || rsid == NULL || *rsid == '\0' || strlen(rsid) > 128 || status == NULL) {
		resp_error(rq, rs, ERR_validation_failed, json_pack("{s:s}", "RecordingSid",
		    "CallSid, RecordingSid and RecordingStatus are required."));
		webhook_finish(rq, rs, &wh, "malformed");
		return;
	}
	int completed = strcmp(status, "completed") == 0;
	int absent = strcmp(status, "absent") == 0 || strcmp(status, "failed") == 0;
	if (!completed && !absent) {
		webhook_ok(rs);
		webhook_finish(rq, rs, &wh, "ignored");
		return;
	}
	if (completed && (url == NULL || *url == '\0')) {
		resp_error(rq, rs, ERR_validation_failed, json_pack("{s:s}", "RecordingUrl",
		    "A completed recording needs its URL."));
		webhook_finish(rq, rs, &wh, "malformed");
		return;
	}
	if (duration && (strlen(duration) > 6 || strspn(duration, "0123456789") != strlen(duration)))
		duration = NULL;
	const char *ch = channels && strcmp(channels, "2") == 0 ? "2" : "1";
	char reason[64];
	snprintf(reason, sizeof reason, "the carrier reported the recording %s", absent ? status : "");
	const char *p[7] = { carrier_name(wh.carrier), sid, rsid, completed ? "pending" : "failed", ch,
		duration && *duration ? duration : NULL, completed ? NULL : reason };
	const char *result = "ignored";
	if (db_begin_tenant(rq->db, "*") < 0)
		goto fail;
	PGresult *r = db_prep(rq->db, "recording_insert",
	    "INSERT INTO recordings (tenant_id, call_id, carrier_recording_sid, status, channels,"
	    " duration_seconds, failure_reason) SELECT tenant_id, id, $3, $4, $5::int, $6::int, $7"
	    " FROM calls WHERE carrier = $1 AND carrier_call_sid = $2"
	    " ON CONFLICT (carrier_recording_sid) DO NOTHING RETURNING id, tenant_id", 7, p);
	if (r == NULL)
		goto fail;
	if (PQntuples(r) == 1) {
		result = completed ? "queued" : "absent";
		if (completed) {
			json_t *job = json_pack("{s:s,s:s,s:s,s:s}", "recording_id", PQgetvalue(r, 0, 0),
			    "tenant_id", PQgetvalue(r, 0, 1), "carrier", carrier_name(wh.carrier), "url", url);
			char *key = xasprintf("recording:%s", rsid);
			int rc = jobs_enqueue(rq->db, "recording_download", job, key, 0, 8);
			free(key);
			json_decref(job);
			if (rc < 0) {
				PQclear(r);
				goto fail;
			}
		}
	} else {
		/* Either a repeat of a known recording, or an unknown call. */
		const char *q[1] = { rsid };
		PGresult *k = db_exec(rq->db, "SELECT 1 FROM recordings WHERE carrier_recording_sid = $1", 1, q);
		result = k && PQntuples(k) ? "duplicate" : "ignored";
		PQclear(k);
	}
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
