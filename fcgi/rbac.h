/* The permission matrix (roles.def) and plan features (plans.def): one
 * decision function for every route, and the same tables printed as
 * JSON (voxline-web --routes) and Markdown (docs/security.md). */
#ifndef VOXLINE_RBAC_H
#define VOXLINE_RBAC_H
#include "router.h"
#include <stdio.h>

struct auth;

enum rbac_scope { RBAC_OPEN, RBAC_USER, RBAC_TENANT, RBAC_PLATFORM };
enum rbac_key { RBAC_KEY_NONE, RBAC_KEY_READ, RBAC_KEY_WRITE };

/* Column order of roles.def: the platform role first, then tenant roles. */
enum rbac_role { ROLE_superadmin, ROLE_owner, ROLE_admin, ROLE_operator, ROLE_analyst,
	ROLE_viewer, ROLE__COUNT };

enum plan_feature {
	FEATURE_none,
#define FEATURE(name, base, pro, insights, global, desc) FEATURE_##name,
#include "plans.def"
#undef FEATURE
	FEATURE__COUNT
};

struct rbac_grant {
	enum perm perm;
	enum rbac_scope scope;
	unsigned char roles[ROLE__COUNT];
	enum rbac_key api_key;
	enum plan_feature feature;
};

/* Checks once at start-up that every permission has exactly one row. */
int rbac_check(char *err, size_t errlen);
const struct rbac_grant *rbac_grant(enum perm p);
const char *rbac_role_name(enum rbac_role r);
/* A tenant role by name (owner..viewer); -1 when unknown. */
int rbac_tenant_role(const char *name);
/* 1 when the plan (base, pro, insights, global) includes the feature. */
int rbac_plan_has(const char *plan, enum plan_feature f);
/* The decision: ERR_none, ERR_unauthenticated, ERR_forbidden,
 * ERR_tenant_required or ERR_plan_upgrade_required. */
enum err_code rbac_decide(const struct auth *a, enum perm p);
/* Permissions held by a (names), for /api/v1/auth/me. */
json_t *rbac_permissions_of(const struct auth *a);
/* {"routes":[{method,pattern,permission}],"permissions":{...},"plans":{...}} */
json_t *rbac_routes_json(void);
/* The Markdown matrix for docs/security.md. */
void rbac_write_doc(FILE *out);

#endif
