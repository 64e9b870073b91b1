/* Who is asking.  auth_identify() fills rq->auth from the session cookie
 * or the API key; access_check() decides a route's permission for it.
 * Routes never read a tenant id from the request: it comes from here. */
#ifndef VOXLINE_AUTH_H
#define VOXLINE_AUTH_H
#include "router.h"

struct auth {
	int authenticated;          /* a session or an API key was accepted */
	int superadmin;
	char user_id[37];
	char user_name[128];
	char user_email[256];
	char tenant_id[37];         /* current tenant; "" when none */
	char role[16];              /* role in that tenant: owner, admin, ... */
	char session_id[37];        /* "" for API keys */
	char csrf_token[64];
	char api_key_id[37];        /* "" for sessions */
	int api_key_write;          /* API key scope: 1 write, 0 read */
};

/* Fills rq->auth (anonymous when nothing valid was presented).
 * -1 only when the database could not be asked. */
int auth_identify(struct req *rq);
/* ERR_none when rq->auth holds permission p, else ERR_unauthenticated
 * (nobody signed in) or ERR_forbidden. */
enum err_code access_check(const struct req *rq, enum perm p);

#endif
