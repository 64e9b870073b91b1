/* Every handler and field declaration named in routes.def. */
#ifndef VOXLINE_HANDLERS_H
#define VOXLINE_HANDLERS_H
#include "request.h"
#include "validate.h"

/* handlers/health.c */
void health_live(struct req *rq, struct resp *rs);
void health_ready(struct req *rq, struct resp *rs);
void metrics_show(struct req *rq, struct resp *rs);
void health_metrics_init(void);
/* handlers/pages.c */
void home_page(struct req *rq, struct resp *rs);
void login_page(struct req *rq, struct resp *rs);
extern const struct field login_page_fields[];

/* Identity and access. */

/* Telephony. */

/* Customer dashboard. */

/* Admin portal. */

#endif
