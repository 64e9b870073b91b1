/* The tenant's phone numbers: add (E.164, carrier), route to an agent,
 * recent calls per number.  Tenant scope only. */
#include "admin.h"
#include "../handlers.h"
#include <string.h>

#define NUMBER_FORM(F) \
	F("e164", FT_E164, FIELD_REQUIRED, 0, 16, NULL, "Number", "tel", \
	    "International format, e.g. +15551234567.", 0) \
	F("carrier", FT_ENUM, FIELD_REQUIRED, 0, 0, "twilio|signalwire|telnyx", "Carrier", "select", NULL, 0) \
	F("label", FT_STRING, 0, 0, 100, NULL, "Label", "text", NULL, 0) \
	F("agent_id", FT_UUID, 0, 0, 0, NULL, "Agent", "select", "Calls to this number reach this agent.", 0)
#define NUMBER_ROUTE(F) \
	F("label", FT_STRING, 0, 0, 100, NULL, "Label", "text", NULL, 0) \
	F("agent_id", FT_UUID, 0, 0, 0, NULL, "Agent", "select", "Calls to this number reach this agent.", 0)
FORM_DEFINE(admin_number, NUMBER_FORM)
FORM_DEFINE(admin_number_route, NUMBER_ROUTE)

int
admin_number_insert(struct req *rq, const char *e164, const char *carrier, const char *label,
    const char *agent_id)
{
	const char *p[5] = { rq->auth->tenant_id, e164, carrier, label && label[0] ? label : NULL,
		agent_id && agent_id[0] ? agent_id : NULL };
	/* e164 is unique across tenants; another tenant's row is invisible
	 * here, so the conflict is detected rather than looked up. */
	PGresult *r = db_exec(rq->db, "INSERT INTO phone_numbers (tenant_id, e164, carrier, label, agent_id)"
	    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (e164) DO NOTHING RETURNING id", 5, p);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 1;
	}
	char id[37];
	snprintf(id, sizeof id, "%s", db_value(r, 0, 0));
	PQclear(r);
	json_t *after = json_pack("{s:s,s:s,s:s?,s:s?}", "e164", e164, "carrier", carrier, "label", p[3], "agent_id", p[4]);
	int rc = auth_audit(rq, rq->auth->tenant_id, "number.create", "phone_number", id, NULL, after);
	json_decref(after);
	return rc;
}

/* 1 when agent_id is one of the tenant's agents, 0 if not, -1 on error. */
static int
agent_visible(struct req *rq, const char *agent_id)
{
	const char *p[1] = { agent_id };
	json_t *found = admin_query(rq->db, "SELECT id FROM agents WHERE id = $1", 1, p);
	if (found == NULL)
		return -1;
	int n = (int)json_array_size(found);
	json_decref(found);
	return n > 0;
}

static json_t *
agent_options(struct req *rq)
{
	json_t *opts = admin_query(rq->db, "SELECT id AS value, name || CASE status WHEN 'draft' THEN ' (setting up)'"
	    " ELSE '' END AS label FROM agents ORDER BY lower(name), id", 0, NULL);
	if (opts)
		json_array_insert_new(opts, 0, json_pack("{s:s,s:s}", "value", "", "label", "Not routed"));
	return opts;
}

static void
render_list(struct req *rq, struct resp *rs, int status, json_t *values, json_t *errors)
{
	json_t *rows = admin_query(rq->db, "SELECT p.id, p.e164, p.carrier, p.label, a.name AS agent,"
	    " (SELECT count(*) FROM calls c WHERE c.tenant_id = p.tenant_id AND c.phone_number_id = p.id"
	    "   AND c.started_at > now() - interval '30 days') AS calls_30d"
	    " FROM phone_numbers p LEFT JOIN agents a ON a.tenant_id = p.tenant_id AND a.id = p.agent_id"
	    " ORDER BY p.e164", 0, NULL);
	json_t *opts = agent_options(rq);
	if (rows == NULL || opts == NULL) {
		json_decref(rows);
		json_decref(opts);
		admin_db_fail(rq, rs);
		return;
	}
	db_commit(rq->db);
	json_t *view = form_view(&admin_number_form, values, errors);
	form_view_options(view, "agent_id", opts);
	json_t *ctx = admin_ctx(rq, "Numbers", "numbers");
	json_object_set_new(ctx, "numbers", rows);
	json_object_set_new(ctx, "fields", view);
	json_object_set_new(ctx, "invalid", json_boolean(errors != NULL));
	admin_render(rq, rs, status, "numbers", ctx);
}

void
admin_numbers_page(struct req *rq, struct resp *rs)
{
	if (admin_begin_tenant(rq, rs) < 0)
		return;
	render_list(rq, rs, 200, NULL, NULL);
}

void
admin_number_create(struct req *rq, struct resp *rs)
{
	json_t *in = NULL, *errors = form_check(&admin_number_form, rq->in, &in);
	if (admin_begin_tenant(rq, rs) < 0)
		goto out;
	int visible = errors == NULL && admin_in(rq, "agent_id")[0] ? agent_visible(rq, admin_in(rq, "agent_id")) : 1;
	if (visible < 0) {
		admin_db_fail(rq, rs);
		goto out;
	}
	if (!visible)
		errors = json_pack("{s:s}", "agent_id", "Choose one of this business's agents.");
	if (errors == NULL) {
		int rc = admin_number_insert(rq, admin_in(rq, "e164"), admin_in(rq, "carrier"),
		    admin_in(rq, "label"), admin_in(rq, "agent_id"));
		if (rc < 0) {
			admin_db_fail(rq, rs);
			goto out;
		}
		if (rc == 1)
			errors = json_pack("{s:s}", "e164", "This number is already registered.");
	}
	if (errors) {
		db_rollback(rq->db);
		if (admin_begin_tenant(rq, rs) < 0)
			goto out;
		render_list(rq, rs, 400, rq->form, errors);
		goto out;
	}
	if (db_commit(rq->db) < 0) {
		admin_db_fail(rq, rs);
		goto out;
	}
	resp_redirect(rs, "/admin/numbers");
out:
	json_decref(in);
	json_decref(errors);
}

static json_t *
load_number(struct req *rq, struct resp *rs)
{
	const char *p[1] = { admin_arg(rq, "id") };
	json_t *n = admin_query_one(rq, rs, "SELECT id, e164, carrier, label, agent_id FROM phone_numbers WHERE id = $1", 1, p);
	return n;
}

static void
render_number(struct req *rq, struct resp *rs, int status, json_t *number, json_t *values, json_t *errors)
{
	const char *p[1] = { admin_arg(rq, "id") };
	json_t *calls = admin_query(rq->db, "SELECT c.id, to_char(c.started_at AT TIME ZONE t.time_zone,"
	    " 'YYYY-MM-DD HH24:MI') AS started, c.from_number, c.status, c.duration_seconds, c.outcome,"
	    " c.agent_version FROM calls c JOIN tenants t ON t.id = c.tenant_id"
	    " WHERE c.phone_number_id = $1 ORDER BY c.started_at DESC, c.id DESC LIMIT 20", 1, p);
	json_t *opts = agent_options(rq);
	if (calls == NULL || opts == NULL) {
		json_decref(calls);
		json_decref(opts);
		admin_db_fail(rq, rs);
		return;
	}
	db_commit(rq->db);
	json_t *view = form_view(&admin_number_route_form, values ? values : number, errors);
	form_view_options(view, "agent_id", opts);
	json_t *ctx = admin_ctx(rq, json_string_value(json_object_get(number, "e164")), "numbers");
	json_object_set(ctx, "number", number);
	json_object_set_new(ctx, "calls", calls);
	json_object_set_new(ctx, "fields", view);
	json_object_set_new(ctx, "invalid", json_boolean(errors != NULL));
	admin_render(rq, rs, status, "number", ctx);
}

void
admin_number_page(struct req *rq, struct resp *rs)
{
	if (admin_begin_tenant(rq, rs) < 0)
		return;
	json_t *n = load_number(rq, rs);
	if (n == NULL)
		return;
	render_number(rq, rs, 200, n, NULL, NULL);
	json_decref(n);
}

void
admin_number_update(struct req *rq, struct resp *rs)
{
	json_t *in = NULL, *errors = form_check(&admin_number_route_form, rq->in, &in), *n = NULL;
	if (admin_begin_tenant(rq, rs) < 0)
		goto out;
	if ((n = load_number(rq, rs)) == NULL)
		goto out;
	const char *agent = admin_in(rq, "agent_id"), *label = admin_in(rq, "label");
	if (errors == NULL && agent[0]) {
		int visible = agent_visible(rq, agent);
		if (visible < 0) {
			admin_db_fail(rq, rs);
			goto out;
		}
		if (!visible)
			errors = json_pack("{s:s}", "agent_id", "Choose one of this business's agents.");
	}
	if (errors) {
		render_number(rq, rs, 400, n, rq->form, errors);
		goto out;
	}
	const char *p[3] = { admin_arg(rq, "id"), agent[0] ? agent : NULL, label[0] ? label : NULL };
	json_t *after = json_pack("{s:s?,s:s?}", "agent_id", p[1], "label", p[2]);
	int rc = db_run(rq->db, "UPDATE phone_numbers SET agent_id = $2, label = $3 WHERE id = $1", 3, p);
	if (rc == 0)
		rc = auth_audit(rq, rq->auth->tenant_id, "number.update", "phone_number", p[0], n, after);
	json_decref(after);
	if (rc < 0 || db_commit(rq->db) < 0) {
		admin_db_fail(rq, rs);
		goto out;
	}
	char loc[80];
	snprintf(loc, sizeof loc, "/admin/numbers/%s", p[0]);
	resp_redirect(rs, loc);
out:
	json_decref(in);
	json_decref(errors);
	json_decref(n);
}
