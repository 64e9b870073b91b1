/* The access layer.  Until accounts exist, only routes open to anyone
 * (or authenticated by their own signature) are reachable; every other
 * permission is denied: default deny. */
#include "auth.h"
#include <string.h>

int
auth_identify(struct req *rq)
{
	static _Thread_local struct auth anonymous;
	memset(&anonymous, 0, sizeof anonymous);
	rq->auth = &anonymous;
	return 0;
}

enum err_code
access_check(const struct req *rq, enum perm p)
{
	const struct auth *a = rq->auth;
	if (p == PERM_public || p == PERM_carrier_webhook || p == PERM_metrics)
		return ERR_none;
	if (a == NULL || !a->authenticated)
		return ERR_unauthenticated;
	return ERR_forbidden;
}
