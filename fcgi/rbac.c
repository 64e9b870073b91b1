#include "rbac.h"
#include "auth.h"
#include <string.h>

#define OPEN RBAC_OPEN
#define USER RBAC_USER
#define TENANT RBAC_TENANT
#define PLATFORM RBAC_PLATFORM
#define NONE RBAC_KEY_NONE
#define READ RBAC_KEY_READ
#define WRITE RBAC_KEY_WRITE
#define FEATURE_ARG(f) FEATURE_##f
static const struct rbac_grant grants[] = {
#define GRANT(p, scope, su, ow, ad, op, an, vw, key, feat) \
	{ PERM_##p, scope, { su, ow, ad, op, an, vw }, key, FEATURE_ARG(feat) },
#include "roles.def"
#undef GRANT
};
#undef OPEN
#undef USER
#undef TENANT
#undef PLATFORM
#undef NONE
#undef READ
#undef WRITE
static const int ngrants = (int)(sizeof grants / sizeof grants[0]);

static const char *const role_names[ROLE__COUNT] = {
	"superadmin", "owner", "admin", "operator", "analyst", "viewer",
};
static const char *const scope_names[] = { "open", "user", "tenant", "platform" };
static const char *const key_names[] = { "none", "read", "write" };
static const char *const plan_names[] = { "base", "pro", "insights", "global" };

static const struct { const char *name, *desc; unsigned char plans[4]; } features[FEATURE__COUNT] = {
	{ "none", "", { 1, 1, 1, 1 } },
#define FEATURE(name, base, pro, insights, global, desc) { #name, desc, { base, pro, insights, global } },
#include "plans.def"
#undef FEATURE
};

int
rbac_check(char *err, size_t errlen)
{
	for (int p = 0; p < PERM__COUNT; p++) {
		int rows = 0;
		for (int i = 0; i < ngrants; i++)
			rows += grants[i].perm == (enum perm)p;
		if (rows != 1) {
			snprintf(err, errlen, "permission %s has %d rows in roles.def (needs exactly one)",
			    perm_name((enum perm)p), rows);
			return -1;
		}
	}
	return 0;
}

const struct rbac_grant *
rbac_grant(enum perm p)
{
	for (int i = 0; i < ngrants; i++)
		if (grants[i].perm == p)
			return &grants[i];
	return NULL;
}

const char *rbac_role_name(enum rbac_role r) { return r < ROLE__COUNT ? role_names[r] : "?"; }

int
rbac_tenant_role(const char *name)
{
	for (int r = ROLE_owner; r < ROLE__COUNT; r++)
		if (name && strcmp(name, role_names[r]) == 0)
			return r;
	return -1;
}

int
rbac_plan_has(const char *plan, enum plan_feature f)
{
	for (int i = 0; i < 4; i++)
		if (plan && strcmp(plan, plan_names[i]) == 0)
			return f < FEATURE__COUNT && features[f].plans[i];
	return f == FEATURE_none;
}

enum err_code
rbac_decide(const struct auth *a, enum perm p)
{
	const struct rbac_grant *g = rbac_grant(p);
	if (g == NULL)
		return ERR_forbidden;               /* default deny */
	if (g->scope == RBAC_OPEN)
		return ERR_none;
	if (a == NULL || !a->authenticated)
		return ERR_unauthenticated;
	if (a->api_key_id[0]) {
		if (g->scope != RBAC_TENANT || g->api_key == RBAC_KEY_NONE ||
		    (g->api_key == RBAC_KEY_WRITE && !a->api_key_write))
			return ERR_forbidden;
	} else if (g->scope == RBAC_USER) {
		return ERR_none;
	} else if (g->scope == RBAC_PLATFORM) {
		return a->superadmin && g->roles[ROLE_superadmin] ? ERR_none : ERR_forbidden;
	} else {
		if (a->tenant_id[0] == '\0')
			return ERR_tenant_required;
		int role = a->superadmin ? ROLE_superadmin : rbac_tenant_role(a->role);
		if (role < 0 || !g->roles[role])
			return ERR_forbidden;
	}
	if (!rbac_plan_has(a->plan, g->feature))
		return ERR_plan_upgrade_required;
	return ERR_none;
}

json_t *
rbac_permissions_of(const struct auth *a)
{
	json_t *out = json_array();
	for (int p = 0; p < PERM__COUNT; p++)
		if (rbac_grant((enum perm)p)->scope != RBAC_OPEN && rbac_decide(a, (enum perm)p) == ERR_none)
			json_array_append_new(out, json_string(perm_name((enum perm)p)));
	return out;
}

json_t *
rbac_routes_json(void)
{
	json_t *routes = json_array(), *perms = json_object(), *plans = json_object();
	for (int i = 0; i < router_nroutes; i++)
		json_array_append_new(routes, json_pack("{s:s,s:s,s:s}", "method", router_routes[i].method,
		    "pattern", router_routes[i].pattern, "permission", perm_name(router_routes[i].perm)));
	for (int i = 0; i < ngrants; i++) {
		json_t *roles = json_array();
		for (int r = 0; r < ROLE__COUNT; r++)
			if (grants[i].roles[r])
				json_array_append_new(roles, json_string(role_names[r]));
		json_object_set_new(perms, perm_name(grants[i].perm), json_pack("{s:s,s:o,s:s,s:s?}",
		    "scope", scope_names[grants[i].scope], "roles", roles,
		    "api_key", key_names[grants[i].api_key],
		    "feature", grants[i].feature ? features[grants[i].feature].name : NULL));
	}
	for (int pl = 0; pl < 4; pl++) {
		json_t *f = json_array();
		for (int i = 1; i < FEATURE__COUNT; i++)
			if (features[i].plans[pl])
				json_array_append_new(f, json_string(features[i].name));
		json_object_set_new(plans, plan_names[pl], f);
	}
	return json_pack("{s:o,s:o,s:o}", "routes", routes, "permissions", perms, "plans", plans);
}

static const char *
key_cell(const struct rbac_grant *g)
{
	if (g->scope == RBAC_OPEN)
		return "—";
	if (g->scope != RBAC_TENANT || g->api_key == RBAC_KEY_NONE)
		return "no";
	return g->api_key == RBAC_KEY_READ ? "read, write" : "write";
}

void
rbac_write_doc(FILE *out)
{
	fprintf(out, "### Permissions\n\n| permission | what | superadmin | owner | admin | operator |"
	    " analyst | viewer | API key | plan feature |\n|---|---|---|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < ngrants; i++) {
		const struct rbac_grant *g = &grants[i];
		fprintf(out, "| `%s` | %s |", perm_name(g->perm), perm_description(g->perm));
		for (int r = 0; r < ROLE__COUNT; r++)
			fprintf(out, " %s |", g->scope == RBAC_OPEN ? "anyone" :
			    g->scope == RBAC_USER ? "yes" : g->roles[r] ? "yes" : "—");
		fprintf(out, " %s | %s |\n", key_cell(g),
		    g->feature ? features[g->feature].name : "");
	}
	fprintf(out, "\n### Plans\n\n| feature | what | base | pro | insights | global |\n|---|---|---|---|---|---|\n");
	for (int i = 1; i < FEATURE__COUNT; i++) {
		fprintf(out, "| `%s` | %s |", features[i].name, features[i].desc);
		for (int pl = 0; pl < 4; pl++)
			fprintf(out, " %s |", features[i].plans[pl] ? "yes" : "—");
		fprintf(out, "\n");
	}
	fprintf(out, "\n### Routes\n\n| method | path | permission |\n|---|---|---|\n");
	for (int i = 0; i < router_nroutes; i++)
		fprintf(out, "| %s | `%s` | `%s` |\n", router_routes[i].method,
		    router_routes[i].pattern, perm_name(router_routes[i].perm));
}
