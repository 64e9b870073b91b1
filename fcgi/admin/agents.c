/* The tenant's agents: list, start onboarding, configuration after
 * onboarding (each change a new version).  Tenant scope only. */
#include "admin.h"
#include "tenants.h"
#include "agent_settings.h"
#include "../handlers.h"
#include <string.h>

#define AGENT_NEW(F) \
	F("name", FT_STRING, FIELD_REQUIRED, 1, 120, NULL, "Agent name", "text", NULL, 0)
FORM_DEFINE(admin_agent_new, AGENT_NEW)

const struct field admin_agent_page_query[] = {
	{ "saved", FT_INT, 0, 0, 1000000, NULL },
	{ NULL }
};

json_t *
admin_agent_load(struct req *rq, struct resp *rs, const char *id)
{
	const char *p[1] = { id };
	PGresult *r = db_exec(rq->db, "SELECT to_jsonb(a)::text, t.plan FROM agents a"
	    " JOIN tenants t ON t.id = a.tenant_id WHERE a.id = $1", 1, p);
	if (r == NULL) {
		admin_db_fail(rq, rs);
		return NULL;
	}
	json_t *agent = PQntuples(r) ? json_loads(db_value(r, 0, 0), 0, NULL) : NULL;
	if (agent)
		json_object_set_new(agent, "tenant_plan", json_string(db_value(r, 0, 1)));
	PQclear(r);
	if (agent == NULL) {
		db_rollback(rq->db);
		resp_error(rq, rs, ERR_not_found, NULL);
	}
	return agent;
}

int
admin_agent_version_record(struct req *rq, const char *agent_id, const char *note, int bump)
{
	const char *p[3] = { agent_id, rq->auth && rq->auth->user_id[0] ? rq->auth->user_id : NULL, note };
	if (bump && db_run(rq->db, "UPDATE agents SET version = version + 1 WHERE id = $1", 1, p) < 0)
		return -1;
	PGresult *r = db_exec(rq->db, "INSERT INTO agent_versions (tenant_id, agent_id, version, config, created_by, note)"
	    " SELECT tenant_id, id, version, voxline_agent_config(a), $2, $3 FROM agents a WHERE id = $1"
	    " ON CONFLICT (agent_id, version) DO NOTHING RETURNING version", 3, p);
	if (r == NULL)
		return -1;
	int v = PQntuples(r) ? atoi(db_value(r, 0, 0)) : 0;
	PQclear(r);
	return v;
}

void
admin_agents_list(struct req *rq, struct resp *rs)
{
	if (admin_begin_tenant(rq, rs) < 0)
		return;
	json_t *rows = admin_query(rq->db, "SELECT a.id, a.name, a.status, a.version, a.onboarding_step,"
	    " least(a.onboarding_step + 1, 5) AS next_step, a.status = 'draft' AS draft,"
	    " (SELECT count(*) FROM phone_numbers p WHERE p.tenant_id = a.tenant_id AND p.agent_id = a.id) AS numbers,"
	    " (SELECT count(*) FROM knowledge_bases k WHERE k.tenant_id = a.tenant_id AND k.agent_id = a.id) AS knowledge"
	    " FROM agents a ORDER BY lower(a.name), a.id", 0, NULL);
	if (rows == NULL) {
		admin_db_fail(rq, rs);
		return;
	}
	db_commit(rq->db);
	/* "t" from SQL booleans: the template tests truth. */
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		json_object_set_new(row, "draft", json_boolean(strcmp(json_string_value(json_object_get(row, "draft")), "t") == 0));
	json_t *ctx = admin_ctx(rq, "Agents", "agents");
	json_object_set_new(ctx, "agents", rows);
	json_object_set_new(ctx, "fields", form_view(&admin_agent_new_form, NULL, NULL));
	admin_render(rq, rs, 200, "agents", ctx);
}

void
admin_agent_create(struct req *rq, struct resp *rs)
{
	json_t *in = NULL, *errors = form_check(&admin_agent_new_form, rq->in, &in);
	if (errors) {
		json_t *ctx = admin_ctx(rq, "Agents", "agents");
		json_object_set_new(ctx, "agents", json_array());
		json_object_set_new(ctx, "fields", form_view(&admin_agent_new_form, rq->form, errors));
		admin_render(rq, rs, 400, "agents", ctx);
		json_decref(errors);
		return;
	}
	if (admin_begin_tenant(rq, rs) < 0)
		goto out;
	const char *p[2] = { rq->auth->tenant_id, json_string_value(json_object_get(in, "name")) };
	PGresult *r = db_exec(rq->db, "INSERT INTO agents (tenant_id, name, time_zone)"
	    " SELECT id, $2, time_zone FROM tenants WHERE id = $1 RETURNING id", 2, p);
	if (r == NULL || PQntuples(r) != 1) {
		PQclear(r);
		admin_db_fail(rq, rs);
		goto out;
	}
	char id[37], loc[80];
	snprintf(id, sizeof id, "%s", db_value(r, 0, 0));
	PQclear(r);
	if (auth_audit(rq, rq->auth->tenant_id, "agent.create", "agent", id, NULL, in) < 0 ||
	    db_commit(rq->db) < 0) {
		admin_db_fail(rq, rs);
		goto out;
	}
	snprintf(loc, sizeof loc, "/admin/agents/%s/setup/1", id);
	resp_redirect(rs, loc);
out:
	json_decref(in);
}

static void
render_config(struct req *rq, struct resp *rs, int status, json_t *agent, json_t *values, json_t *errors)
{
	const char *plan = json_string_value(json_object_get(agent, "tenant_plan"));
	json_t *groups = json_array();
	for (const struct agent_step *g = agent_config_groups; g->key; g++) {
		json_t *view = form_view(g->form, values, errors);
		agent_settings_lock(g->form, view, plan, rq->auth->superadmin);
		json_array_append_new(groups, json_pack("{s:s,s:s,s:s?,s:o}", "key", g->key, "title", g->title,
		    "intro", g->intro, "fields", view));
	}
	json_t *ctx = admin_ctx(rq, json_string_value(json_object_get(agent, "name")), "agents");
	json_object_set(ctx, "agent", agent);
	json_object_set_new(ctx, "groups", groups);
	json_object_set_new(ctx, "invalid", json_boolean(errors != NULL));
	json_object_set(ctx, "saved", json_object_get(rq->in, "saved"));
	admin_render(rq, rs, status, "agent", ctx);
}

void
admin_agent_page(struct req *rq, struct resp *rs)
{
	if (admin_begin_tenant(rq, rs) < 0)
		return;
	json_t *agent = admin_agent_load(rq, rs, admin_arg(rq, "id"));
	if (agent == NULL)
		return;
	db_commit(rq->db);
	if (strcmp(json_string_value(json_object_get(agent, "status")), "draft") == 0) {
		char loc[80];
		snprintf(loc, sizeof loc, "/admin/agents/%s/review", admin_arg(rq, "id"));
		resp_redirect(rs, loc);
	} else {
		json_t *values = agent_settings_values(agent);
		render_config(rq, rs, 200, agent, values, NULL);
		json_decref(values);
	}
	json_decref(agent);
}

/* Checks a settings form against the stored agent; on success writes it.
 * Returns 0 saved, 1 invalid (*errors set), -1 database error. */
int
admin_agent_apply(struct req *rq, const struct form *f, json_t *agent, json_t **errors, json_t **changes)
{
	json_t *in = NULL;
	*changes = NULL;
	if ((*errors = form_check(f, rq->in, &in)) == NULL)
		*errors = agent_settings_check(f, in, agent, json_string_value(json_object_get(agent, "tenant_plan")),
		    rq->auth->superadmin, changes);
	json_decref(in);
	if (*errors)
		return 1;
	json_t *tz = json_object_get(*changes, "time_zone");
	if (json_is_string(tz)) {
		int known = tenant_zone_known(rq->db, json_string_value(tz));
		if (known < 0)
			return -1;
		if (!known) {
			*errors = json_pack("{s:s}", "time_zone", "Unknown time zone; use an IANA name like America/Chicago.");
			return 1;
		}
	}
	return agent_settings_save(rq->db, json_string_value(json_object_get(agent, "id")), *changes) < 0 ? -1 : 0;
}

void
admin_agent_save(struct req *rq, struct resp *rs)
{
	const char *id = admin_arg(rq, "id");
	json_t *errors = NULL, *changes = NULL, *agent, *before = NULL, *after = NULL;
	if (admin_begin_tenant(rq, rs) < 0)
		return;
	if ((agent = admin_agent_load(rq, rs, id)) == NULL)
		return;
	if (strcmp(json_string_value(json_object_get(agent, "status")), "draft") == 0) {
		db_rollback(rq->db);
		resp_error(rq, rs, ERR_conflict, json_pack("{s:s}", "status", "Finish onboarding first."));
		goto out;
	}
	const char *p[1] = { id };
	json_t *rows = admin_query(rq->db, "SELECT voxline_agent_config(a)::text FROM agents a WHERE id = $1", 1, p);
	before = rows ? json_loads(json_string_value(json_object_get(json_array_get(rows, 0), "voxline_agent_config")), 0, NULL) : NULL;
	json_decref(rows);
	int rc = admin_agent_apply(rq, &agent_config_form, agent, &errors, &changes);
	if (rc == 1) {
		db_rollback(rq->db);
		render_config(rq, rs, 400, agent, rq->form, errors);
		goto out;
	}
	if (rc < 0 || before == NULL)
		goto dbfail;
	rows = admin_query(rq->db, "SELECT voxline_agent_config(a)::text FROM agents a WHERE id = $1", 1, p);
	after = rows ? json_loads(json_string_value(json_object_get(json_array_get(rows, 0), "voxline_agent_config")), 0, NULL) : NULL;
	json_decref(rows);
	if (after == NULL)
		goto dbfail;
	int version = 0;
	if (!json_equal(before, after)) {
		if ((version = admin_agent_version_record(rq, id, "Configuration changed", 1)) < 0 ||
		    auth_audit(rq, rq->auth->tenant_id, "agent.update", "agent", id, before, after) < 0)
			goto dbfail;
	}
	if (db_commit(rq->db) < 0)
		goto dbfail;
	char loc[100];
	snprintf(loc, sizeof loc, "/admin/agents/%s?saved=%d", id, version);
	resp_redirect(rs, loc);
	goto out;
dbfail:
	admin_db_fail(rq, rs);
out:
	json_decref(agent);
	json_decref(before);
	json_decref(after);
	json_decref(errors);
	json_decref(changes);
}
