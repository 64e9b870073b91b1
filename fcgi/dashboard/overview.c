/* Overview statistics for the last N days in the tenant's time zone and
 * the N days before them, from the per-day statistics (sql/0042, kept
 * exact by triggers on calls) in one pass (GROUPING SETS), plus the list
 * of days for the chart. */
#include "dash.h"
#include <stdlib.h>
#include <string.h>

const char *const dash_periods = "7|30|90";

/* Period bounds in local days: today in the tenant's zone ends the
 * current period. */
#define BOUNDS \
	"WITH d AS (SELECT (now() AT TIME ZONE $2::text)::date AS today), " \
	"b AS (SELECT today - ($3::int - 1) AS first_day, " \
	"             today - (2 * $3::int - 1) AS prev_first_day, today FROM d) "

/* g: 0 totals, 1 per day, 2 per outcome, 3 per reason. */
static const char stats_sql[] = BOUNDS
	", c AS (SELECT s.day >= b.first_day AS cur, s.* "
	"          FROM call_daily_stats s, b "
	"         WHERE s.tenant_id = $1 AND s.day >= b.prev_first_day AND s.day <= b.today) "
	"SELECT CASE WHEN GROUPING(day) = 0 THEN 1 WHEN GROUPING(outcome) = 0 THEN 2 "
	"            WHEN GROUPING(reason) = 0 THEN 3 ELSE 0 END AS g, "
	"       cur, day::text AS day, outcome, reason, sum(calls) AS calls, "
	"       sum(answered) AS answered, "
	"       coalesce(round(sum(duration_sum)::numeric / nullif(sum(duration_n), 0)), 0)::int AS avg_duration, "
	"       sum(transfers) AS transfers "
	"  FROM c GROUP BY GROUPING SETS ((cur), (cur, day), (cur, outcome), (cur, reason))";

static const char days_sql[] = BOUNDS
	"SELECT g::date::text AS day, to_char(g, 'Dy DD Mon') AS label, "
	"       (SELECT first_day::text FROM b) AS first, (SELECT today::text FROM b) AS last "
	"  FROM generate_series((SELECT first_day FROM b), (SELECT today FROM b), interval '1 day') g "
	" WHERE $1::uuid IS NOT NULL";

static json_t *
totals(long calls, long answered, long avg, long transfers)
{
	return json_pack("{s:I,s:I,s:I,s:I}", "calls", (json_int_t)calls, "answered",
	    (json_int_t)answered, "avg_duration", (json_int_t)avg, "transfers", (json_int_t)transfers);
}

static long
num(PGresult *r, int row, const char *col)
{
	return strtol(PQgetvalue(r, row, PQfnumber(r, col)), NULL, 10);
}

/* Appends (or adds to) {"value","label","calls","previous"} in list. */
static void
tally(json_t *list, const char *value, int cur, long n)
{
	size_t i;
	json_t *item = NULL, *it;
	json_array_foreach(list, i, it)
		if (strcmp(json_string_value(json_object_get(it, "value")), value) == 0)
			item = it;
	if (item == NULL) {
		char label[96];
		dash_label(*value ? value : "unknown", label, sizeof label);
		item = json_pack("{s:s,s:s,s:i,s:i}", "value", value, "label",
		    *value ? label : "Not recorded", "calls", 0, "previous", 0);
		json_array_append_new(list, item);
	}
	json_object_set_new(item, cur ? "calls" : "previous", json_integer(n));
}

static int
by_calls_desc(const void *a, const void *b)
{
	json_t *p = *(json_t *const *)a, *q = *(json_t *const *)b;
	json_int_t x = json_integer_value(json_object_get(p, "calls"));
	json_int_t y = json_integer_value(json_object_get(q, "calls"));
	if (x != y)
		return x < y ? 1 : -1;
	/* Ties in a stable order: by value. */
	return strcmp(json_string_value(json_object_get(p, "value")),
	    json_string_value(json_object_get(q, "value")));
}

/* Sorts by current count, keeps at most max, drops items absent now. */
static json_t *
ranked(json_t *list, size_t max)
{
	size_t n = json_array_size(list);
	json_t **items = calloc(n ? n : 1, sizeof *items);
	for (size_t i = 0; i < n; i++)
		items[i] = json_array_get(list, i);
	qsort(items, n, sizeof *items, by_calls_desc);
	json_t *out = json_array();
	for (size_t i = 0; i < n && json_array_size(out) < max; i++)
		if (json_integer_value(json_object_get(items[i], "calls")) > 0)
			json_array_append(out, items[i]);
	free(items);
	json_decref(list);
	return out;
}

json_t *
dash_overview(struct db *db, const char *tenant, int days)
{
	char tz[64], nd[16];
	if (dash_tenant_zone(db, tenant, tz, sizeof tz) < 0)
		return NULL;
	snprintf(nd, sizeof nd, "%d", days);
	const char *p[] = { tenant, tz, nd };
	PGresult *s = db_prep(db, "dash_overview_stats", stats_sql, 3, p);
	PGresult *d = s ? db_prep(db, "dash_overview_days", days_sql, 3, p) : NULL;
	if (s == NULL || d == NULL) {
		PQclear(s);
		return NULL;
	}
	json_t *cur = totals(0, 0, 0, 0), *prev = totals(0, 0, 0, 0);
	json_t *outcomes = json_array(), *reasons = json_array(), *per_day = json_object();
	for (int i = 0; i < PQntuples(s); i++) {
		int g = (int)num(s, i, "g"), is_cur = PQgetvalue(s, i, PQfnumber(s, "cur"))[0] == 't';
		long calls = num(s, i, "calls");
		if (g == 0) {
			json_t *t = totals(calls, num(s, i, "answered"), num(s, i, "avg_duration"),
			    num(s, i, "transfers"));
			json_object_update(is_cur ? cur : prev, t);
			json_decref(t);
		} else if (g == 1 && is_cur) {
			json_object_set_new(per_day, PQgetvalue(s, i, PQfnumber(s, "day")), json_integer(calls));
		} else if (g == 2) {
			tally(outcomes, PQgetvalue(s, i, PQfnumber(s, "outcome")), is_cur, calls);
		} else if (g == 3) {
			tally(reasons, PQgetvalue(s, i, PQfnumber(s, "reason")), is_cur, calls);
		}
	}
	json_t *series = json_array();
	for (int i = 0; i < PQntuples(d); i++) {
		const char *day = PQgetvalue(d, i, 0);
		json_t *n = json_object_get(per_day, day);
		json_array_append_new(series, json_pack("{s:s,s:s,s:I}", "day", day, "label",
		    PQgetvalue(d, i, 1), "calls", n ? json_integer_value(n) : (json_int_t)0));
	}
	json_t *out = json_pack("{s:i,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "period_days", days,
	    "from", PQntuples(d) ? PQgetvalue(d, 0, 2) : "", "to", PQntuples(d) ? PQgetvalue(d, 0, 3) : "",
	    "time_zone", tz, "totals", cur, "previous", prev, "series", series,
	    "outcomes", ranked(outcomes, 20), "reasons", ranked(reasons, 5));
	json_decref(per_day);
	PQclear(s);
	PQclear(d);

	/* Open action items now, whatever the period (partial index). */
	const char *q[] = { tenant };
	PGresult *a = db_prep(db, "dash_overview_open",
	    "SELECT count(*) FROM calls WHERE tenant_id = $1 AND requires_action "
	    "AND resolved_at IS NULL AND archived_at IS NULL", 1, q);
	if (a == NULL) {
		json_decref(out);
		return NULL;
	}
	json_object_set_new(json_object_get(out, "totals"), "action_open",
	    json_integer(strtoll(PQgetvalue(a, 0, 0), NULL, 10)));
	PQclear(a);
	return out;
}
