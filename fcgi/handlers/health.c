/* Liveness, readiness and metrics: what load balancers, orchestrators
 * and Prometheus ask.  Readiness reports each dependency and the worst
 * of them: healthy, degraded (works, needs attention) or critical (503). */
#include "cfg.h"
#include "config.h"
#include "db.h"
#include "../handlers.h"
#include "metrics.h"
#include "../web.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum health { HEALTHY, DEGRADED, CRITICAL };
static const char *const health_names[] = { "healthy", "degraded", "critical" };

/* A readiness check: fills its JSON object, returns its state. */
typedef enum health (*check_fn)(struct db *db, json_t *out);

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static enum health
check_database(struct db *db, json_t *out)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	PGresult *r = db_prep(db, "health_db", "SELECT 1", 0, NULL);
	double ms = elapsed_ms(&t0);
	PQclear(r);
	if (r == NULL) {
		json_object_set_new(out, "message", json_string("database unreachable"));
		return CRITICAL;
	}
	json_object_set_new(out, "latency_ms", json_real(round(ms * 1000.0) / 1000.0));
	return ms > 500 ? DEGRADED : HEALTHY;
}

static enum health
check_migrations(struct db *db, json_t *out)
{
	PGresult *r = db_prep(db, "health_migrations",
	    "SELECT coalesce(max(version), '') FROM schema_migrations", 0, NULL);
	const char *applied = db_value(r, 0, 0);
	json_object_set_new(out, "applied", applied ? json_string(applied) : json_null());
	json_object_set_new(out, "expected", json_string(web.expected_migration));
	enum health h = applied == NULL ? CRITICAL :
	    strcmp(applied, web.expected_migration) < 0 ? DEGRADED : HEALTHY;
	if (h == DEGRADED)
		json_object_set_new(out, "message", json_string("migrations pending: run voxline migrate"));
	PQclear(r);
	return h;
}

static enum health
check_jobs(struct db *db, json_t *out)
{
	PGresult *r = db_prep(db, "health_jobs",
	    "SELECT count(*) FROM jobs WHERE status = 'queued' AND run_at < now() - interval '5 minutes'",
	    0, NULL);
	const char *late = db_value(r, 0, 0);
	enum health h = late == NULL ? CRITICAL : atol(late) > 0 ? DEGRADED : HEALTHY;
	json_object_set_new(out, "late_jobs", late ? json_integer(atol(late)) : json_null());
	if (h == DEGRADED)
		json_object_set_new(out, "message", json_string("jobs waiting over 5 minutes: is voxline worker running?"));
	PQclear(r);
	return h;
}

static const struct { const char *name; check_fn fn; int needs_db; } checks[] = {
	{ "database", check_database, 0 },
	{ "migrations", check_migrations, 1 },
	{ "jobs", check_jobs, 1 },
};

void
health_live(struct req *rq, struct resp *rs)
{
	resp_json(rs, 200, json_pack("{s:s,s:s,s:I}", "status", "alive", "version",
	    VOXLINE_VERSION, "uptime_seconds", (json_int_t)(time(NULL) - web.started)));
}

void
health_ready(struct req *rq, struct resp *rs)
{
	json_t *results = json_object();
	enum health worst = HEALTHY;
	int db_ok = 1;
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		json_t *out = json_object();
		enum health h = checks[i].needs_db && !db_ok ? CRITICAL : checks[i].fn(rq->db, out);
		if (checks[i].needs_db && !db_ok)
			json_object_set_new(out, "message", json_string("not checked: database unreachable"));
		if (i == 0 && h == CRITICAL)
			db_ok = 0;
		json_object_set_new(out, "status", json_string(health_names[h]));
		json_object_set_new(results, checks[i].name, out);
		if (h > worst)
			worst = h;
	}
	resp_json(rs, worst == CRITICAL ? 503 : 200, json_pack("{s:s,s:s,s:o}",
	    "status", health_names[worst], "version", VOXLINE_VERSION, "checks", results));
}

static struct metric db_connections = METRIC_INIT("voxline_web_db_connections",
    "Database connections of voxline-web's request threads, by state.", METRIC_GAUGE);
static struct metric busy_threads = METRIC_INIT("voxline_web_busy_threads",
    "Request threads handling a request now.", METRIC_GAUGE);
static struct metric pool_size = METRIC_INIT("voxline_web_threads",
    "Request threads (one database connection each).", METRIC_GAUGE);

void
health_metrics_init(void)
{
	metrics_register(&db_connections);
	metrics_register(&busy_threads);
	metrics_register(&pool_size);
}

void
metrics_show(struct req *rq, struct resp *rs)
{
	int up = 0;
	for (int i = 0; i < web.nthreads; i++)
		up += atomic_load(&web.db_up[i]);
	metrics_set(&db_connections, up, "state", "up", NULL);
	metrics_set(&db_connections, web.nthreads - up, "state", "down", NULL);
	metrics_set(&busy_threads, atomic_load(&web.busy), NULL);
	metrics_set(&pool_size, web.nthreads, NULL);
	struct buf out;
	buf_init(&out, 4u << 20);
	if (metrics_render(&out) < 0) {
		buf_free(&out);
		resp_fail(rq, rs, ERR_internal, "metrics exposition too large");
		return;
	}
	resp_text(rs, 200, "text/plain; version=0.0.4; charset=utf-8", out.data ? out.data : "", out.len);
	buf_free(&out);
}
