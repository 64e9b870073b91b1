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
/* dashboard/pages.c */
void dash_overview_page(struct req *rq, struct resp *rs);
void dash_tour_dismiss(struct req *rq, struct resp *rs);
void dash_calls_page(struct req *rq, struct resp *rs);
void dash_call_page(struct req *rq, struct resp *rs);
void dash_action_page(struct req *rq, struct resp *rs);
void dash_resolve_form(struct req *rq, struct resp *rs);
void dash_archive_form(struct req *rq, struct resp *rs);
void dash_restore_form(struct req *rq, struct resp *rs);
extern const struct field dash_overview_fields[], dash_calls_fields[], dash_notice_fields[],
    dash_resolve_fields[], dash_archive_fields[];
/* dashboard/export.c, dashboard/live.c (pages and API) */
void dash_export(struct req *rq, struct resp *rs);
void dash_changes(struct req *rq, struct resp *rs);
void dash_recording(struct req *rq, struct resp *rs);
extern const struct field dash_export_fields[];
/* dashboard/api.c */
void dash_api_overview(struct req *rq, struct resp *rs);
void dash_api_calls(struct req *rq, struct resp *rs);
void dash_api_call(struct req *rq, struct resp *rs);
void dash_api_resolve(struct req *rq, struct resp *rs);
void dash_api_archive(struct req *rq, struct resp *rs);
void dash_api_restore(struct req *rq, struct resp *rs);
extern const struct field dash_api_overview_fields[], dash_api_calls_fields[],
    dash_api_resolve_fields[], dash_api_act_fields[];

/* Admin portal. */

#endif
