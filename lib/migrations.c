#include "migrations.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATION_MAX_FILES 1000
#define MIGRATION_MAX_BYTES (8u << 20)

struct migration {
	char version[8];
	char *file;        /* basename */
	char *sql;
	char *checksum;    /* SHA-256 hex of the file */
};

static int
is_migration_name(const char *n)
{
	size_t len = strlen(n);
	return len > 9 && strspn(n, "0123456789") == 4 && n[4] == '_' &&
	    strcmp(n + len - 4, ".sql") == 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted basenames of the migration files in dir. */
static int
list_files(const char *dir, char ***names, int *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	*names = xcalloc(MIGRATION_MAX_FILES, sizeof **names);
	*n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && *n < MIGRATION_MAX_FILES)
		if (is_migration_name(e->d_name))
			(*names)[(*n)++] = xstrdup(e->d_name);
	closedir(d);
	qsort(*names, (size_t)*n, sizeof **names, by_name);
	for (int i = 1; i < *n; i++)
		if (strncmp((*names)[i], (*names)[i - 1], 4) == 0) {
			snprintf(err, errlen, "two migrations share version %.4s", (*names)[i]);
			return -1;
		}
	return 0;
}

static void
free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
migrations_latest(const char *dir, char *out, size_t outlen, char *err, size_t errlen)
{
	char **names;
	int n;
	if (list_files(dir, &names, &n, err, errlen) < 0)
		return -1;
	snprintf(out, outlen, "%.4s", n ? names[n - 1] : "");
	free_names(names, n);
	return 0;
}

static char *
read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *data = xmalloc(MIGRATION_MAX_BYTES + 1);
	size_t n = fread(data, 1, MIGRATION_MAX_BYTES + 1, f);
	fclose(f);
	if (n > MIGRATION_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %u bytes", path, MIGRATION_MAX_BYTES);
		free(data);
		return NULL;
	}
	data[n] = '\0';
	return data;
}

/* Runs a whole SQL script inside the caller's transaction.  The simple
 * query protocol is needed for several statements; the text is our own
 * file, never a value from outside. */
static int
exec_script(struct db *db, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(db_conn(db), sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(err, errlen, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : -1;
}

int
migrations_run_file(struct db *db, const char *path, char *err, size_t errlen)
{
	char *sql = read_file(path, err, errlen);
	if (sql == NULL)
		return -1;
	int rc = -1;
	if (db_begin_tenant(db, "*") < 0) {
		snprintf(err, errlen, "%s", db_error(db));
		goto done;
	}
	if (exec_script(db, sql, err, errlen) < 0) {
		db_rollback(db);
		goto done;
	}
	if (db_commit(db) < 0) {
		snprintf(err, errlen, "%s", db_error(db));
		goto done;
	}
	rc = 0;
done:
	free(sql);
	return rc;
}

static const char *const create_table_sql =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version text PRIMARY KEY, file text NOT NULL, checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

static int
apply_locked(struct db *db, const char *dir, int *applied, char *err, size_t errlen)
{
	char **names;
	int n;
	if (list_files(dir, &names, &n, err, errlen) < 0)
		return -1;
	int rc = -1;
	struct migration *m = xcalloc((size_t)n + 1, sizeof *m);
	PGresult *done = NULL;
	if (db_run(db, create_table_sql, 0, NULL) < 0 ||
	    (done = db_exec(db, "SELECT version, file, checksum FROM schema_migrations", 0, NULL)) == NULL) {
		snprintf(err, errlen, "%s", db_error(db));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		snprintf(m[i].version, sizeof m[i].version, "%.4s", names[i]);
		m[i].file = names[i];
		if ((m[i].sql = read_file(path, err, errlen)) == NULL)
			goto out;
		m[i].checksum = crypto_sha256_hex(m[i].sql);
	}
	/* Verify everything applied before changing anything. */
	int pending = 0;
	for (int i = 0; i < n; i++) {
		const char *sum = NULL;
		for (int r = 0; r < PQntuples(done); r++)
			if (strcmp(PQgetvalue(done, r, 0), m[i].version) == 0)
				sum = PQgetvalue(done, r, 2);
		if (sum == NULL) {
			pending++;
			continue;
		}
		if (strcmp(sum, m[i].checksum) != 0) {
			snprintf(err, errlen, "migration %s was edited after it was applied "
			    "(recorded checksum %.12s..., file now %.12s...); migrations are "
			    "forward-only: add a new file instead", m[i].file, sum, m[i].checksum);
			goto out;
		}
		m[i].sql[0] = '\0';   /* applied: skip below */
	}
	*applied = 0;
	for (int i = 0; i < n && pending; i++) {
		if (m[i].sql[0] == '\0')
			continue;
		const char *p[3] = { m[i].version, m[i].file, m[i].checksum };
		if (db_begin_tenant(db, "*") < 0 || exec_script(db, m[i].sql, err, errlen) < 0 ||
		    db_run(db, "INSERT INTO schema_migrations (version, file, checksum) "
		    "VALUES ($1, $2, $3)", 3, p) < 0 || db_commit(db) < 0) {
			char reason[400];
			snprintf(reason, sizeof reason, "%s", err[0] ? err : db_error(db));
			snprintf(err, errlen, "migration %s failed: %s", m[i].file, reason);
			db_rollback(db);
			goto out;
		}
		log_info("migration_applied", "{s:s}", "file", m[i].file);
		(*applied)++;
	}
	rc = 0;
out:
	PQclear(done);
	for (int i = 0; i < n; i++) {
		free(m[i].sql);
		free(m[i].checksum);
	}
	free(m);
	free_names(names, n);
	return rc;
}

int
migrations_apply(struct db *db, const char *dir, int *applied, char *err, size_t errlen)
{
	err[0] = '\0';
	*applied = 0;
	if (db_ensure(db) < 0) {
		snprintf(err, errlen, "%s", db_error(db));
		return -1;
	}
	/* Session lock: a second migrator waits here, then finds nothing to do. */
	if (db_run(db, "SELECT pg_advisory_lock(7432001)", 0, NULL) < 0) {
		snprintf(err, errlen, "%s", db_error(db));
		return -1;
	}
	int rc = apply_locked(db, dir, applied, err, errlen);
	db_run(db, "SELECT pg_advisory_unlock(7432001)", 0, NULL);
	return rc;
}
