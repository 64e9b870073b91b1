/* API keys of the current tenant: create (the secret is shown once,
 * only its hash is kept; the prefix identifies it), list, revoke. */
#include "../handlers.h"
#include "../auth.h"
#include "../page.h"
#include "buf.h"
#include "crypto.h"
#include "db.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct field api_key_fields[] = {
	{ "name", FT_STRING, FIELD_REQUIRED, 1, 100, NULL },
	{ "scope", FT_ENUM, FIELD_REQUIRED, 0, 0, "read|write" },
	{ NULL }
};

static const char *
in_str(struct req *rq, const char *name)
{
	return json_string_value(json_object_get(rq->in, name));
}

static void
random_prefix(char out[9])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	for (int i = 0; i < 8; i++) {
		unsigned char r;
		do
			crypto_random(&r, 1);
		while (r >= 252);                 /* 252 = 7 * 36: no modulo bias */
		out[i] = alphabet[r % 36];
	}
	out[8] = '\0';
}

/* ---- core */

static enum err_code
key_create(struct req *rq, const char *name, const char *scope, json_t **out)
{
	const struct auth *a = rq->auth;
	char prefix[9];
	random_prefix(prefix);
	char *secret = crypto_token();
	struct buf token;
	buf_init(&token, 128);
	buf_printf(&token, "vxk_%s_%s", prefix, secret);
	free(secret);
	char *hash = crypto_sha256_hex(token.data);
	const char *p[6] = { a->tenant_id, name, prefix, hash, scope, a->user_id[0] ? a->user_id : NULL };
	enum err_code err = ERR_database_unavailable;
	if (db_begin_tenant(rq->db, a->tenant_id) < 0)
		goto out;
	PGresult *r = db_prep(rq->db, "key_insert", "INSERT INTO api_keys (tenant_id, name, prefix,"
	    " key_hash, scope, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", 6, p);
	if (r == NULL) {
		db_rollback(rq->db);
		goto out;
	}
	*out = json_pack("{s:s,s:s,s:s,s:s,s:s}", "id", PQgetvalue(r, 0, 0), "name", name,
	    "prefix", prefix, "scope", scope, "key", token.data);
	PQclear(r);
	json_t *after = json_pack("{s:s,s:s,s:s}", "name", name, "prefix", prefix, "scope", scope);
	int rc = auth_audit(rq, a->tenant_id, "api_key.created", "api_key",
	    json_string_value(json_object_get(*out, "id")), NULL, after);
	json_decref(after);
	if (rc < 0 || db_commit(rq->db) < 0) {
		db_rollback(rq->db);
		json_decref(*out);
		*out = NULL;
		goto out;
	}
	err = ERR_none;
out:
	free(hash);
	buf_free(&token);
	return err;
}

static enum err_code
key_revoke(struct req *rq, const char *id)
{
	const struct auth *a = rq->auth;
	const char *p[2] = { id, a->tenant_id };
	if (db_begin_tenant(rq->db, a->tenant_id) < 0)
		return ERR_database_unavailable;
	PGresult *r = db_prep(rq->db, "key_revoke", "UPDATE api_keys SET revoked_at = now()"
	    " WHERE id = $1 AND tenant_id = $2 AND revoked_at IS NULL RETURNING name, prefix, scope", 2, p);
	if (r == NULL || PQntuples(r) == 0) {
		PQclear(r);
		db_rollback(rq->db);
		return r ? ERR_not_found : ERR_database_unavailable;
	}
	json_t *before = json_pack("{s:s,s:s,s:s}", "name", PQgetvalue(r, 0, 0), "prefix",
	    PQgetvalue(r, 0, 1), "scope", PQgetvalue(r, 0, 2));
	PQclear(r);
	int rc = auth_audit(rq, a->tenant_id, "api_key.revoked", "api_key", id, before, NULL);
	json_decref(before);
	if (rc < 0 || db_commit(rq->db) < 0) {
		db_rollback(rq->db);
		return ERR_database_unavailable;
	}
	return ERR_none;
}

static json_t *
keys_of(struct req *rq)
{
	const char *p[1] = { rq->auth->tenant_id };
	if (db_begin_tenant(rq->db, rq->auth->tenant_id) < 0)
		return NULL;
	PGresult *r = db_prep(rq->db, "key_list", "SELECT k.id, k.name, k.prefix, k.scope,"
	    " " PAGE_TIME("k.created_at") ", coalesce(" PAGE_TIME("k.last_used_at") ", ''),"
	    " coalesce(" PAGE_TIME("k.revoked_at") ", ''), coalesce(u.email, '')"
	    " FROM api_keys k LEFT JOIN users u ON u.id = k.created_by WHERE k.tenant_id = $1"
	    " ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC LIMIT 500", 1, p);
	db_commit(rq->db);
	if (r == NULL)
		return NULL;
	json_t *out = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s}",
		    "id", PQgetvalue(r, i, 0), "name", PQgetvalue(r, i, 1), "prefix", PQgetvalue(r, i, 2),
		    "scope", PQgetvalue(r, i, 3), "created", PQgetvalue(r, i, 4),
		    "last_used", *PQgetvalue(r, i, 5) ? PQgetvalue(r, i, 5) : NULL,
		    "revoked", *PQgetvalue(r, i, 6) ? PQgetvalue(r, i, 6) : NULL,
		    "created_by", PQgetvalue(r, i, 7)));
	PQclear(r);
	return out;
}

/* ---- API */

void
api_keys_list(struct req *rq, struct resp *rs)
{
	json_t *keys = keys_of(rq);
	if (keys == NULL)
		resp_error(rq, rs, ERR_database_unavailable, NULL);
	else
		resp_json(rs, 200, json_pack("{s:o}", "api_keys", keys));
}

void
api_key_create(struct req *rq, struct resp *rs)
{
	json_t *key = NULL;
	enum err_code err = key_create(rq, in_str(rq, "name"), in_str(rq, "scope"), &key);
	if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_json(rs, 201, key);
}

void
api_key_revoke(struct req *rq, struct resp *rs)
{
	const char *id = json_string_value(json_object_get(rq->path_args, "id"));
	enum err_code err = key_revoke(rq, id);
	if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_json(rs, 200, json_pack("{s:s,s:b}", "id", id, "revoked", 1));
}

/* ---- pages */

static void
keys_render(struct req *rq, struct resp *rs, json_t *created, const char *notice)
{
	json_t *ctx = page_context(rq, "API keys", "/api-keys");
	json_t *keys = keys_of(rq);
	json_object_set_new(ctx, "api_keys", keys ? keys : json_array());
	if (created)
		json_object_set_new(ctx, "created", created);
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	page_render(rq, rs, "api_keys", ctx);
}

void
api_keys_page(struct req *rq, struct resp *rs)
{
	keys_render(rq, rs, NULL, NULL);
}

/* The secret is in this one response only, so no redirect here. */
void
api_key_create_submit(struct req *rq, struct resp *rs)
{
	json_t *key = NULL;
	enum err_code err = key_create(rq, in_str(rq, "name"), in_str(rq, "scope"), &key);
	if (err)
		resp_error(rq, rs, err, NULL);
	else
		keys_render(rq, rs, key, NULL);
}

void
api_key_revoke_submit(struct req *rq, struct resp *rs)
{
	enum err_code err = key_revoke(rq, json_string_value(json_object_get(rq->path_args, "id")));
	if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_redirect(rs, "/api-keys");
}
