/* The team page and the member listing, shared by invitations.c and
 * members.c. */
#ifndef VOXLINE_TEAM_H
#define VOXLINE_TEAM_H
#include "../auth.h"
#include "../request.h"
#include <jansson.h>

/* Members of the current tenant with their status (active, invited,
 * disabled) and whether rq's principal may change them; inside the
 * caller's tenant transaction.  NULL when the database failed. */
json_t *members_of(struct req *rq);
/* The tenant roles a may hand out, lowest first (the least privilege is
 * the default of a select): [{name, selected}], current selected (NULL:
 * none). */
json_t *members_role_options(const struct auth *a, const char *current);
/* The team page; fields: invitation form errors; problem: a refusal
 * shown at the top of the page. */
void team_render(struct req *rq, struct resp *rs, int status, json_t *fields, const char *problem);

#endif
