/* Intelligence: what calls did, cost and how fast the agents answered,
 * per tenant or for all, over a period.  One set of figures (sections of
 * label/value rows) feeds both the SVG charts and the CSV.  Platform
 * scope, superadmin only. */
#include "admin.h"
#include "svg_chart.h"
#include "../handlers.h"
#include <stdlib.h>
#include <string.h>

const struct field admin_intelligence_query[] = {
	{ "period", FT_ENUM, 0, 0, 0, "7d|30d|90d" },
	{ "tenant", FT_UUID, 0, 0, 0, NULL },
	{ NULL }
};

/* The calls of the period: $1 interval, $2 tenant or NULL. */
#define CALLS_CTE "WITH c AS (SELECT * FROM calls WHERE started_at >= now() - $1::interval" \
	" AND ($2::uuid IS NULL OR tenant_id = $2::uuid)) "

static const struct { const char *key, *title, *unit, *sql; } sections[] = {
	{ "outcomes", "Outcomes", "calls", CALLS_CTE
	  "SELECT coalesce(outcome, '(none)') AS label, count(*)::text AS value FROM c"
	  " GROUP BY 1 ORDER BY count(*) DESC, 1" },
	{ "reasons", "Reasons for calling", "calls", CALLS_CTE
	  "SELECT coalesce(reason, '(none)') AS label, count(*)::text AS value FROM c"
	  " GROUP BY 1 ORDER BY count(*) DESC, 1" },
	{ "cost_stage", "Cost by stage", "USD", CALLS_CTE
	  "SELECT s.label, round(s.value, 4)::text AS value FROM (SELECT"
	  " unnest(ARRAY['STT', 'LLM', 'TTS', 'Telephony']) AS label,"
	  " unnest(ARRAY[coalesce(sum(cost_stt), 0), coalesce(sum(cost_llm), 0), coalesce(sum(cost_tts), 0),"
	  " coalesce(sum(cost_telephony), 0)]) AS value FROM c) s" },
	/* A call's stage cost belongs to the provider(s) that served its turns;
	 * calls served by several (fallbacks) show as "a+b". */
	{ "cost_provider", "Cost by provider", "USD", CALLS_CTE
	  "SELECT x.stage || ' · ' || coalesce(x.provider, 'unknown') AS label, round(sum(x.cost), 4)::text AS value"
	  " FROM c CROSS JOIN LATERAL (SELECT 'STT' AS stage, c.cost_stt AS cost,"
	  "   (SELECT string_agg(DISTINCT t.provider_stt, '+') FROM call_turns t"
	  "     WHERE t.tenant_id = c.tenant_id AND t.call_id = c.id) AS provider"
	  "  UNION ALL SELECT 'LLM', c.cost_llm, (SELECT string_agg(DISTINCT t.provider_llm, '+') FROM call_turns t"
	  "     WHERE t.tenant_id = c.tenant_id AND t.call_id = c.id)"
	  "  UNION ALL SELECT 'TTS', c.cost_tts, (SELECT string_agg(DISTINCT t.provider_tts, '+') FROM call_turns t"
	  "     WHERE t.tenant_id = c.tenant_id AND t.call_id = c.id)) x"
	  " WHERE x.cost > 0 GROUP BY 1 ORDER BY sum(x.cost) DESC, 1" },
	{ "latency_stage", "Latency by stage (ms)", "ms", CALLS_CTE
	  "SELECT k.key || ' ' || p.q AS label, round(CASE p.q WHEN 'p50' THEN"
	  "   percentile_cont(0.5) WITHIN GROUP (ORDER BY k.value::numeric) ELSE"
	  "   percentile_cont(0.95) WITHIN GROUP (ORDER BY k.value::numeric) END)::text AS value"
	  " FROM c JOIN call_turns t ON t.tenant_id = c.tenant_id AND t.call_id = c.id"
	  " CROSS JOIN LATERAL jsonb_each_text(t.latency_ms) k"
	  " CROSS JOIN (VALUES ('p50'), ('p95')) p(q)"
	  " WHERE k.key IN ('voice_to_voice', 'end_of_turn', 'stt_final', 'llm_first_token', 'tts_first_audio')"
	  "   AND k.value ~ '^[0-9]+(\\.[0-9]+)?$'"
	  " GROUP BY k.key, p.q ORDER BY array_position(ARRAY['voice_to_voice', 'end_of_turn', 'stt_final',"
	  "   'llm_first_token', 'tts_first_audio'], k.key), p.q" },
	{ "latency_provider", "Latency by provider (ms)", "ms", CALLS_CTE
	  "SELECT x.stage || ' · ' || x.provider || ' ' || p.q AS label, round(CASE p.q WHEN 'p50' THEN"
	  "   percentile_cont(0.5) WITHIN GROUP (ORDER BY x.ms) ELSE"
	  "   percentile_cont(0.95) WITHIN GROUP (ORDER BY x.ms) END)::text AS value"
	  " FROM (SELECT 'STT' AS stage, t.provider_stt AS provider, t.latency_ms->>'stt_final' AS v FROM c"
	  "   JOIN call_turns t ON t.tenant_id = c.tenant_id AND t.call_id = c.id"
	  "  UNION ALL SELECT 'LLM', t.provider_llm, t.latency_ms->>'llm_first_token' FROM c"
	  "   JOIN call_turns t ON t.tenant_id = c.tenant_id AND t.call_id = c.id"
	  "  UNION ALL SELECT 'TTS', t.provider_tts, t.latency_ms->>'tts_first_audio' FROM c"
	  "   JOIN call_turns t ON t.tenant_id = c.tenant_id AND t.call_id = c.id) y"
	  " CROSS JOIN LATERAL (SELECT y.stage, y.provider, y.v::numeric AS ms) x"
	  " CROSS JOIN (VALUES ('p50'), ('p95')) p(q)"
	  " WHERE y.provider IS NOT NULL AND y.v ~ '^[0-9]+(\\.[0-9]+)?$'"
	  " GROUP BY x.stage, x.provider, p.q ORDER BY x.stage, x.provider, p.q" },
};
#define NSECTIONS (sizeof sections / sizeof sections[0])

static const char *
period_interval(struct req *rq)
{
	const char *p = json_string_value(json_object_get(rq->in, "period"));
	return p && strcmp(p, "7d") == 0 ? "7 days" : p && strcmp(p, "90d") == 0 ? "90 days" : "30 days";
}

/* Totals and every section; NULL on database error. */
static json_t *
figures(struct req *rq)
{
	const char *p[2] = { period_interval(rq), json_string_value(json_object_get(rq->in, "tenant")) };
	json_t *totals = admin_query(rq->db, CALLS_CTE
	    "SELECT count(*) AS calls,"
	    " count(*) FILTER (WHERE requires_action) AS action_required,"
	    " coalesce(round(100.0 * count(*) FILTER (WHERE requires_action) / nullif(count(*), 0), 1), 0)::text AS action_rate,"
	    " count(*) FILTER (WHERE transfer_to IS NOT NULL) AS transfers,"
	    " coalesce(round(avg(duration_seconds)), 0)::text AS handle_seconds,"
	    " round(coalesce(sum(cost_total), 0), 4)::text AS cost,"
	    " round(coalesce(sum(cost_total) / nullif(count(*), 0), 0), 4)::text AS cost_per_call,"
	    " round(coalesce(sum(cost_total) / nullif(sum(duration_seconds) / 60.0, 0), 0), 4)::text AS cost_per_minute"
	    " FROM c", 2, p);
	if (totals == NULL)
		return NULL;
	json_t *out = json_pack("{s:o,s:[]}", "totals", json_incref(json_array_get(totals, 0)), "sections");
	json_decref(totals);
	for (size_t i = 0; i < NSECTIONS; i++) {
		json_t *rows = admin_query(rq->db, sections[i].sql, 2, p);
		if (rows == NULL) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(json_object_get(out, "sections"), json_pack("{s:s,s:s,s:s,s:o}",
		    "key", sections[i].key, "title", sections[i].title, "unit", sections[i].unit, "rows", rows));
	}
	return out;
}

static char *
chart(json_t *section)
{
	json_t *rows = json_object_get(section, "rows");
	size_t n = json_array_size(rows);
	struct svg_bar *bars = calloc(n ? n : 1, sizeof *bars);
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(rows, i);
		bars[i].label = json_string_value(json_object_get(r, "label"));
		bars[i].shown = json_string_value(json_object_get(r, "value"));
		bars[i].value = atof(bars[i].shown);
	}
	struct buf b;
	buf_init(&b, 1 << 20);
	char *svg = NULL;
	if (svg_bar_chart(&b, json_string_value(json_object_get(section, "title")), bars, (int)n) == 0)
		svg = buf_steal(&b);
	buf_free(&b);
	free(bars);
	return svg;
}

void
admin_intelligence_page(struct req *rq, struct resp *rs)
{
	if (admin_begin_platform(rq, rs) < 0)
		return;
	json_t *f = figures(rq);
	json_t *tenants = f ? admin_query(rq->db, "SELECT id AS value, name AS label FROM tenants ORDER BY lower(name), id", 0, NULL) : NULL;
	if (f == NULL || tenants == NULL) {
		json_decref(f);
		admin_db_fail(rq, rs);
		return;
	}
	db_commit(rq->db);
	const char *tenant = json_string_value(json_object_get(rq->in, "tenant"));
	const char *period = json_string_value(json_object_get(rq->in, "period"));
	size_t i;
	json_t *t, *s;
	json_array_foreach(tenants, i, t)
		json_object_set_new(t, "selected", json_boolean(tenant && strcmp(tenant, json_string_value(json_object_get(t, "value"))) == 0));
	json_array_foreach(json_object_get(f, "sections"), i, s) {
		char *svg = chart(s);
		json_object_set_new(s, "svg", svg ? json_string(svg) : json_null());
		free(svg);
	}
	json_t *ctx = admin_ctx(rq, "Intelligence", "intelligence");
	json_object_set_new(ctx, "totals", json_incref(json_object_get(f, "totals")));
	json_object_set_new(ctx, "sections", json_incref(json_object_get(f, "sections")));
	json_object_set_new(ctx, "tenant_options", tenants);
	json_object_set_new(ctx, "period", json_string(period ? period : "30d"));
	json_object_set_new(ctx, "periods", json_pack("[{s:s,s:b},{s:s,s:b},{s:s,s:b}]",
	    "value", "7d", "selected", period && strcmp(period, "7d") == 0,
	    "value", "30d", "selected", !period || strcmp(period, "30d") == 0,
	    "value", "90d", "selected", period && strcmp(period, "90d") == 0));
	json_object_set_new(ctx, "tenant_filter", json_string(tenant ? tenant : ""));
	json_decref(f);
	admin_render(rq, rs, 200, "intelligence", ctx);
}

/* One CSV cell: quoted when needed; a leading = + - @ is neutralised so
 * spreadsheets do not run it as a formula. */
static void
csv_cell(struct buf *b, const char *s)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL || (s[0] && strchr("=+-@", s[0]));
	if (!quote) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	if (s[0] && strchr("=+-@", s[0]))
		buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

void
admin_intelligence_csv(struct req *rq, struct resp *rs)
{
	if (admin_begin_platform(rq, rs) < 0)
		return;
	json_t *f = figures(rq);
	if (f == NULL) {
		admin_db_fail(rq, rs);
		return;
	}
	db_commit(rq->db);
	struct buf b;
	buf_init(&b, 16u << 20);
	buf_puts(&b, "section,label,value,unit\r\n");
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(f, "totals"), key, v) {
		buf_printf(&b, "totals,%s,", key);
		csv_cell(&b, json_string_value(v) ?: "");
		buf_puts(&b, ",\r\n");
	}
	size_t i, j;
	json_t *s, *r;
	json_array_foreach(json_object_get(f, "sections"), i, s)
		json_array_foreach(json_object_get(s, "rows"), j, r) {
			buf_printf(&b, "%s,", json_string_value(json_object_get(s, "key")));
			csv_cell(&b, json_string_value(json_object_get(r, "label")));
			buf_putc(&b, ',');
			csv_cell(&b, json_string_value(json_object_get(r, "value")));
			buf_printf(&b, ",%s\r\n", json_string_value(json_object_get(s, "unit")));
		}
	json_decref(f);
	resp_header(rs, "Content-Disposition", "attachment; filename=\"voxline-intelligence.csv\"");
	resp_text(rs, 200, "text/csv; charset=utf-8", b.data ? b.data : "", b.len);
	buf_free(&b);
}
