/* The permission matrix decision: roles, API key scopes, tenant choice
 * and plan features, without a server. */
#include "tap.h"
#include "fcgi/auth.h"
#include "fcgi/rbac.h"
#include <string.h>

static struct auth
person(const char *role, const char *plan, int super)
{
	struct auth a;
	memset(&a, 0, sizeof a);
	a.authenticated = 1;
	a.superadmin = super;
	snprintf(a.user_id, sizeof a.user_id, "11111111-1111-4111-8111-111111111111");
	snprintf(a.session_id, sizeof a.session_id, "22222222-2222-4222-8222-222222222222");
	if (plan) {
		snprintf(a.tenant_id, sizeof a.tenant_id, "33333333-3333-4333-8333-333333333333");
		snprintf(a.plan, sizeof a.plan, "%s", plan);
	}
	snprintf(a.role, sizeof a.role, "%s", role);
	return a;
}

static struct auth
key(int write, const char *plan)
{
	struct auth a = person("", plan, 0);
	a.session_id[0] = '\0';
	snprintf(a.api_key_id, sizeof a.api_key_id, "44444444-4444-4444-8444-444444444444");
	a.api_key_write = write;
	return a;
}

int
main(void)
{
	char err[256];
	ok(rbac_check(err, sizeof err) == 0, "every permission has exactly one row in the matrix");
	struct auth nobody;
	memset(&nobody, 0, sizeof nobody);
	is_int(rbac_decide(&nobody, PERM_public), ERR_none, "public: anyone");
	is_int(rbac_decide(&nobody, PERM_dashboard_view), ERR_unauthenticated, "dashboard: nobody gets 401");

	struct auth viewer = person("viewer", "pro", 0), operator = person("operator", "pro", 0);
	struct auth admin = person("admin", "pro", 0), owner_base = person("owner", "base", 0);
	is_int(rbac_decide(&viewer, PERM_dashboard_view), ERR_none, "viewer sees the dashboard");
	is_int(rbac_decide(&viewer, PERM_calls_act), ERR_forbidden, "viewer cannot resolve calls");
	is_int(rbac_decide(&operator, PERM_calls_act), ERR_none, "operator resolves calls");
	is_int(rbac_decide(&operator, PERM_agents_manage), ERR_forbidden, "operator does not configure");
	is_int(rbac_decide(&admin, PERM_users_manage), ERR_none, "admin manages users");
	is_int(rbac_decide(&admin, PERM_tenants_manage), ERR_forbidden, "admin is not the platform");
	is_int(rbac_decide(&owner_base, PERM_calls_place), ERR_plan_upgrade_required, "base plan: no outbound calls");
	is_int(rbac_decide(&operator, PERM_calls_place), ERR_none, "pro plan: outbound calls");

	struct auth super_none = person("", NULL, 1), super_t = person("", "global", 1);
	is_int(rbac_decide(&super_none, PERM_tenants_manage), ERR_none, "superadmin manages tenants");
	is_int(rbac_decide(&super_none, PERM_users_manage), ERR_tenant_required, "superadmin must choose a tenant first");
	is_int(rbac_decide(&super_t, PERM_agents_manage), ERR_none, "superadmin acts on the chosen tenant");
	struct auth lost = person("", NULL, 0);
	is_int(rbac_decide(&lost, PERM_signed_in), ERR_none, "no tenant: own account still reachable");
	is_int(rbac_decide(&lost, PERM_dashboard_view), ERR_tenant_required, "no tenant: no dashboard");

	struct auth rk = key(0, "pro"), wk = key(1, "pro");
	is_int(rbac_decide(&rk, PERM_dashboard_view), ERR_none, "read key reads");
	is_int(rbac_decide(&rk, PERM_calls_act), ERR_forbidden, "read key cannot write");
	is_int(rbac_decide(&wk, PERM_calls_act), ERR_none, "write key writes");
	is_int(rbac_decide(&wk, PERM_signed_in), ERR_forbidden, "keys have no account");
	is_int(rbac_decide(&wk, PERM_api_keys_manage), ERR_forbidden, "keys cannot mint keys");
	is_int(rbac_decide(&wk, PERM_platform_view), ERR_forbidden, "keys are never the platform");

	json_t *perms = rbac_permissions_of(&viewer);
	is_int(json_array_size(perms), 2, "a viewer holds signed_in and dashboard_view");
	json_decref(perms);
	return done_testing();
}
