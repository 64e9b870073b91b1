/* Platform: tenants list, tenant page, create, edit plan and limits,
 * suspend and reactivate.  Platform scope ("*"), superadmin only. */
#include "admin.h"
#include "../handlers.h"
#include "tenants.h"
#include <string.h>

#define TENANT_COMMON(F) \
	F("name", FT_STRING, FIELD_REQUIRED, 1, 200, NULL, "Name", "text", NULL, 0) \
	F("plan", FT_ENUM, FIELD_REQUIRED, 0, 0, "base|pro|insights|global", "Plan", "select", \
	    "Plans gate features; see the plan table in the documentation.", 1) \
	F("time_zone", FT_STRING, FIELD_REQUIRED, 1, 64, NULL, "Time zone", "text", \
	    "IANA name, e.g. Europe/Berlin.", 1) \
	F("max_concurrent_calls", FT_INT, FIELD_REQUIRED, 0, 10000, NULL, "Concurrent calls", "number", \
	    "Calls at the same time; 0 stops new calls.", 1) \
	F("monthly_minutes", FT_INT, FIELD_REQUIRED, 0, 10000000, NULL, "Minutes per month", "number", NULL, 1) \
	F("retention_days", FT_INT, FIELD_REQUIRED, 1, 3650, NULL, "Keep calls for (days)", "number", NULL, 1)
#define TENANT_CREATE(F) \
	F("slug", FT_STRING, FIELD_REQUIRED, 1, 63, NULL, "Short name", "text", \
	    "Lower-case letters, digits and dashes; used in links.", 0) \
	TENANT_COMMON(F)
#define TENANT_STATUS(F) \
	F("status", FT_ENUM, FIELD_REQUIRED, 0, 0, "active|suspended", "Status", "select", NULL, 0)

FORM_DEFINE(admin_tenant_create, TENANT_CREATE)
FORM_DEFINE(admin_tenant_edit, TENANT_COMMON)
FORM_DEFINE(admin_tenant_status, TENANT_STATUS)

/* POST /api/v1/platform/tenants takes the create form's fields; those the
 * schema has a default for (extra argument 1) may be left out there. */
#define TENANT_API_(n, t, fl, mn, mx, ch, lb, in, hi, defaulted) \
	{ n, t, (defaulted) ? (fl) & ~FIELD_REQUIRED : (fl), mn, mx, ch },
const struct field tenant_create_fields[] = { TENANT_CREATE(TENANT_API_) { NULL } };

static const char *const tenant_columns[] = { "name", "plan", "time_zone", "max_concurrent_calls",
	"monthly_minutes", "retention_days" };

void
admin_tenants_list(struct req *rq, struct resp *rs)
{
	if (admin_begin_platform(rq, rs) < 0)
		return;
	json_t *rows = admin_query(rq->db,
	    "SELECT t.id, t.name, t.slug, t.plan, t.status,"
	    " (SELECT count(*) FROM agents a WHERE a.tenant_id = t.id) AS agents,"
	    " (SELECT count(*) FROM phone_numbers p WHERE p.tenant_id = t.id) AS numbers,"
	    " (SELECT count(*) FROM memberships m WHERE m.tenant_id = t.id) AS users,"
	    " m.calls, to_char(m.cost, 'FM999999990.00') AS cost"
	    " FROM tenants t CROSS JOIN LATERAL ("
	    "   SELECT count(*) AS calls, coalesce(sum(c.cost_total), 0) AS cost FROM calls c"
	    "    WHERE c.tenant_id = t.id"
	    "      AND c.started_at >= date_trunc('month', now() AT TIME ZONE t.time_zone) AT TIME ZONE t.time_zone) m"
	    " ORDER BY lower(t.name), t.id", 0, NULL);
	if (rows == NULL) {
		admin_db_fail(rq, rs);
		return;
	}
	db_commit(rq->db);
	json_t *ctx = admin_ctx(rq, "Tenants", "tenants");
	json_object_set_new(ctx, "tenants", rows);
	admin_render(rq, rs, 200, "tenants", ctx);
}

static void
render_new(struct req *rq, struct resp *rs, int status, json_t *values, json_t *errors)
{
	json_t *ctx = admin_ctx(rq, "New tenant", "tenants");
	json_object_set_new(ctx, "fields", form_view(&admin_tenant_create_form, values, errors));
	json_object_set_new(ctx, "invalid", json_boolean(errors != NULL));
	admin_render(rq, rs, status, "tenant_new", ctx);
}

void
admin_tenant_new(struct req *rq, struct resp *rs)
{
	json_t *defaults = json_pack("{s:s,s:s,s:s,s:s,s:s}", "plan", "base", "time_zone", "UTC",
	    "max_concurrent_calls", "5", "monthly_minutes", "1000", "retention_days", "90");
	render_new(rq, rs, 200, defaults, NULL);
	json_decref(defaults);
}

/* A validated integer field as the decimal text tenant_new takes (NULL when absent). */
static const char *
int_text(json_t *in, const char *name, char out[24])
{
	json_t *v = json_object_get(in, name);
	if (!json_is_integer(v))
		return NULL;
	snprintf(out, 24, "%lld", (long long)json_integer_value(v));
	return out;
}

static json_t *load_tenant(struct req *rq, struct resp *rs, const char *id);

/* Creates the tenant from validated input (platform scope begun) and
 * commits.  The new tenant's row, or NULL with *errors set for the
 * fields at fault (rolled back) or, with *errors NULL, a response
 * already written. */
static json_t *
create_tenant(struct req *rq, struct resp *rs, json_t *in, json_t **errors)
{
	char calls[24], minutes[24], days[24], id[37];
	const struct tenant_new t = {
		.name = json_string_value(json_object_get(in, "name")),
		.slug = json_string_value(json_object_get(in, "slug")),
		.plan = json_string_value(json_object_get(in, "plan")),
		.time_zone = json_string_value(json_object_get(in, "time_zone")),
		.max_concurrent_calls = int_text(in, "max_concurrent_calls", calls),
		.monthly_minutes = int_text(in, "monthly_minutes", minutes),
		.retention_days = int_text(in, "retention_days", days),
	};
	const struct audit_entry who = auth_actor(rq);
	json_t *row = NULL;
	*errors = NULL;
	switch (tenant_new(rq->db, &t, &who, id)) {
	case TENANT_CREATED:
		if ((row = load_tenant(rq, rs, id)) == NULL)
			break;                  /* answered */
		if (db_commit(rq->db) == 0)
			return row;
		json_decref(row);
		admin_db_fail(rq, rs);
		return NULL;
	case TENANT_SLUG_INVALID:
		*errors = json_pack("{s:s}", "slug", "Use lower-case letters, digits and dashes, not at either end.");
		break;
	case TENANT_SLUG_TAKEN:
		*errors = json_pack("{s:s}", "slug", "This short name is taken.");
		break;
	case TENANT_ZONE_UNKNOWN:
		*errors = json_pack("{s:s}", "time_zone", "Unknown time zone; use an IANA name like Europe/Berlin.");
		break;
	case TENANT_NEW_FAILED:
		admin_db_fail(rq, rs);
		return NULL;
	}
	db_rollback(rq->db);
	return NULL;
}

void
admin_tenant_create(struct req *rq, struct resp *rs)
{
	json_t *in = NULL, *errors = form_check(&admin_tenant_create_form, rq->in, &in), *row = NULL;
	if (errors == NULL && admin_begin_platform(rq, rs) == 0 &&
	    (row = create_tenant(rq, rs, in, &errors)) != NULL) {
		char loc[64];
		snprintf(loc, sizeof loc, "/admin/tenants/%s", json_string_value(json_object_get(row, "id")));
		resp_redirect(rs, loc);
	}
	if (errors)
		render_new(rq, rs, 400, rq->form, errors);
	json_decref(row);
	json_decref(in);
	json_decref(errors);
}

void
api_tenant_create(struct req *rq, struct resp *rs)
{
	json_t *errors = NULL, *row = NULL;
	if (admin_begin_platform(rq, rs) == 0 && (row = create_tenant(rq, rs, rq->in, &errors)) != NULL)
		resp_json(rs, 201, row);
	else if (errors)
		resp_error(rq, rs, ERR_validation_failed, errors);
}

/* The tenant (platform scope already begun), or NULL after a 404/503. */
static json_t *
load_tenant(struct req *rq, struct resp *rs, const char *id)
{
	const char *p[1] = { id };
	json_t *t = admin_query_one(rq, rs, "SELECT id, name, slug, plan, status, time_zone,"
	    " max_concurrent_calls::text, monthly_minutes::text, retention_days::text,"
	    " to_char(created_at, 'YYYY-MM-DD') AS created FROM tenants WHERE id = $1", 1, p);
	return t;
}

static void
render_tenant(struct req *rq, struct resp *rs, int status, json_t *tenant, json_t *values, json_t *errors)
{
	const char *p[1] = { json_string_value(json_object_get(tenant, "id")) };
	json_t *agents = admin_query(rq->db, "SELECT id, name, status, version FROM agents WHERE tenant_id = $1"
	    " ORDER BY lower(name), id", 1, p);
	json_t *numbers = admin_query(rq->db, "SELECT p.e164, p.carrier, p.label, a.name AS agent"
	    " FROM phone_numbers p LEFT JOIN agents a ON a.tenant_id = p.tenant_id AND a.id = p.agent_id"
	    " WHERE p.tenant_id = $1 ORDER BY p.e164", 1, p);
	json_t *users = admin_query(rq->db, "SELECT u.name, u.email, m.role,"
	    " CASE WHEN m.disabled_at IS NOT NULL THEN 'disabled' ELSE u.status END AS status FROM memberships m"
	    " JOIN users u ON u.id = m.user_id WHERE m.tenant_id = $1 ORDER BY lower(u.email)", 1, p);
	if (agents == NULL || numbers == NULL || users == NULL) {
		json_decref(agents);
		json_decref(numbers);
		json_decref(users);
		admin_db_fail(rq, rs);
		return;
	}
	db_commit(rq->db);
	json_t *ctx = admin_ctx(rq, json_string_value(json_object_get(tenant, "name")), "tenants");
	json_object_set(ctx, "account", tenant);
	json_object_set_new(ctx, "fields", form_view(&admin_tenant_edit_form, values ? values : tenant, errors));
	json_object_set_new(ctx, "invalid", json_boolean(errors != NULL));
	json_object_set_new(ctx, "suspended", json_boolean(strcmp(json_string_value(json_object_get(tenant, "status")), "suspended") == 0));
	json_object_set_new(ctx, "agents", agents);
	json_object_set_new(ctx, "numbers", numbers);
	json_object_set_new(ctx, "users", users);
	admin_render(rq, rs, status, "tenant", ctx);
}

void
admin_tenant_page(struct req *rq, struct resp *rs)
{
	if (admin_begin_platform(rq, rs) < 0)
		return;
	json_t *t = load_tenant(rq, rs, admin_arg(rq, "id"));
	if (t == NULL)
		return;
	render_tenant(rq, rs, 200, t, NULL, NULL);
	json_decref(t);
}

void
admin_tenant_update(struct req *rq, struct resp *rs)
{
	json_t *in = NULL, *errors = form_check(&admin_tenant_edit_form, rq->in, &in), *t = NULL;
	if (admin_begin_platform(rq, rs) < 0)
		goto out;
	if ((t = load_tenant(rq, rs, admin_arg(rq, "id"))) == NULL)
		goto out;
	if (errors == NULL) {
		int tz = tenant_zone_known(rq->db, json_string_value(json_object_get(in, "time_zone")));
		if (tz < 0)
			goto dbfail;
		if (!tz)
			errors = json_pack("{s:s}", "time_zone", "Unknown time zone; use an IANA name like Europe/Berlin.");
	}
	if (errors) {
		render_tenant(rq, rs, 400, t, rq->form, errors);
		goto out;
	}
	const char *p[7] = { admin_arg(rq, "id") };
	char nums[3][24];
	for (int i = 0; i < 6; i++) {
		json_t *v = json_object_get(in, tenant_columns[i]);
		if (json_is_integer(v)) {
			snprintf(nums[i - 3], sizeof nums[0], "%lld", (long long)json_integer_value(v));
			p[i + 1] = nums[i - 3];
		} else {
			p[i + 1] = json_string_value(v);
		}
	}
	if (db_run(rq->db, "UPDATE tenants SET name = $2, plan = $3, time_zone = $4,"
	    " max_concurrent_calls = $5, monthly_minutes = $6, retention_days = $7 WHERE id = $1", 7, p) < 0)
		goto dbfail;
	if (auth_audit(rq, admin_arg(rq, "id"), "tenant.update", "tenant", admin_arg(rq, "id"), t, in) < 0 ||
	    db_commit(rq->db) < 0)
		goto dbfail;
	char loc[64];
	snprintf(loc, sizeof loc, "/admin/tenants/%s", admin_arg(rq, "id"));
	resp_redirect(rs, loc);
	goto out;
dbfail:
	admin_db_fail(rq, rs);
out:
	json_decref(t);
	json_decref(in);
	json_decref(errors);
}

void
admin_tenant_status(struct req *rq, struct resp *rs)
{
	json_t *in = NULL, *errors = form_check(&admin_tenant_status_form, rq->in, &in), *t = NULL;
	if (admin_begin_platform(rq, rs) < 0)
		goto out;
	if ((t = load_tenant(rq, rs, admin_arg(rq, "id"))) == NULL)
		goto out;
	if (errors) {
		db_rollback(rq->db);
		resp_error(rq, rs, ERR_validation_failed, errors);
		errors = NULL;
		goto out;
	}
	const char *p[2] = { admin_arg(rq, "id"), json_string_value(json_object_get(in, "status")) };
	json_t *before = json_pack("{s:O}", "status", json_object_get(t, "status"));
	int rc = db_run(rq->db, "UPDATE tenants SET status = $2 WHERE id = $1", 2, p);
	if (rc == 0)
		rc = auth_audit(rq, p[0], strcmp(p[1], "suspended") == 0 ? "tenant.suspend" : "tenant.reactivate",
		    "tenant", p[0], before, in);
	json_decref(before);
	if (rc < 0 || db_commit(rq->db) < 0) {
		admin_db_fail(rq, rs);
		goto out;
	}
	char loc[64];
	snprintf(loc, sizeof loc, "/admin/tenants/%s", p[0]);
	resp_redirect(rs, loc);
out:
	json_decref(t);
	json_decref(in);
	json_decref(errors);
}
