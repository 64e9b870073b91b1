/* Job handlers and periodic tasks named in cli/jobs.def. */
#ifndef VOXLINE_CLI_JOBS_H
#define VOXLINE_CLI_JOBS_H
#include <jansson.h>
#include <stddef.h>

struct db;

/* 0 done; -1 failed, retry later; JOB_GIVE_UP failed for good (no retry). */
#define JOB_GIVE_UP (-2)
typedef int (*job_fn)(struct db *db, json_t *payload, char *err, size_t errlen);
/* Runs once when a job has failed for good; err is the last failure. */
typedef int (*give_up_fn)(struct db *db, json_t *payload, const char *err);
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
int job_recording_give_up(struct db *db, json_t *payload, const char *err);
/* cli/jobs/campaigns.c */
int task_campaign_dial(struct db *db);

/* Providers. */
/* cli/jobs/transcripts.c */
int job_transcript_submit(struct db *db, json_t *payload, char *err, size_t errlen);
int job_transcript_fetch(struct db *db, json_t *payload, char *err, size_t errlen);
/* Queues the post-call transcript of a stored recording when the call's
 * agent has the transcription modulation on (own transaction); 0 / -1. */
int transcripts_after_recording(struct db *db, const char *tenant_id, const char *recording_id);

#endif
