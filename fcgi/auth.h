/* Who is asking.  auth_identify() fills rq->auth from the session cookie
 * or the API key; access_check() decides a route's permission for it
 * (the matrix is in roles.def, the decision in rbac.c); csrf_check()
 * guards state-changing requests authenticated by cookie.
 * Routes never read a tenant id from the request: it comes from here. */
#ifndef VOXLINE_AUTH_H
#define VOXLINE_AUTH_H
#include "router.h"
#include <jansson.h>
#include "audit.h"

#define AUTH_SESSION_COOKIE "voxline_session"

struct auth {
	int authenticated;          /* a session or an API key was accepted */
	int superadmin;
	char user_id[37];
	char user_name[128];
	char user_email[256];
	char tenant_id[37];         /* current tenant; "" when none */
	char tenant_name[128];
	char plan[16];              /* the current tenant's plan */
	char role[16];              /* role in that tenant: owner, admin, ... ("" for superadmin without membership) */
	char session_id[37];        /* "" for API keys */
	char csrf_token[64];
	char api_key_id[37];        /* "" for sessions */
	char api_key_prefix[16];
	int api_key_write;          /* API key scope: 1 write, 0 read */
};

/* Fills rq->auth (anonymous when nothing valid was presented).
 * -1 only when the database could not be asked. */
int auth_identify(struct req *rq);
/* ERR_none when rq->auth holds permission p, else ERR_unauthenticated
 * (nobody signed in), ERR_forbidden, ERR_tenant_required or
 * ERR_plan_upgrade_required. */
enum err_code access_check(const struct req *rq, enum perm p);
/* Answers a refused request: a browser asking for a page without being
 * signed in is sent to the sign-in page, everything else gets the error. */
void access_deny(struct req *rq, struct resp *rs, enum err_code err);
/* ERR_csrf_failed when a state-changing request authenticated by cookie
 * lacks the session's token (form field csrf_token or X-CSRF-Token). */
enum err_code csrf_check(const struct req *rq);

/* Who acted in rq, as an audit entry: actor (user or API key), source
 * address and correlation id; the caller fills in the rest. */
struct audit_entry auth_actor(const struct req *rq);

/* Writes an audit row for rq's principal (actor, tenant, source address,
 * correlation id), inside the current transaction if one is open.
 * tenant_id NULL or "": a platform entry; before/after borrowed. */
int auth_audit(struct req *rq, const char *tenant_id, const char *action,
    const char *target_type, const char *target_id, json_t *before, json_t *after);

#endif
