/* voxline provider set|list: provider credentials from the command line
 * (operators, scripts, tests).  The secret is read from standard input
 * so it never appears in the process list or shell history. */
#include "audit.h"
#include "commands.h"
#include "db.h"
#include "provider_creds.h"
#include "providers.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: voxline provider set NAME [--tenant SLUG] [--base-url URL]   (API key on stdin)\n"
    "       voxline provider list\n";


/* First line of stdin without its line ending; 0, or -1 if too long. */
static int
read_secret(char *out, size_t outlen)
{
	if (fgets(out, (int)outlen, stdin) == NULL) {
		out[0] = '\0';
		return 0;
	}
	size_t n = strcspn(out, "\r\n");
	if (out[n] == '\0' && n == outlen - 1)
		return -1;
	out[n] = '\0';
	return 0;
}

static int
provider_set(int argc, char **argv, struct db *db)
{
	const char *name = argv[2], *slug = cli_opt(argc, argv, "--tenant");
	const char *base_url = cli_opt(argc, argv, "--base-url");
	const struct provider *p = provider_find(name);
	if (p == NULL || p->local) {
		fprintf(stderr, "voxline provider set: %s is not a cloud provider\n", name);
		return 2;
	}
	const char *problem = base_url ? provider_base_url_problem(base_url) :
	    provider_needs_base_url(p) ? "this provider needs --base-url" : NULL;
	if (problem) {
		fprintf(stderr, "voxline provider set: %s\n", problem);
		return 2;
	}
	char secret[PROVIDER_SECRET_MAX + 2];
	if (read_secret(secret, sizeof secret) < 0 || (problem = provider_secret_problem(secret))) {
		fprintf(stderr, "voxline provider set: %s\n",
		    problem ? problem : "The API key is too long.");
		memset(secret, 0, sizeof secret);
		return 2;
	}
	int rc = 1;
	char tenant_id[37] = "", id[37];
	if (db_begin_tenant(db, NULL) < 0)
		goto fail;
	if (slug) {
		const char *q[1] = { slug };
		PGresult *r = db_exec(db, "SELECT id FROM tenants WHERE slug = $1", 1, q);
		if (r == NULL)
			goto fail;
		if (PQntuples(r) == 1)
			snprintf(tenant_id, sizeof tenant_id, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		if (tenant_id[0] == '\0') {
			fprintf(stderr, "voxline provider set: no tenant with slug %s\n", slug);
			db_rollback(db);
			goto out;
		}
	}
	struct audit_entry who = { 0 };
	enum provider_cred_result res = provider_cred_store(db, slug ? tenant_id : NULL, name,
	    base_url ? base_url : "", secret, &who, id);
	if (res == PROVIDER_CRED_NO_KEY) {
		fprintf(stderr, "voxline provider set: credentials_key is not set"
		    " (base64 of 32 random bytes)\n");
		db_rollback(db);
		goto out;
	}
	if (res == PROVIDER_CRED_ERROR || db_commit(db) < 0)
		goto fail;
	printf("%s\n", id);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "voxline provider set: %s\n", db_error(db));
	db_rollback(db);
out:
	memset(secret, 0, sizeof secret);
	return rc;
}

static int
provider_list(struct db *db)
{
	if (db_begin_tenant(db, NULL) < 0)
		goto fail;
	PGresult *r = db_exec(db, "SELECT c.provider, coalesce(t.slug, '(platform)'), c.base_url,"
	    " c.secret_hint, coalesce(CASE c.last_test_ok WHEN true THEN 'ok' WHEN false THEN"
	    " 'failed: ' || coalesce(c.last_test_detail, '') END, 'not tested')"
	    " FROM provider_credentials c LEFT JOIN tenants t ON t.id = c.tenant_id"
	    " ORDER BY t.slug NULLS FIRST, c.provider", 0, NULL);
	if (r == NULL)
		goto fail;
	printf("%-18s %-20s %-48s %-8s %s\n", "PROVIDER", "SCOPE", "BASE URL", "KEY", "LAST TEST");
	for (int i = 0; i < PQntuples(r); i++) {
		const struct provider *p = provider_find(PQgetvalue(r, i, 0));
		const char *url = PQgetvalue(r, i, 2);
		if (url[0] == '\0' && p)
			url = p->default_base_url;
		printf("%-18s %-20s %-48s ...%-5s %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), url,
		    PQgetvalue(r, i, 3), PQgetvalue(r, i, 4));
	}
	PQclear(r);
	db_commit(db);
	return 0;
fail:
	fprintf(stderr, "voxline provider list: %s\n", db_error(db));
	db_rollback(db);
	return 1;
}

/* voxline provider set NAME [--tenant SLUG] [--base-url URL] | provider list */
int
cmd_provider(int argc, char **argv)
{
	int set = argc >= 3 && strcmp(argv[1], "set") == 0 && argv[2][0] != '-';
	int list = argc == 2 && strcmp(argv[1], "list") == 0;
	if (!set && !list) {
		fputs(usage_text, stderr);
		return 2;
	}
	struct db *db = cli_db_open();
	if (db == NULL) {
		fprintf(stderr, "voxline provider: database_url is not usable\n");
		return 1;
	}
	int rc = set ? provider_set(argc, argv, db) : provider_list(db);
	db_close(db);
	return rc;
}
