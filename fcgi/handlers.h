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
void login_submit(struct req *rq, struct resp *rs);
void logout_submit(struct req *rq, struct resp *rs);
void account_page(struct req *rq, struct resp *rs);
void tenant_switch_submit(struct req *rq, struct resp *rs);
void password_change_submit(struct req *rq, struct resp *rs);
void session_revoke_submit(struct req *rq, struct resp *rs);
void reset_request_page(struct req *rq, struct resp *rs);
void reset_request_submit(struct req *rq, struct resp *rs);
void reset_confirm_page(struct req *rq, struct resp *rs);
void reset_confirm_submit(struct req *rq, struct resp *rs);
void invite_accept_page(struct req *rq, struct resp *rs);
void invite_accept_submit(struct req *rq, struct resp *rs);
void team_page(struct req *rq, struct resp *rs);
void invite_create_submit(struct req *rq, struct resp *rs);
void invite_resend_submit(struct req *rq, struct resp *rs);
void invite_revoke_submit(struct req *rq, struct resp *rs);
void member_role_submit(struct req *rq, struct resp *rs);
void member_disable_submit(struct req *rq, struct resp *rs);
void member_enable_submit(struct req *rq, struct resp *rs);
void api_keys_page(struct req *rq, struct resp *rs);
void api_key_create_submit(struct req *rq, struct resp *rs);
void api_key_revoke_submit(struct req *rq, struct resp *rs);
void audit_page(struct req *rq, struct resp *rs);
void tenants_moved(struct req *rq, struct resp *rs);
void outbox_page(struct req *rq, struct resp *rs);
void api_login(struct req *rq, struct resp *rs);
void api_logout(struct req *rq, struct resp *rs);
void api_me(struct req *rq, struct resp *rs);
void api_refresh(struct req *rq, struct resp *rs);
void api_tenant_switch(struct req *rq, struct resp *rs);
void api_password_change(struct req *rq, struct resp *rs);
void api_sessions(struct req *rq, struct resp *rs);
void api_session_delete(struct req *rq, struct resp *rs);
void api_reset_request(struct req *rq, struct resp *rs);
void api_reset_confirm(struct req *rq, struct resp *rs);
void api_invite_accept(struct req *rq, struct resp *rs);
void api_invitations(struct req *rq, struct resp *rs);
void api_invite_create(struct req *rq, struct resp *rs);
void api_invite_resend(struct req *rq, struct resp *rs);
void api_invite_revoke(struct req *rq, struct resp *rs);
void api_members(struct req *rq, struct resp *rs);
void api_member_role(struct req *rq, struct resp *rs);
void api_member_disable(struct req *rq, struct resp *rs);
void api_member_enable(struct req *rq, struct resp *rs);
void api_keys_list(struct req *rq, struct resp *rs);
void api_key_create(struct req *rq, struct resp *rs);
void api_key_revoke(struct req *rq, struct resp *rs);
void api_audit(struct req *rq, struct resp *rs);
void api_tenants(struct req *rq, struct resp *rs);
void api_tenant_create(struct req *rq, struct resp *rs);
void api_outbox(struct req *rq, struct resp *rs);
extern const struct field account_page_fields[];
extern const struct field api_key_fields[];
extern const struct field audit_fields[];
extern const struct field invite_accept_fields[];
extern const struct field invite_accept_page_fields[];
extern const struct field invite_fields[];
extern const struct field login_fields[];
extern const struct field member_role_fields[];
extern const struct field password_change_fields[];
extern const struct field reset_confirm_fields[];
extern const struct field reset_request_fields[];
extern const struct field reset_token_fields[];
extern const struct field team_page_fields[];
extern const struct field tenant_create_fields[];
extern const struct field tenant_switch_fields[];

/* Telephony. */
int telephony_init(char *err, size_t errlen);              /* telephony/webhook.c */
void webhook_voice(struct req *rq, struct resp *rs);      /* telephony/voice.c */
void webhook_status(struct req *rq, struct resp *rs);     /* telephony/status.c */
void webhook_recording(struct req *rq, struct resp *rs);  /* telephony/recording.c */
void recording_audio(struct req *rq, struct resp *rs);    /* telephony/playback.c */
/* Hands a stored recording (storage "local" or "s3", its key) to nginx. */
void recording_send(struct req *rq, struct resp *rs, const char *storage, const char *key,
    const char *content_type);
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

/* Providers. */
/* admin/providers.c */
void admin_providers_page(struct req *rq, struct resp *rs);
void admin_provider_create(struct req *rq, struct resp *rs);
void admin_provider_page(struct req *rq, struct resp *rs);
void admin_provider_update(struct req *rq, struct resp *rs);
void admin_provider_delete(struct req *rq, struct resp *rs);
void admin_provider_test(struct req *rq, struct resp *rs);
void admin_tenant_providers_page(struct req *rq, struct resp *rs);
void admin_tenant_provider_create(struct req *rq, struct resp *rs);
void admin_tenant_provider_page(struct req *rq, struct resp *rs);
void admin_tenant_provider_update(struct req *rq, struct resp *rs);
void admin_tenant_provider_delete(struct req *rq, struct resp *rs);
void admin_tenant_provider_test(struct req *rq, struct resp *rs);
extern const struct field admin_cred_new_door[], admin_cred_edit_door[];
/* admin/providers_api.c */
void api_platform_provider_creds(struct req *rq, struct resp *rs);
void api_platform_provider_cred_set(struct req *rq, struct resp *rs);
void api_platform_provider_cred_delete(struct req *rq, struct resp *rs);
void api_platform_provider_cred_test(struct req *rq, struct resp *rs);
void api_provider_creds(struct req *rq, struct resp *rs);
void api_provider_cred_set(struct req *rq, struct resp *rs);
void api_provider_cred_delete(struct req *rq, struct resp *rs);
void api_provider_cred_test(struct req *rq, struct resp *rs);
extern const struct field provider_cred_api_fields[];
/* providers/assemblyai_webhook.c */
void assemblyai_webhook(struct req *rq, struct resp *rs);

#endif
