/* Customer dashboard: what a tenant sees about its calls, shared by the
 * pages and /api/v1.  The data functions take the tenant from the caller
 * (who takes it from rq->auth, never from the request) and run inside a
 * transaction opened with db_begin_tenant, so row-level security holds
 * as well as the explicit tenant_id filter. */
#ifndef VOXLINE_DASH_H
#define VOXLINE_DASH_H
#include "buf.h"
#include "db.h"
#include <jansson.h>
#include <stddef.h>

#define DASH_PAGE_DEFAULT 50
#define DASH_PAGE_MAX 200
#define DASH_MAX_IDS 200            /* calls resolved/archived in one request */
/* A search of several words first looks at this many of the newest calls
 * in list order: when enough of them match, that is the page (calls.c). */
#define DASH_SEARCH_WINDOW "2000"

/* ---- cursor.c: keyset cursors, opaque to clients. */
struct dash_cursor {
	char sort[16];
	char key[40];                   /* last row's sort key (timestamp or integer) */
	char id[37];                    /* last row's id (tie-breaker) */
};
/* base64url text for the caller to free. */
char *dash_cursor_encode(const struct dash_cursor *c);
/* 0 when s is a well-formed cursor for a known sort; -1 otherwise. */
int dash_cursor_decode(const char *s, struct dash_cursor *c);

/* ---- filter.c: the declared filters of the call list, export and
 * changes, turned into SQL with parameters. */
enum dash_key { DASH_KEY_TIME, DASH_KEY_INT };
struct dash_sort {
	const char *name;               /* as in ?sort= */
	const char *label;
	const char *expr;               /* SQL of the key (indexed, see 0041) */
	const char *key_text;           /* SQL giving the key as cursor text */
	const char *cast;               /* cast of the cursor key parameter */
	int desc;
	enum dash_key key;
};
extern const struct dash_sort dash_sorts[];
const struct dash_sort *dash_sort_find(const char *name);

struct dash_filter {
	const char *from, *to;          /* YYYY-MM-DD in the tenant's time zone */
	const char *status, *outcome, *reason, *direction;
	const char *action;             /* open | resolved | none */
	const char *archived;           /* exclude (default) | include | only */
	const char *q;                  /* web-search syntax */
	const struct dash_sort *sort;
	struct dash_cursor cursor;
	int has_cursor;
	int limit;
};
/* The filter fields, shared by every route that lists calls. */
#define DASH_FILTER_FIELDS \
	{ "from", FT_DATE, 0, 0, 0, NULL }, \
	{ "to", FT_DATE, 0, 0, 0, NULL }, \
	{ "status", FT_ENUM, 0, 0, 0, "queued|ringing|in_progress|completed|busy|no_answer|failed|canceled" }, \
	{ "outcome", FT_STRING, 0, 0, 64, NULL }, \
	{ "reason", FT_STRING, 0, 0, 64, NULL }, \
	{ "direction", FT_ENUM, 0, 0, 0, "inbound|outbound" }, \
	{ "action", FT_ENUM, 0, 0, 0, "open|resolved|none" }, \
	{ "archived", FT_ENUM, 0, 0, 0, "exclude|include|only" }, \
	{ "q", FT_STRING, 0, 0, 200, NULL }, \
	{ "sort", FT_ENUM, 0, 0, 0, "newest|oldest|longest|shortest" }
#define DASH_PAGING_FIELDS \
	{ "cursor", FT_STRING, 0, 0, 200, NULL }, \
	{ "limit", FT_INT, 0, 1, DASH_PAGE_MAX, NULL }

/* Reads validated input into f (strings borrowed from in).  Returns NULL,
 * or a new object field -> message (a cursor that does not decode, or
 * belongs to another sort; from after to). */
json_t *dash_filter_read(json_t *in, struct dash_filter *f);
/* The filter again as a query string (no cursor), for links and the
 * export; "" when nothing is set. */
void dash_filter_query(const struct dash_filter *f, struct buf *out);
/* The filter as an object of its set values (API responses, templates). */
json_t *dash_filter_json(const struct dash_filter *f);

#define DASH_MAX_PARAMS 24
struct dash_sql {
	struct buf text;
	const char *params[DASH_MAX_PARAMS];
	int n;
	char limit[16];
};
void dash_sql_init(struct dash_sql *q);
void dash_sql_free(struct dash_sql *q);
/* Appends " $n" bound to value (borrowed; must outlive the query). */
void dash_sql_param(struct dash_sql *q, const char *value);
/* Appends the WHERE clause for tenant ($1) + filter; binds tz, the
 * tenant's zone, as $2 whether or not the filter needs it (select lists
 * name it).  how: DASH_WHERE_KEYSET adds the cursor condition;
 * DASH_WHERE_NO_SEARCH leaves the search out (see dash_sql_search). */
#define DASH_WHERE_KEYSET 1u
#define DASH_WHERE_NO_SEARCH 2u
void dash_sql_where(struct dash_sql *q, const struct dash_filter *f, const char *tenant,
    const char *tz, unsigned how);
/* Appends " AND c.search @@ ..." when the filter searches. */
void dash_sql_search(struct dash_sql *q, const struct dash_filter *f);
/* Appends ORDER BY for the filter's sort (and the id tie-breaker). */
void dash_sql_order(struct dash_sql *q, const struct dash_filter *f);

/* ---- calls.c: list, detail, changes. */
/* One result row as an object: bool, integer, numeric and jsonb columns
 * typed, NULL as null, the rest strings. */
json_t *dash_row_json(PGresult *r, int row);
/* The tenant's IANA time zone (inside the tenant transaction). */
int dash_tenant_zone(struct db *db, const char *tenant, char *tz, size_t n);
/* One page: {"calls":[...], "next_cursor": s|null, "time_zone": tz}. */
json_t *dash_calls_list(struct db *db, const char *tenant, const struct dash_filter *f);
/* {"call":{...}, "turns":[...], "events":[...], "recording":{...}|null}, or
 * NULL with *missing set when the call is not the tenant's. */
json_t *dash_call_get(struct db *db, const char *tenant, const char *id, int *missing);
/* Open action items, most urgent and oldest first. */
json_t *dash_action_list(struct db *db, const char *tenant, int limit);
/* Change marker of the tenant's calls: an ETag value ("" when no calls). */
int dash_changes_tag(struct db *db, const char *tenant, char *tag, size_t n,
    char *updated_at, size_t un);

/* ---- overview.c */
extern const char *const dash_periods;      /* "7|30|90" */
/* {"period_days", "from", "to", "totals":{...}, "previous":{...},
 *  "series":[{"day","label","calls"}], "outcomes":[...], "reasons":[...]} */
json_t *dash_overview(struct db *db, const char *tenant, int days);

/* ---- svg.c: charts rendered by the server, readable without JS. */
struct dash_bar {
	const char *label;
	long value;
};
/* Vertical bars (counts over time); title names the chart for assistive
 * technology (role="img" + <title> + <desc>). */
int dash_svg_columns(struct buf *out, const char *title, const struct dash_bar *bars, size_t n);
/* Horizontal bars with the label and the number written beside each. */
int dash_svg_rows(struct buf *out, const char *title, const struct dash_bar *bars, size_t n);

/* ---- csv.c: one cell / one record, with formula-injection protection. */
int dash_csv_cell(struct buf *out, const char *s);
int dash_csv_record(struct buf *out, const char *const *cells, size_t n);

/* ---- signals.c: the tenant's vocabularies (dashboard_signals of its
 * agents).  {"reasons":[{"value","label"}], "outcomes":[...], "pipeline":[...]} */
json_t *dash_signals(struct db *db, const char *tenant);
/* "appointment_requested" -> "Appointment requested" (into out). */
void dash_label(const char *value, char *out, size_t n);

/* ---- act.c: resolve, archive and restore. */
enum dash_act { DASH_RESOLVE, DASH_ARCHIVE, DASH_RESTORE };
/* Applies act to the ids that qualify (open for resolve, not archived for
 * archive, archived for restore); user_id ("" for API keys) is kept as who
 * resolved or archived.  Returns the ids changed as a new array, NULL on a
 * database error.  Runs inside the caller's tenant transaction, like every
 * function here; the caller audits each change. */
json_t *dash_act(struct db *db, const char *tenant, const char *user_id, enum dash_act act,
    json_t *ids, const char *note);
/* The audit action of act: call.resolve, call.archive, call.restore. */
const char *dash_act_name(enum dash_act act);

#endif
