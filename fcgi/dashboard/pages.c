/* The dashboard's pages: overview, call log, call detail, action
 * required, and the forms that resolve, archive and restore. */
#include "../handlers.h"
#include "present.h"
#include "web.h"
#include <stdlib.h>
#include <string.h>

#define NOTICE_FIELDS \
	{ "notice", FT_ENUM, 0, 0, 0, "resolved|archived|restored" }, \
	{ "n", FT_INT, 0, 0, DASH_MAX_IDS, NULL }

const struct field dash_overview_fields[] = {
	{ "period", FT_ENUM, 0, 0, 0, "7|30|90" },
	{ NULL }
};
const struct field dash_calls_fields[] = {
	DASH_FILTER_FIELDS,
	DASH_PAGING_FIELDS,
	NOTICE_FIELDS,
	{ NULL }
};
const struct field dash_notice_fields[] = {
	NOTICE_FIELDS,
	{ NULL }
};
const struct field dash_resolve_fields[] = {
	{ "ids", FT_UUID, FIELD_REQUIRED | FIELD_MULTI, 0, 0, NULL },
	{ "note", FT_TEXT, 0, 0, 1000, NULL },
	{ "return_to", FT_STRING, 0, 1, 1000, NULL },
	{ NULL }
};
const struct field dash_archive_fields[] = {
	{ "ids", FT_UUID, FIELD_REQUIRED | FIELD_MULTI, 0, 0, NULL },
	{ "return_to", FT_STRING, 0, 1, 1000, NULL },
	{ NULL }
};

/* Ends the read transaction, then renders page with the signed-in page
 * context (title, nav with nav_href current, user, csrf) plus ctx (stolen). */
static void
render(struct req *rq, struct resp *rs, const char *page, const char *title,
    const char *nav_href, json_t *ctx)
{
	db_rollback(rq->db);
	json_t *full = dashw_page_ctx(rq, title, nav_href);
	json_object_update(full, ctx);
	json_decref(ctx);
	resp_page(rq, rs, 200, page, full);
	json_decref(full);
}

/* "3 calls resolved." from ?notice=&n= after a form. */
static void
notice(struct req *rq, json_t *ctx)
{
	const char *what = json_string_value(json_object_get(rq->in, "notice"));
	if (what == NULL)
		return;
	json_int_t n = json_integer_value(json_object_get(rq->in, "n"));
	char text[96];
	if (n == 0)
		snprintf(text, sizeof text, "Nothing changed: the calls were already %s.", what);
	else
		snprintf(text, sizeof text, "%lld call%s %s.", (long long)n, n == 1 ? "" : "s", what);
	json_object_set_new(ctx, "notice", json_string(text));
}

/* Now, in the tenant's zone, for "last updated". */
static void
updated_now(struct req *rq, json_t *ctx, const char *tz)
{
	const char *p[] = { tz };
	PGresult *r = db_prep(rq->db, "dash_now_local",
	    "SELECT to_char(now() AT TIME ZONE $1::text, 'HH24:MI:SS')", 1, p);
	if (r) {
		json_object_set_new(ctx, "updated_local", json_string(PQgetvalue(r, 0, 0)));
		PQclear(r);
	}
	json_object_set_new(ctx, "time_zone", json_string(tz));
}

/* ---- Overview */

static const struct dashp_choice periods[] = {
	{ "7", "Last 7 days" }, { "30", "Last 30 days" }, { "90", "Last 90 days" }, { NULL }
};

static json_t *
card(const char *label, const char *value, const char *change)
{
	return json_pack("{s:s,s:s,s:s?}", "label", label, "value", value, "change", change);
}

static json_t *
cards(json_t *o, int days)
{
	json_t *t = json_object_get(o, "totals"), *p = json_object_get(o, "previous"), *a = json_array();
	static const struct { const char *key, *label; int duration; } kinds[] = {
		{ "calls", "Calls", 0 }, { "answered", "Answered", 0 },
		{ "avg_duration", "Average duration", 1 }, { "transfers", "Transfers", 0 },
	};
	char value[32], change[128];
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		long cur = (long)json_integer_value(json_object_get(t, kinds[i].key));
		long prev = (long)json_integer_value(json_object_get(p, kinds[i].key));
		if (kinds[i].duration)
			dashp_duration(cur, value, sizeof value);
		else
			snprintf(value, sizeof value, "%ld", cur);
		dashp_change(cur, prev, days, change, sizeof change);
		json_array_append_new(a, card(kinds[i].label, value, change));
	}
	snprintf(value, sizeof value, "%lld",
	    (long long)json_integer_value(json_object_get(t, "action_open")));
	json_array_append_new(a, card("Action required (open)", value, NULL));
	return a;
}

/* Bars from [{label, calls}] items. */
static char *
chart(json_t *items, const char *title, int columns)
{
	size_t n = json_array_size(items);
	struct dash_bar *bars = calloc(n ? n : 1, sizeof *bars);
	for (size_t i = 0; i < n; i++) {
		json_t *it = json_array_get(items, i);
		bars[i].label = json_string_value(json_object_get(it, "label"));
		bars[i].value = (long)json_integer_value(json_object_get(it, "calls"));
	}
	struct buf svg;
	buf_init(&svg, 256 * 1024);
	int rc = columns ? dash_svg_columns(&svg, title, bars, n) : dash_svg_rows(&svg, title, bars, n);
	free(bars);
	if (rc < 0) {
		buf_free(&svg);
		return NULL;
	}
	return buf_steal(&svg);
}

static void
add_changes(json_t *items, int days)
{
	size_t i;
	json_t *it;
	char change[128];
	json_array_foreach(items, i, it) {
		dashp_change((long)json_integer_value(json_object_get(it, "calls")),
		    (long)json_integer_value(json_object_get(it, "previous")), days, change, sizeof change);
		json_object_set_new(it, "change", json_string(change));
	}
}

static int
tour_pending(struct req *rq, const char *tenant)
{
	if (rq->auth->user_id[0] == '\0')
		return 0;
	const char *p[] = { tenant, rq->auth->user_id };
	PGresult *r = db_prep(rq->db, "dash_tour_seen",
	    "SELECT 1 FROM dashboard_tours WHERE tenant_id = $1 AND user_id = $2", 2, p);
	int pending = r && PQntuples(r) == 0;
	PQclear(r);
	return pending;
}

void
dash_overview_page(struct req *rq, struct resp *rs)
{
	const char *tenant = dashw_begin(rq, rs);
	if (tenant == NULL)
		return;
	int days = dash_period(rq);
	json_t *o = dash_overview(rq->db, tenant, days);
	if (o == NULL) {
		dashw_fail(rq, rs, "overview");
		return;
	}
	char period[8], title[64];
	snprintf(period, sizeof period, "%d", days);
	snprintf(title, sizeof title, "Calls per day, last %d days", days);
	char *calls_svg = chart(json_object_get(o, "series"), title, 1);
	char *outcomes_svg = chart(json_object_get(o, "outcomes"), "Calls by outcome", 0);
	add_changes(json_object_get(o, "reasons"), days);
	json_t *ctx = json_object();
	json_object_set_new(ctx, "overview", o);
	json_object_set_new(ctx, "cards", cards(o, days));
	json_object_set_new(ctx, "periods", dashp_options(periods, period));
	json_object_set_new(ctx, "chart_calls", calls_svg ? json_string(calls_svg) : json_null());
	json_object_set_new(ctx, "chart_outcomes", outcomes_svg ? json_string(outcomes_svg) : json_null());
	json_object_set_new(ctx, "has_outcomes", json_boolean(json_array_size(json_object_get(o, "outcomes")) > 0));
	json_object_set_new(ctx, "has_reasons", json_boolean(json_array_size(json_object_get(o, "reasons")) > 0));
	json_object_set_new(ctx, "tour", json_boolean(tour_pending(rq, tenant)));
	updated_now(rq, ctx, json_string_value(json_object_get(o, "time_zone")));
	free(calls_svg);
	free(outcomes_svg);
	render(rq, rs, "dashboard/overview", "Overview", "/dashboard", ctx);
}

void
dash_tour_dismiss(struct req *rq, struct resp *rs)
{
	const char *tenant = dashw_begin(rq, rs);
	if (tenant == NULL)
		return;
	if (rq->auth->user_id[0]) {
		const char *p[] = { tenant, rq->auth->user_id };
		if (db_run(rq->db, "INSERT INTO dashboard_tours (tenant_id, user_id) VALUES ($1, $2) "
		    "ON CONFLICT DO NOTHING", 2, p) < 0 || db_commit(rq->db) < 0) {
			dashw_fail(rq, rs, "tour");
			return;
		}
	} else {
		db_rollback(rq->db);
	}
	resp_redirect(rs, "/dashboard");
}

/* ---- Call log */

static const struct dashp_choice statuses[] = {
	{ "completed", "Completed" }, { "in_progress", "In progress" }, { "ringing", "Ringing" },
	{ "queued", "Queued" }, { "no_answer", "No answer" }, { "busy", "Busy" },
	{ "failed", "Failed" }, { "canceled", "Canceled" }, { NULL }
};
static const struct dashp_choice directions[] = {
	{ "inbound", "Inbound" }, { "outbound", "Outbound" }, { NULL }
};
static const struct dashp_choice actions[] = {
	{ "open", "Needs action" }, { "resolved", "Resolved" }, { "none", "No action needed" }, { NULL }
};
static const struct dashp_choice archived[] = {
	{ "include", "Include archived" }, { "only", "Archived only" }, { NULL }
};

static json_t *
sort_options(const struct dash_filter *f)
{
	json_t *a = json_array();
	for (const struct dash_sort *s = dash_sorts; s->name; s++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "value", s->name, "label",
		    s->label, "selected", s == f->sort));
	return a;
}

static json_t *
filter_select(const char *name, const char *label, const char *any, json_t *options)
{
	return json_pack("{s:s,s:s,s:s,s:s?,s:o}", "id", name, "name", name, "label", label,
	    "any", any, "options", options);
}

/* "/calls?query" plus more (each may be empty). */
static json_t *
link(const char *path, const char *query, const char *more)
{
	struct buf b;
	buf_init(&b, 8192);
	buf_puts(&b, path);
	query = query ? query : "";     /* an empty buffer has no data yet */
	if (*query || (more && *more))
		buf_putc(&b, '?');
	buf_puts(&b, query);
	if (*query && more && *more)
		buf_putc(&b, '&');
	if (more)
		buf_puts(&b, more);
	json_t *s = json_string(b.data);
	buf_free(&b);
	return s;
}

void
dash_calls_page(struct req *rq, struct resp *rs)
{
	struct dash_filter f;
	if (dashw_filter(rq, rs, &f))
		return;
	const char *tenant = dashw_begin(rq, rs);
	if (tenant == NULL)
		return;
	json_t *list = dash_calls_list(rq->db, tenant, &f);
	if (list == NULL) {
		dashw_fail(rq, rs, "call log");
		return;
	}
	int only_archived = f.archived && strcmp(f.archived, "only") == 0;
	json_t *ctx = json_object(), *signals = dash_signals(rq->db, tenant);
	if (signals == NULL) {
		json_decref(list);
		json_decref(ctx);
		dashw_fail(rq, rs, "signals");
		return;
	}
	json_object_set_new(ctx, "signals", signals);
	struct buf query;
	buf_init(&query, 8192);
	dash_filter_query(&f, &query);
	json_t *calls = json_object_get(list, "calls");
	dashp_calls(calls);
	json_object_set(ctx, "calls", calls);
	json_object_set_new(ctx, "filters", dash_filter_json(&f));
	json_object_set_new(ctx, "filtered", json_boolean(query.len > 0));
	json_t *selects = json_array();
	json_array_append_new(selects, filter_select("status", "Status", "Any status", dashp_options(statuses, f.status)));
	json_array_append_new(selects, filter_select("outcome", "Outcome", "Any outcome",
	    dashp_signal_options(json_object_get(signals, "outcomes"), f.outcome)));
	json_array_append_new(selects, filter_select("reason", "Reason", "Any reason",
	    dashp_signal_options(json_object_get(signals, "reasons"), f.reason)));
	json_array_append_new(selects, filter_select("direction", "Direction", "Both directions",
	    dashp_options(directions, f.direction)));
	json_array_append_new(selects, filter_select("action", "Action", "Any", dashp_options(actions, f.action)));
	json_array_append_new(selects, filter_select("archived", "Archived calls", "Hide archived",
	    dashp_options(archived, f.archived)));
	json_array_append_new(selects, filter_select("sort", "Sort", NULL, sort_options(&f)));
	json_object_set_new(ctx, "selects", selects);
	json_object_set_new(ctx, "sort_label", json_string(f.sort->label));
	json_object_set_new(ctx, "has_calls", json_boolean(json_array_size(calls) > 0));
	const char *next = json_string_value(json_object_get(list, "next_cursor"));
	if (next) {
		char more[256];
		snprintf(more, sizeof more, "cursor=%s", next);
		json_object_set_new(ctx, "next_url", link("/calls", query.data, more));
	}
	if (f.has_cursor)
		json_object_set_new(ctx, "first_url", link("/calls", query.data, NULL));
	json_object_set_new(ctx, "export_url", link("/calls/export.csv", query.data, NULL));
	json_object_set_new(ctx, "return_to", link(rq->path, query.data, NULL));
	json_object_set_new(ctx, "only_archived", json_boolean(only_archived));
	buf_free(&query);
	notice(rq, ctx);
	updated_now(rq, ctx, json_string_value(json_object_get(list, "time_zone")));
	json_decref(list);
	render(rq, rs, "dashboard/calls", only_archived ? "Archive" : "Calls",
	    only_archived ? "/calls?archived=only" : "/calls", ctx);
}

/* ---- Call detail */

static json_t *
captured_list(json_t *data)
{
	json_t *a = json_array(), *v;
	const char *k;
	json_object_foreach(data, k, v) {
		char label[96];
		dash_label(k, label, sizeof label);
		char *text = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		json_array_append_new(a, json_pack("{s:s,s:s}", "label", label, "value",
		    text ? text : json_string_value(v)));
		free(text);
	}
	return a;
}

static void
label_turns(json_t *turns, const char *agent)
{
	size_t i;
	json_t *t;
	json_array_foreach(turns, i, t) {
		const char *sp = json_string_value(json_object_get(t, "speaker"));
		json_object_set_new(t, "speaker_label", json_string(
		    strcmp(sp, "caller") == 0 ? "Caller" : strcmp(sp, "agent") == 0 ? agent : "System"));
	}
}

static void
label_events(json_t *events)
{
	size_t i;
	json_t *e;
	json_array_foreach(events, i, e) {
		char label[96];
		dash_label(json_string_value(json_object_get(e, "type")), label, sizeof label);
		json_object_set_new(e, "label", json_string(label));
		json_t *d = json_object_get(e, "data");
		if (json_object_size(d)) {
			char *text = json_dumps(d, JSON_COMPACT);
			json_object_set_new(e, "detail", json_string(text));
			free(text);
		}
	}
}

void
dash_call_page(struct req *rq, struct resp *rs)
{
	const char *tenant = dashw_begin(rq, rs);
	if (tenant == NULL)
		return;
	int missing;
	const char *id = json_string_value(json_object_get(rq->path_args, "id"));
	json_t *d = dash_call_get(rq->db, tenant, id, &missing);
	if (d == NULL) {
		if (missing) {
			db_rollback(rq->db);
			resp_error(rq, rs, ERR_not_found, NULL);
		} else {
			dashw_fail(rq, rs, "call detail");
		}
		return;
	}
	json_t *call = json_object_get(d, "call");
	dashp_call(call);
	json_t *ctx = json_object();
	json_object_set_new(call, "captured", captured_list(json_object_get(call, "captured_data")));
	const char *agent = json_string_value(json_object_get(call, "agent_name"));
	label_turns(json_object_get(d, "turns"), agent ? agent : "Agent");
	label_events(json_object_get(d, "events"));
	json_object_update(ctx, d);
	json_object_set_new(call, "has_captured", json_boolean(json_array_size(json_object_get(call, "captured")) > 0));
	json_object_set_new(ctx, "has_turns", json_boolean(json_array_size(json_object_get(d, "turns")) > 0));
	json_object_set_new(ctx, "has_events", json_boolean(json_array_size(json_object_get(d, "events")) > 0));
	char path[128];
	snprintf(path, sizeof path, "/calls/%s", id);
	json_object_set_new(ctx, "return_to", json_string(path));
	notice(rq, ctx);
	json_decref(d);
	render(rq, rs, "dashboard/call", "Call", "/calls", ctx);
}

/* ---- Action required */

void
dash_action_page(struct req *rq, struct resp *rs)
{
	const char *tenant = dashw_begin(rq, rs);
	if (tenant == NULL)
		return;
	json_t *items = dash_action_list(rq->db, tenant, DASH_MAX_IDS);
	char tz[64];
	if (items == NULL || dash_tenant_zone(rq->db, tenant, tz, sizeof tz) < 0) {
		json_decref(items);
		dashw_fail(rq, rs, "action required");
		return;
	}
	dashp_calls(items);
	json_t *ctx = json_object();
	json_object_set_new(ctx, "has_items", json_boolean(json_array_size(items) > 0));
	json_object_set_new(ctx, "items", items);
	json_object_set_new(ctx, "return_to", json_string("/action-required"));
	notice(rq, ctx);
	updated_now(rq, ctx, tz);
	render(rq, rs, "dashboard/action", "Action required", "/action-required", ctx);
}

/* ---- Forms */

/* A local path only: never another site. */
static const char *
return_path(struct req *rq, const char *fallback)
{
	const char *r = json_string_value(json_object_get(rq->in, "return_to"));
	if (r == NULL || r[0] != '/' || r[1] == '/' || r[1] == '\\' || strpbrk(r, "\r\n\\"))
		return fallback;
	return r;
}

static void
act_form(struct req *rq, struct resp *rs, enum dash_act act, const char *done,
    const char *fallback)
{
	json_t *changed = dash_act_request(rq, rs, act);
	if (changed == NULL)
		return;
	const char *back = return_path(rq, fallback);
	struct buf url;
	buf_init(&url, 4096);
	buf_printf(&url, "%s%cnotice=%s&n=%zu", back, strchr(back, '?') ? '&' : '?', done,
	    json_array_size(changed));
	resp_redirect(rs, url.data);
	buf_free(&url);
	json_decref(changed);
}

void
dash_resolve_form(struct req *rq, struct resp *rs)
{
	act_form(rq, rs, DASH_RESOLVE, "resolved", "/action-required");
}

void
dash_archive_form(struct req *rq, struct resp *rs)
{
	act_form(rq, rs, DASH_ARCHIVE, "archived", "/calls");
}

void
dash_restore_form(struct req *rq, struct resp *rs)
{
	act_form(rq, rs, DASH_RESTORE, "restored", "/calls?archived=only");
}
