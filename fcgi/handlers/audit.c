/* The audit log, read-only: owner/admin see their tenant's entries,
 * a superadmin may also see platform entries or everything.  Filters:
 * action prefix, target type, actor, time range; newest first, paged
 * by id. */
#include "../handlers.h"
#include "../auth.h"
#include "../page.h"
#include "db.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct field audit_fields[] = {
	{ "action", FT_STRING, 0, 1, 64, NULL },
	{ "target_type", FT_STRING, 0, 1, 64, NULL },
	{ "actor", FT_UUID, 0, 0, 0, NULL },
	{ "since", FT_TIMESTAMP, 0, 0, 0, NULL },
	{ "until", FT_TIMESTAMP, 0, 0, 0, NULL },
	{ "before_id", FT_INT, 0, 1, 9000000000000000000L, NULL },
	{ "limit", FT_INT, 0, 1, 200, NULL },
	{ "scope", FT_ENUM, 0, 0, 0, "tenant|platform|all" },
	{ NULL }
};

static const char *
in_text(struct req *rq, const char *name, char *tmp, size_t n)
{
	json_t *v = json_object_get(rq->in, name);
	if (json_is_integer(v)) {
		snprintf(tmp, n, "%lld", (long long)json_integer_value(v));
		return tmp;
	}
	return json_string_value(v);
}

/* NULL and *err set when the filters are not allowed or the query failed. */
static json_t *
audit_query(struct req *rq, enum err_code *err)
{
	const struct auth *a = rq->auth;
	char before[32], limit[32];
	const char *scope = json_string_value(json_object_get(rq->in, "scope"));
	if (scope == NULL)
		scope = "tenant";
	if (strcmp(scope, "tenant") != 0 && !a->superadmin) {
		*err = ERR_forbidden;
		return NULL;
	}
	const char *lim = in_text(rq, "limit", limit, sizeof limit);
	const char *p[9] = { scope, a->tenant_id, in_text(rq, "action", NULL, 0),
		in_text(rq, "target_type", NULL, 0), in_text(rq, "actor", NULL, 0),
		in_text(rq, "since", NULL, 0), in_text(rq, "until", NULL, 0),
		in_text(rq, "before_id", before, sizeof before), lim ? lim : "50" };
	*err = ERR_database_unavailable;
	if (db_begin_tenant(rq->db, strcmp(scope, "tenant") == 0 ? a->tenant_id : NULL) < 0)
		return NULL;
	PGresult *r = db_prep(rq->db, "audit_list", "SELECT l.id, " PAGE_TIME("l.created_at") ","
	    " l.action, coalesce(l.target_type, ''), coalesce(l.target_id, ''),"
	    " coalesce(u.email, l.actor_api_key_prefix, ''), coalesce(host(l.source_ip), ''),"
	    " coalesce(l.correlation_id, ''), l.before::text, l.after::text, coalesce(t.name, ''),"
	    " l.created_at"
	    " FROM audit_log l LEFT JOIN users u ON u.id = l.actor_user_id"
	    " LEFT JOIN tenants t ON t.id = l.tenant_id"
	    " WHERE CASE $1 WHEN 'tenant' THEN l.tenant_id = $2::uuid"
	    "   WHEN 'platform' THEN l.tenant_id IS NULL ELSE true END"
	    " AND ($3::text IS NULL OR left(l.action, length($3)) = $3)"
	    " AND ($4::text IS NULL OR l.target_type = $4)"
	    " AND ($5::uuid IS NULL OR l.actor_user_id = $5::uuid)"
	    " AND ($6::timestamptz IS NULL OR l.created_at >= $6::timestamptz)"
	    " AND ($7::timestamptz IS NULL OR l.created_at < $7::timestamptz)"
	    " AND ($8::bigint IS NULL OR l.id < $8::bigint)"
	    " ORDER BY l.id DESC LIMIT $9::int", 9, p);
	db_commit(rq->db);
	if (r == NULL)
		return NULL;
	json_t *out = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *row = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
		    "id", (json_int_t)strtoll(PQgetvalue(r, i, 0), NULL, 10), "at", PQgetvalue(r, i, 1),
		    "action", PQgetvalue(r, i, 2), "target_type", PQgetvalue(r, i, 3),
		    "target_id", PQgetvalue(r, i, 4), "actor", PQgetvalue(r, i, 5),
		    "source_ip", PQgetvalue(r, i, 6), "correlation_id", PQgetvalue(r, i, 7),
		    "tenant", PQgetvalue(r, i, 10));
		json_object_set_new(row, "before", PQgetisnull(r, i, 8) ? json_null() :
		    json_loads(PQgetvalue(r, i, 8), 0, NULL));
		json_object_set_new(row, "after", PQgetisnull(r, i, 9) ? json_null() :
		    json_loads(PQgetvalue(r, i, 9), 0, NULL));
		json_array_append_new(out, row);
	}
	PQclear(r);
	*err = ERR_none;
	return out;
}

void
api_audit(struct req *rq, struct resp *rs)
{
	enum err_code err;
	json_t *rows = audit_query(rq, &err);
	if (rows == NULL) {
		resp_error(rq, rs, err, NULL);
		return;
	}
	json_t *last = json_array_get(rows, json_array_size(rows) - 1);
	json_t *body = json_pack("{s:o}", "entries", rows);
	if (last)
		json_object_set(body, "next_before_id", json_object_get(last, "id"));
	resp_json(rs, 200, body);
}

void
audit_page(struct req *rq, struct resp *rs)
{
	enum err_code err;
	json_t *rows = audit_query(rq, &err);
	if (rows == NULL) {
		resp_error(rq, rs, err, NULL);
		return;
	}
	json_t *ctx = page_context(rq, "Audit log", "/audit");
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *row = json_array_get(rows, i);
		char *b = json_dumps(json_object_get(row, "before"), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		char *a = json_dumps(json_object_get(row, "after"), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		json_object_set_new(row, "before_text", json_string(b && strcmp(b, "null") ? b : ""));
		json_object_set_new(row, "after_text", json_string(a && strcmp(a, "null") ? a : ""));
		free(b);
		free(a);
	}
	json_t *last = json_array_get(rows, json_array_size(rows) - 1);
	if (last && json_array_size(rows) >= 50)
		json_object_set(ctx, "next_before_id", json_object_get(last, "id"));
	json_object_set_new(ctx, "entries", rows);
	json_object_set(ctx, "filter", rq->in);
	page_render(rq, rs, "audit", ctx);
}
