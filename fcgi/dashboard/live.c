/* Live updates and recordings: the cheap "has anything changed?" poll
 * (ETag / 304) and the recording handed to nginx to serve (recording_send). */
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

void
dash_recording(struct req *rq, struct resp *rs)
{
	const char *tenant = dashw_begin(rq, rs);
	if (tenant == NULL)
		return;
	const char *p[] = { tenant, json_string_value(json_object_get(rq->path_args, "id")) };
	PGresult *r = db_prep(rq->db, "dash_recording_file",
	    "SELECT storage_path, coalesce(content_type, 'audio/wav'), storage FROM recordings "
	    "WHERE tenant_id = $1 AND call_id = $2 AND status = 'stored' "
	    "AND storage_path IS NOT NULL ORDER BY created_at DESC LIMIT 1", 2, p);
	if (r == NULL) {
		dashw_fail(rq, rs, "recording");
		return;
	}
	db_rollback(rq->db);
	if (PQntuples(r) != 1)
		resp_error(rq, rs, ERR_not_found, NULL);
	else
		recording_send(rq, rs, PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
	PQclear(r);
}
