/* GET /api/v1/recordings/{id}/audio: the tenant's own recordings only.
 * voxline-web authorises; nginx serves the file (X-Accel-Redirect to the
 * internal /_files/ location), with range requests for the audio player. */
#include "../handlers.h"
#include "../auth.h"
#include "db.h"
#include <string.h>

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
	    "SELECT status, storage_path, coalesce(content_type, 'audio/wav') FROM recordings"
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
	else {
		resp_text(rs, 200, NULL, "", 0);
		resp_header(rs, "X-Accel-Redirect", "/_files/%s", PQgetvalue(r, 0, 1));
		resp_header(rs, "Content-Type", "%s", PQgetvalue(r, 0, 2));
	}
	PQclear(r);
}
