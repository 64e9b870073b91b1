/* CSV export of the current filtered view, for pages and the API alike:
 * read through a server-side cursor a batch at a time and streamed to the
 * client as it is read, so no response ever holds the whole table. */
#include "../handlers.h"
#include "web.h"
#include "log.h"

#define BATCH "500"

const struct field dash_export_fields[] = {
	DASH_FILTER_FIELDS,
	{ NULL }
};

#define LOCAL_TS(col) "to_char(" col " AT TIME ZONE $2::text, 'YYYY-MM-DD HH24:MI:SS')"

/* Header names and SQL, column by column. */
static const struct {
	const char *name, *sql;
} columns[] = {
	{ "started_at", LOCAL_TS("c.started_at") },
	{ "direction", "c.direction" },
	{ "from_number", "c.from_number" },
	{ "to_number", "c.to_number" },
	{ "status", "c.status" },
	{ "duration_seconds", "c.duration_seconds::text" },
	{ "outcome", "c.outcome" },
	{ "reason", "c.reason" },
	{ "summary", "c.summary" },
	{ "requires_action", "CASE WHEN c.requires_action THEN 'yes' ELSE 'no' END" },
	{ "priority", "c.priority" },
	{ "resolved_at", LOCAL_TS("c.resolved_at") },
	{ "resolution_note", "c.resolution_note" },
	{ "archived_at", LOCAL_TS("c.archived_at") },
	{ "transfer_to", "c.transfer_to" },
	{ "transfer_status", "c.transfer_status" },
	{ "call_id", "c.id::text" },
};
#define NCOLS (sizeof columns / sizeof columns[0])

static int
send(struct resp *rs, struct buf *b)
{
	int rc = resp_stream_write(rs, b->data, b->len);
	buf_reset(b);
	return rc;
}

/* Writes one fetched batch; 0, or -1 when the client went away. */
static int
write_rows(struct resp *rs, PGresult *r, struct buf *out)
{
	for (int i = 0; i < PQntuples(r); i++) {
		const char *cells[NCOLS];
		for (size_t c = 0; c < NCOLS; c++)
			cells[c] = PQgetisnull(r, i, (int)c) ? NULL : PQgetvalue(r, i, (int)c);
		if (dash_csv_record(out, cells, NCOLS) < 0 && (send(rs, out) < 0 ||
		    dash_csv_record(out, cells, NCOLS) < 0))
			return -1;
	}
	return send(rs, out);
}

void
dash_export(struct req *rq, struct resp *rs)
{
	struct dash_filter f;
	if (dashw_filter(rq, rs, &f))
		return;
	const char *tenant = dashw_begin(rq, rs);
	if (tenant == NULL)
		return;
	char tz[64];
	if (dash_tenant_zone(rq->db, tenant, tz, sizeof tz) < 0) {
		dashw_fail(rq, rs, "export zone");
		return;
	}
	struct dash_sql q;
	dash_sql_init(&q);
	buf_puts(&q.text, "DECLARE dash_export NO SCROLL CURSOR FOR SELECT ");
	for (size_t c = 0; c < NCOLS; c++)
		buf_printf(&q.text, "%s%s", c ? ", " : "", columns[c].sql);
	buf_puts(&q.text, " FROM calls c");
	dash_sql_where(&q, &f, tenant, tz, 0);
	dash_sql_order(&q, &f);
	PGresult *r = db_exec(rq->db, q.text.data, q.n, q.params);
	dash_sql_free(&q);
	PGresult *batch = r ? db_exec(rq->db, "FETCH FORWARD " BATCH " FROM dash_export", 0, NULL) : NULL;
	PQclear(r);
	if (batch == NULL) {
		dashw_fail(rq, rs, "export query");
		return;
	}
	/* From here on the status is sent: errors can only cut the file short. */
	resp_header(rs, "Content-Disposition", "attachment; filename=\"voxline-calls.csv\"");
	resp_stream_start(rs, 200, "text/csv; charset=utf-8");
	struct buf out;
	buf_init(&out, 1 << 20);
	char zone_header[96];
	snprintf(zone_header, sizeof zone_header, "started_at (%s)", tz);
	const char *head[NCOLS];
	for (size_t c = 0; c < NCOLS; c++)
		head[c] = c == 0 ? zone_header : columns[c].name;
	dash_csv_record(&out, head, NCOLS);
	long rows = 0;
	int rc = 0;
	while (batch && PQntuples(batch) > 0 && (rc = write_rows(rs, batch, &out)) == 0) {
		rows += PQntuples(batch);
		PQclear(batch);
		batch = db_exec(rq->db, "FETCH FORWARD " BATCH " FROM dash_export", 0, NULL);
	}
	if (rows == 0 && rc == 0)
		rc = send(rs, &out);
	int complete = batch != NULL && rc == 0;
	if (batch == NULL)
		log_error("export_failed", "{s:s,s:I}", "detail", db_error(rq->db), "rows", (json_int_t)rows);
	PQclear(batch);
	buf_free(&out);
	db_rollback(rq->db);            /* read-only: nothing to commit */
	log_info("export", "{s:I,s:b}", "rows", (json_int_t)rows, "complete", complete);
}
