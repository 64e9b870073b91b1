#include "jobs.h"
#include "db.h"
#include <stdio.h>
#include <stdlib.h>

int
jobs_enqueue(struct db *db, const char *queue, json_t *payload,
    const char *dedupe_key, int delay_s, int max_attempts)
{
	char *text = json_dumps(payload, JSON_COMPACT);
	char delay[16], attempts[16];
	snprintf(delay, sizeof delay, "%d", delay_s);
	snprintf(attempts, sizeof attempts, "%d", max_attempts > 0 ? max_attempts : 5);
	const char *p[5] = { queue, text, dedupe_key, delay, attempts };
	int rc = db_run(db, "INSERT INTO jobs (queue, payload, dedupe_key, run_at, max_attempts)"
	    " VALUES ($1, $2::jsonb, $3, now() + make_interval(secs => $4::int), $5::int)"
	    " ON CONFLICT (queue, dedupe_key) DO NOTHING", 5, p);
	free(text);
	return rc;
}
