/* Onboarding a new agent: five steps (agent_steps), each validated and
 * saved as it is submitted so setup can be left and resumed; a review
 * page; going live records version 1.  Tenant scope only. */
#include "admin.h"
#include "agent_settings.h"
#include "../handlers.h"
#include <stdlib.h>
#include <string.h>

static int
step_of(struct req *rq)
{
	const char *s = admin_arg(rq, "step");
	int n = s ? atoi(s) : 0;
	return n >= 1 && n <= AGENT_WIZARD_STEPS ? n : 0;
}

static int
onboarding_step(json_t *agent)
{
	return (int)json_integer_value(json_object_get(agent, "onboarding_step"));
}

static int
is_draft(json_t *agent)
{
	return strcmp(json_string_value(json_object_get(agent, "status")) ?: "", "draft") == 0;
}

static json_t *
steps_nav(json_t *agent, int current)
{
	json_t *nav = json_array();
	const char *id = json_string_value(json_object_get(agent, "id"));
	for (int n = 1; n <= AGENT_WIZARD_STEPS; n++)
		json_array_append_new(nav, json_pack("{s:i,s:s,s:b,s:b,s:b,s:o}", "n", n, "title", agent_steps[n].title,
		    "done", n <= onboarding_step(agent), "current", n == current,
		    "reachable", n <= onboarding_step(agent) + 1,
		    "href", json_sprintf("/admin/agents/%s/setup/%d", id, n)));
	return nav;
}

/* What the tools and telephony steps show beside their fields. */
static int
step_extras(struct req *rq, json_t *ctx, json_t *view, const char *agent_id, int step)
{
	const char *p[1] = { agent_id };
	json_t *kbs = admin_query(rq->db, "SELECT id, name, length(content) AS size FROM knowledge_bases"
	    " WHERE agent_id = $1 ORDER BY lower(name), id", 1, p);
	json_t *numbers = admin_query(rq->db, "SELECT id, e164, carrier, label FROM phone_numbers"
	    " WHERE agent_id = $1 ORDER BY e164", 1, p);
	json_t *free_numbers = admin_query(rq->db, "SELECT id AS value, e164 || coalesce(' (' || label || ')', '') AS label"
	    " FROM phone_numbers WHERE agent_id IS NULL ORDER BY e164", 0, NULL);
	if (kbs == NULL || numbers == NULL || free_numbers == NULL) {
		json_decref(kbs);
		json_decref(numbers);
		json_decref(free_numbers);
		return -1;
	}
	json_object_set_new(ctx, "knowledge_bases", kbs);
	json_object_set_new(ctx, "numbers", numbers);
	json_array_insert_new(free_numbers, 0, json_pack("{s:s,s:s}", "value", "", "label", "—"));
	if (step == 5)
		form_view_options(view, "number_id", free_numbers);
	else
		json_decref(free_numbers);
	return 0;
}

static void
render_step(struct req *rq, struct resp *rs, int status, json_t *agent, int step, json_t *values, json_t *errors)
{
	const struct form *f = agent_steps[step].form;
	json_t *view = form_view(f, values, errors);
	agent_settings_lock(f, view, json_string_value(json_object_get(agent, "tenant_plan")), rq->auth->superadmin);
	json_t *extras = json_object();
	if (step_extras(rq, extras, view, json_string_value(json_object_get(agent, "id")), step) < 0) {
		json_decref(view);
		json_decref(extras);
		admin_db_fail(rq, rs);
		return;
	}
	db_commit(rq->db);
	/* The page context reads the database in its own transaction. */
	json_t *ctx = admin_ctx(rq, agent_steps[step].title, "agents");
	json_object_update(ctx, extras);
	json_decref(extras);
	json_object_set(ctx, "agent", agent);
	json_object_set_new(ctx, "steps", steps_nav(agent, step));
	json_object_set_new(ctx, "step", json_pack("{s:i,s:s,s:s,s:s,s:b,s:b}", "n", step, "key", agent_steps[step].key,
	    "title", agent_steps[step].title, "intro", agent_steps[step].intro, "tools", step == 4, "telephony", step == 5));
	json_object_set_new(ctx, "fields", view);
	json_object_set_new(ctx, "invalid", json_boolean(errors != NULL));
	admin_render(rq, rs, status, "wizard_step", ctx);
}

/* Loads a draft agent for the wizard, or redirects / answers an error. */
static json_t *
wizard_agent(struct req *rq, struct resp *rs, int step)
{
	if (admin_begin_tenant(rq, rs) < 0)
		return NULL;
	json_t *agent = admin_agent_load(rq, rs, admin_arg(rq, "id"));
	if (agent == NULL)
		return NULL;
	char loc[100];
	if (!is_draft(agent)) {
		snprintf(loc, sizeof loc, "/admin/agents/%s", admin_arg(rq, "id"));
	} else if (step > onboarding_step(agent) + 1) {
		/* Steps are taken in order; resume where setup stopped. */
		snprintf(loc, sizeof loc, "/admin/agents/%s/setup/%d", admin_arg(rq, "id"), onboarding_step(agent) + 1);
	} else {
		return agent;
	}
	db_rollback(rq->db);
	resp_redirect(rs, loc);
	json_decref(agent);
	return NULL;
}

void
admin_wizard_step(struct req *rq, struct resp *rs)
{
	int step = step_of(rq);
	if (step == 0) {
		resp_error(rq, rs, ERR_not_found, NULL);
		return;
	}
	json_t *agent = wizard_agent(rq, rs, step);
	if (agent == NULL)
		return;
	json_t *values = agent_settings_values(agent);
	render_step(rq, rs, 200, agent, step, values, NULL);
	json_decref(values);
	json_decref(agent);
}

static void
add_error(json_t **errors, const char *field, const char *msg)
{
	if (*errors == NULL)
		*errors = json_object();
	if (json_object_get(*errors, field) == NULL)
		json_object_set_new(*errors, field, json_string(msg));
}

/* The tools step may add a knowledge base. */
static int
save_tools(struct req *rq, const char *agent_id, json_t **errors)
{
	const char *name = admin_in(rq, "kb_name"), *content = admin_in(rq, "kb_content");
	if (!name[0] && !content[0])
		return 0;
	if (!name[0])
		add_error(errors, "kb_name", "Name the knowledge base.");
	if (!content[0])
		add_error(errors, "kb_content", "Paste or upload the knowledge base's text.");
	if (*errors)
		return 0;
	char id[37];
	return admin_kb_insert(rq, agent_id, name, content, admin_in(rq, "kb_filler"), id);
}

/* The telephony step routes an existing number or adds one; the agent
 * must end up with at least one number. */
static int
save_telephony(struct req *rq, const char *agent_id, json_t **errors)
{
	const char *number_id = admin_in(rq, "number_id"), *e164 = admin_in(rq, "e164");
	if (number_id[0]) {
		const char *p[2] = { number_id, agent_id };
		PGresult *r = db_exec(rq->db, "UPDATE phone_numbers SET agent_id = $2 WHERE id = $1 AND agent_id IS NULL"
		    " RETURNING e164", 2, p);
		if (r == NULL)
			return -1;
		int n = PQntuples(r);
		json_t *after = n ? json_pack("{s:s,s:s}", "e164", db_value(r, 0, 0), "agent_id", agent_id) : NULL;
		PQclear(r);
		if (n == 0)
			add_error(errors, "number_id", "This number is not available any more.");
		else if (auth_audit(rq, rq->auth->tenant_id, "number.assign", "phone_number", number_id, NULL, after) < 0) {
			json_decref(after);
			return -1;
		}
		json_decref(after);
	}
	if (e164[0]) {
		if (!admin_in(rq, "carrier")[0]) {
			add_error(errors, "carrier", "Choose the carrier of this number.");
			return 0;
		}
		int rc = admin_number_insert(rq, e164, admin_in(rq, "carrier"), admin_in(rq, "number_label"), agent_id);
		if (rc < 0)
			return -1;
		if (rc == 1)
			add_error(errors, "e164", "This number is already registered.");
	}
	if (*errors)
		return 0;
	const char *p[1] = { agent_id };
	PGresult *r = db_exec(rq->db, "SELECT count(*) FROM phone_numbers WHERE agent_id = $1", 1, p);
	if (r == NULL)
		return -1;
	if (atoi(db_value(r, 0, 0) ?: "0") == 0)
		add_error(errors, "e164", "Route a number to this agent: choose one above or add one.");
	PQclear(r);
	return 0;
}

void
admin_wizard_save(struct req *rq, struct resp *rs)
{
	int step = step_of(rq);
	if (step == 0) {
		resp_error(rq, rs, ERR_not_found, NULL);
		return;
	}
	json_t *agent = wizard_agent(rq, rs, step), *errors = NULL, *changes = NULL;
	if (agent == NULL)
		return;
	const char *id = admin_arg(rq, "id");
	int rc = admin_agent_apply(rq, agent_steps[step].form, agent, &errors, &changes);
	if (rc < 0)
		goto dbfail;
	if (rc == 0 && step == 4 && save_tools(rq, id, &errors) < 0)
		goto dbfail;
	if (rc == 0 && step == 5 && save_telephony(rq, id, &errors) < 0)
		goto dbfail;
	if (errors) {
		db_rollback(rq->db);
		/* Keep what was typed; re-read extras (lists) in a fresh transaction. */
		if (admin_begin_tenant(rq, rs) < 0)
			goto out;
		render_step(rq, rs, 400, agent, step, rq->form, errors);
		goto out;
	}
	char n[8];
	snprintf(n, sizeof n, "%d", step);
	const char *p[2] = { id, n };
	if (db_run(rq->db, "UPDATE agents SET onboarding_step = greatest(onboarding_step, $2::integer) WHERE id = $1", 2, p) < 0)
		goto dbfail;
	json_t *after = json_pack("{s:s,s:O}", "step", agent_steps[step].key, "changes", changes);
	rc = auth_audit(rq, rq->auth->tenant_id, "agent.setup", "agent", id, NULL, after);
	json_decref(after);
	if (rc < 0 || db_commit(rq->db) < 0)
		goto dbfail;
	char loc[100];
	if (step < AGENT_WIZARD_STEPS)
		snprintf(loc, sizeof loc, "/admin/agents/%s/setup/%d", id, step + 1);
	else
		snprintf(loc, sizeof loc, "/admin/agents/%s/review", id);
	resp_redirect(rs, loc);
	goto out;
dbfail:
	admin_db_fail(rq, rs);
out:
	json_decref(agent);
	json_decref(errors);
	json_decref(changes);
}

/* Review: every step's settings as text, what still blocks going live. */
static json_t *
review_sections(json_t *agent)
{
	json_t *values = agent_settings_values(agent), *sections = json_array();
	const char *id = json_string_value(json_object_get(agent, "id"));
	for (int n = 1; n <= AGENT_WIZARD_STEPS; n++) {
		json_t *items = json_array();
		const struct form *f = agent_steps[n].form;
		for (int i = 0; f->fields[i].name; i++) {
			json_t *v = json_object_get(values, f->fields[i].name);
			if (v == NULL)
				continue;   /* not a setting: the lists below show it */
			if (strcmp(f->ui[i].input, "checkbox") == 0)
				v = json_string(json_string_length(v) ? "on" : "off");
			else
				json_incref(v);
			json_array_append_new(items, json_pack("{s:s,s:o}", "label", f->ui[i].label, "value", v));
		}
		json_array_append_new(sections, json_pack("{s:i,s:s,s:o,s:o,s:b,s:b}", "n", n, "title", agent_steps[n].title,
		    "items", items, "href", json_sprintf("/admin/agents/%s/setup/%d", id, n),
		    "tools", n == 4, "telephony", n == 5));
	}
	json_decref(values);
	return sections;
}

static json_t *
live_blockers(json_t *agent, json_t *numbers)
{
	json_t *b = json_array();
	if (onboarding_step(agent) < AGENT_WIZARD_STEPS)
		json_array_append_new(b, json_sprintf("Complete every step (step %d is next).", onboarding_step(agent) + 1));
	if (json_string_length(json_object_get(agent, "greeting")) == 0)
		json_array_append_new(b, json_string("Write a greeting."));
	if (json_array_size(numbers) == 0)
		json_array_append_new(b, json_string("Route at least one number to the agent."));
	return b;
}

static void
review(struct req *rq, struct resp *rs, int go_live)
{
	if (admin_begin_tenant(rq, rs) < 0)
		return;
	json_t *agent = admin_agent_load(rq, rs, admin_arg(rq, "id"));
	if (agent == NULL)
		return;
	const char *id = admin_arg(rq, "id");
	char loc[100];
	if (!is_draft(agent)) {
		db_rollback(rq->db);
		snprintf(loc, sizeof loc, "/admin/agents/%s", id);
		resp_redirect(rs, loc);
		goto out;
	}
	json_t *ctx = json_object();
	if (step_extras(rq, ctx, NULL, id, 0) < 0) {
		json_decref(ctx);
		admin_db_fail(rq, rs);
		goto out;
	}
	json_t *blockers = live_blockers(agent, json_object_get(ctx, "numbers"));
	if (go_live && json_array_size(blockers) == 0) {
		json_decref(ctx);
		json_decref(blockers);
		const char *p[1] = { id };
		if (db_run(rq->db, "UPDATE agents SET status = 'live' WHERE id = $1", 1, p) < 0 ||
		    admin_agent_version_record(rq, id, "Went live", 0) < 0 ||
		    auth_audit(rq, rq->auth->tenant_id, "agent.go_live", "agent", id, NULL,
		        json_object_get(agent, "name")) < 0 || db_commit(rq->db) < 0) {
			admin_db_fail(rq, rs);
			goto out;
		}
		snprintf(loc, sizeof loc, "/admin/agents/%s?saved=1", id);
		resp_redirect(rs, loc);
		goto out;
	}
	db_commit(rq->db);
	json_t *extras = ctx;
	ctx = admin_ctx(rq, "Review", "agents");
	json_object_update(ctx, extras);
	json_decref(extras);
	json_object_set(ctx, "agent", agent);
	json_object_set_new(ctx, "steps", steps_nav(agent, 0));
	json_object_set_new(ctx, "sections", review_sections(agent));
	json_object_set_new(ctx, "blockers", blockers);
	json_object_set_new(ctx, "ready", json_boolean(json_array_size(blockers) == 0));
	admin_render(rq, rs, go_live ? 409 : 200, "wizard_review", ctx);
out:
	json_decref(agent);
}

void
admin_wizard_review(struct req *rq, struct resp *rs)
{
	review(rq, rs, 0);
}

void
admin_wizard_go_live(struct req *rq, struct resp *rs)
{
	review(rq, rs, 1);
}
