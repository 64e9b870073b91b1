/* Provider credentials in the portal: platform-wide (superadmin with
 * providers_manage, /admin/providers) and per tenant where the plan
 * includes provider chains (/admin/provider-keys).  One set of handlers
 * serves both scopes.  The API key is write-only: after it is stored
 * only its last 4 characters are ever shown; a blank key field keeps
 * the stored one.  "Test connection" makes the provider's cheap
 * authenticated request with short timeouts and records the result. */
#include "admin.h"
#include "../handlers.h"
#include "../rbac.h"
#include "audit.h"
#include "provider_creds.h"
#include "provider_http.h"
#include "providers.h"
#include <string.h>

#define TEST_TIMEOUT_S 5
#define TEST_CONNECT_TIMEOUT_S 3

#define CRED_NEW_FORM(F) \
	F("provider", FT_STRING, FIELD_REQUIRED, 1, PROVIDER_NAME_MAX, NULL, "Provider", "select", NULL, 0) \
	F("base_url", FT_STRING, 0, 0, PROVIDER_BASE_URL_MAX, NULL, "Base URL", "url", \
	    "Leave empty to use the provider's own address. Starts with https:// (http:// only for a server on this machine).", 0) \
	F("secret", FT_STRING, FIELD_REQUIRED, 0, PROVIDER_SECRET_MAX, NULL, "API key", "password", \
	    "Stored encrypted; only its last 4 characters are shown again.", 0)
#define CRED_EDIT_FORM(F) \
	F("base_url", FT_STRING, 0, 0, PROVIDER_BASE_URL_MAX, NULL, "Base URL", "url", \
	    "Leave empty to use the provider's own address. Starts with https:// (http:// only for a server on this machine).", 0) \
	F("secret", FT_STRING, 0, 0, PROVIDER_SECRET_MAX, NULL, "Replace API key", "password", \
	    "Leave empty to keep the stored key.", 0)
FORM_DEFINE(admin_cred_new, CRED_NEW_FORM)
FORM_DEFINE(admin_cred_edit, CRED_EDIT_FORM)

int
cred_scope_begin(struct req *rq, struct resp *rs, int platform, struct cred_scope *sc)
{
	if (platform) {
		*sc = (struct cred_scope){ "/admin/providers", NULL, "Providers" };
		return admin_begin_platform(rq, rs);
	}
	*sc = (struct cred_scope){ "/admin/provider-keys", rq->auth ? rq->auth->tenant_id : NULL,
		"Provider keys" };
	if (rq->auth && rq->auth->tenant_id[0] && !rbac_plan_has(rq->auth->plan, FEATURE_provider_chains)) {
		resp_error(rq, rs, ERR_plan_upgrade_required, NULL);
		return -1;
	}
	return admin_begin_tenant(rq, rs);
}

static json_t *
provider_options(void)
{
	json_t *opts = json_array();
	for (size_t i = 0; i < provider_count(); i++) {
		const struct provider *p = provider_at(i);
		if (!p->local)
			json_array_append_new(opts, json_pack("{s:s,s:s}", "value", p->name, "label", p->label));
	}
	return opts;
}

void
cred_describe(json_t *row)
{
	const struct provider *p = provider_find(json_string_value(json_object_get(row, "provider")));
	json_object_set_new(row, "label", json_string(p ? p->label : "unknown provider"));
	json_object_set_new(row, "default_base_url", json_string(p ? p->default_base_url : ""));
	const char *ok = json_string_value(json_object_get(row, "last_test_ok"));
	json_object_set_new(row, "test_ok", json_boolean(ok && strcmp(ok, "t") == 0));
	json_object_set_new(row, "test_failed", json_boolean(ok && strcmp(ok, "f") == 0));
	/* A failed test is stored as "code: detail"; the page leads with the
	 * catalog's sentence for the code, the detail follows for support. */
	const char *detail = json_string_value(json_object_get(row, "last_test_detail"));
	const char *colon = detail ? strchr(detail, ':') : NULL;
	char code[64];
	int e;
	if (colon && (size_t)(colon - detail) < sizeof code) {
		snprintf(code, sizeof code, "%.*s", (int)(colon - detail), detail);
		if ((e = err_find(code)) > 0)
			json_object_set_new(row, "test_message", json_string(err_get((enum err_code)e)->message));
	}
}

/* The form's values to show again: never the key. */
static json_t *
shown_values(json_t *values)
{
	json_t *v = values ? json_deep_copy(values) : json_object();
	json_object_del(v, "secret");
	json_object_del(v, "csrf_token");
	return v;
}

json_t *
cred_rows(struct req *rq, struct resp *rs, const struct cred_scope *sc)
{
	const char *p[1] = { sc->tenant_id };
	json_t *rows = admin_query(rq->db, "SELECT " CRED_ROW_COLUMNS " FROM provider_credentials"
	    " WHERE tenant_id IS NOT DISTINCT FROM $1::uuid ORDER BY provider", 1, p);
	if (rows == NULL)
		admin_db_fail(rq, rs);
	else
		db_commit(rq->db);
	return rows;
}

static void
render_list(struct req *rq, struct resp *rs, const struct cred_scope *sc, int status, json_t *values,
    json_t *errors)
{
	json_t *rows = cred_rows(rq, rs, sc);
	if (rows == NULL)
		return;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
		cred_describe(r);
	json_t *shown = shown_values(values);
	json_t *view = form_view(&admin_cred_new_form, shown, errors);
	json_decref(shown);
	form_view_options(view, "provider", provider_options());
	json_t *ctx = admin_ctx(rq, sc->title, sc->tenant_id ? "provider-keys" : "providers");
	json_object_set_new(ctx, "credentials", rows);
	json_object_set_new(ctx, "fields", view);
	json_object_set_new(ctx, "base", json_string(sc->base));
	json_object_set_new(ctx, "platform", json_boolean(sc->tenant_id == NULL));
	json_object_set_new(ctx, "invalid", json_boolean(errors != NULL));
	admin_render(rq, rs, status, "providers", ctx);
}

/* The row of the path's id in this scope; NULL after a 404 or error. */
static json_t *
load_row(struct req *rq, struct resp *rs, const struct cred_scope *sc)
{
	const char *p[2] = { admin_arg(rq, "id"), sc->tenant_id };
	json_t *row = admin_query_one(rq, rs, "SELECT " CRED_ROW_COLUMNS " FROM provider_credentials"
	    " WHERE id = $1 AND tenant_id IS NOT DISTINCT FROM $2::uuid", 2, p);
	if (row == NULL)
		return NULL;
	cred_describe(row);
	return row;
}

static void
render_row(struct req *rq, struct resp *rs, const struct cred_scope *sc, int status, json_t *row,
    json_t *values, json_t *errors)
{
	db_commit(rq->db);
	json_t *shown = shown_values(values ? values : row);
	json_t *view = form_view(&admin_cred_edit_form, shown, errors);
	json_decref(shown);
	char title[128];
	snprintf(title, sizeof title, "%s credentials", json_string_value(json_object_get(row, "label")));
	json_t *ctx = admin_ctx(rq, title, sc->tenant_id ? "provider-keys" : "providers");
	json_object_set(ctx, "credential", row);
	json_object_set_new(ctx, "fields", view);
	json_object_set_new(ctx, "base", json_string(sc->base));
	json_object_set_new(ctx, "platform", json_boolean(sc->tenant_id == NULL));
	json_object_set_new(ctx, "invalid", json_boolean(errors != NULL));
	admin_render(rq, rs, status, "provider", ctx);
}

json_t *
cred_check(const struct provider *p, const char *base_url, const char *secret, int secret_required)
{
	json_t *errors = json_object();
	const char *problem;
	/* Field checks beyond types. */
	if (p == NULL || p->local)
		json_object_set_new(errors, "provider", json_string("Choose one of the cloud providers."));
	if (base_url[0] && (problem = provider_base_url_problem(base_url)))
		json_object_set_new(errors, "base_url", json_string(problem));
	else if (!base_url[0] && p && provider_needs_base_url(p))
		json_object_set_new(errors, "base_url", json_string("This provider has no default address; enter the server's URL."));
	if ((secret_required || secret[0]) && (problem = provider_secret_problem(secret)))
		json_object_set_new(errors, "secret", json_string(problem));
	if (json_object_size(errors) == 0) {
		json_decref(errors);
		return NULL;
	}
	return errors;
}

/* The form's type checks and cred_check's together, so that every field
 * is explained at once; a field's first problem wins. */
static json_t *
all_problems(json_t *errors, json_t *more)
{
	if (errors == NULL)
		return more;
	const char *k;
	json_t *v;
	json_object_foreach(more, k, v)
		if (json_object_get(errors, k) == NULL)
			json_object_set(errors, k, v);
	json_decref(more);
	return errors;
}

static struct audit_entry
actor(struct req *rq)
{
	const struct auth *au = rq->auth;
	return (struct audit_entry){
		.actor_user_id = au && au->user_id[0] ? au->user_id : NULL,
		.actor_api_key_prefix = au && au->api_key_prefix[0] ? au->api_key_prefix : NULL,
		.source_ip = rq->remote_addr && rq->remote_addr[0] ? rq->remote_addr : NULL,
		.correlation_id = rq->correlation_id,
	};
}

int
cred_store(struct req *rq, struct resp *rs, const struct cred_scope *sc, const char *provider,
    const char *base_url, const char *secret, char id[37])
{
	struct audit_entry who = actor(rq);
	enum provider_cred_result res = provider_cred_store(rq->db, sc->tenant_id, provider, base_url,
	    secret, &who, id);
	if (res == PROVIDER_CRED_NO_KEY) {
		db_rollback(rq->db);
		resp_fail(rq, rs, ERR_provider_key_missing, "credentials_key is not set or not 32 bytes");
		return -1;
	}
	if (res == PROVIDER_CRED_NONE) {
		db_rollback(rq->db);
		return 1;
	}
	if (res == PROVIDER_CRED_ERROR || db_commit(rq->db) < 0) {
		admin_db_fail(rq, rs);
		return -1;
	}
	return res == PROVIDER_CRED_CREATED ? 0 : 2;
}

/* The HTML handlers' use: a row that vanished meanwhile is a database
 * failure like any other. */
static int
store(struct req *rq, struct resp *rs, const struct cred_scope *sc, const char *provider,
    const char *base_url, const char *secret, char id[37])
{
	int rc = cred_store(rq, rs, sc, provider, base_url, secret, id);
	if (rc == 1)
		resp_fail(rq, rs, ERR_internal, "credential vanished while being changed");
	return rc == 0 || rc == 2 ? 0 : -1;
}

static void
redirect_row(struct resp *rs, const struct cred_scope *sc, const char *id)
{
	char loc[128];
	snprintf(loc, sizeof loc, "%s/%s", sc->base, id);
	resp_redirect(rs, loc);
}

static void
list_page(struct req *rq, struct resp *rs, int platform)
{
	struct cred_scope sc;
	if (cred_scope_begin(rq, rs, platform, &sc) == 0)
		render_list(rq, rs, &sc, 200, NULL, NULL);
}

static void
create(struct req *rq, struct resp *rs, int platform)
{
	struct cred_scope sc;
	json_t *in = NULL, *errors = form_check(&admin_cred_new_form, rq->in, &in);
	if (cred_scope_begin(rq, rs, platform, &sc) < 0)
		goto out;
	const char *name = admin_in(rq, "provider"), *url = admin_in(rq, "base_url");
	errors = all_problems(errors, cred_check(provider_find(name), url, admin_in(rq, "secret"), 1));
	if (errors) {
		render_list(rq, rs, &sc, 400, rq->form, errors);
		goto out;
	}
	char id[37];
	if (store(rq, rs, &sc, name, url, admin_in(rq, "secret"), id) == 0)
		redirect_row(rs, &sc, id);
out:
	json_decref(in);
	json_decref(errors);
}

static void
show(struct req *rq, struct resp *rs, int platform)
{
	struct cred_scope sc;
	if (cred_scope_begin(rq, rs, platform, &sc) < 0)
		return;
	json_t *row = load_row(rq, rs, &sc);
	if (row)
		render_row(rq, rs, &sc, 200, row, NULL, NULL);
	json_decref(row);
}

static void
update(struct req *rq, struct resp *rs, int platform)
{
	struct cred_scope sc;
	json_t *in = NULL, *errors = form_check(&admin_cred_edit_form, rq->in, &in), *row = NULL;
	if (cred_scope_begin(rq, rs, platform, &sc) < 0 || (row = load_row(rq, rs, &sc)) == NULL)
		goto out;
	const char *name = json_string_value(json_object_get(row, "provider"));
	const char *url = admin_in(rq, "base_url"), *secret = admin_in(rq, "secret");
	errors = all_problems(errors, cred_check(provider_find(name), url, secret, 0));
	if (errors) {
		render_row(rq, rs, &sc, 400, row, rq->form, errors);
		goto out;
	}
	char id[37];
	if (store(rq, rs, &sc, name, url, secret[0] ? secret : NULL, id) == 0)
		redirect_row(rs, &sc, id);
out:
	json_decref(in);
	json_decref(errors);
	json_decref(row);
}

int
cred_delete(struct req *rq, struct resp *rs, const struct cred_scope *sc, const char *provider)
{
	struct audit_entry who = actor(rq);
	if (provider_cred_delete(rq->db, sc->tenant_id, provider, &who) != PROVIDER_CRED_DELETED ||
	    db_commit(rq->db) < 0) {
		admin_db_fail(rq, rs);
		return -1;
	}
	return 0;
}

static void
delete(struct req *rq, struct resp *rs, int platform)
{
	struct cred_scope sc;
	json_t *row;
	if (cred_scope_begin(rq, rs, platform, &sc) < 0 || (row = load_row(rq, rs, &sc)) == NULL)
		return;
	int rc = cred_delete(rq, rs, &sc, json_string_value(json_object_get(row, "provider")));
	json_decref(row);
	if (rc == 0)
		resp_redirect(rs, sc.base);
}

/* Records a test result (audited); 0 or -1. */
static int
record_test(struct req *rq, const struct cred_scope *sc, const char *id, const char *provider,
    const struct provider_http_result *res)
{
	char detail[320];
	if (res->err == ERR_none)
		snprintf(detail, sizeof detail, "HTTP %ld", res->status);
	else
		snprintf(detail, sizeof detail, "%s: %s", err_get(res->err)->code, res->detail);
	const char *p[3] = { id, res->err == ERR_none ? "t" : "f", detail };
	if (db_run(rq->db, "UPDATE provider_credentials SET last_test_at = now(), last_test_ok = $2,"
	    " last_test_detail = $3 WHERE id = $1", 3, p) < 0)
		return -1;
	json_t *after = json_pack("{s:s,s:b,s:s}", "provider", provider, "ok", res->err == ERR_none,
	    "detail", detail);
	int rc = auth_audit(rq, sc->tenant_id, "provider_credential.tested", "provider_credential", id,
	    NULL, after);
	json_decref(after);
	return rc;
}

int
cred_test(struct req *rq, struct resp *rs, int platform, const char *id, const char *provider,
    struct provider_http_result *res)
{
	struct cred_scope sc;
	struct provider_cred cred;
	if (cred_scope_begin(rq, rs, platform, &sc) < 0)
		return -1;
	int found = provider_cred_get(rq->db, sc.tenant_id, provider, &cred);
	/* No transaction stays open while the provider is asked. */
	db_commit(rq->db);
	if (found <= 0) {
		uint8_t key[SEAL_KEY_LEN];
		int have_key = provider_creds_key(key) == 0;
		memset(key, 0, sizeof key);
		resp_fail(rq, rs, found < 0 && have_key ? ERR_provider_credential_unreadable :
		    ERR_provider_key_missing, "stored credential cannot be opened");
		return -1;
	}
	struct provider_http_req req = { .method = "GET", .path = provider_http_probe_path(provider),
		.timeout_s = TEST_TIMEOUT_S, .connect_timeout_s = TEST_CONNECT_TIMEOUT_S,
		.body_max = 64 * 1024 };
	provider_http(provider, &cred, &req, res);
	memset(&cred, 0, sizeof cred);
	buf_free(&res->body);
	if (cred_scope_begin(rq, rs, platform, &sc) < 0)
		return -1;
	if (record_test(rq, &sc, id, provider, res) < 0 || db_commit(rq->db) < 0) {
		admin_db_fail(rq, rs);
		return -1;
	}
	return 0;
}

static void
test(struct req *rq, struct resp *rs, int platform)
{
	struct cred_scope sc;
	json_t *row;
	if (cred_scope_begin(rq, rs, platform, &sc) < 0 || (row = load_row(rq, rs, &sc)) == NULL)
		return;
	char id[37], provider[PROVIDER_NAME_MAX + 1];
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(row, "id")));
	snprintf(provider, sizeof provider, "%s", json_string_value(json_object_get(row, "provider")));
	json_decref(row);
	db_commit(rq->db);
	struct provider_http_result res;
	if (cred_test(rq, rs, platform, id, provider, &res) == 0)
		redirect_row(rs, &sc, id);
}

/* Platform-wide. */
void admin_providers_page(struct req *rq, struct resp *rs) { list_page(rq, rs, 1); }
void admin_provider_create(struct req *rq, struct resp *rs) { create(rq, rs, 1); }
void admin_provider_page(struct req *rq, struct resp *rs) { show(rq, rs, 1); }
void admin_provider_update(struct req *rq, struct resp *rs) { update(rq, rs, 1); }
void admin_provider_delete(struct req *rq, struct resp *rs) { delete(rq, rs, 1); }
void admin_provider_test(struct req *rq, struct resp *rs) { test(rq, rs, 1); }
/* The current tenant's. */
void admin_tenant_providers_page(struct req *rq, struct resp *rs) { list_page(rq, rs, 0); }
void admin_tenant_provider_create(struct req *rq, struct resp *rs) { create(rq, rs, 0); }
void admin_tenant_provider_page(struct req *rq, struct resp *rs) { show(rq, rs, 0); }
void admin_tenant_provider_update(struct req *rq, struct resp *rs) { update(rq, rs, 0); }
void admin_tenant_provider_delete(struct req *rq, struct resp *rs) { delete(rq, rs, 0); }
void admin_tenant_provider_test(struct req *rq, struct resp *rs) { test(rq, rs, 0); }
