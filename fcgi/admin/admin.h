/* Shared pieces of the admin portal: page context, transactions in the
 * caller's scope, rows as JSON, the audit trail, and browser forms whose
 * validation errors are shown next to each field. */
#ifndef VOXLINE_ADMIN_H
#define VOXLINE_ADMIN_H
#include "../auth.h"
#include "../request.h"
#include "../validate.h"
#include "db.h"
#include <jansson.h>

/* ---- Forms ----------------------------------------------------------
 * A form is declared once as a list macro of
 *   F(name, type, flags, min, max, choices, label, input, hint, extra...)
 * (at least one extra argument; 0 when the form needs none)
 * (input: "text", "textarea", "select", "checkbox", "email", "tel", "number")
 * FORM_DEFINE(id, LIST) makes
 *   id_fields  the strict declaration, checked by the handler so that
 *              errors go back to the form next to their field;
 *   id_door    what routes.def declares: the same names, as bounded text
 *              (unknown fields and oversized input stop at the door);
 *   id_form    both, with the labels, for rendering. */
struct form_ui {
	const char *name, *label, *input, *hint;
};
struct form {
	const struct field *fields;
	const struct form_ui *ui;
};

#define FORM_DOOR_MAX(type, max) \
	(((type) == FT_STRING || (type) == FT_TEXT) && (max) > 0 ? (max) : 256)
#define FORM_STRICT_(n, t, fl, mn, mx, ch, lb, in, hi, ...) { n, t, fl, mn, mx, ch },
#define FORM_DOOR_(n, t, fl, mn, mx, ch, lb, in, hi, ...) \
	{ n, FT_TEXT, (fl) & FIELD_MULTI, 0, FORM_DOOR_MAX(t, mx), NULL },
#define FORM_UI_(n, t, fl, mn, mx, ch, lb, in, hi, ...) { n, lb, in, hi },
#define FORM_DEFINE(id, LIST) \
	const struct field id##_fields[] = { LIST(FORM_STRICT_) { NULL } }; \
	const struct field id##_door[] = { LIST(FORM_DOOR_) { NULL } }; \
	static const struct form_ui id##_ui[] = { LIST(FORM_UI_) { NULL } }; \
	const struct form id##_form = { id##_fields, id##_ui };

/* Validates rq->in against the form's strict fields.  NULL and *out set
 * on success; else the field -> message object. */
json_t *form_check(const struct form *f, json_t *in, json_t **out);
/* The fields as a template list [{name, label, input flags, value, error,
 * options, ...}] for partials/admin_field; values (form strings or stored
 * values) and errors may be NULL. */
json_t *form_view(const struct form *f, json_t *values, json_t *errors);
/* The entry for one field in a form_view list (NULL if absent). */
json_t *form_view_field(json_t *view, const char *name);
/* Replaces a select's options with [{value, label}] (stolen). */
void form_view_options(json_t *view, const char *name, json_t *options);
/* Marks a field read-only with a note (plan or role gating). */
void form_view_lock(json_t *view, const char *name, const char *note);

/* ---- Pages ---------------------------------------------------------- */
/* A new page context: title, the signed-in user, csrf_token and the
 * portal's navigation with `section` marked current. */
json_t *admin_ctx(struct req *rq, const char *title, const char *section);
/* Renders pages/admin/<page>.html; ctx is consumed. */
void admin_render(struct req *rq, struct resp *rs, int status, const char *page, json_t *ctx);

/* ---- Database ------------------------------------------------------- */
/* Begins a transaction in the signed-in user's tenant (RLS scope); -1
 * (and an error response already written) when there is none or the
 * database failed. */
int admin_begin_tenant(struct req *rq, struct resp *rs);
/* Begins a platform-scope ("*") transaction; superadmin only. */
int admin_begin_platform(struct req *rq, struct resp *rs);
/* Rolls back and answers 503/500 with the database error for the log. */
void admin_db_fail(struct req *rq, struct resp *rs);
/* Every row of r as an object of text values (NULL -> null). */
json_t *admin_rows(PGresult *r);
/* The first row (or NULL). */
json_t *admin_row(PGresult *r);
/* Runs a query and returns its rows as admin_rows (NULL on error). */
json_t *admin_query(struct db *db, const char *sql, int n, const char *const *params);
/* The query's one row; NULL after answering 404 (no row) or the database error. */
json_t *admin_query_one(struct req *rq, struct resp *rs, const char *sql, int n, const char *const *params);
/* A path argument. */
const char *admin_arg(struct req *rq, const char *name);
/* A validated input value as text ("" when absent). */
const char *admin_in(struct req *rq, const char *name);


/* ---- Agents (agents.c) --------------------------------------------------
 * Inside a begun tenant transaction. */
/* The agent as to_jsonb(row) plus "tenant_plan"; NULL after a 404 / db error
 * response was written. */
json_t *admin_agent_load(struct req *rq, struct resp *rs, const char *id);
/* Snapshots the agent's configuration as a version: bump 1 makes it the
 * next version first (a change), 0 records the current one (going live).
 * Returns the version number or -1. */
int admin_agent_version_record(struct req *rq, const char *agent_id, const char *note, int bump);

/* ---- Knowledge bases and numbers (knowledge.c, numbers.c) ------------ */
/* Adds a knowledge base to an agent (audited); id gets the new id. 0 / -1. */
int admin_kb_insert(struct req *rq, const char *agent_id, const char *name, const char *content,
    const char *filler, char id[37]);
/* Adds a number for the tenant, routed to agent_id (may be NULL or "");
 * audited.  0 added, 1 already registered (by anyone), -1 database error. */
int admin_number_insert(struct req *rq, const char *e164, const char *carrier, const char *label,
    const char *agent_id);

/* ---- Providers (provider_health.c) ------------------------------------
 * {breakers: [...], transitions: [...]} for the Quality page, from
 * provider_health and provider_transitions; NULL on database error. */
json_t *admin_provider_health(struct db *db);

/* Provider credentials (providers.c), shared by the pages and the API. */
struct provider;
struct provider_http_result;
/* Where a request acts: the platform's credentials or the tenant's. */
struct cred_scope {
	const char *base;          /* URL prefix of the pages */
	const char *tenant_id;     /* NULL: platform */
	const char *title;
};
/* A credential row as shown: never the secret. */
#define CRED_ROW_COLUMNS "id, provider, base_url, secret_hint," \
	" to_char(updated_at, 'YYYY-MM-DD HH24:MI') AS updated," \
	" to_char(last_test_at, 'YYYY-MM-DD HH24:MI:SS') AS last_test_at, last_test_ok, last_test_detail"
/* Begins the scope's transaction: the platform (superadmin), or the
 * current tenant when its plan includes provider chains; -1 after an
 * error response. */
int cred_scope_begin(struct req *rq, struct resp *rs, int platform, struct cred_scope *sc);
/* The scope's credentials by provider, committed; NULL after an error
 * response. */
json_t *cred_rows(struct req *rq, struct resp *rs, const struct cred_scope *sc);
/* Adds label, default_base_url, test_ok and test_failed to a row. */
void cred_describe(json_t *row);
/* Field -> message for a provider that takes no credentials, a refused
 * base URL (or none where the provider has no default) or key; NULL
 * when acceptable.  secret "" is accepted unless secret_required. */
json_t *cred_check(const struct provider *p, const char *base_url, const char *secret,
    int secret_required);
/* Stores (secret NULL keeps the stored one) and commits: 0 created,
 * 2 updated, 1 nothing stored to update (rolled back), -1 after an
 * error response. */
int cred_store(struct req *rq, struct resp *rs, const struct cred_scope *sc, const char *provider,
    const char *base_url, const char *secret, char id[37]);
/* Deletes the scope's credential of provider (audited) and commits;
 * 0, or -1 after an error response. */
int cred_delete(struct req *rq, struct resp *rs, const struct cred_scope *sc, const char *provider);
/* Runs "test connection" for the stored row id of provider (outside any
 * transaction) and records the result; 0 (*res filled), or -1 after an
 * error response. */
int cred_test(struct req *rq, struct resp *rs, int platform, const char *id, const char *provider,
    struct provider_http_result *res);

#endif
