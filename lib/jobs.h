/* The job queue in PostgreSQL (table jobs): enqueue from any program,
 * run by `voxline worker`.  Workers pick with FOR UPDATE SKIP LOCKED, so
 * any number of them share the queue; LISTEN/NOTIFY wakes them. */
#ifndef VOXLINE_JOBS_H
#define VOXLINE_JOBS_H
#include <jansson.h>

struct db;

/* Enqueues payload (borrowed) on queue; dedupe_key (may be NULL) makes
 * the enqueue happen once per key.  delay_s postpones the first run.
 * Runs in the caller's transaction if one is open.  0 or -1. */
int jobs_enqueue(struct db *db, const char *queue, json_t *payload,
    const char *dedupe_key, int delay_s, int max_attempts);

#endif
