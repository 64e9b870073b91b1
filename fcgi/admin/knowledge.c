/* Knowledge bases of an agent, and "try it": the passages the local
 * dialogue engine would retrieve for a question, through the same
 * retrieval code (lib/kb_search).  Tenant scope only. */
#include "admin.h"
#include "kb_search.h"
#include "../handlers.h"
#include <stdlib.h>
#include <string.h>

#define KB_FORM(F) \
	F("name", FT_STRING, FIELD_REQUIRED, 1, 120, NULL, "Name", "text", NULL, 0) \
	F("content", FT_TEXT, FIELD_REQUIRED, 1, 400000, NULL, "Text", "textarea", \
	    "Passages separated by blank lines. Paste, or choose a .txt or .md file.", 0) \
	F("filler_phrase", FT_STRING, 0, 0, 200, NULL, "Filler phrase", "text", \
	    "Said while looking something up, e.g. \"Let me check that for you.\"", 0)
FORM_DEFINE(admin_kb, KB_FORM)

const struct field admin_kb_query[] = {
	{ "q", FT_STRING, 0, 0, 500, NULL },
	{ NULL }
};

#define KB_TRY_HITS 5

int
admin_kb_insert(struct req *rq, const char *agent_id, const char *name, const char *content,
    const char *filler, char id[37])
{
	const char *p[5] = { rq->auth->tenant_id, agent_id, name, content, filler && filler[0] ? filler : NULL };
	PGresult *r = db_exec(rq->db, "INSERT INTO knowledge_bases (tenant_id, agent_id, name, content, filler_phrase)"
	    " VALUES ($1, $2, $3, $4, $5) RETURNING id", 5, p);
	if (r == NULL || PQntuples(r) != 1) {
		PQclear(r);
		return -1;
	}
	snprintf(id, 37, "%s", db_value(r, 0, 0));
	PQclear(r);
	json_t *after = json_pack("{s:s,s:s,s:i,s:s?}", "agent_id", agent_id, "name", name,
	    "size", (int)strlen(content), "filler_phrase", filler && filler[0] ? filler : NULL);
	int rc = auth_audit(rq, rq->auth->tenant_id, "knowledge_base.create", "knowledge_base", id, NULL, after);
	json_decref(after);
	return rc;
}

static void
count_passage(void *arg, const char *p, size_t n)
{
	(void)p, (void)n;
	(*(int *)arg)++;
}

static int
passages(const char *text)
{
	int n = 0;
	kb_each_passage(text, count_passage, &n);
	return n;
}

static void
render_list(struct req *rq, struct resp *rs, int status, json_t *agent, json_t *values, json_t *errors)
{
	const char *p[1] = { json_string_value(json_object_get(agent, "id")) };
	json_t *rows = admin_query(rq->db, "SELECT id, name, filler_phrase, content,"
	    " to_char(updated_at, 'YYYY-MM-DD HH24:MI') AS updated FROM knowledge_bases"
	    " WHERE agent_id = $1 ORDER BY lower(name), id", 1, p);
	if (rows == NULL) {
		admin_db_fail(rq, rs);
		return;
	}
	db_commit(rq->db);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *c = json_string_value(json_object_get(row, "content"));
		json_object_set_new(row, "passages", json_integer(passages(c)));
		json_object_set_new(row, "size", json_integer((json_int_t)strlen(c)));
		json_object_del(row, "content");
	}
	json_t *ctx = admin_ctx(rq, "Knowledge", "agents");
	json_object_set(ctx, "agent", agent);
	json_object_set_new(ctx, "knowledge_bases", rows);
	json_object_set_new(ctx, "fields", form_view(&admin_kb_form, values, errors));
	json_object_set_new(ctx, "invalid", json_boolean(errors != NULL));
	admin_render(rq, rs, status, "knowledge", ctx);
}

void
admin_kb_list(struct req *rq, struct resp *rs)
{
	if (admin_begin_tenant(rq, rs) < 0)
		return;
	json_t *agent = admin_agent_load(rq, rs, admin_arg(rq, "id"));
	if (agent == NULL)
		return;
	render_list(rq, rs, 200, agent, NULL, NULL);
	json_decref(agent);
}

void
admin_kb_create(struct req *rq, struct resp *rs)
{
	json_t *in = NULL, *errors = form_check(&admin_kb_form, rq->in, &in), *agent = NULL;
	if (admin_begin_tenant(rq, rs) < 0)
		goto out;
	if ((agent = admin_agent_load(rq, rs, admin_arg(rq, "id"))) == NULL)
		goto out;
	if (errors) {
		render_list(rq, rs, 400, agent, rq->form, errors);
		goto out;
	}
	char id[37], loc[80];
	if (admin_kb_insert(rq, admin_arg(rq, "id"), admin_in(rq, "name"), admin_in(rq, "content"),
	    admin_in(rq, "filler_phrase"), id) < 0 || db_commit(rq->db) < 0) {
		admin_db_fail(rq, rs);
		goto out;
	}
	snprintf(loc, sizeof loc, "/admin/knowledge/%s", id);
	resp_redirect(rs, loc);
out:
	json_decref(in);
	json_decref(errors);
	json_decref(agent);
}

static json_t *
load_kb(struct req *rq, struct resp *rs)
{
	const char *p[1] = { admin_arg(rq, "id") };
	json_t *kb = admin_query_one(rq, rs, "SELECT k.id, k.agent_id, k.name, k.content, k.filler_phrase,"
	    " a.name AS agent_name FROM knowledge_bases k"
	    " JOIN agents a ON a.tenant_id = k.tenant_id AND a.id = k.agent_id WHERE k.id = $1", 1, p);
	return kb;
}

/* What the dialogue engine would retrieve: every knowledge base of the
 * agent, ranked together (in the order the media daemon loads them), and
 * the answer it would speak; *answer is NULL when it would say it does
 * not know. */
static json_t *
try_it(struct req *rq, const char *agent_id, const char *question, json_t **answer)
{
	const char *p[1] = { agent_id };
	json_t *kbs = admin_query(rq->db, "SELECT name, content FROM knowledge_bases WHERE agent_id = $1"
	    " ORDER BY created_at, id", 1, p);
	if (kbs == NULL)
		return NULL;
	struct kb_corpus *c = kb_corpus_new();
	size_t i;
	json_t *kb;
	json_array_foreach(kbs, i, kb)
		kb_corpus_add(c, (int)i, json_string_value(json_object_get(kb, "content")));
	struct kb_hit hits[KB_TRY_HITS];
	int n = kb_corpus_search(c, question, hits, KB_TRY_HITS);
	json_t *out = json_array();
	for (int h = 0; h < n; h++) {
		char score[32];
		snprintf(score, sizeof score, "%.2f", hits[h].score);
		json_array_append_new(out, json_pack("{s:i,s:s,s:i,s:s,s:s,s:b}", "rank", h + 1, "knowledge_base",
		    json_string_value(json_object_get(json_array_get(kbs, (size_t)hits[h].source), "name")),
		    "passage", hits[h].passage + 1, "score", score, "text", hits[h].text,
		    "answered", h == 0 && kb_hit_confident(&hits[h])));
	}
	char *said = kb_corpus_answer(c, question);
	*answer = said ? json_string(said) : NULL;
	free(said);
	kb_corpus_free(c);
	json_decref(kbs);
	return out;
}

static void
render_kb(struct req *rq, struct resp *rs, int status, json_t *kb, json_t *values, json_t *errors)
{
	const char *q = json_string_value(json_object_get(rq->in, "q"));
	json_t *hits = NULL, *answer = NULL;
	if (q && q[0] && (hits = try_it(rq, json_string_value(json_object_get(kb, "agent_id")), q, &answer)) == NULL) {
		admin_db_fail(rq, rs);
		return;
	}
	db_commit(rq->db);
	json_t *ctx = admin_ctx(rq, json_string_value(json_object_get(kb, "name")), "agents");
	json_object_set(ctx, "kb", kb);
	json_object_set_new(ctx, "passages", json_integer(passages(json_string_value(json_object_get(kb, "content")))));
	json_object_set_new(ctx, "fields", form_view(&admin_kb_form, values ? values : kb, errors));
	json_object_set_new(ctx, "invalid", json_boolean(errors != NULL));
	json_object_set_new(ctx, "q", json_string(q ? q : ""));
	json_object_set_new(ctx, "asked", json_boolean(q && q[0]));
	json_object_set_new(ctx, "hits", hits ? hits : json_array());
	if (answer)
		json_object_set_new(ctx, "answer", answer);
	admin_render(rq, rs, status, "kb", ctx);
}

void
admin_kb_page(struct req *rq, struct resp *rs)
{
	if (admin_begin_tenant(rq, rs) < 0)
		return;
	json_t *kb = load_kb(rq, rs);
	if (kb == NULL)
		return;
	render_kb(rq, rs, 200, kb, NULL, NULL);
	json_decref(kb);
}

void
admin_kb_update(struct req *rq, struct resp *rs)
{
	json_t *in = NULL, *errors = form_check(&admin_kb_form, rq->in, &in), *kb = NULL;
	if (admin_begin_tenant(rq, rs) < 0)
		goto out;
	if ((kb = load_kb(rq, rs)) == NULL)
		goto out;
	if (errors) {
		render_kb(rq, rs, 400, kb, rq->form, errors);
		goto out;
	}
	const char *filler = admin_in(rq, "filler_phrase");
	const char *p[4] = { admin_arg(rq, "id"), admin_in(rq, "name"), admin_in(rq, "content"), filler[0] ? filler : NULL };
	json_t *before = json_pack("{s:O,s:i}", "name", json_object_get(kb, "name"),
	    "size", (int)json_string_length(json_object_get(kb, "content")));
	json_t *after = json_pack("{s:s,s:i}", "name", p[1], "size", (int)strlen(p[2]));
	int rc = db_run(rq->db, "UPDATE knowledge_bases SET name = $2, content = $3, filler_phrase = $4 WHERE id = $1", 4, p);
	if (rc == 0)
		rc = auth_audit(rq, rq->auth->tenant_id, "knowledge_base.update", "knowledge_base", p[0], before, after);
	json_decref(before);
	json_decref(after);
	if (rc < 0 || db_commit(rq->db) < 0) {
		admin_db_fail(rq, rs);
		goto out;
	}
	char loc[80];
	snprintf(loc, sizeof loc, "/admin/knowledge/%s", p[0]);
	resp_redirect(rs, loc);
out:
	json_decref(in);
	json_decref(errors);
	json_decref(kb);
}

void
admin_kb_delete(struct req *rq, struct resp *rs)
{
	if (admin_begin_tenant(rq, rs) < 0)
		return;
	json_t *kb = load_kb(rq, rs);
	if (kb == NULL)
		return;
	const char *p[1] = { admin_arg(rq, "id") };
	json_t *before = json_pack("{s:O,s:O}", "name", json_object_get(kb, "name"), "agent_id", json_object_get(kb, "agent_id"));
	int rc = db_run(rq->db, "DELETE FROM knowledge_bases WHERE id = $1", 1, p);
	if (rc == 0)
		rc = auth_audit(rq, rq->auth->tenant_id, "knowledge_base.delete", "knowledge_base", p[0], before, NULL);
	json_decref(before);
	if (rc < 0 || db_commit(rq->db) < 0) {
		json_decref(kb);
		admin_db_fail(rq, rs);
		return;
	}
	char loc[100];
	snprintf(loc, sizeof loc, "/admin/agents/%s/knowledge", json_string_value(json_object_get(kb, "agent_id")));
	json_decref(kb);
	resp_redirect(rs, loc);
}
