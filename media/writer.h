/* The asynchronous writer: a thread with its own PostgreSQL connection
 * that stores call results in order.  While PostgreSQL is unreachable
 * records go to the spool file (fsync'd) and are replayed, in order,
 * when it returns; every record is idempotent (a call is completed once:
 * calls.media_finished_at).  On its first connection it closes the calls
 * an earlier run of this node left in progress. */
#ifndef MEDIA_WRITER_H
#define MEDIA_WRITER_H
#include <jansson.h>

int writer_start(const char *spool_path, const char *owner);
/* Stores what is queued (or spools it), then stops the thread. */
void writer_stop(void);
void writer_call_started(const char *call_id, const char *tenant_id, const char *owner, double wall_ms);
/* Takes the reference to record (see finish.c for its shape). */
void writer_call_finished(json_t *record);
/* A provider breaker's state for provider_health (see breakers.c). */
void writer_provider_health(const char *provider, const char *instance, const char *state, int failures,
    const char *last_error, int transition);
/* An occurrence for system_errors, from the loop or an engine thread
 * (neither waits for the database). */
void writer_system_error(int code, const char *call_id, const char *tenant_id, const char *detail);
/* Records waiting in the spool (for /health). */
long writer_spooled(void);
/* Applies one record to the database: 0 stored (or already stored),
 * -1 database unavailable, 1 rejected (logged, dropped).  For tests. */
struct db;
int writer_apply(struct db *db, const char *line);

#endif
