/* Declared filters -> SQL with parameters: every value travels as a
 * parameter, each filter adds its condition, the cursor continues the
 * list strictly after the last row, and the filter round-trips as a
 * bookmarkable query string. */
#include "tap.h"
#include "fcgi/dashboard/dash.h"
#include <stdlib.h>

static const char *T = "11111111-1111-4111-8111-111111111111";
static struct dash_sql q;
static struct dash_filter f;
static json_t *in, *errs;

static const char *
where(const char *json)
{
	json_decref(in);
	json_decref(errs);
	in = json_loads(json, 0, NULL);
	errs = dash_filter_read(in, &f);
	dash_sql_free(&q);
	dash_sql_init(&q);
	dash_sql_where(&q, &f, T, "America/New_York", 1);
	dash_sql_order(&q, &f);
	return q.text.data;
}

static const char *
param(int n)
{
	return n >= 1 && n <= q.n ? q.params[n - 1] : "(none)";
}

int
main(void)
{
	const char *s = where("{}");
	ok(errs == NULL, "no filters, no errors");
	is(s, " WHERE c.tenant_id = $1 AND c.archived_at IS NULL ORDER BY c.started_at DESC, c.id DESC",
	    "default: the tenant, archived hidden, newest first");
	is(param(1), T, "$1 is the tenant");
	is(param(2), "America/New_York", "$2 is the tenant's zone");
	is_int(f.limit, DASH_PAGE_DEFAULT, "default page size");

	s = where("{\"status\":\"completed\",\"outcome\":\"message_taken\",\"reason\":\"billing\",\"direction\":\"inbound\"}");
	like(s, "c.status = $3", "status condition");
	like(s, "c.outcome = $4", "outcome condition");
	like(s, "c.reason = $5", "reason condition");
	like(s, "c.direction = $6", "direction condition");
	ok(strcmp(param(3), "completed") == 0 && strcmp(param(4), "message_taken") == 0 &&
	    strcmp(param(5), "billing") == 0 && strcmp(param(6), "inbound") == 0, "values bound in order");

	s = where("{\"reason\":\"x' OR 1=1 --\"}");
	unlike(s, "OR 1=1", "a hostile value never reaches the SQL text");
	is(param(3), "x' OR 1=1 --", "it is a parameter");

	s = where("{\"from\":\"2026-03-08\",\"to\":\"2026-03-09\"}");
	like(s, "c.started_at >= ($3::date)::timestamp AT TIME ZONE $2::text", "from: local midnight in the tenant's zone");
	like(s, "c.started_at < ($4::date + 1)::timestamp AT TIME ZONE $2::text", "to: the end of that local day");
	where("{\"from\":\"2026-03-10\",\"to\":\"2026-03-09\"}");
	ok(errs && json_object_get(errs, "to"), "from after to is a field error");

	like(where("{\"action\":\"open\"}"), "c.requires_action AND c.resolved_at IS NULL", "open action items");
	like(where("{\"action\":\"resolved\"}"), "c.requires_action AND c.resolved_at IS NOT NULL", "resolved items");
	like(where("{\"action\":\"none\"}"), "NOT c.requires_action", "no action needed");
	unlike(where("{\"archived\":\"include\"}"), "archived_at", "include archived: no archive condition");
	like(where("{\"archived\":\"only\"}"), "c.archived_at IS NOT NULL", "archived only");
	unlike(s = where("{\"archived\":\"only\"}"), "archived_at IS NULL", "archived only does not also hide them");

	s = where("{\"q\":\"tooth pain\"}");
	like(s, "c.search @@ websearch_to_tsquery('simple', $3)", "search uses the stored tsvector");
	is(param(3), "tooth pain", "search text is a parameter");

	s = where("{\"sort\":\"oldest\"}");
	like(s, "ORDER BY c.started_at ASC, c.id ASC", "oldest first");
	s = where("{\"sort\":\"longest\"}");
	like(s, "ORDER BY coalesce(c.duration_seconds, 0) DESC, c.id DESC", "longest first");

	struct dash_cursor c = { "newest", "2026-11-21T15:19:18.123456Z", "0b0e8a3c-1f6e-4a31-9d3c-0f1e2d3c4b5a" };
	char *cur = dash_cursor_encode(&c), json[512];
	snprintf(json, sizeof json, "{\"cursor\":\"%s\"}", cur);
	s = where(json);
	ok(errs == NULL && f.has_cursor, "cursor accepted for its sort");
	like(s, "(c.started_at, c.id) < ($3::timestamptz, $4::uuid)", "next page strictly after the last row");
	ok(strcmp(param(3), c.key) == 0 && strcmp(param(4), c.id) == 0, "cursor values bound");
	snprintf(json, sizeof json, "{\"cursor\":\"%s\",\"sort\":\"oldest\"}", cur);
	where(json);
	ok(errs && json_object_get(errs, "cursor"), "a cursor from another sort is a field error");
	where("{\"cursor\":\"bm9wZQ\"}");
	ok(errs && json_object_get(errs, "cursor"), "a forged cursor is a field error");
	free(cur);

	struct dash_cursor d = { "shortest", "42", "0b0e8a3c-1f6e-4a31-9d3c-0f1e2d3c4b5a" };
	cur = dash_cursor_encode(&d);
	snprintf(json, sizeof json, "{\"cursor\":\"%s\",\"sort\":\"shortest\"}", cur);
	like(where(json), "(coalesce(c.duration_seconds, 0), c.id) > ($3::integer, $4::uuid)", "ascending sorts continue upwards");
	free(cur);

	/* All filters at once fit the parameter table. */
	s = where("{\"from\":\"2026-01-01\",\"to\":\"2026-01-31\",\"status\":\"completed\",\"outcome\":\"o\","
	    "\"reason\":\"r\",\"direction\":\"outbound\",\"action\":\"open\",\"archived\":\"only\",\"q\":\"x\",\"sort\":\"newest\"}");
	ok(q.n <= DASH_MAX_PARAMS && q.n == 9, "every filter at once: nine parameters (states are fixed SQL)");

	struct buf qs;
	buf_init(&qs, 4096);
	where("{\"q\":\"a&b=c d\",\"status\":\"completed\",\"sort\":\"oldest\",\"limit\":10}");
	dash_filter_query(&f, &qs);
	is(qs.data, "status=completed&q=a%26b%3Dc%20d&sort=oldest", "the filter as a bookmarkable query (no limit, no cursor)");
	buf_reset(&qs);
	where("{}");
	dash_filter_query(&f, &qs);
	is_int((long long)qs.len, 0, "no filter, empty query (default sort left out)");
	buf_free(&qs);

	json_decref(in);
	json_decref(errs);
	dash_sql_free(&q);
	return done_testing();
}
