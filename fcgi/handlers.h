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

#endif
