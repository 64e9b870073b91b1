#include "writer.h"
#include "cfg.h"
#include "db.h"
#include "errors.h"
#include "log.h"
#include "media.h"
#include "metrics.h"
#include "spool.h"
#include "xalloc.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Records that arrived together are stored in one transaction, up to this
 * many (a failed transaction is retried or spooled as a whole). */
#define WRITER_BATCH_MAX 32

struct item {
	struct item *next;
	char *line;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct item *head, *tail;
	int stop;
	pthread_t thread;
	char *spool;
	char *owner;
	struct db *db;
	int recovered;
	long spooled;
} wr = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

struct metric media_spool_records = METRIC_INIT("voxline_media_spool_records",
    "Call results waiting in the spool for PostgreSQL.", METRIC_GAUGE);
struct metric media_writes_total = METRIC_INIT("voxline_media_writes_total",
    "Call records stored, by result (stored, spooled, rejected).", METRIC_COUNTER);

static void
enqueue(json_t *rec)
{
	char *line = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	struct item *it = xcalloc(1, sizeof *it);
	it->line = line;
	pthread_mutex_lock(&wr.lock);
	if (wr.tail)
		wr.tail->next = it;
	else
		wr.head = it;
	wr.tail = it;
	pthread_cond_signal(&wr.cond);
	pthread_mutex_unlock(&wr.lock);
}

void
writer_call_started(const char *call_id, const char *tenant_id, const char *owner, double wall_ms)
{
	char at[MEDIA_ISO_LEN];
	media_iso_time(wall_ms, at);
	enqueue(json_pack("{s:s,s:s,s:s,s:s,s:s}", "op", "call_start", "call_id", call_id,
	    "tenant_id", tenant_id, "owner", owner, "at", at));
}

void
writer_provider_health(const char *provider, const char *instance, const char *state, int failures,
    const char *last_error, int transition)
{
	char at[MEDIA_ISO_LEN];
	media_iso_time(media_wall_ms(), at);
	enqueue(json_pack("{s:s,s:s,s:s,s:s,s:i,s:s?,s:b,s:s}", "op", "provider_health", "provider", provider,
	    "instance", instance, "state", state, "failures", failures,
	    "last_error", last_error && *last_error ? last_error : NULL, "transition", transition, "at", at));
}

void
writer_system_error(int code, const char *call_id, const char *tenant_id, const char *detail)
{
	char id[ERR_ID_LEN];
	err_new_id(id);
	log_error("media_error_recorded", "{s:s,s:s,s:s}", "code", err_get(code)->code, "error_id", id,
	    "detail", detail ? detail : "");
	enqueue(json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s?}", "op", "system_error", "code", err_get(code)->code,
	    "id", id, "call_id", call_id && *call_id ? call_id : NULL,
	    "tenant_id", tenant_id && *tenant_id ? tenant_id : NULL, "detail", detail));
}

void
writer_call_finished(json_t *record)
{
	enqueue(record);
}

long
writer_spooled(void)
{
	return __atomic_load_n(&wr.spooled, __ATOMIC_RELAXED);
}

/* -1 when the failure is the database being unreachable. */
static int
failure_kind(struct db *db)
{
	return db_connected(db) && PQstatus(db_conn(db)) == CONNECTION_OK ? 1 : -1;
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static char *
jtext(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : xstrdup("null");
}

/* A prepared statement whose result only matters as success. */
static int
prep_ok(struct db *db, const char *name, const char *sql, int n, const char *const *p)
{
	PGresult *res = db_prep(db, name, sql, n, p);
	PQclear(res);
	return res != NULL;
}

static int
apply_start(struct db *db, json_t *r)
{
	const char *p[3] = { jstr(r, "call_id"), jstr(r, "at"), jstr(r, "owner") };
	return prep_ok(db, "media_call_start",
	    "UPDATE calls SET status = CASE WHEN status IN ('queued', 'ringing') THEN 'in_progress' ELSE status END, "
	    "       answered_at = coalesce(answered_at, $2::timestamptz), media_owner = $3 "
	    " WHERE id = $1 AND media_finished_at IS NULL", 3, p) ? 0 : failure_kind(db);
}

#define END_SQL \
	"UPDATE calls SET status = CASE WHEN status IN ('queued', 'ringing', 'in_progress') THEN $2 ELSE status END, " \
	"       outcome = $3, reason = $4, summary = $5, captured_data = coalesce($6::jsonb, captured_data), " \
	"       requires_action = coalesce($7::boolean, requires_action), priority = coalesce($8, priority), " \
	"       end_reason = $9, ended_at = coalesce(ended_at, $10::timestamptz), " \
	"       duration_seconds = coalesce(duration_seconds, $11::integer), " \
	"       cost_stt = coalesce($12::numeric, 0), cost_llm = coalesce($13::numeric, 0), " \
	"       cost_tts = coalesce($14::numeric, 0), latency = $15::jsonb, " \
	"       transfer_to = coalesce($16, transfer_to), transfer_status = coalesce($17, transfer_status), " \
	"       answered_at = coalesce(answered_at, $18::timestamptz), media_finished_at = now(), " \
	"       transcript = coalesce((SELECT string_agg(x.text, E'\\n' ORDER BY x.seq) " \
	"                                FROM jsonb_to_recordset($19::jsonb) AS x(seq integer, text text) " \
	"                               WHERE x.text <> ''), '') " \
	" WHERE id = $1 AND media_finished_at IS NULL RETURNING tenant_id"

#define TURNS_SQL \
	"INSERT INTO call_turns (tenant_id, call_id, seq, speaker, text, started_at, ended_at, offset_ms, " \
	"                        interrupted, provider_stt, provider_llm, provider_tts, latency_ms) " \
	"SELECT $1, $2, x.seq, x.speaker, coalesce(x.text, ''), x.started_at, x.ended_at, x.offset_ms, " \
	"       coalesce(x.interrupted, false), x.provider_stt, x.provider_llm, x.provider_tts, " \
	"       coalesce(x.latency_ms, '{}') " \
	"  FROM jsonb_to_recordset($3::jsonb) AS x(seq integer, speaker text, text text, " \
	"       started_at timestamptz, ended_at timestamptz, offset_ms integer, interrupted boolean, " \
	"       provider_stt text, provider_llm text, provider_tts text, latency_ms jsonb) " \
	"ON CONFLICT (call_id, seq) DO NOTHING"

#define EVENTS_SQL \
	"INSERT INTO call_events (tenant_id, call_id, occurred_at, type, data) " \
	"SELECT $1, $2, x.occurred_at, x.type, coalesce(x.data, '{}') " \
	"  FROM jsonb_to_recordset($3::jsonb) AS x(occurred_at timestamptz, type text, data jsonb)"

/* The transcript is set with the outcome, as the turns' trigger would
 * compute it from the turns inserted next; the trigger then finds it
 * equal and leaves the row alone, so a call's end is one new version of
 * its row (search vector and indexes recomputed once, not twice). */
static int
apply_end(struct db *db, json_t *r)
{
	char *captured = jtext(r, "captured_data"), *latency = jtext(r, "latency");
	char *turns = jtext(r, "turns"), *events = jtext(r, "events");
	char dur[32], cs[32], cl[32], ct[32];
	snprintf(dur, sizeof dur, "%lld", (long long)json_integer_value(json_object_get(r, "duration_seconds")));
	snprintf(cs, sizeof cs, "%.6f", json_number_value(json_object_get(r, "cost_stt")));
	snprintf(cl, sizeof cl, "%.6f", json_number_value(json_object_get(r, "cost_llm")));
	snprintf(ct, sizeof ct, "%.6f", json_number_value(json_object_get(r, "cost_tts")));
	json_t *ra = json_object_get(r, "requires_action");
	const char *p[19] = { jstr(r, "call_id"), jstr(r, "status"), jstr(r, "outcome"), jstr(r, "reason"),
		jstr(r, "summary"), json_object_get(r, "captured_data") ? captured : NULL,
		ra ? (json_is_true(ra) ? "true" : "false") : NULL, jstr(r, "priority"), jstr(r, "end_reason"),
		jstr(r, "ended_at"), dur, cs, cl, ct, latency, jstr(r, "transfer_to"),
		jstr(r, "transfer_status"), jstr(r, "answered_at"), turns };
	const char *tenant = jstr(r, "tenant_id");
	int rc = 0;
	PGresult *res = db_prep(db, "media_call_end", END_SQL, 19, p);
	if (res == NULL)
		goto fail;
	int fresh = PQntuples(res) == 1;
	PQclear(res);
	if (fresh) {
		const char *tp[3] = { tenant, jstr(r, "call_id"), turns };
		if (!prep_ok(db, "media_call_turns", TURNS_SQL, 3, tp))
			goto fail;
		tp[2] = events;
		if (!prep_ok(db, "media_call_events", EVENTS_SQL, 3, tp))
			goto fail;
	}
	goto out;
fail:
	rc = failure_kind(db);
out:
	free(captured);
	free(latency);
	free(turns);
	free(events);
	return rc;
}

static int
apply_health(struct db *db, json_t *r)
{
	char failures[16];
	snprintf(failures, sizeof failures, "%lld", (long long)json_integer_value(json_object_get(r, "failures")));
	const char *p[7] = { jstr(r, "provider"), jstr(r, "instance"), jstr(r, "state"), failures,
		jstr(r, "last_error"), json_is_true(json_object_get(r, "transition")) ? "t" : "f", jstr(r, "at") };
	return prep_ok(db, "media_provider_health",
	    "INSERT INTO provider_health (provider, instance, state, consecutive_failures, last_error, "
	    "                             last_transition_at, updated_at) "
	    "VALUES ($1, $2, $3, $4::int, $5, $7::timestamptz, $7::timestamptz) "
	    "ON CONFLICT (provider, instance) DO UPDATE SET state = EXCLUDED.state, "
	    "   consecutive_failures = EXCLUDED.consecutive_failures, "
	    "   last_error = coalesce(EXCLUDED.last_error, provider_health.last_error), "
	    "   last_transition_at = CASE WHEN $6::boolean THEN EXCLUDED.last_transition_at "
	    "                             ELSE provider_health.last_transition_at END, "
	    "   updated_at = EXCLUDED.updated_at", 7, p) ? 0 : failure_kind(db);
}

static int
apply_error(struct db *db, json_t *r)
{
	int code = err_find(jstr(r, "code"));
	if (code <= 0)
		return 1;
	return err_record(db, (enum err_code)code, jstr(r, "id"), NULL, jstr(r, "call_id"), jstr(r, "tenant_id"),
	    jstr(r, "detail")) == 0 ? 0 : failure_kind(db);
}

/* The records the writer stores: each op, the field naming the tenant
 * whose row-level security it runs under (NULL: the platform's), the
 * string fields it cannot do without, and how it is applied (0 stored,
 * 1 rejected, -1 database unreachable). */
static const struct op {
	const char *name;
	const char *tenant_field;
	const char *need[4];
	int (*apply)(struct db *, json_t *);
} ops[] = {
	{ "call_start", "tenant_id", { "call_id", "tenant_id", "at", "owner" }, apply_start },
	{ "call_end", "tenant_id", { "call_id", "tenant_id" }, apply_end },
	{ "provider_health", NULL, { "provider", "instance", "state", "at" }, apply_health },
	{ "system_error", NULL, { "code", "id" }, apply_error },
};

/* One record inside the open transaction. */
static int
apply_record(struct db *db, const char *line)
{
	json_t *r = json_loads(line, 0, NULL);
	const char *op = jstr(r, "op");
	int rc = 1;
	for (size_t i = 0; op && i < sizeof ops / sizeof ops[0]; i++) {
		if (strcmp(op, ops[i].name) != 0)
			continue;
		int complete = 1;
		for (int k = 0; k < 4 && ops[i].need[k]; k++)
			complete &= jstr(r, ops[i].need[k]) != NULL;
		if (!complete)
			break;
		const char *tenant = ops[i].tenant_field ? jstr(r, ops[i].tenant_field) : NULL;
		rc = db_set_tenant(db, tenant) < 0 ? failure_kind(db) : ops[i].apply(db, r);
		break;
	}
	if (rc > 0)
		log_error("media_record_rejected", "{s:s,s:s}", "op", op ? op : "?", "error", db_error(db));
	json_decref(r);
	return rc;
}

/* Records in one transaction, so a burst of calls ending costs one commit
 * rather than one each: 0 all stored, -1 database unreachable (nothing
 * stored), or above 0 when the database refused a record or the commit
 * (nothing stored; the caller stores the records alone). */
static int
apply_tx(struct db *db, char *const *lines, int n)
{
	if (db_begin(db) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		int rc = apply_record(db, lines[i]);
		if (rc != 0) {
			db_rollback(db);
			return rc;
		}
	}
	return db_commit(db) == 0 ? 0 : failure_kind(db) < 0 ? -1 : 1;
}

int
writer_apply(struct db *db, const char *line)
{
	char *lines[1] = { (char *)line };
	int rc = apply_tx(db, lines, 1);
	return rc > 0 ? 1 : rc;
}

/* Calls an earlier run of this node left in progress: it died with them. */
static int
recover(struct db *db)
{
	char node[160];
	snprintf(node, sizeof node, "%s", wr.owner);
	char *slash = strrchr(node, '/');
	if (slash)
		slash[1] = 0;
	const char *p[2] = { node, wr.owner };
	if (db_begin_tenant(db, NULL) < 0)
		return -1;
	PGresult *r = db_prep(db, "media_recover",
	    "WITH closed AS ("
	    "  UPDATE calls SET status = 'failed', ended_at = coalesce(ended_at, now()), "
	    "         end_reason = 'media daemon stopped during the call (crash or kill); closed at its restart', "
	    "         outcome = coalesce(outcome, 'abandoned'), media_finished_at = now() "
	    "   WHERE status = 'in_progress' AND media_finished_at IS NULL "
	    "     AND starts_with(media_owner, $1) AND media_owner <> $2 "
	    "  RETURNING tenant_id, id) "
	    "INSERT INTO call_events (tenant_id, call_id, type, data) "
	    "SELECT tenant_id, id, 'call.failed', '{\"reason\": \"media daemon restart\"}' FROM closed "
	    "RETURNING call_id", 2, p);
	if (r == NULL) {
		int k = failure_kind(db);
		db_rollback(db);
		return k;
	}
	int n = PQntuples(r);
	PQclear(r);
	if (db_commit(db) < 0)
		return -1;
	if (n)
		log_warn("media_calls_recovered", "{s:i}", "closed_as_failed", n);
	return 0;
}

static int
replay_one(const char *line, void *arg)
{
	int rc = writer_apply(wr.db, line);
	return rc < 0 ? -1 : 0;
}

static void
count(const char *result, int n)
{
	metrics_add(&media_writes_total, n, "result", result, NULL);
}

/* Stores records in order (spooling them while the database is away or
 * older records wait in the spool) and frees them. */
static void
store(char **lines, int n)
{
	int rc = -1;
	if (spool_count(wr.spool) == 0 && db_ensure(wr.db) == 0)
		rc = apply_tx(wr.db, lines, n);
	if (rc > 0 && n > 1) {
		/* One record refused: the others are stored without it, each alone. */
		for (int i = 0; i < n; i++)
			store(&lines[i], 1);
		return;
	}
	if (rc < 0) {
		for (int i = 0; i < n; i++) {
			if (spool_append(wr.spool, lines[i]) < 0)
				log_error("media_spool_failed", "{s:s}", "path", wr.spool);
			else
				count("spooled", 1);
		}
	} else
		count(rc == 0 ? "stored" : "rejected", n);
	for (int i = 0; i < n; i++)
		free(lines[i]);
}

/* Database back: replay the spool, then close what a crash left behind. */
static void
catch_up(void)
{
	if (db_ensure(wr.db) < 0)
		return;
	if (spool_count(wr.spool) > 0) {
		long n = spool_replay(wr.spool, replay_one, NULL);
		if (n > 0)
			log_info("media_spool_replayed", "{s:i}", "records", (int)n);
	}
	if (!wr.recovered && spool_count(wr.spool) == 0 && recover(wr.db) == 0)
		wr.recovered = 1;
}

static void *
writer_main(void *arg)
{
	pthread_mutex_lock(&wr.lock);
	for (;;) {
		if (!wr.head && !wr.stop) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&wr.cond, &wr.lock, &ts);
		}
		char *lines[WRITER_BATCH_MAX];
		int n = 0;
		while (wr.head && n < WRITER_BATCH_MAX) {
			struct item *it = wr.head;
			wr.head = it->next;
			lines[n++] = it->line;
			free(it);
		}
		if (!wr.head)
			wr.tail = NULL;
		int stop = wr.stop;
		pthread_mutex_unlock(&wr.lock);
		catch_up();
		if (n)
			store(lines, n);
		long spooled = spool_count(wr.spool);
		__atomic_store_n(&wr.spooled, spooled, __ATOMIC_RELAXED);
		metrics_set(&media_spool_records, (double)spooled, NULL);
		pthread_mutex_lock(&wr.lock);
		if (stop && !wr.head)
			break;
	}
	pthread_mutex_unlock(&wr.lock);
	return NULL;
}

int
writer_start(const char *spool_path, const char *owner)
{
	wr.spool = xstrdup(spool_path);
	wr.owner = xstrdup(owner);
	wr.db = db_open(cfg_str(CFG_database_url), 0);
	if (wr.db == NULL)
		return -1;
	metrics_register(&media_spool_records);
	metrics_register(&media_writes_total);
	return pthread_create(&wr.thread, NULL, writer_main, NULL) == 0 ? 0 : -1;
}

void
writer_stop(void)
{
	pthread_mutex_lock(&wr.lock);
	wr.stop = 1;
	pthread_cond_signal(&wr.cond);
	pthread_mutex_unlock(&wr.lock);
	pthread_join(wr.thread, NULL);
	db_close(wr.db);
}
