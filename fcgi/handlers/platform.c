/* Platform pages and API for superadmins: the email outbox (every
 * message, including those held because no transport is configured)
 * and the tenants list API (tenants are created in fcgi/admin/tenants.c). */
#include "../handlers.h"
#include "../auth.h"
#include "../page.h"
#include "db.h"
#include <stdio.h>
#include <string.h>

static json_t *
outbox(struct req *rq)
{
	PGresult *r = db_exec(rq->db, "SELECT id, " PAGE_TIME("created_at") ", to_address, subject,"
	    " body_text, kind, status, coalesce(transport, ''), coalesce(last_error, '')"
	    " FROM email_outbox ORDER BY created_at DESC, id LIMIT 200", 0, NULL);
	if (r == NULL)
		return NULL;
	json_t *out = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
		    "id", PQgetvalue(r, i, 0), "created", PQgetvalue(r, i, 1), "to", PQgetvalue(r, i, 2),
		    "subject", PQgetvalue(r, i, 3), "body", PQgetvalue(r, i, 4), "kind", PQgetvalue(r, i, 5),
		    "status", PQgetvalue(r, i, 6), "transport", PQgetvalue(r, i, 7),
		    "error", PQgetvalue(r, i, 8)));
	PQclear(r);
	return out;
}

static json_t *
tenants(struct req *rq)
{
	if (db_begin_tenant(rq->db, NULL) < 0)
		return NULL;
	PGresult *r = db_exec(rq->db, "SELECT t.id, t.name, t.slug, t.plan, t.status,"
	    " (SELECT count(*) FROM memberships m WHERE m.tenant_id = t.id)::text,"
	    " " PAGE_TIME("t.created_at") " FROM tenants t ORDER BY t.name, t.id LIMIT 1000", 0, NULL);
	db_commit(rq->db);
	if (r == NULL)
		return NULL;
	json_t *out = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", PQgetvalue(r, i, 0),
		    "name", PQgetvalue(r, i, 1), "slug", PQgetvalue(r, i, 2), "plan", PQgetvalue(r, i, 3),
		    "status", PQgetvalue(r, i, 4), "members", PQgetvalue(r, i, 5), "created", PQgetvalue(r, i, 6)));
	PQclear(r);
	return out;
}

void
api_outbox(struct req *rq, struct resp *rs)
{
	json_t *list = outbox(rq);
	if (list == NULL)
		resp_error(rq, rs, ERR_database_unavailable, NULL);
	else
		resp_json(rs, 200, json_pack("{s:o}", "messages", list));
}

void
api_tenants(struct req *rq, struct resp *rs)
{
	json_t *list = tenants(rq);
	if (list == NULL)
		resp_error(rq, rs, ERR_database_unavailable, NULL);
	else
		resp_json(rs, 200, json_pack("{s:o}", "tenants", list));
}

void
outbox_page(struct req *rq, struct resp *rs)
{
	json_t *list = outbox(rq);
	if (list == NULL) {
		resp_error(rq, rs, ERR_database_unavailable, NULL);
		return;
	}
	json_t *ctx = page_context(rq, "Email outbox", "/platform/outbox");
	json_object_set_new(ctx, "messages", list);
	page_render(rq, rs, "outbox", ctx);
}

/* Tenants are listed and created in the admin portal; the old address
 * of the list keeps working. */
void
tenants_moved(struct req *rq, struct resp *rs)
{
	resp_redirect(rs, "/admin/tenants");
	rs->status = 301;      /* for good: bookmarks follow */
}
