/* Page context, transactions and rows for the admin portal. */
#include "admin.h"
#include "log.h"
#include "../router.h"
#include "../page.h"
#include "audit.h"
#include <string.h>

/* The portal's pages sit under the signed-in layout's navigation
 * (nav.def); section names the entry to mark current. */
static const struct { const char *section, *href; } sections[] = {
	{ "tenants", "/admin/tenants" }, { "agents", "/admin/agents" },
	{ "numbers", "/admin/numbers" }, { "intelligence", "/admin/intelligence" },
	{ "quality", "/admin/quality" }, { "providers", "/admin/providers" },
	{ "provider-keys", "/admin/provider-keys" },
};

json_t *
admin_ctx(struct req *rq, const char *title, const char *section)
{
	const char *href = NULL;
	for (size_t i = 0; section && i < sizeof sections / sizeof sections[0]; i++)
		if (strcmp(sections[i].section, section) == 0)
			href = sections[i].href;
	return page_context(rq, title, href);
}

/* The field errors of a page context (its "fields", or its "groups"' fields). */
static void
collect_errors(json_t *fields, json_t *into)
{
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f)
		if (json_is_string(json_object_get(f, "error")))
			json_object_set(into, json_string_value(json_object_get(f, "name")), json_object_get(f, "error"));
}

void
admin_render(struct req *rq, struct resp *rs, int status, const char *page, json_t *ctx)
{
	if (status == 400 && req_wants_json(rq)) {
		/* A client asking for JSON gets the standard error shape. */
		json_t *errors = json_object(), *g;
		size_t i;
		collect_errors(json_object_get(ctx, "fields"), errors);
		json_array_foreach(json_object_get(ctx, "groups"), i, g)
			collect_errors(json_object_get(g, "fields"), errors);
		json_decref(ctx);
		resp_error(rq, rs, ERR_validation_failed, errors);
		return;
	}
	char name[128];
	snprintf(name, sizeof name, "admin/%s", page);
	resp_page(rq, rs, status, name, ctx);
	json_decref(ctx);
}

int
admin_begin_tenant(struct req *rq, struct resp *rs)
{
	if (rq->auth == NULL || rq->auth->tenant_id[0] == '\0') {
		resp_error(rq, rs, ERR_forbidden, NULL);
		return -1;
	}
	if (db_begin_tenant(rq->db, rq->auth->tenant_id) < 0) {
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		return -1;
	}
	return 0;
}

int
admin_begin_platform(struct req *rq, struct resp *rs)
{
	if (rq->auth == NULL || !rq->auth->superadmin) {
		resp_error(rq, rs, ERR_forbidden, NULL);
		return -1;
	}
	if (db_begin_tenant(rq->db, "*") < 0) {
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		return -1;
	}
	return 0;
}

void
admin_db_fail(struct req *rq, struct resp *rs)
{
	char detail[512];
	snprintf(detail, sizeof detail, "%s", db_error(rq->db));
	db_rollback(rq->db);
	resp_fail(rq, rs, db_connected(rq->db) ? ERR_internal : ERR_database_unavailable, detail);
}

json_t *
admin_rows(PGresult *r)
{
	json_t *rows = json_array();
	for (int i = 0; r && i < PQntuples(r); i++) {
		json_t *o = json_object();
		for (int c = 0; c < PQnfields(r); c++)
			json_object_set_new(o, PQfname(r, c), PQgetisnull(r, i, c) ? json_null() :
			    json_string(PQgetvalue(r, i, c)));
		json_array_append_new(rows, o);
	}
	return rows;
}

json_t *
admin_row(PGresult *r)
{
	if (r == NULL || PQntuples(r) == 0)
		return NULL;
	json_t *rows = admin_rows(r);
	json_t *row = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return row;
}

json_t *
admin_query(struct db *db, const char *sql, int n, const char *const *params)
{
	PGresult *r = db_exec(db, sql, n, params);
	if (r == NULL)
		return NULL;
	json_t *rows = admin_rows(r);
	PQclear(r);
	return rows;
}

json_t *
admin_query_one(struct req *rq, struct resp *rs, const char *sql, int n, const char *const *params)
{
	json_t *rows = admin_query(rq->db, sql, n, params);
	if (rows == NULL) {
		admin_db_fail(rq, rs);
		return NULL;
	}
	json_t *row = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	if (row == NULL) {
		db_rollback(rq->db);
		resp_error(rq, rs, ERR_not_found, NULL);
	}
	return row;
}

const char *
admin_arg(struct req *rq, const char *name)
{
	return json_string_value(json_object_get(rq->path_args, name));
}

const char *
admin_in(struct req *rq, const char *name)
{
	const char *s = json_string_value(json_object_get(rq->in, name));
	return s ? s : "";
}

