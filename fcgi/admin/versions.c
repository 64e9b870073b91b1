/* An agent's version history, the difference between two versions, and
 * rolling back (which is itself a new version).  Tenant scope only. */
#include "admin.h"
#include "agent_diff.h"
#include "../handlers.h"
#include <stdlib.h>
#include <string.h>

const struct field admin_version_query[] = {
	{ "against", FT_INT, 0, 1, 1000000, NULL },
	{ NULL }
};

void
admin_versions_page(struct req *rq, struct resp *rs)
{
	if (admin_begin_tenant(rq, rs) < 0)
		return;
	json_t *agent = admin_agent_load(rq, rs, admin_arg(rq, "id"));
	if (agent == NULL)
		return;
	const char *p[1] = { admin_arg(rq, "id") };
	json_t *rows = admin_query(rq->db, "SELECT v.version, v.note, u.name AS author,"
	    " to_char(v.created_at AT TIME ZONE coalesce(a.time_zone, 'UTC'), 'YYYY-MM-DD HH24:MI') AS created,"
	    " v.version > 1 AS has_previous, v.version = a.version AS current,"
	    " (SELECT count(*) FROM calls c WHERE c.tenant_id = v.tenant_id AND c.agent_id = v.agent_id"
	    "   AND c.agent_version = v.version) AS calls"
	    " FROM agent_versions v JOIN agents a ON a.tenant_id = v.tenant_id AND a.id = v.agent_id"
	    " LEFT JOIN users u ON u.id = v.created_by"
	    " WHERE v.agent_id = $1 ORDER BY v.version DESC", 1, p);
	if (rows == NULL) {
		json_decref(agent);
		admin_db_fail(rq, rs);
		return;
	}
	db_commit(rq->db);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		json_object_set_new(row, "has_previous", json_boolean(strcmp(json_string_value(json_object_get(row, "has_previous")), "t") == 0));
		json_object_set_new(row, "current", json_boolean(strcmp(json_string_value(json_object_get(row, "current")), "t") == 0));
	}
	json_t *ctx = admin_ctx(rq, "Versions", "agents");
	json_object_set_new(ctx, "agent", agent);
	json_object_set_new(ctx, "versions", rows);
	admin_render(rq, rs, 200, "versions", ctx);
}

static json_t *
load_config(struct req *rq, const char *agent_id, long version, int *found)
{
	char v[24];
	snprintf(v, sizeof v, "%ld", version);
	const char *p[2] = { agent_id, v };
	PGresult *r = db_exec(rq->db, "SELECT config::text FROM agent_versions WHERE agent_id = $1 AND version = $2", 2, p);
	if (r == NULL)
		return NULL;
	*found = PQntuples(r) > 0;
	json_t *c = *found ? json_loads(db_value(r, 0, 0), 0, NULL) : json_object();
	PQclear(r);
	return c;
}

void
admin_version_diff(struct req *rq, struct resp *rs)
{
	long v = atol(admin_arg(rq, "v"));
	json_t *against_in = json_object_get(rq->in, "against");
	long against = against_in ? (long)json_integer_value(against_in) : v - 1;
	if (admin_begin_tenant(rq, rs) < 0)
		return;
	json_t *agent = admin_agent_load(rq, rs, admin_arg(rq, "id"));
	if (agent == NULL)
		return;
	int found_new = 0, found_old = 0;
	json_t *newer = load_config(rq, admin_arg(rq, "id"), v, &found_new);
	json_t *older = against > 0 ? load_config(rq, admin_arg(rq, "id"), against, &found_old) : json_object();
	if (newer == NULL || older == NULL) {
		json_decref(newer);
		json_decref(older);
		json_decref(agent);
		admin_db_fail(rq, rs);
		return;
	}
	db_commit(rq->db);
	if (!found_new || (against > 0 && !found_old)) {
		resp_error(rq, rs, ERR_not_found, NULL);
	} else {
		json_t *ctx = admin_ctx(rq, "Changes", "agents");
		json_object_set_new(ctx, "changes", agent_diff(older, newer));
		json_object_set_new(ctx, "shown", json_integer(v));
		json_object_set_new(ctx, "against", against > 0 ? json_integer(against) : json_null());
		json_object_set(ctx, "agent", agent);
		json_object_set_new(ctx, "can_roll_back", json_boolean(v != json_integer_value(json_object_get(agent, "version"))));
		admin_render(rq, rs, 200, "version_diff", ctx);
	}
	json_decref(newer);
	json_decref(older);
	json_decref(agent);
}

void
admin_version_rollback(struct req *rq, struct resp *rs)
{
	const char *id = admin_arg(rq, "id"), *v = admin_arg(rq, "v");
	if (admin_begin_tenant(rq, rs) < 0)
		return;
	const char *p[2] = { id, v };
	PGresult *r = db_exec(rq->db, "SELECT voxline_agent_config(a)::text"
	    " FROM agents a JOIN agent_versions v ON v.tenant_id = a.tenant_id AND v.agent_id = a.id"
	    " WHERE a.id = $1 AND v.version = $2::integer AND a.status <> 'draft' FOR UPDATE OF a", 2, p);
	if (r == NULL) {
		admin_db_fail(rq, rs);
		return;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		db_rollback(rq->db);
		resp_error(rq, rs, ERR_not_found, NULL);
		return;
	}
	json_t *before = json_loads(db_value(r, 0, 0), 0, NULL);
	PQclear(r);
	if (db_run(rq->db, "SELECT voxline_agent_apply_config($1, config) FROM agent_versions"
	    " WHERE agent_id = $1 AND version = $2::integer", 2, p) < 0) {
		json_decref(before);
		admin_db_fail(rq, rs);
		return;
	}
	char note[64];
	snprintf(note, sizeof note, "Rolled back to version %s", v);
	int version = admin_agent_version_record(rq, id, note, 1);
	json_t *after = json_pack("{s:s,s:i}", "rolled_back_to", v, "version", version);
	int rc = version < 0 ? -1 : auth_audit(rq, rq->auth->tenant_id, "agent.rollback", "agent", id, before, after);
	json_decref(before);
	json_decref(after);
	if (rc < 0 || db_commit(rq->db) < 0) {
		admin_db_fail(rq, rs);
		return;
	}
	char loc[100];
	snprintf(loc, sizeof loc, "/admin/agents/%s/versions", id);
	resp_redirect(rs, loc);
}
