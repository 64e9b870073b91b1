/* POST /webhooks/assemblyai/{run}: AssemblyAI says a transcript is done.
 * The request is authentic only when it carries the run's own secret in
 * the auth header (compared by its SHA-256, in constant time); anything
 * else is refused with 403 and changes nothing.  The transcript itself is
 * fetched by the worker (transcript_fetch), so the answer is quick; a
 * repeated delivery finds the fetch already queued or done. */
#include "../handlers.h"
#include "../request.h"
#include "ai_runs.h"
#include "crypto.h"
#include "db.h"
#include "jobs.h"
#include "log.h"
#include <stdlib.h>
#include <string.h>

#define SECRET_MAX 256

static int
transcript_id_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n <= AI_RUN_EXTERNAL_ID_MAX &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

/* 1 when secret is the run's, 0 when not, -1 on database error; fills
 * the run's tenant and transcript id (may be empty) and its status. */
static int
authentic(struct req *rq, const char *run_id, const char *secret, char tenant[37],
    char external_id[AI_RUN_EXTERNAL_ID_MAX + 1], char status[16])
{
	const char *p[1] = { run_id };
	PGresult *r = db_exec(rq->db, "SELECT tenant_id, webhook_secret_hash, status,"
	    " coalesce(external_id, '') FROM call_ai_runs WHERE id = $1 AND provider = 'assemblyai'", 1, p);
	if (r == NULL)
		return -1;
	int ok = 0;
	if (PQntuples(r) == 1 && secret && strlen(secret) <= SECRET_MAX) {
		char *hash = crypto_sha256_hex(secret);
		ok = crypto_equal(hash, PQgetvalue(r, 0, 1), 64) && strlen(PQgetvalue(r, 0, 1)) == 64;
		free(hash);
		snprintf(tenant, 37, "%s", PQgetvalue(r, 0, 0));
		snprintf(status, 16, "%s", PQgetvalue(r, 0, 2));
		snprintf(external_id, AI_RUN_EXTERNAL_ID_MAX + 1, "%s", PQgetvalue(r, 0, 3));
	}
	PQclear(r);
	return ok;
}

void
assemblyai_webhook(struct req *rq, struct resp *rs)
{
	const char *run_id = json_string_value(json_object_get(rq->path_args, "id"));
	char tenant[37] = "", external_id[AI_RUN_EXTERNAL_ID_MAX + 1] = "", status[16] = "";
	json_t *body = NULL, *payload = NULL;
	if (db_begin_tenant(rq->db, "*") < 0) {
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		return;
	}
	int ok = authentic(rq, run_id, req_param(rq, AI_RUN_WEBHOOK_PARAM), tenant, external_id, status);
	if (ok <= 0) {
		db_rollback(rq->db);
		if (ok < 0) {
			resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
			return;
		}
		log_warn("assemblyai_webhook_refused", "{s:s,s:s?}", "run_id", run_id, "remote_addr", rq->remote_addr);
		resp_error(rq, rs, ERR_provider_webhook_refused, NULL);
		return;
	}
	body = rq->body ? json_loadb(rq->body, rq->body_len, 0, NULL) : NULL;
	const char *tid = json_string_value(json_object_get(body, "transcript_id"));
	const char *st = json_string_value(json_object_get(body, "status"));
	if (!transcript_id_valid(tid) || st == NULL || (external_id[0] && strcmp(tid, external_id) != 0)) {
		db_rollback(rq->db);
		resp_error(rq, rs, ERR_malformed_body, NULL);
		goto out;
	}
	if (strcmp(status, "completed") != 0 && strcmp(status, "failed") != 0) {
		/* The secret proves the run: a webhook faster than the submission's
		 * own bookkeeping still names the transcript. */
		const char *p[2] = { run_id, tid };
		payload = json_pack("{s:s,s:s}", "run_id", run_id, "tenant_id", tenant);
		char key[80];
		snprintf(key, sizeof key, "transcript_fetch:%s", run_id);
		if (db_run(rq->db, "UPDATE call_ai_runs SET external_id = $2 WHERE id = $1"
		    " AND external_id IS NULL", 2, p) < 0 ||
		    jobs_enqueue(rq->db, "transcript_fetch", payload, key, 0, 5) < 0) {
			char detail[256];
			snprintf(detail, sizeof detail, "%s", db_error(rq->db));
			db_rollback(rq->db);
			resp_fail(rq, rs, ERR_internal, detail);
			goto out;
		}
	}
	if (db_commit(rq->db) < 0) {
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		goto out;
	}
	log_info("assemblyai_webhook", "{s:s,s:s,s:s}", "run_id", run_id, "transcript_id", tid, "status", st);
	resp_json(rs, 200, json_pack("{s:b}", "received", 1));
out:
	json_decref(body);
	json_decref(payload);
}
