#include "page.h"
#include "auth.h"
#include "db.h"
#include "rbac.h"
#include <string.h>

static const struct { const char *label, *href; enum perm perm; } nav[] = {
#define NAV(label, href, perm) { label, href, PERM_##perm },
#include "nav.def"
#undef NAV
};

static json_t *
tenant_choices(struct req *rq)
{
	const struct auth *a = rq->auth;
	json_t *out = json_array();
	if (a->api_key_id[0] || db_begin_tenant(rq->db, NULL) < 0)
		return out;
	const char *p[1] = { a->user_id };
	PGresult *r = a->superadmin
	    ? db_prep(rq->db, "page_tenants_all", "SELECT id, name FROM tenants"
	        " WHERE $1::uuid IS NOT NULL ORDER BY name, id LIMIT 500", 1, p)
	    : db_prep(rq->db, "page_tenants", "SELECT t.id, t.name FROM memberships m"
	        " JOIN tenants t ON t.id = m.tenant_id WHERE m.user_id = $1 AND m.disabled_at IS NULL"
	        " ORDER BY t.name, t.id", 1, p);
	for (int i = 0; r && i < PQntuples(r); i++)
		json_array_append_new(out, json_pack("{s:s,s:s,s:b}", "id", PQgetvalue(r, i, 0),
		    "name", PQgetvalue(r, i, 1), "current", strcmp(PQgetvalue(r, i, 0), a->tenant_id) == 0));
	PQclear(r);
	db_commit(rq->db);
	return out;
}

json_t *
page_context(struct req *rq, const char *title, const char *current_href)
{
	const struct auth *a = rq->auth;
	json_t *items = json_array();
	for (size_t i = 0; i < sizeof nav / sizeof nav[0]; i++)
		if (rbac_decide(a, nav[i].perm) == ERR_none)
			json_array_append_new(items, json_pack("{s:s,s:s,s:b}", "label", nav[i].label,
			    "href", nav[i].href, "current", current_href && strcmp(current_href, nav[i].href) == 0));
	json_t *tenants = tenant_choices(rq);
	json_t *ctx = json_pack("{s:s,s:{s:s,s:s},s:o,s:s,s:b,s:s}", "title", title,
	    "user", "name", a->user_name[0] ? a->user_name : a->user_email, "email", a->user_email,
	    "nav", items, "csrf_token", a->csrf_token, "superadmin", a->superadmin,
	    "path", rq->path ? rq->path : "/");
	if (a->tenant_id[0])
		json_object_set_new(ctx, "tenant", json_pack("{s:s,s:s,s:s,s:s}", "id", a->tenant_id,
		    "name", a->tenant_name, "role", a->superadmin ? "superadmin" : a->role, "plan", a->plan));
	if (json_array_size(tenants) > 1 || (a->superadmin && json_array_size(tenants) > 0)) {
		json_object_set_new(ctx, "tenants", tenants);
		json_object_set_new(ctx, "switcher", json_true());
	} else
		json_decref(tenants);
	return ctx;
}

void
page_render(struct req *rq, struct resp *rs, const char *page, json_t *ctx)
{
	resp_page(rq, rs, 200, page, ctx);
	json_decref(ctx);
}
