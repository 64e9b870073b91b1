/* Periodic housekeeping every deployment needs. */
#include "../jobs.h"
#include "db.h"
#include "log.h"

/* Monthly call_events partitions exist three months ahead. */
int
task_event_partitions(struct db *db)
{
	PGresult *r = db_exec(db, "SELECT voxline_ensure_event_partitions(current_date, 3)", 0, NULL);
	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

/* A job left running by a worker that died goes back to the queue. */
int
task_requeue_stale_jobs(struct db *db)
{
	PGresult *r = db_exec(db, "UPDATE jobs SET status = 'queued', locked_at = NULL, locked_by = NULL,"
	    " last_error = 'worker stopped while running it' WHERE status = 'running'"
	    " AND locked_at < now() - interval '15 minutes' RETURNING id", 0, NULL);
	if (r == NULL)
		return -1;
	if (PQntuples(r) > 0)
		log_warn("jobs_requeued", "{s:i}", "count", PQntuples(r));
	PQclear(r);
	return 0;
}
