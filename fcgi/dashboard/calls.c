/* Reading calls: the list page by page, one call with its conversation,
 * the open action items, and the change marker for live updates. */
#include "dash.h"
#include <stdlib.h>
#include <string.h>

/* PostgreSQL type oids we type in JSON. */
enum { OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_NUMERIC = 1700,
       OID_FLOAT8 = 701, OID_JSON = 114, OID_JSONB = 3802 };

json_t *
dash_row_json(PGresult *r, int row)
{
	json_t *o = json_object();
	for (int i = 0; i < PQnfields(r); i++) {
		const char *name = PQfname(r, i), *v = PQgetvalue(r, row, i);
		json_t *j;
		if (PQgetisnull(r, row, i))
			j = json_null();
		else switch (PQftype(r, i)) {
		case OID_BOOL: j = json_boolean(v[0] == 't'); break;
		case OID_INT2: case OID_INT4: case OID_INT8: j = json_integer(strtoll(v, NULL, 10)); break;
		case OID_NUMERIC: case OID_FLOAT8: j = json_real(strtod(v, NULL)); break;
		case OID_JSON: case OID_JSONB: j = json_loads(v, JSON_DECODE_ANY, NULL); break;
		default: j = json_string(v); break;
		}
		json_object_set_new(o, name, j ? j : json_null());
	}
	return o;
}

static json_t *
rows_json(PGresult *r, int limit)
{
	json_t *a = json_array();
	for (int i = 0; i < PQntuples(r) && i < limit; i++)
		json_array_append_new(a, dash_row_json(r, i));
	return a;
}

int
dash_tenant_zone(struct db *db, const char *tenant, char *tz, size_t n)
{
	const char *p[] = { tenant };
	PGresult *r = db_prep(db, "dash_tenant_zone",
	    "SELECT time_zone FROM tenants WHERE id = $1", 1, p);
	if (r == NULL || PQntuples(r) != 1) {
		PQclear(r);
		return -1;
	}
	snprintf(tz, n, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

#define UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define LOCAL(col, tz) "to_char(" col " AT TIME ZONE " tz ", 'YYYY-MM-DD HH24:MI')"

/* The columns of a call in lists ($2 is the tenant's zone). */
#define LIST_COLUMNS \
	"c.id, " UTC("c.started_at") " AS started_at, " LOCAL("c.started_at", "$2::text") " AS started_local, " \
	"c.direction, c.from_number, c.to_number, c.status, c.duration_seconds, c.outcome, " \
	"c.reason, c.summary, c.requires_action, c.priority, " \
	UTC("c.resolved_at") " AS resolved_at, " UTC("c.archived_at") " AS archived_at, " \
	"c.transfer_to, c.transfer_status"

/* The list query.  With window, a search looks only at the first
 * DASH_SEARCH_WINDOW calls of the list (in list order) and filters those:
 * if that yields a full page, it is exactly the page the whole list would
 * give, found without the planner having to guess how common the search
 * terms are (it multiplies the words' frequencies, so it underestimates
 * phrases and words that go together). */
static PGresult *
list_query(struct db *db, const char *tenant, const char *tz, const struct dash_filter *f,
    int window)
{
	struct dash_sql q;
	dash_sql_init(&q);
	/* dash_sql_where binds $1 tenant and $2 zone, named by LIST_COLUMNS. */
	buf_printf(&q.text, "SELECT " LIST_COLUMNS ", %s AS sort_key FROM ", f->sort->key_text);
	if (window) {
		buf_puts(&q.text, "(SELECT * FROM calls c");
		dash_sql_where(&q, f, tenant, tz, DASH_WHERE_KEYSET | DASH_WHERE_NO_SEARCH);
		dash_sql_order(&q, f);
		buf_puts(&q.text, " LIMIT");
		dash_sql_param(&q, DASH_SEARCH_WINDOW);
		buf_puts(&q.text, ") c WHERE true");
		dash_sql_search(&q, f);
	} else {
		buf_puts(&q.text, "calls c");
		dash_sql_where(&q, f, tenant, tz, DASH_WHERE_KEYSET);
	}
	dash_sql_order(&q, f);
	snprintf(q.limit, sizeof q.limit, "%d", f->limit + 1);
	buf_puts(&q.text, " LIMIT");
	dash_sql_param(&q, q.limit);
	PGresult *r = db_exec(db, q.text.data, q.n, q.params);
	dash_sql_free(&q);
	return r;
}

/* Whether a search needs the window first: 1 unless the query is one
 * word (one lexeme), whose frequency the planner knows from the column's
 * statistics, so it already picks between the early-stopping date walk
 * and the full-text index; -1 on a database error. */
static int
search_needs_window(struct db *db, const struct dash_filter *f)
{
	if (f->q == NULL)
		return 0;
	const char *p[] = { f->q };
	PGresult *r = db_prep(db, "dash_search_terms",
	    "SELECT numnode(websearch_to_tsquery('simple', $1)) <> 1", 1, p);
	if (r == NULL)
		return -1;
	int window = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	return window;
}

json_t *
dash_calls_list(struct db *db, const char *tenant, const struct dash_filter *f)
{
	char tz[64];
	if (dash_tenant_zone(db, tenant, tz, sizeof tz) < 0)
		return NULL;
	int window = search_needs_window(db, f);
	if (window < 0)
		return NULL;
	PGresult *r = NULL;
	if (window) {
		r = list_query(db, tenant, tz, f, 1);
		if (r && PQntuples(r) <= f->limit) {
			PQclear(r);
			r = NULL;
		} else if (r == NULL) {
			return NULL;
		}
	}
	if (r == NULL && (r = list_query(db, tenant, tz, f, 0)) == NULL)
		return NULL;
	json_t *calls = rows_json(r, f->limit);
	json_t *next = json_null();
	if (PQntuples(r) > f->limit) {
		struct dash_cursor c;
		int last = f->limit - 1, kcol = PQfnumber(r, "sort_key");
		snprintf(c.sort, sizeof c.sort, "%s", f->sort->name);
		snprintf(c.key, sizeof c.key, "%s", PQgetvalue(r, last, kcol));
		snprintf(c.id, sizeof c.id, "%s", PQgetvalue(r, last, 0));
		char *enc = dash_cursor_encode(&c);
		if (enc)
			next = json_string(enc);
		free(enc);
	}
	PQclear(r);
	size_t i;
	json_t *row;
	json_array_foreach(calls, i, row)
		json_object_del(row, "sort_key");
	return json_pack("{s:o,s:o,s:s}", "calls", calls, "next_cursor", next, "time_zone", tz);
}

/* Runs a tenant-scoped query with $1 tenant, $2 zone, $3 id. */
static PGresult *
by_call(struct db *db, const char *name, const char *sql, const char *tenant,
    const char *tz, const char *id)
{
	const char *p[] = { tenant, tz, id };
	return db_prep(db, name, sql, 3, p);
}

static const char call_sql[] =
	"SELECT " LIST_COLUMNS ", " LOCAL("c.answered_at", "$2::text") " AS answered_local, "
	LOCAL("c.ended_at", "$2::text") " AS ended_local, "
	LOCAL("c.resolved_at", "$2::text") " AS resolved_local, c.resolution_note, "
	"ru.name AS resolved_by_name, " LOCAL("c.archived_at", "$2::text") " AS archived_local, "
	"au.name AS archived_by_name, c.pipeline_stage, c.captured_data, c.end_reason, "
	"c.carrier, a.name AS agent_name, c.cost_total, c.latency "
	"FROM calls c JOIN agents a ON a.tenant_id = c.tenant_id AND a.id = c.agent_id "
	"LEFT JOIN users ru ON ru.id = c.resolved_by LEFT JOIN users au ON au.id = c.archived_by "
	"WHERE c.tenant_id = $1 AND c.id = $3";

static const char turns_sql[] =
	"SELECT t.seq, t.speaker, t.text, t.offset_ms, t.interrupted, "
	"to_char(make_interval(secs => coalesce(t.offset_ms, 0) / 1000.0), 'MI:SS') AS at, "
	UTC("t.started_at") " AS started_at "
	"FROM call_turns t WHERE t.tenant_id = $1 AND t.call_id = $3 AND $2::text IS NOT NULL "
	"ORDER BY t.seq";

static const char events_sql[] =
	"SELECT e.type, e.data, " UTC("e.occurred_at") " AS occurred_at, "
	"to_char(e.occurred_at AT TIME ZONE $2::text, 'HH24:MI:SS') AS occurred_local "
	"FROM call_events e WHERE e.tenant_id = $1 AND e.call_id = $3 "
	"ORDER BY e.occurred_at, e.id";

static const char recording_sql[] =
	"SELECT r.id, r.duration_seconds, r.content_type, r.channels "
	"FROM recordings r WHERE r.tenant_id = $1 AND r.call_id = $3 AND r.status = 'stored' "
	"AND $2::text IS NOT NULL ORDER BY r.created_at DESC LIMIT 1";

json_t *
dash_call_get(struct db *db, const char *tenant, const char *id, int *missing)
{
	*missing = 0;
	char tz[64];
	if (dash_tenant_zone(db, tenant, tz, sizeof tz) < 0)
		return NULL;
	PGresult *c = by_call(db, "dash_call", call_sql, tenant, tz, id), *t = NULL, *e = NULL,
	    *rec = NULL;
	json_t *out = NULL;
	if (c == NULL)
		goto done;
	if (PQntuples(c) != 1) {
		*missing = 1;
		goto done;
	}
	t = by_call(db, "dash_call_turns", turns_sql, tenant, tz, id);
	e = by_call(db, "dash_call_events", events_sql, tenant, tz, id);
	rec = by_call(db, "dash_call_recording", recording_sql, tenant, tz, id);
	if (t == NULL || e == NULL || rec == NULL)
		goto done;
	out = json_pack("{s:o,s:o,s:o,s:o,s:s}", "call", dash_row_json(c, 0),
	    "turns", rows_json(t, PQntuples(t)), "events", rows_json(e, PQntuples(e)),
	    "recording", PQntuples(rec) ? dash_row_json(rec, 0) : json_null(), "time_zone", tz);
done:
	PQclear(c);
	PQclear(t);
	PQclear(e);
	PQclear(rec);
	return out;
}

json_t *
dash_action_list(struct db *db, const char *tenant, int limit)
{
	char tz[64], lim[16];
	if (dash_tenant_zone(db, tenant, tz, sizeof tz) < 0)
		return NULL;
	snprintf(lim, sizeof lim, "%d", limit);
	const char *p[] = { tenant, tz, lim };
	PGresult *r = db_prep(db, "dash_action_list",
	    "SELECT " LIST_COLUMNS ", "
	    "CASE WHEN now() - c.started_at < interval '1 hour' "
	    "       THEN greatest(1, floor(extract(epoch FROM now() - c.started_at) / 60))::int || ' min' "
	    "     WHEN now() - c.started_at < interval '48 hours' "
	    "       THEN floor(extract(epoch FROM now() - c.started_at) / 3600)::int || ' h' "
	    "     ELSE floor(extract(epoch FROM now() - c.started_at) / 86400)::int || ' days' END AS age "
	    "FROM calls c WHERE c.tenant_id = $1 AND c.requires_action AND c.resolved_at IS NULL "
	    "AND c.archived_at IS NULL "
	    "ORDER BY voxline_priority_rank(c.priority), c.started_at, c.id LIMIT $3::int", 3, p);
	if (r == NULL)
		return NULL;
	json_t *a = rows_json(r, PQntuples(r));
	PQclear(r);
	return a;
}

int
dash_changes_tag(struct db *db, const char *tenant, char *tag, size_t n,
    char *updated_at, size_t un)
{
	const char *p[] = { tenant };
	/* Index-only on (tenant_id, updated_at) (sql/0041): cheap to poll. */
	PGresult *r = db_prep(db, "dash_changes_tag",
	    "SELECT to_char(max(updated_at) AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS'), "
	    UTC("max(updated_at)") " FROM calls WHERE tenant_id = $1", 1, p);
	if (r == NULL)
		return -1;
	snprintf(tag, n, "%s", PQgetisnull(r, 0, 0) ? "none" : PQgetvalue(r, 0, 0));
	snprintf(updated_at, un, "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	return 0;
}
