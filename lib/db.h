/* PostgreSQL access: one struct db per thread.  Connects with retry and
 * backoff, reconnects transparently when the server went away, keeps
 * named prepared statements per connection, and wraps transactions.
 * Values always travel as parameters, never pasted into SQL text. */
#ifndef VOXLINE_DB_H
#define VOXLINE_DB_H
#include <libpq-fe.h>

struct db;

/* Connects (retries cfg database_connect_retries times with backoff).
 * Returns NULL only if url is unusable; a down server yields a handle
 * that reconnects on next use. */
struct db *db_open(const char *url, int retries);
void db_close(struct db *db);
/* Ensures the connection is up (one attempt, no retry); 0 or -1. */
int db_ensure(struct db *db);
PGconn *db_conn(struct db *db);
int db_connected(struct db *db);
/* Last error text (for logs, not clients). */
const char *db_error(struct db *db);

/* Runs sql with text parameters.  Returns the result on success
 * (PGRES_COMMAND_OK or PGRES_TUPLES_OK), NULL on error (result cleared).
 * A dropped connection is retried once after reconnecting, outside a
 * transaction only. */
PGresult *db_exec(struct db *db, const char *sql, int nparams, const char *const *params);
/* Same through a named prepared statement, prepared on first use per
 * connection.  name must be a string literal (its pointer is the key). */
PGresult *db_prep(struct db *db, const char *name, const char *sql, int nparams,
    const char *const *params);
/* Convenience: run and discard; 0 or -1. */
int db_run(struct db *db, const char *sql, int nparams, const char *const *params);

int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);
/* Begins a transaction scoped to a tenant: row-level security policies
 * read current_setting('voxline.tenant_id').  NULL: platform scope. */
int db_begin_tenant(struct db *db, const char *tenant_id);
/* Changes the open transaction's tenant (NULL: platform scope). */
int db_set_tenant(struct db *db, const char *tenant_id);

/* Shortcut for one value of a one-row result (NULL if none). */
const char *db_value(PGresult *r, int row, int col);

#endif
