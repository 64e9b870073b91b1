#include "provider_creds.h"
#include "audit.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "providers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
provider_creds_key(uint8_t key[SEAL_KEY_LEN])
{
	return seal_key_parse(cfg_str(CFG_credentials_key), key);
}

int
provider_creds_aad(char *out, size_t outlen, const char *tenant_id, const char *provider)
{
	int n = snprintf(out, outlen, "provider_credentials:%s:%s", tenant_id ? tenant_id : "*",
	    provider);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

const char *
provider_secret_problem(const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	if (n < PROVIDER_SECRET_MIN)
		return "Enter the API key (at least 8 characters).";
	if (n > PROVIDER_SECRET_MAX)
		return "The API key is too long.";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)secret[i] < 0x21 || secret[i] == 0x7f)
			return "The API key must not contain spaces or control characters.";
	return NULL;
}

int
provider_cred_lookup(struct db *db, const char *tenant_id, const char *provider,
    struct provider_cred *out)
{
	const struct provider *p = provider_find(provider);
	if (p == NULL)
		return 0;
	const char *params[2] = { provider, tenant_id };
	PGresult *r = db_prep(db, "provider_cred_lookup",
	    "SELECT tenant_id::text, base_url, secret_sealed FROM provider_credentials"
	    " WHERE provider = $1 AND (tenant_id = $2::uuid OR tenant_id IS NULL)"
	    " ORDER BY tenant_id IS NULL LIMIT 1", 2, params);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	int rc = -1;
	uint8_t key[SEAL_KEY_LEN];
	char aad[128];
	const char *row_tenant = db_value(r, 0, 0), *url = db_value(r, 0, 1);
	if (provider_creds_key(key) < 0) {
		log_error("provider_credentials_key_missing", "{s:s}", "provider", provider);
		goto out;
	}
	if (provider_creds_aad(aad, sizeof aad, row_tenant, provider) < 0 ||
	    seal_open(key, aad, db_value(r, 0, 2), out->secret, sizeof out->secret) < 0) {
		log_error("provider_credential_unreadable", "{s:s,s:s}", "provider", provider,
		    "tenant_id", row_tenant ? row_tenant : "*");
		goto out;
	}
	snprintf(out->base_url, sizeof out->base_url, "%s", url[0] ? url : p->default_base_url);
	rc = 1;
out:
	memset(key, 0, sizeof key);
	PQclear(r);
	return rc;
}

/* Writes the audit entry of a change and releases before/after. */
static int
audit(struct db *db, const struct audit_entry *who, const char *tenant_id, const char *action,
    const char *id, json_t *before, json_t *after)
{
	struct audit_entry e = *who;
	e.tenant_id = tenant_id;
	e.action = action;
	e.target_type = "provider_credential";
	e.target_id = id;
	e.before = before;
	e.after = after;
	int rc = audit_write(db, &e);
	json_decref(before);
	json_decref(after);
	return rc;
}

enum provider_cred_result
provider_cred_store(struct db *db, const char *tenant_id, const char *provider,
    const char *base_url, const char *secret, const struct audit_entry *who, char *id_out)
{
	PGresult *r;
	char hint[5] = "";
	if (secret == NULL) {
		const char *p[3] = { tenant_id, provider, base_url };
		r = db_exec(db, "UPDATE provider_credentials SET base_url = $3, last_test_at = NULL,"
		    " last_test_ok = NULL, last_test_detail = NULL"
		    " WHERE tenant_id IS NOT DISTINCT FROM $1::uuid AND provider = $2"
		    " RETURNING id, false, secret_hint", 3, p);
	} else {
		uint8_t key[SEAL_KEY_LEN];
		char aad[128];
		if (provider_creds_key(key) < 0 ||
		    provider_creds_aad(aad, sizeof aad, tenant_id, provider) < 0)
			return PROVIDER_CRED_NO_KEY;
		char *sealed = seal_encrypt(key, aad, secret);
		memset(key, 0, sizeof key);
		if (sealed == NULL)
			return PROVIDER_CRED_ERROR;
		size_t n = strlen(secret);
		snprintf(hint, sizeof hint, "%s", secret + (n > 4 ? n - 4 : 0));
		const char *p[6] = { tenant_id, provider, base_url, sealed, hint, who->actor_user_id };
		r = db_exec(db, "INSERT INTO provider_credentials (tenant_id, provider, base_url,"
		    " secret_sealed, secret_hint, created_by) VALUES ($1::uuid, $2, $3, $4, $5, $6::uuid)"
		    " ON CONFLICT (tenant_id, provider) DO UPDATE SET base_url = EXCLUDED.base_url,"
		    " secret_sealed = EXCLUDED.secret_sealed, secret_hint = EXCLUDED.secret_hint,"
		    " last_test_at = NULL, last_test_ok = NULL, last_test_detail = NULL"
		    " RETURNING id, xmax = 0, secret_hint", 6, p);
		free(sealed);
	}
	if (r == NULL)
		return PROVIDER_CRED_ERROR;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return PROVIDER_CRED_NONE;
	}
	char id[37];
	snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
	int created = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
	snprintf(hint, sizeof hint, "%s", PQgetvalue(r, 0, 2));
	PQclear(r);
	json_t *after = json_pack("{s:s,s:s,s:s,s:b}", "provider", provider, "base_url", base_url,
	    "secret_hint", hint, "secret_replaced", secret != NULL);
	if (audit(db, who, tenant_id, created ? "provider_credential.created" :
	    "provider_credential.updated", id, NULL, after) < 0)
		return PROVIDER_CRED_ERROR;
	if (id_out)
		memcpy(id_out, id, sizeof id);
	return created ? PROVIDER_CRED_CREATED : PROVIDER_CRED_UPDATED;
}

enum provider_cred_result
provider_cred_delete(struct db *db, const char *tenant_id, const char *provider,
    const struct audit_entry *who)
{
	const char *p[2] = { tenant_id, provider };
	PGresult *r = db_exec(db, "DELETE FROM provider_credentials"
	    " WHERE tenant_id IS NOT DISTINCT FROM $1::uuid AND provider = $2"
	    " RETURNING id, base_url, secret_hint", 2, p);
	if (r == NULL)
		return PROVIDER_CRED_ERROR;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return PROVIDER_CRED_NONE;
	}
	char id[37];
	snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
	json_t *before = json_pack("{s:s,s:s,s:s}", "provider", provider, "base_url",
	    PQgetvalue(r, 0, 1), "secret_hint", PQgetvalue(r, 0, 2));
	PQclear(r);
	int rc = audit(db, who, tenant_id, "provider_credential.deleted", id, before, NULL);
	return rc < 0 ? PROVIDER_CRED_ERROR : PROVIDER_CRED_DELETED;
}
