/* voxline worker: runs queued jobs and periodic tasks (cli/jobs.def).
 * Picks one job at a time with FOR UPDATE SKIP LOCKED, so several
 * workers share the queue; sleeps on LISTEN voxline_jobs between jobs.
 * A failed job is retried with exponential backoff up to max_attempts
 * (at once final when it says JOB_GIVE_UP); then its GIVE_UP handler runs.
 * SIGTERM/SIGINT: finish the job in hand, then exit. */
#include "cfg.h"
#include "commands.h"
#include "db.h"
#include "jobs.h"
#include "log.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const struct { const char *queue; job_fn fn; } job_table[] = {
#define JOB(queue, fn) { #queue, fn },
#define GIVE_UP(queue, fn)
#define EVERY(name, secs, fn)
#include "jobs.def"
#undef JOB
#undef GIVE_UP
#undef EVERY
	{ NULL, NULL }
};

static const struct { const char *queue; give_up_fn fn; } give_up_table[] = {
#define JOB(queue, fn)
#define GIVE_UP(queue, fn) { #queue, fn },
#define EVERY(name, secs, fn)
#include "jobs.def"
#undef JOB
#undef GIVE_UP
#undef EVERY
	{ NULL, NULL }
};

static struct { const char *name; int interval; task_fn fn; time_t last; } task_table[] = {
#define JOB(queue, fn)
#define GIVE_UP(queue, fn)
#define EVERY(name, secs, fn) { #name, secs, fn, 0 },
#include "jobs.def"
#undef JOB
#undef GIVE_UP
#undef EVERY
	{ NULL, 0, NULL, 0 }
};

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static job_fn
handler_for(const char *queue)
{
	for (int i = 0; job_table[i].queue; i++)
		if (strcmp(job_table[i].queue, queue) == 0)
			return job_table[i].fn;
	return NULL;
}

/* The job's last attempt failed: its queue's GIVE_UP handler, if any,
 * records the failure where users look. */
static void
give_up(struct db *db, const char *queue, json_t *payload, const char *err)
{
	for (int i = 0; give_up_table[i].queue; i++)
		if (strcmp(give_up_table[i].queue, queue) == 0 && give_up_table[i].fn(db, payload, err) < 0)
			log_warn("job_give_up_failed", "{s:s,s:s}", "queue", queue, "error", db_error(db));
}

/* Runs one job if one is due; 1 when a job ran, 0 when none, -1 on error. */
static int
run_one(struct db *db, const char *me)
{
	const char *p[1] = { me };
	PGresult *r = db_prep(db, "worker_pick",
	    "UPDATE jobs SET status = 'running', locked_at = now(), locked_by = $1,"
	    " attempts = attempts + 1 WHERE id = (SELECT id FROM jobs WHERE status = 'queued'"
	    " AND run_at <= now() ORDER BY run_at, id FOR UPDATE SKIP LOCKED LIMIT 1)"
	    " RETURNING id, queue, payload, attempts, max_attempts", 1, p);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	const char *id = PQgetvalue(r, 0, 0), *queue = PQgetvalue(r, 0, 1);
	int attempts = atoi(PQgetvalue(r, 0, 3)), max = atoi(PQgetvalue(r, 0, 4));
	json_t *payload = json_loads(PQgetvalue(r, 0, 2), 0, NULL);
	if (payload == NULL)
		payload = json_object();
	char err[1024] = "";
	job_fn fn = handler_for(queue);
	int rc = -1;
	if (fn == NULL)
		snprintf(err, sizeof err, "no handler for queue %s", queue);
	else
		rc = fn(db, payload, err, sizeof err);
	if (rc == 0) {
		const char *q[1] = { id };
		PQclear(db_prep(db, "worker_done", "UPDATE jobs SET status = 'done', finished_at = now(),"
		    " locked_at = NULL, last_error = NULL WHERE id = $1", 1, q));
		log_info("job_done", "{s:s,s:s,s:i}", "job_id", id, "queue", queue, "attempt", attempts);
	} else {
		int final = rc == JOB_GIVE_UP || attempts >= max || fn == NULL;
		char backoff[16];
		/* 30 s, 1 min, 2 min, ... capped at one hour. */
		snprintf(backoff, sizeof backoff, "%d", attempts >= 7 ? 3600 : 30 << (attempts - 1));
		const char *q[4] = { id, err, final ? "failed" : "queued", backoff };
		PQclear(db_prep(db, "worker_failed", "UPDATE jobs SET status = $3, last_error = $2,"
		    " locked_at = NULL, run_at = now() + make_interval(secs => $4::int),"
		    " finished_at = CASE WHEN $3 = 'failed' THEN now() END WHERE id = $1", 4, q));
		log_event(final ? LOG_ERROR : LOG_WARN, final ? "job_failed" : "job_retry",
		    "{s:s,s:s,s:i,s:s}", "job_id", id, "queue", queue, "attempt", attempts, "error", err);
		if (final)
			give_up(db, queue, payload, err);
	}
	json_decref(payload);
	PQclear(r);
	return 1;
}

static void
run_tasks(struct db *db)
{
	time_t now = time(NULL);
	for (int i = 0; task_table[i].name; i++) {
		if (now - task_table[i].last < task_table[i].interval)
			continue;
		task_table[i].last = now;
		/* One worker at a time runs a task. */
		const char *p[1] = { task_table[i].name };
		PGresult *lock = db_exec(db, "SELECT pg_try_advisory_lock(hashtext($1))", 1, p);
		int got = lock && strcmp(PQgetvalue(lock, 0, 0), "t") == 0;
		PQclear(lock);
		if (!got)
			continue;
		if (task_table[i].fn(db) < 0)
			log_warn("task_failed", "{s:s,s:s}", "task", task_table[i].name, "error", db_error(db));
		PQclear(db_exec(db, "SELECT pg_advisory_unlock(hashtext($1))", 1, p));
	}
}

/* Sleeps until a NOTIFY arrives or timeout_ms passes. */
static void
wait_for_work(struct db *db, int timeout_ms)
{
	PGconn *pg = db_conn(db);
	struct pollfd pfd = { .fd = PQsocket(pg), .events = POLLIN };
	if (pfd.fd >= 0 && poll(&pfd, 1, timeout_ms) > 0) {
		PQconsumeInput(pg);
		PGnotify *n;
		while ((n = PQnotifies(pg)) != NULL)
			PQfreemem(n);
	}
}

int
cmd_worker(int argc, char **argv)
{
	int once = argc == 2 && strcmp(argv[1], "--once") == 0;
	if (argc > 1 && !once) {
		fprintf(stderr, "usage: voxline worker [--once]\n");
		return 2;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	char me[128], host[64] = "";
	gethostname(host, sizeof host - 1);
	snprintf(me, sizeof me, "%s:%d", host, (int)getpid());
	struct db *db = db_open(cfg_str(CFG_database_url), (int)cfg_int(CFG_database_connect_retries));
	log_info("worker_started", "{s:s}", "worker", me);
	int listening = 0;
	while (!stopping) {
		if (!db_connected(db) && db_ensure(db) < 0) {
			listening = 0;
			sleep(2);
			continue;
		}
		if (!listening)
			listening = db_run(db, "LISTEN voxline_jobs", 0, NULL) == 0;
		run_tasks(db);
		while (!stopping && run_one(db, me) > 0)
			;
		if (once)
			break;
		if (!stopping)
			wait_for_work(db, 1000);
	}
	log_info("worker_stopped", "{s:s}", "worker", me);
	db_close(db);
	return 0;
}
