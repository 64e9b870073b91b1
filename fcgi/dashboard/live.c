/* Live updates and recordings: the cheap "has anything changed?" poll
 * (ETag / 304) and the recording handed to nginx to serve. */
#include "../handlers.h"
#include "web.h"
#include <string.h>

void
dash_changes(struct req *rq, struct resp *rs)
{
	const char *tenant = dashw_begin(rq, rs);
	if (tenant == NULL)
		return;
	char tag[64], updated[40], etag[80];
	if (dash_changes_tag(rq->db, tenant, tag, sizeof tag, updated, sizeof updated) < 0) {
		dashw_fail(rq, rs, "changes");
		return;
	}
	db_rollback(rq->db);
	snprintf(etag, sizeof etag, "\"%s\"", tag);
	resp_header(rs, "ETag", "%s", etag);
	if (rq->if_none_match && strcmp(rq->if_none_match, etag) == 0) {
		resp_text(rs, 304, NULL, "", 0);
		return;
	}
	resp_json(rs, 200, json_pack("{s:s,s:s?}", "etag", etag, "updated_at",
	    *updated ? updated : NULL));
}

/* Paths under the storage directory, as the recordings job writes them. */
static int
storage_path_ok(const char *p)
{
	size_t n = strlen(p);
	return n > 0 && n < 512 && p[0] != '/' && strstr(p, "..") == NULL &&
	    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") == n;
}

void
dash_recording(struct req *rq, struct resp *rs)
{
	const char *tenant = dashw_begin(rq, rs);
	if (tenant == NULL)
		return;
	const char *p[] = { tenant, json_string_value(json_object_get(rq->path_args, "id")) };
	PGresult *r = db_prep(rq->db, "dash_recording_file",
	    "SELECT storage_path, coalesce(content_type, 'audio/wav') FROM recordings "
	    "WHERE tenant_id = $1 AND call_id = $2 AND status = 'stored' "
	    "AND storage_path IS NOT NULL ORDER BY created_at DESC LIMIT 1", 2, p);
	if (r == NULL) {
		dashw_fail(rq, rs, "recording");
		return;
	}
	db_rollback(rq->db);
	if (PQntuples(r) != 1 || !storage_path_ok(PQgetvalue(r, 0, 0))) {
		PQclear(r);
		resp_error(rq, rs, ERR_not_found, NULL);
		return;
	}
	resp_header(rs, "X-Accel-Redirect", "/_files/%s", PQgetvalue(r, 0, 0));
	/* The type comes from the database: only a plain audio/... type passes
	 * into the header, kept in a copy that outlives the result. */
	static _Thread_local char type[64];
	const char *t = PQgetvalue(r, 0, 1);
	snprintf(type, sizeof type, "%s", strncmp(t, "audio/", 6) == 0 && strlen(t) < sizeof type &&
	    strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789/.+-") == strlen(t) ? t : "application/octet-stream");
	PQclear(r);
	resp_text(rs, 200, type, "", 0);
}
