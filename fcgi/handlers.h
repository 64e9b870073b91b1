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
int telephony_init(char *err, size_t errlen);              /* telephony/webhook.c */
void webhook_voice(struct req *rq, struct resp *rs);      /* telephony/voice.c */
void webhook_status(struct req *rq, struct resp *rs);     /* telephony/status.c */
void webhook_recording(struct req *rq, struct resp *rs);  /* telephony/recording.c */
void recording_audio(struct req *rq, struct resp *rs);    /* telephony/playback.c */
void call_place(struct req *rq, struct resp *rs);         /* telephony/calls_api.c */
extern const struct field call_place_fields[];
void webhook_attempts_list(struct req *rq, struct resp *rs); /* telephony/attempts_api.c */
extern const struct field webhook_attempts_fields[];
void campaign_create(struct req *rq, struct resp *rs);    /* telephony/campaigns_api.c */
void campaign_show(struct req *rq, struct resp *rs);
void campaign_targets_upload(struct req *rq, struct resp *rs);
void campaign_action(struct req *rq, struct resp *rs);
extern const struct field campaign_create_fields[];
extern const struct field campaign_targets_fields[];

/* Customer dashboard. */

/* Admin portal. */
/* admin/tenants.c */
void admin_tenants_list(struct req *rq, struct resp *rs);
void admin_tenant_new(struct req *rq, struct resp *rs);
void admin_tenant_create(struct req *rq, struct resp *rs);
void admin_tenant_page(struct req *rq, struct resp *rs);
void admin_tenant_update(struct req *rq, struct resp *rs);
void admin_tenant_status(struct req *rq, struct resp *rs);
extern const struct field admin_tenant_create_door[], admin_tenant_edit_door[], admin_tenant_status_door[];
/* admin/agents.c, admin/wizard.c, admin/versions.c */
void admin_agents_list(struct req *rq, struct resp *rs);
void admin_agent_create(struct req *rq, struct resp *rs);
void admin_agent_page(struct req *rq, struct resp *rs);
void admin_agent_save(struct req *rq, struct resp *rs);
void admin_wizard_step(struct req *rq, struct resp *rs);
void admin_wizard_save(struct req *rq, struct resp *rs);
void admin_wizard_review(struct req *rq, struct resp *rs);
void admin_wizard_go_live(struct req *rq, struct resp *rs);
void admin_versions_page(struct req *rq, struct resp *rs);
void admin_version_diff(struct req *rq, struct resp *rs);
void admin_version_rollback(struct req *rq, struct resp *rs);
extern const struct field admin_agent_new_door[], admin_agent_page_query[], agent_config_door[],
    agent_wizard_door[], admin_version_query[];
/* admin/knowledge.c, admin/numbers.c */
void admin_kb_list(struct req *rq, struct resp *rs);
void admin_kb_create(struct req *rq, struct resp *rs);
void admin_kb_page(struct req *rq, struct resp *rs);
void admin_kb_update(struct req *rq, struct resp *rs);
void admin_kb_delete(struct req *rq, struct resp *rs);
void admin_numbers_page(struct req *rq, struct resp *rs);
void admin_number_create(struct req *rq, struct resp *rs);
void admin_number_page(struct req *rq, struct resp *rs);
void admin_number_update(struct req *rq, struct resp *rs);
extern const struct field admin_kb_door[], admin_kb_query[], admin_number_door[], admin_number_route_door[];
/* admin/intelligence.c, admin/quality.c */
void admin_intelligence_page(struct req *rq, struct resp *rs);
void admin_intelligence_csv(struct req *rq, struct resp *rs);
void admin_quality_page(struct req *rq, struct resp *rs);
void admin_quality_error(struct req *rq, struct resp *rs);
void admin_quality_resolve(struct req *rq, struct resp *rs);
extern const struct field admin_intelligence_query[];

#endif
