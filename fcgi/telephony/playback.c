/* Recording playback.  voxline-web only authorises; nginx sends the bytes
 * (range requests included, for the browser's audio player):
 *   local storage  X-Accel-Redirect: /_files/<key>   (internal alias of storage_dir)
 *   S3 storage     X-Accel-Redirect: /_s3/<bucket>/<key>?<SigV4 query>
 *                  (internal location that proxies to storage_s3_endpoint with
 *                  a presigned URL valid storage_s3_url_seconds)
 * GET /api/v1/recordings/{id}/audio serves the tenant's own recordings;
 * the dashboard's /calls/{id}/recording hands its file over the same way. */
#include "../handlers.h"
#include "../auth.h"
#include "db.h"
#include "storage.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Keys as the recordings job writes them: relative, no "..", plain characters. */
static int
key_ok(const char *p)
{
	size_t n = strlen(p);
	return n > 0 && n < 512 && p[0] != '/' && strstr(p, "..") == NULL &&
	    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") == n;
}

void
recording_send(struct req *rq, struct resp *rs, const char *storage, const char *key,
    const char *content_type)
{
	if (!key_ok(key)) {
		resp_fail(rq, rs, ERR_internal, "recording key is not a storage key");
		return;
	}
	if (strcmp(storage, "s3") == 0) {
		char *uri = storage_s3_playback_uri(key, time(NULL));
		if (uri == NULL) {
			resp_fail(rq, rs, ERR_storage_unavailable, "S3 storage is not configured");
			return;
		}
		resp_header(rs, "X-Accel-Redirect", "%s", uri);
		free(uri);
	} else
		resp_header(rs, "X-Accel-Redirect", "/_files/%s", key);
	/* The type comes from the database: only a plain audio/... type passes
	 * into the header (nginx's alias location sends it; S3 sends its own). */
	size_t n = strlen(content_type);
	int plain = strncmp(content_type, "audio/", 6) == 0 && n < 64 &&
	    strspn(content_type, "abcdefghijklmnopqrstuvwxyz0123456789/.+-") == n;
	resp_header(rs, "Content-Type", "%s", plain ? content_type : "application/octet-stream");
	resp_text(rs, 200, NULL, "", 0);
}

void
recording_audio(struct req *rq, struct resp *rs)
{
	const char *id = json_string_value(json_object_get(rq->path_args, "id"));
	if (db_begin_tenant(rq->db, rq->auth->tenant_id) < 0) {
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		return;
	}
	const char *p[1] = { id };
	PGresult *r = db_prep(rq->db, "recording_audio",
	    "SELECT status, storage_path, coalesce(content_type, 'audio/wav'), storage FROM recordings"
	    " WHERE id = $1", 1, p);
	db_rollback(rq->db);
	if (r == NULL) {
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		return;
	}
	if (PQntuples(r) == 0)
		resp_error(rq, rs, ERR_not_found, NULL);
	else if (strcmp(PQgetvalue(r, 0, 0), "stored") != 0 || PQgetisnull(r, 0, 1))
		resp_error(rq, rs, ERR_recording_not_ready, NULL);
	else
		recording_send(rq, rs, PQgetvalue(r, 0, 3), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
	PQclear(r);
}
