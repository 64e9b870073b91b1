/* Job handlers and periodic tasks named in cli/jobs.def. */
#ifndef VOXLINE_CLI_JOBS_H
#define VOXLINE_CLI_JOBS_H
#include <jansson.h>
#include <stddef.h>

struct db;

typedef int (*job_fn)(struct db *db, json_t *payload, char *err, size_t errlen);
typedef int (*task_fn)(struct db *db);

/* cli/jobs/maintenance.c */
int task_event_partitions(struct db *db);
int task_requeue_stale_jobs(struct db *db);

/* Identity and access. */
/* cli/jobs/email.c */
int job_email_send(struct db *db, json_t *payload, char *err, size_t errlen);
int task_email_release_held(struct db *db);
/* cli/jobs/sessions.c */
int task_purge_sessions(struct db *db);

/* Telephony. */
/* cli/jobs/recordings.c */
int job_recording_download(struct db *db, json_t *payload, char *err, size_t errlen);
/* cli/jobs/campaigns.c */
int task_campaign_dial(struct db *db);

#endif
