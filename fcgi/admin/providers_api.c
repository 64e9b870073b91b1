/* Provider credentials over the JSON API, platform-wide
 * (/api/v1/platform/provider-credentials, providers_manage) and for the
 * current tenant (/api/v1/provider-credentials, where the plan includes
 * provider chains).  A credential is addressed by its provider's name;
 * the key is write-only: answers carry only its last 4 characters. */
#include "admin.h"
#include "../handlers.h"
#include "provider_creds.h"
#include "provider_http.h"
#include "providers.h"
#include <string.h>

const struct field provider_cred_api_fields[] = {
	{ "secret", FT_STRING, 0, 0, PROVIDER_SECRET_MAX, NULL },
	{ "base_url", FT_STRING, 0, 0, PROVIDER_BASE_URL_MAX, NULL },
	{ NULL },
};

/* A row as the API shows it: typed values, no bookkeeping text. */
static json_t *
shown(json_t *row)
{
	cred_describe(row);
	json_t *ok = json_object_get(row, "last_test_ok");
	json_object_set_new(row, "last_test_ok", json_is_string(ok) ?
	    json_boolean(strcmp(json_string_value(ok), "t") == 0) : json_null());
	json_object_del(row, "test_ok");
	json_object_del(row, "test_failed");
	return row;
}

/* The scope's row of the path's provider; NULL after a 404 / error. */
static json_t *
load(struct req *rq, struct resp *rs, const struct cred_scope *sc)
{
	const char *p[2] = { json_string_value(json_object_get(rq->path_args, "provider")), sc->tenant_id };
	json_t *row = admin_query_one(rq, rs, "SELECT " CRED_ROW_COLUMNS " FROM provider_credentials"
	    " WHERE provider = $1 AND tenant_id IS NOT DISTINCT FROM $2::uuid", 2, p);
	return row;
}

static void
list(struct req *rq, struct resp *rs, int platform)
{
	struct cred_scope sc;
	if (cred_scope_begin(rq, rs, platform, &sc) < 0)
		return;
	json_t *rows = cred_rows(rq, rs, &sc);
	if (rows == NULL)
		return;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
		shown(r);
	resp_json(rs, 200, json_pack("{s:o}", "credentials", rows));
}

static void
set(struct req *rq, struct resp *rs, int platform)
{
	struct cred_scope sc;
	const char *name = json_string_value(json_object_get(rq->path_args, "provider"));
	const char *url = admin_in(rq, "base_url"), *secret = admin_in(rq, "secret");
	const struct provider *p = provider_find(name);
	if (p == NULL || p->local) {
		resp_error(rq, rs, ERR_not_found, NULL);
		return;
	}
	json_t *errors = cred_check(p, url, secret, 0);
	if (errors) {
		resp_error(rq, rs, ERR_validation_failed, errors);
		return;
	}
	if (cred_scope_begin(rq, rs, platform, &sc) < 0)
		return;
	char id[37];
	int rc = cred_store(rq, rs, &sc, name, url, secret[0] ? secret : NULL, id);
	if (rc == 1) {
		resp_error(rq, rs, ERR_validation_failed, json_pack("{s:s}", "secret",
		    "Enter the API key (at least 8 characters)."));
		return;
	}
	if (rc < 0 || cred_scope_begin(rq, rs, platform, &sc) < 0)
		return;
	json_t *row = load(rq, rs, &sc);
	if (row == NULL)
		return;
	db_commit(rq->db);
	resp_json(rs, rc == 0 ? 201 : 200, shown(row));
}

static void
delete(struct req *rq, struct resp *rs, int platform)
{
	struct cred_scope sc;
	json_t *row;
	if (cred_scope_begin(rq, rs, platform, &sc) < 0 || (row = load(rq, rs, &sc)) == NULL)
		return;
	json_decref(row);
	const char *name = json_string_value(json_object_get(rq->path_args, "provider"));
	if (cred_delete(rq, rs, &sc, name) < 0)
		return;
	resp_json(rs, 200, json_pack("{s:s,s:b}", "provider", name, "deleted", 1));
}

static void
test(struct req *rq, struct resp *rs, int platform)
{
	struct cred_scope sc;
	json_t *row;
	if (cred_scope_begin(rq, rs, platform, &sc) < 0 || (row = load(rq, rs, &sc)) == NULL)
		return;
	db_commit(rq->db);
	char id[37];
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(row, "id")));
	json_decref(row);
	struct provider_http_result res;
	const char *name = json_string_value(json_object_get(rq->path_args, "provider"));
	if (cred_test(rq, rs, platform, id, name, &res) < 0)
		return;
	resp_json(rs, 200, json_pack("{s:b,s:I,s:s?,s:s}", "ok", res.err == ERR_none,
	    "http_status", (json_int_t)res.status, "code", res.err == ERR_none ? NULL : err_get(res.err)->code,
	    "detail", res.detail));
}

void api_platform_provider_creds(struct req *rq, struct resp *rs) { list(rq, rs, 1); }
void api_platform_provider_cred_set(struct req *rq, struct resp *rs) { set(rq, rs, 1); }
void api_platform_provider_cred_delete(struct req *rq, struct resp *rs) { delete(rq, rs, 1); }
void api_platform_provider_cred_test(struct req *rq, struct resp *rs) { test(rq, rs, 1); }
void api_provider_creds(struct req *rq, struct resp *rs) { list(rq, rs, 0); }
void api_provider_cred_set(struct req *rq, struct resp *rs) { set(rq, rs, 0); }
void api_provider_cred_delete(struct req *rq, struct resp *rs) { delete(rq, rs, 0); }
void api_provider_cred_test(struct req *rq, struct resp *rs) { test(rq, rs, 0); }
