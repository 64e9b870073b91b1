/* Provider credentials (table provider_credentials): sealed at rest with
 * credentials_key (seal.h), one per provider platform-wide and at most
 * one per provider per tenant.  Every function runs inside the caller's
 * transaction; the caller chooses its scope. */
#ifndef VOXLINE_PROVIDER_CREDS_H
#define VOXLINE_PROVIDER_CREDS_H
#include "seal.h"
#include <stddef.h>

struct db;
struct audit_entry;

struct provider_cred {
	char base_url[512];
	char secret[1024];
};

#define PROVIDER_SECRET_MIN 8
#define PROVIDER_SECRET_MAX 1023

/* The tenant's row first, else the platform row; base_url is the
 * provider table's default when the row's is empty.  tenant_id NULL:
 * the platform row only.  The caller holds a platform-scope transaction
 * (db_begin_tenant(db, "*")).  1 found, 0 none, -1 error (database, no
 * or wrong credentials_key, a value that does not open). */
int provider_cred_lookup(struct db *db, const char *tenant_id, const char *provider,
    struct provider_cred *out);

/* credentials_key from the configuration; 0, or -1 when unset or not
 * base64 of 32 bytes. */
int provider_creds_key(uint8_t key[SEAL_KEY_LEN]);
/* Associated data binding a sealed secret to its row: "provider_credentials:"
 * tenant ('*' for platform) ":" provider.  0, or -1 if it does not fit. */
int provider_creds_aad(char *out, size_t outlen, const char *tenant_id, const char *provider);
/* NULL when secret is acceptable, else a message for the user. */
const char *provider_secret_problem(const char *secret);

enum provider_cred_result {
	PROVIDER_CRED_CREATED, PROVIDER_CRED_UPDATED, PROVIDER_CRED_DELETED,
	PROVIDER_CRED_NONE,       /* nothing to update or delete */
	PROVIDER_CRED_NO_KEY,     /* credentials_key missing or invalid */
	PROVIDER_CRED_ERROR       /* database error */
};

/* Creates or replaces the credential of (tenant_id or platform, provider).
 * secret NULL keeps the stored secret and changes only the base URL (NONE
 * when there is nothing stored yet).  Replacing the secret or the URL
 * clears the last test result.  The change is audited with `who`'s actor,
 * source address and correlation id (action provider_credential.created
 * or .updated; the audit never holds the secret, only its hint).
 * *id_out (37 bytes) receives the row id when not NULL. */
enum provider_cred_result provider_cred_store(struct db *db, const char *tenant_id,
    const char *provider, const char *base_url, const char *secret,
    const struct audit_entry *who, char *id_out);
/* Deletes the credential; DELETED, NONE or ERROR; audited like store. */
enum provider_cred_result provider_cred_delete(struct db *db, const char *tenant_id,
    const char *provider, const struct audit_entry *who);

#endif
