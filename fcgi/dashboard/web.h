/* The dashboard's request side: the signed-in tenant, its transaction,
 * the page context, and the handlers' shared plumbing. */
#ifndef VOXLINE_DASH_WEB_H
#define VOXLINE_DASH_WEB_H
#include "../auth.h"
#include "../request.h"
#include "dash.h"

/* Begins the tenant transaction for rq->auth's tenant and returns the
 * tenant id; on failure answers the error itself and returns NULL. */
const char *dashw_begin(struct req *rq, struct resp *rs);
/* Rolls back and answers database_unavailable with detail for the log. */
void dashw_fail(struct req *rq, struct resp *rs, const char *detail);
/* 1 when the signed-in user may resolve and archive. */
int dashw_can_act(const struct req *rq);
/* The signed-in page context (page.h: title, user, nav with nav_href
 * current, tenant switcher, csrf_token) plus can_act.  It runs its own
 * queries: call it outside the tenant transaction. */
json_t *dashw_page_ctx(struct req *rq, const char *title, const char *nav_href);
/* Answers a list request's filter errors (400 with fields); 1 if it did. */
int dashw_filter(struct req *rq, struct resp *rs, struct dash_filter *f);

/* api.c, shared with the pages. */
/* ?period= as a number of days (7 by default). */
int dash_period(struct req *rq);
/* Runs resolve/archive/restore for rq->in's ids (and note) and commits;
 * returns the ids changed, or NULL after answering the error. */
json_t *dash_act_request(struct req *rq, struct resp *rs, enum dash_act act);

#endif
