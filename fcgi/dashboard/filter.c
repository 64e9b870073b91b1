/* The call list's filters: read from validated input, written back as a
 * query string (bookmarkable links, export), and turned into a WHERE
 * clause whose every value is a parameter. */
#include "dash.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIME_KEY "to_char(c.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
#define DURATION "coalesce(c.duration_seconds, 0)"

/* Each sort has an index on (tenant_id, expr, id) (sql/0003, sql/0041). */
const struct dash_sort dash_sorts[] = {
	{ "newest", "Newest first", "c.started_at", TIME_KEY, "timestamptz", 1, DASH_KEY_TIME },
	{ "oldest", "Oldest first", "c.started_at", TIME_KEY, "timestamptz", 0, DASH_KEY_TIME },
	{ "longest", "Longest first", DURATION, DURATION "::text", "integer", 1, DASH_KEY_INT },
	{ "shortest", "Shortest first", DURATION, DURATION "::text", "integer", 0, DASH_KEY_INT },
	{ NULL }
};

const struct dash_sort *
dash_sort_find(const char *name)
{
	for (const struct dash_sort *s = dash_sorts; name && s->name; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

static const char *
str(json_t *in, const char *name)
{
	const char *s = json_string_value(json_object_get(in, name));
	return s && *s ? s : NULL;
}

json_t *
dash_filter_read(json_t *in, struct dash_filter *f)
{
	memset(f, 0, sizeof *f);
	f->from = str(in, "from");
	f->to = str(in, "to");
	f->status = str(in, "status");
	f->outcome = str(in, "outcome");
	f->reason = str(in, "reason");
	f->direction = str(in, "direction");
	f->action = str(in, "action");
	f->archived = str(in, "archived");
	f->q = str(in, "q");
	f->sort = dash_sort_find(str(in, "sort"));
	if (f->sort == NULL)
		f->sort = &dash_sorts[0];
	json_t *limit = json_object_get(in, "limit");
	f->limit = json_is_integer(limit) ? (int)json_integer_value(limit) : DASH_PAGE_DEFAULT;

	json_t *errors = json_object();
	const char *cursor = str(in, "cursor");
	if (cursor) {
		if (dash_cursor_decode(cursor, &f->cursor) < 0 ||
		    strcmp(f->cursor.sort, f->sort->name) != 0)
			json_object_set_new(errors, "cursor", json_string(
			    "This page link is not valid for this list; start again from the first page."));
		else
			f->has_cursor = 1;
	}
	if (f->from && f->to && strcmp(f->from, f->to) > 0)
		json_object_set_new(errors, "to", json_string("The end date is before the start date."));
	if (json_object_size(errors) == 0) {
		json_decref(errors);
		return NULL;
	}
	return errors;
}

/* Query-component encoding: unreserved characters pass, the rest is %XX. */
static void
put_encoded(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			buf_putc(out, (char)c);
		} else {
			buf_putc(out, '%');
			buf_putc(out, hex[c >> 4]);
			buf_putc(out, hex[c & 15]);
		}
	}
}

/* The filter's fields in one place: name and value, in URL order. */
#define FILTER_PAIRS(f) { \
	{ "from", (f)->from }, { "to", (f)->to }, { "status", (f)->status }, \
	{ "outcome", (f)->outcome }, { "reason", (f)->reason }, \
	{ "direction", (f)->direction }, { "action", (f)->action }, \
	{ "archived", (f)->archived }, { "q", (f)->q }, \
	{ "sort", (f)->sort && (f)->sort != &dash_sorts[0] ? (f)->sort->name : NULL } }

struct pair { const char *name, *value; };

void
dash_filter_query(const struct dash_filter *f, struct buf *out)
{
	const struct pair pairs[] = FILTER_PAIRS(f);
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		if (pairs[i].value == NULL)
			continue;
		if (out->len)
			buf_putc(out, '&');
		buf_puts(out, pairs[i].name);
		buf_putc(out, '=');
		put_encoded(out, pairs[i].value);
	}
}

json_t *
dash_filter_json(const struct dash_filter *f)
{
	const struct pair pairs[] = FILTER_PAIRS(f);
	json_t *o = json_object();
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		if (pairs[i].value)
			json_object_set_new(o, pairs[i].name, json_string(pairs[i].value));
	json_object_set_new(o, "sort", json_string(f->sort->name));
	return o;
}

void
dash_sql_init(struct dash_sql *q)
{
	memset(q, 0, sizeof *q);
	buf_init(&q->text, 16 * 1024);
}

void
dash_sql_free(struct dash_sql *q)
{
	buf_free(&q->text);
}

/* Binds value and returns its number; the table is sized for every
 * filter at once, so running out is a programming error. */
static int
bind(struct dash_sql *q, const char *value)
{
	if (q->n >= DASH_MAX_PARAMS)
		abort();
	q->params[q->n++] = value;
	return q->n;
}

void
dash_sql_param(struct dash_sql *q, const char *value)
{
	buf_printf(&q->text, " $%d", bind(q, value));
}

/* Column = value filters, declared once. */
static const struct {
	const char *column;
	size_t offset;
} equals[] = {
	{ "c.status", offsetof(struct dash_filter, status) },
	{ "c.outcome", offsetof(struct dash_filter, outcome) },
	{ "c.reason", offsetof(struct dash_filter, reason) },
	{ "c.direction", offsetof(struct dash_filter, direction) },
};

/* Named states, each one fixed SQL fragment. */
static const struct {
	size_t offset;
	const char *value, *sql;
} states[] = {
	{ offsetof(struct dash_filter, action), "open", "c.requires_action AND c.resolved_at IS NULL" },
	{ offsetof(struct dash_filter, action), "resolved", "c.requires_action AND c.resolved_at IS NOT NULL" },
	{ offsetof(struct dash_filter, action), "none", "NOT c.requires_action" },
	{ offsetof(struct dash_filter, archived), "only", "c.archived_at IS NOT NULL" },
	{ offsetof(struct dash_filter, archived), "include", NULL },
	{ offsetof(struct dash_filter, archived), NULL, "c.archived_at IS NULL" },  /* default */
};

static const char *
field_at(const struct dash_filter *f, size_t offset)
{
	return *(const char *const *)((const char *)f + offset);
}

void
dash_sql_search(struct dash_sql *q, const struct dash_filter *f)
{
	if (f->q) {
		buf_puts(&q->text, " AND c.search @@ websearch_to_tsquery('simple',");
		dash_sql_param(q, f->q);
		buf_puts(&q->text, ")");
	}
}

void
dash_sql_where(struct dash_sql *q, const struct dash_filter *f, const char *tenant,
    const char *tz, unsigned how)
{
	/* The explicit tenant filter lets the planner use the (tenant_id, ...)
	 * indexes; row-level security checks the same thing again. */
	buf_puts(&q->text, " WHERE c.tenant_id =");
	dash_sql_param(q, tenant);
	int zone = bind(q, tz);         /* always $2: the select list may name it */
	if (f->from || f->to) {
		if (f->from)
			buf_printf(&q->text, " AND c.started_at >= ($%d::date)::timestamp AT TIME ZONE $%d::text",
			    bind(q, f->from), zone);
		if (f->to)
			buf_printf(&q->text, " AND c.started_at < ($%d::date + 1)::timestamp AT TIME ZONE $%d::text",
			    bind(q, f->to), zone);
	}
	for (size_t i = 0; i < sizeof equals / sizeof equals[0]; i++) {
		const char *v = field_at(f, equals[i].offset);
		if (v) {
			buf_printf(&q->text, " AND %s =", equals[i].column);
			dash_sql_param(q, v);
		}
	}
	size_t done = (size_t)-1;
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
		const char *v = field_at(f, states[i].offset);
		if (done == states[i].offset)
			continue;
		if (states[i].value == NULL || (v && strcmp(v, states[i].value) == 0)) {
			if (states[i].sql)
				buf_printf(&q->text, " AND %s", states[i].sql);
			done = states[i].offset;
		}
	}
	if (!(how & DASH_WHERE_NO_SEARCH))
		dash_sql_search(q, f);
	if ((how & DASH_WHERE_KEYSET) && f->has_cursor) {
		int key = bind(q, f->cursor.key), id = bind(q, f->cursor.id);
		buf_printf(&q->text, " AND (%s, c.id) %s ($%d::%s, $%d::uuid)", f->sort->expr,
		    f->sort->desc ? "<" : ">", key, f->sort->cast, id);
	}
}

void
dash_sql_order(struct dash_sql *q, const struct dash_filter *f)
{
	const char *dir = f->sort->desc ? "DESC" : "ASC";
	buf_printf(&q->text, " ORDER BY %s %s, c.id %s", f->sort->expr, dir, dir);
}
