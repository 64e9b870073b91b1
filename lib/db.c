#include "db.h"
#include "log.h"
#include "xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DB_MAX_PREPARED 256

struct db {
	PGconn *pg;
	char *url;
	int in_tx;
	const char *prepared[DB_MAX_PREPARED];
	int nprepared;
	char err[512];
};

static void
set_err(struct db *db, const char *msg)
{
	snprintf(db->err, sizeof db->err, "%s", msg ? msg : "unknown error");
	size_t n = strlen(db->err);
	while (n && (db->err[n - 1] == '\n' || db->err[n - 1] == ' '))
		db->err[--n] = '\0';
}

static int
connect_once(struct db *db)
{
	if (db->pg)
		PQfinish(db->pg);
	db->nprepared = 0;
	db->in_tx = 0;
	db->pg = PQconnectdb(db->url);
	if (PQstatus(db->pg) != CONNECTION_OK) {
		set_err(db, PQerrorMessage(db->pg));
		return -1;
	}
	PQsetNoticeProcessor(db->pg, NULL, NULL);
	PGresult *r = PQexec(db->pg, "SET TIME ZONE 'UTC'");
	PQclear(r);
	return 0;
}

struct db *
db_open(const char *url, int retries)
{
	struct db *db = xcalloc(1, sizeof *db);
	db->url = xstrdup(url);
	long delay_ms = 100;
	for (int attempt = 0; connect_once(db) < 0; attempt++) {
		log_warn("db_connect_failed", "{s:i,s:s}", "attempt", attempt + 1, "error", db->err);
		if (attempt >= retries)
			break;
		struct timespec ts = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		if (delay_ms < 5000)
			delay_ms *= 2;
	}
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db->pg)
		PQfinish(db->pg);
	free(db->url);
	free(db);
}

int
db_connected(struct db *db)
{
	return db->pg && PQstatus(db->pg) == CONNECTION_OK;
}

int
db_ensure(struct db *db)
{
	if (db_connected(db))
		return 0;
	return connect_once(db);
}

PGconn *db_conn(struct db *db) { return db->pg; }
const char *db_error(struct db *db) { return db->err; }

static PGresult *
check(struct db *db, PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return r;
	set_err(db, r ? PQresultErrorMessage(r) : PQerrorMessage(db->pg));
	if (r && db->err[0] == '\0')
		set_err(db, PQerrorMessage(db->pg));
	PQclear(r);
	return NULL;
}

static int
is_prepared(struct db *db, const char *name)
{
	for (int i = 0; i < db->nprepared; i++)
		if (db->prepared[i] == name)
			return 1;
	return 0;
}

static PGresult *
run(struct db *db, const char *name, const char *sql, int nparams, const char *const *params)
{
	if (db_ensure(db) < 0)
		return NULL;
	if (name && !is_prepared(db, name)) {
		PGresult *p = check(db, PQprepare(db->pg, name, sql, nparams, NULL));
		if (p == NULL)
			return NULL;
		PQclear(p);
		if (db->nprepared < DB_MAX_PREPARED)
			db->prepared[db->nprepared++] = name;
	}
	PGresult *r = name ? PQexecPrepared(db->pg, name, nparams, params, NULL, NULL, 0)
	    : PQexecParams(db->pg, sql, nparams, NULL, params, NULL, NULL, 0);
	return check(db, r);
}

static PGresult *
exec_retry(struct db *db, const char *name, const char *sql, int nparams,
    const char *const *params)
{
	PGresult *r = run(db, name, sql, nparams, params);
	/* The server restarted under us: safe to retry once outside a transaction. */
	if (r == NULL && !db->in_tx && !db_connected(db) && connect_once(db) == 0)
		r = run(db, name, sql, nparams, params);
	return r;
}

PGresult *
db_exec(struct db *db, const char *sql, int nparams, const char *const *params)
{
	return exec_retry(db, NULL, sql, nparams, params);
}

PGresult *
db_prep(struct db *db, const char *name, const char *sql, int nparams,
    const char *const *params)
{
	return exec_retry(db, name, sql, nparams, params);
}

int
db_run(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *r = db_exec(db, sql, nparams, params);
	PQclear(r);
	return r ? 0 : -1;
}

int
db_begin(struct db *db)
{
	if (db_run(db, "BEGIN", 0, NULL) < 0)
		return -1;
	db->in_tx = 1;
	return 0;
}

int
db_commit(struct db *db)
{
	int rc = db_run(db, "COMMIT", 0, NULL);
	db->in_tx = 0;
	return rc;
}

void
db_rollback(struct db *db)
{
	if (db_connected(db))
		PQclear(PQexec(db->pg, "ROLLBACK"));
	db->in_tx = 0;
}

int
db_set_tenant(struct db *db, const char *tenant_id)
{
	const char *p[1] = { tenant_id ? tenant_id : "*" };
	return db_run(db, "SELECT set_config('voxline.tenant_id', $1, true)", 1, p);
}

int
db_begin_tenant(struct db *db, const char *tenant_id)
{
	if (db_begin(db) < 0)
		return -1;
	if (db_set_tenant(db, tenant_id) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

const char *
db_value(PGresult *r, int row, int col)
{
	if (r == NULL || row >= PQntuples(r) || col >= PQnfields(r) || PQgetisnull(r, row, col))
		return NULL;
	return PQgetvalue(r, row, col);
}
