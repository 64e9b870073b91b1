/* recording_download: fetch a finished recording from the carrier (with
 * the carrier's credentials, only from its API origin) into storage, and
 * record its size, SHA-256 and where it is.  A refusal by the carrier
 * (4xx) is final at once; other failures are retried by the worker.  When
 * the job gives up, the recording ends 'failed' with the reason, shown in
 * the call detail (recording_failed event) and as a system error. */
#include "../jobs.h"
#include "carrier.h"
#include "cfg.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "storage.h"
#include "xalloc.h"
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct download {
	FILE *f;
	EVP_MD_CTX *sha;
	size_t size;
};

static int
sink(void *ctx, const void *data, size_t n)
{
	struct download *d = ctx;
	if (fwrite(data, 1, n, d->f) != n)
		return -1;
	EVP_DigestUpdate(d->sha, data, n);
	d->size += n;
	return 0;
}

/* Twilio and SignalWire serve the media at RecordingUrl + ".wav". */
static char *
media_url(enum carrier c, const char *url)
{
	size_t n = strlen(url);
	int has_ext = n > 4 && (strcmp(url + n - 4, ".wav") == 0 || strcmp(url + n - 4, ".mp3") == 0);
	return c != CARRIER_TELNYX && !has_ext ? xasprintf("%s.wav", url) : xstrdup(url);
}

static int
uuid_ok(const char *s)
{
	return s && strlen(s) == 36 && strspn(s, "0123456789abcdef-") == 36;
}

static int
mark(struct db *db, const char *tenant, const char *sql, int n, const char *const *p)
{
	if (db_begin_tenant(db, tenant) < 0)
		return -1;
	if (db_run(db, sql, n, p) < 0 || db_commit(db) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
job_recording_download(struct db *db, json_t *payload, char *err, size_t errlen)
{
	const char *id = json_string_value(json_object_get(payload, "recording_id"));
	const char *tenant = json_string_value(json_object_get(payload, "tenant_id"));
	const char *url = json_string_value(json_object_get(payload, "url"));
	int c = carrier_from_name(json_string_value(json_object_get(payload, "carrier")));
	if (!id || !tenant || !url || c < 0 || !uuid_ok(id) || !uuid_ok(tenant)) {
		snprintf(err, errlen, "malformed recording_download payload");
		return JOB_GIVE_UP;
	}
	const char *p1[1] = { id };
	if (mark(db, tenant, "UPDATE recordings SET status = 'downloading' WHERE id = $1"
	    " AND status IN ('pending', 'downloading')", 1, p1) < 0) {
		snprintf(err, errlen, "database: %s", db_error(db));
		return -1;
	}
	char *tmpdir = xasprintf("%s/.incoming", cfg_str(CFG_storage_dir));
	char *tmp = xasprintf("%s/%s.part", tmpdir, id);
	char *key = xasprintf("recordings/%s/%s.%s", tenant, id, strstr(url, ".mp3") ? "mp3" : "wav");
	char *src = media_url((enum carrier)c, url);
	struct download d = { .sha = EVP_MD_CTX_new() };
	struct carrier_result cr;
	int rc = -1;
	if (storage_mkdirs(tmpdir) < 0 || (d.f = fopen(tmp, "wb")) == NULL) {
		snprintf(err, errlen, "cannot write %s", tmp);
		goto out;
	}
	EVP_DigestInit_ex(d.sha, EVP_sha256(), NULL);
	int got = carrier_download((enum carrier)c, src, (size_t)cfg_int(CFG_recording_max_bytes),
	    sink, &d, &cr);
	if (fclose(d.f) != 0)
		got = -1;
	d.f = NULL;
	if (got < 0) {
		snprintf(err, errlen, "download failed: %s", cr.detail[0] ? cr.detail : "write error");
		if (cr.err == ERR_carrier_rejected)
			rc = JOB_GIVE_UP;
		goto out;
	}
	unsigned char h[32];
	unsigned int hl = 0;
	EVP_DigestFinal_ex(d.sha, h, &hl);
	char *hex = crypto_hex(h, hl);
	const char *ct = strstr(key, ".mp3") ? "audio/mpeg" : "audio/wav";
	if (storage_put(key, tmp, ct, hex, err, errlen) == 0) {
		char size[24];
		snprintf(size, sizeof size, "%zu", d.size);
		const char *p[6] = { id, size, hex, key, ct, storage_is_s3() ? "s3" : "local" };
		rc = mark(db, tenant, "UPDATE recordings SET status = 'stored', size_bytes = $2::bigint,"
		    " sha256 = $3, storage_path = $4, content_type = $5, storage = $6,"
		    " failure_reason = NULL WHERE id = $1", 6, p);
		if (rc < 0)
			snprintf(err, errlen, "database: %s", db_error(db));
		else
			log_info("recording_stored", "{s:s,s:s,s:i}", "recording_id", id, "key", key,
			    "size", (int)d.size);
		/* The recording is kept either way; a lost enqueue is logged. */
		if (rc == 0 && transcripts_after_recording(db, tenant, id) < 0)
			log_error("transcript_enqueue_failed", "{s:s,s:s}", "recording_id", id, "error", db_error(db));
	}
	free(hex);
out:
	if (d.f)
		fclose(d.f);
	if (rc != 0)
		unlink(tmp);
	EVP_MD_CTX_free(d.sha);
	free(tmpdir), free(tmp), free(key), free(src);
	return rc;
}

int
job_recording_give_up(struct db *db, json_t *payload, const char *err)
{
	const char *id = json_string_value(json_object_get(payload, "recording_id"));
	const char *tenant = json_string_value(json_object_get(payload, "tenant_id"));
	if (!uuid_ok(id) || !uuid_ok(tenant))
		return 0;
	char reason[1024];
	snprintf(reason, sizeof reason, "%s", err);
	const char *p[2] = { id, reason };
	if (db_begin_tenant(db, tenant) < 0)
		return -1;
	PGresult *r = db_prep(db, "recording_give_up",
	    "WITH f AS (UPDATE recordings SET status = 'failed', failure_reason = $2"
	    " WHERE id = $1 AND status IN ('pending', 'downloading') RETURNING tenant_id, call_id, id)"
	    " INSERT INTO call_events (tenant_id, call_id, type, data)"
	    " SELECT tenant_id, call_id, 'recording_failed',"
	    " jsonb_build_object('recording_id', id, 'reason', $2::text) FROM f RETURNING call_id", 2, p);
	if (r == NULL || db_commit(db) < 0) {
		PQclear(r);
		db_rollback(db);
		return -1;
	}
	if (PQntuples(r) == 1) {
		char eid[ERR_ID_LEN];
		err_new_id(eid);
		err_record(db, ERR_recording_download_failed, eid, NULL, PQgetvalue(r, 0, 0), tenant, reason);
		log_error("recording_failed", "{s:s,s:s,s:s}", "recording_id", id, "error_id", eid,
		    "reason", reason);
	}
	PQclear(r);
	return 0;
}
