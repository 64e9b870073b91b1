/* Post-call transcripts with AssemblyAI.  After a call's recording is
 * stored, transcript_submit uploads it and asks for a transcript with a
 * webhook back to voxline-web (its auth header carries a secret made for
 * the run); when the webhook arrives, transcript_fetch reads the result
 * and stores it as the call's AI run with its audio seconds and cost
 * (price table media_prices, unit audio_second).  What AssemblyAI
 * refuses or fails becomes a system error with the call id. */
#include "../jobs.h"
#include "ai_runs.h"
#include "cfg.h"
#include "crypto.h"
#include "db.h"
#include "errors.h"
#include "jobs.h"
#include "log.h"
#include "price.h"
#include "provider_http.h"
#include "storage.h"
#include "xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROVIDER "assemblyai"
#define HTTP_TIMEOUT_S 60
#define CONNECT_TIMEOUT_S 10
#define TRANSCRIPT_MAX (16u * 1024u * 1024u)

int
transcripts_after_recording(struct db *db, const char *tenant_id, const char *recording_id)
{
	const char *p[1] = { recording_id };
	if (db_begin_tenant(db, tenant_id) < 0)
		return -1;
	PGresult *r = db_exec(db, "SELECT 1 FROM recordings r"
	    " JOIN calls c ON c.tenant_id = r.tenant_id AND c.id = r.call_id"
	    " JOIN agents a ON a.tenant_id = c.tenant_id AND a.id = c.agent_id"
	    " WHERE r.id = $1 AND r.status = 'stored'"
	    " AND coalesce((a.modulations->>'transcription')::boolean, false)", 1, p);
	int want = r && PQntuples(r) == 1;
	PQclear(r);
	int rc = r ? 0 : -1;
	if (want) {
		json_t *payload = json_pack("{s:s,s:s}", "tenant_id", tenant_id, "recording_id", recording_id);
		char key[80];
		snprintf(key, sizeof key, "transcript:%s", recording_id);
		rc = jobs_enqueue(db, "transcript_submit", payload, key, 0, 5);
		json_decref(payload);
	}
	if (rc < 0 || db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

/* Marks the run failed and records the system error with the call id. */
static void
fail_run(struct db *db, const char *run_id, const char *call_id, const char *tenant_id,
    const char *detail)
{
	const char *p[2] = { run_id, detail };
	if (db_begin_tenant(db, tenant_id) == 0) {
		if (db_run(db, "UPDATE call_ai_runs SET status = 'failed', error = $2, completed_at = now()"
		    " WHERE id = $1 AND status <> 'completed'", 2, p) < 0 || db_commit(db) < 0)
			db_rollback(db);
	}
	char id[ERR_ID_LEN];
	err_new_id(id);
	err_record(db, ERR_transcription_failed, id, NULL, call_id, tenant_id, detail);
	log_error("transcription_failed", "{s:s,s:s,s:s,s:s}", "error_id", id, "call_id", call_id,
	    "run_id", run_id, "detail", detail);
}

/* The credential for the tenant (its own, else the platform's); 1, or 0
 * with a reason in why. */
static int
credential(struct db *db, const char *tenant_id, struct provider_cred *cred, char *why, size_t whylen)
{
	int found = -1;
	if (db_begin_tenant(db, "*") == 0) {
		found = provider_cred_lookup(db, tenant_id, PROVIDER, cred);
		db_commit(db);
	}
	if (found <= 0)
		snprintf(why, whylen, found == 0 ? "no AssemblyAI credentials for this tenant or the platform" :
		    "AssemblyAI credentials cannot be read (credentials_key)");
	return found > 0;
}

/* A provider failure: retry what may pass (not reached, rate limited),
 * give up with a system error on the rest. */
static int
provider_failed(struct db *db, const struct provider_http_result *res, const char *what,
    const char *run_id, const char *call_id, const char *tenant_id, char *err, size_t errlen)
{
	char detail[400];
	snprintf(detail, sizeof detail, "AssemblyAI %s: %s: %s", what, err_get(res->err)->code, res->detail);
	snprintf(err, errlen, "%s", detail);
	if (res->err == ERR_provider_unreachable || res->err == ERR_provider_rate_limited)
		return -1;
	fail_run(db, run_id, call_id, tenant_id, detail);
	return 0;
}

static char *
read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	struct buf b;
	buf_init(&b, max);
	char chunk[65536];
	size_t n;
	int ok = 1;
	while (ok && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		ok = buf_append(&b, chunk, n) == 0;
	ok = ok && !ferror(f);
	fclose(f);
	*len = b.len;
	if (!ok) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

struct submission {
	char run_id[37], call_id[37], path[512], secret[64];
};

/* Loads the recording and creates (or takes over) the run with a new
 * webhook secret; 1 ready, 0 nothing to do, -1 database error. */
static int
prepare(struct db *db, const char *tenant_id, const char *recording_id, struct submission *s)
{
	const char *p[1] = { recording_id };
	if (db_begin_tenant(db, tenant_id) < 0)
		return -1;
	PGresult *r = db_exec(db, "SELECT call_id, coalesce(storage_path, '') FROM recordings"
	    " WHERE id = $1 AND status = 'stored'", 1, p);
	if (r == NULL)
		goto fail;
	if (PQntuples(r) == 0) {
		PQclear(r);
		db_rollback(db);
		return 0;
	}
	snprintf(s->call_id, sizeof s->call_id, "%s", PQgetvalue(r, 0, 0));
	snprintf(s->path, sizeof s->path, "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	char *token = crypto_token();
	char *hash = crypto_sha256_hex(token);
	snprintf(s->secret, sizeof s->secret, "%s", token);
	memset(token, 0, strlen(token));
	free(token);
	const char *q[4] = { tenant_id, s->call_id, recording_id, hash };
	/* Only a run never submitted is (re)sent: one transcript per call. */
	r = db_exec(db, "INSERT INTO call_ai_runs (tenant_id, call_id, recording_id, kind, provider,"
	    " webhook_secret_hash) VALUES ($1, $2, $3, 'transcript', '" PROVIDER "', $4)"
	    " ON CONFLICT (call_id, kind, provider) DO UPDATE SET webhook_secret_hash = EXCLUDED.webhook_secret_hash"
	    " WHERE call_ai_runs.status = 'submitting' RETURNING id", 4, q);
	free(hash);
	if (r == NULL)
		goto fail;
	int ready = PQntuples(r) == 1;
	if (ready)
		snprintf(s->run_id, sizeof s->run_id, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	if (db_commit(db) < 0)
		goto fail;
	return ready;
fail:
	db_rollback(db);
	return -1;
}

/* POST /v2/upload with the file; the upload URL in *url (malloc'd). */
static int
upload(const struct provider_cred *cred, const char *data, size_t len, struct provider_http_result *res,
    char **url)
{
	struct provider_http_req req = { .method = "POST", .path = "/v2/upload", .body = data,
		.body_len = len, .content_type = "application/octet-stream", .timeout_s = HTTP_TIMEOUT_S,
		.connect_timeout_s = CONNECT_TIMEOUT_S, .body_max = 64 * 1024 };
	if (provider_http(PROVIDER, cred, &req, res) < 0)
		return -1;
	json_t *j = json_loadb(res->body.data, res->body.len, 0, NULL);
	const char *u = json_string_value(json_object_get(j, "upload_url"));
	*url = u ? xstrdup(u) : NULL;
	json_decref(j);
	if (*url == NULL) {
		res->err = ERR_provider_bad_response;
		snprintf(res->detail, sizeof res->detail, "upload answer without upload_url");
		return -1;
	}
	return 0;
}

/* POST /v2/transcript; the transcript id in id. */
static int
submit(const struct provider_cred *cred, const struct submission *s, const char *audio_url,
    struct provider_http_result *res, char id[AI_RUN_EXTERNAL_ID_MAX + 1])
{
	char *hook = xasprintf("%s" AI_RUN_WEBHOOK_PATH "%s", cfg_str(CFG_public_url), s->run_id);
	json_t *body = json_pack("{s:s,s:s,s:s,s:s}", "audio_url", audio_url, "webhook_url", hook,
	    "webhook_auth_header_name", AI_RUN_WEBHOOK_HEADER, "webhook_auth_header_value", s->secret);
	char *text = json_dumps(body, JSON_COMPACT);
	struct provider_http_req req = { .method = "POST", .path = "/v2/transcript", .body = text,
		.body_len = strlen(text), .timeout_s = HTTP_TIMEOUT_S, .connect_timeout_s = CONNECT_TIMEOUT_S,
		.body_max = 1024 * 1024 };
	int rc = provider_http(PROVIDER, cred, &req, res);
	memset(text, 0, strlen(text));
	free(text);
	json_decref(body);
	free(hook);
	if (rc < 0)
		return -1;
	json_t *j = json_loadb(res->body.data, res->body.len, 0, NULL);
	const char *tid = json_string_value(json_object_get(j, "id"));
	size_t n = tid ? strlen(tid) : 0;
	rc = n > 0 && n <= AI_RUN_EXTERNAL_ID_MAX &&
	    strspn(tid, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n ? 0 : -1;
	if (rc == 0)
		snprintf(id, AI_RUN_EXTERNAL_ID_MAX + 1, "%s", tid);
	else {
		res->err = ERR_provider_bad_response;
		snprintf(res->detail, sizeof res->detail, "transcript answer without a valid id");
	}
	json_decref(j);
	return rc;
}

int
job_transcript_submit(struct db *db, json_t *payload, char *err, size_t errlen)
{
	const char *tenant = json_string_value(json_object_get(payload, "tenant_id"));
	const char *rec = json_string_value(json_object_get(payload, "recording_id"));
	if (!tenant || !rec) {
		snprintf(err, errlen, "malformed transcript_submit payload");
		return -1;
	}
	struct submission s;
	memset(&s, 0, sizeof s);
	int ready = prepare(db, tenant, rec, &s);
	if (ready <= 0) {
		if (ready < 0)
			snprintf(err, errlen, "database: %s", db_error(db));
		return ready;
	}
	struct provider_cred cred;
	char why[160];
	if (!credential(db, tenant, &cred, why, sizeof why)) {
		fail_run(db, s.run_id, s.call_id, tenant, why);
		return 0;
	}
	int rc = 0;
	char *data = NULL, *audio_url = NULL, *path = NULL;
	size_t len = 0;
	struct provider_http_result res = { 0 };
	buf_init(&res.body, 1);
	if (storage_is_s3()) {
		fail_run(db, s.run_id, s.call_id, tenant, "recordings stored in S3 cannot be sent for transcription");
		goto out;
	}
	path = storage_local_path(s.path);
	if ((data = read_file(path, (size_t)cfg_int(CFG_recording_max_bytes), &len)) == NULL) {
		snprintf(err, errlen, "cannot read recording %s", s.path);
		rc = -1;
		goto out;
	}
	buf_free(&res.body);
	if (upload(&cred, data, len, &res, &audio_url) < 0) {
		rc = provider_failed(db, &res, "upload", s.run_id, s.call_id, tenant, err, errlen);
		goto out;
	}
	buf_free(&res.body);
	char tid[AI_RUN_EXTERNAL_ID_MAX + 1];
	if (submit(&cred, &s, audio_url, &res, tid) < 0) {
		rc = provider_failed(db, &res, "submit", s.run_id, s.call_id, tenant, err, errlen);
		goto out;
	}
	const char *p[2] = { s.run_id, tid };
	if (db_begin_tenant(db, tenant) < 0 ||
	    db_run(db, "UPDATE call_ai_runs SET status = 'submitted', external_id = $2"
	    " WHERE id = $1 AND status = 'submitting'", 2, p) < 0 || db_commit(db) < 0) {
		db_rollback(db);
		snprintf(err, errlen, "database: %s", db_error(db));
		rc = -1;
		goto out;
	}
	log_info("transcript_submitted", "{s:s,s:s,s:s}", "call_id", s.call_id, "run_id", s.run_id,
	    "transcript_id", tid);
out:
	memset(&cred, 0, sizeof cred);
	memset(s.secret, 0, sizeof s.secret);
	buf_free(&res.body);
	free(data), free(audio_url), free(path);
	return rc;
}

/* The completed transcript stored on the run, its cost added to the
 * call's speech-to-text cost, once. */
static int
store_result(struct db *db, const char *run_id, const char *call_id, const char *tenant_id, json_t *t,
    char *err, size_t errlen)
{
	double secs = json_number_value(json_object_get(t, "audio_duration"));
	struct price_table prices;
	char perr[160];
	int found = 0;
	double cost = 0;
	if (price_parse(&prices, cfg_str(CFG_media_prices), perr, sizeof perr) == 0)
		cost = price_cost(&prices, PROVIDER, PRICE_AUDIO_SECOND, secs, time(NULL), &found);
	if (!found)
		log_warn("price_missing", "{s:s,s:s}", "engine", PROVIDER, "unit", "audio_second");
	json_t *result = json_pack("{s:O?,s:O?,s:O?,s:O?}", "text", json_object_get(t, "text"),
	    "language_code", json_object_get(t, "language_code"), "confidence", json_object_get(t, "confidence"),
	    "words", json_object_get(t, "words"));
	char *rtext = json_dumps(result, JSON_COMPACT);
	json_decref(result);
	char s_secs[32], s_cost[32];
	snprintf(s_secs, sizeof s_secs, "%.3f", secs);
	snprintf(s_cost, sizeof s_cost, "%.6f", cost);
	const char *p[4] = { run_id, s_secs, s_cost, rtext };
	int rc = -1;
	if (db_begin_tenant(db, tenant_id) < 0)
		goto out;
	PGresult *r = db_exec(db, "UPDATE call_ai_runs SET status = 'completed', audio_seconds = $2,"
	    " cost = $3, result = $4::jsonb, error = NULL, completed_at = now()"
	    " WHERE id = $1 AND status IN ('submitting', 'submitted') RETURNING id", 4, p);
	if (r == NULL)
		goto fail;
	int first = PQntuples(r) == 1;
	PQclear(r);
	const char *q[2] = { call_id, s_cost };
	if (first && db_run(db, "UPDATE calls SET cost_stt = cost_stt + $2::numeric WHERE id = $1", 2, q) < 0)
		goto fail;
	if (db_commit(db) < 0)
		goto fail;
	log_info("transcript_stored", "{s:s,s:s,s:f,s:f}", "call_id", call_id, "run_id", run_id,
	    "audio_seconds", secs, "cost", cost);
	rc = 0;
	goto out;
fail:
	snprintf(err, errlen, "database: %s", db_error(db));
	db_rollback(db);
out:
	free(rtext);
	return rc;
}

int
job_transcript_fetch(struct db *db, json_t *payload, char *err, size_t errlen)
{
	const char *run_id = json_string_value(json_object_get(payload, "run_id"));
	const char *tenant = json_string_value(json_object_get(payload, "tenant_id"));
	if (!run_id || !tenant) {
		snprintf(err, errlen, "malformed transcript_fetch payload");
		return -1;
	}
	const char *p[1] = { run_id };
	char call_id[37] = "", tid[AI_RUN_EXTERNAL_ID_MAX + 1] = "";
	if (db_begin_tenant(db, tenant) < 0)
		return -1;
	PGresult *r = db_exec(db, "SELECT call_id, coalesce(external_id, '') FROM call_ai_runs"
	    " WHERE id = $1 AND status IN ('submitting', 'submitted')", 1, p);
	if (r && PQntuples(r) == 1) {
		snprintf(call_id, sizeof call_id, "%s", PQgetvalue(r, 0, 0));
		snprintf(tid, sizeof tid, "%s", PQgetvalue(r, 0, 1));
	}
	int dberr = r == NULL;
	PQclear(r);
	db_commit(db);
	if (dberr) {
		snprintf(err, errlen, "database: %s", db_error(db));
		return -1;
	}
	if (call_id[0] == '\0' || tid[0] == '\0')
		return 0;     /* done already, or never submitted */
	struct provider_cred cred;
	char why[160];
	if (!credential(db, tenant, &cred, why, sizeof why)) {
		fail_run(db, run_id, call_id, tenant, why);
		return 0;
	}
	char *path = xasprintf("/v2/transcript/%s", tid);
	struct provider_http_req req = { .method = "GET", .path = path, .timeout_s = HTTP_TIMEOUT_S,
		.connect_timeout_s = CONNECT_TIMEOUT_S, .body_max = TRANSCRIPT_MAX };
	struct provider_http_result res;
	int rc = 0;
	if (provider_http(PROVIDER, &cred, &req, &res) < 0) {
		rc = provider_failed(db, &res, "transcript", run_id, call_id, tenant, err, errlen);
		goto out;
	}
	json_t *t = json_loadb(res.body.data, res.body.len, 0, NULL);
	const char *status = json_string_value(json_object_get(t, "status"));
	if (status && strcmp(status, "completed") == 0 && json_is_number(json_object_get(t, "audio_duration"))) {
		rc = store_result(db, run_id, call_id, tenant, t, err, errlen);
	} else if (status && strcmp(status, "error") == 0) {
		char detail[400];
		const char *e = json_string_value(json_object_get(t, "error"));
		snprintf(detail, sizeof detail, "AssemblyAI transcript %s failed: %.300s", tid, e ? e : "no reason given");
		fail_run(db, run_id, call_id, tenant, detail);
	} else if (status && (strcmp(status, "queued") == 0 || strcmp(status, "processing") == 0)) {
		snprintf(err, errlen, "transcript %s is still %s", tid, status);
		rc = -1;
	} else {
		fail_run(db, run_id, call_id, tenant, "AssemblyAI transcript: provider_bad_response: unexpected answer");
	}
	json_decref(t);
out:
	memset(&cred, 0, sizeof cred);
	buf_free(&res.body);
	free(path);
	return rc;
}
