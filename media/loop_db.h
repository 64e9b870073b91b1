/* PostgreSQL on a worker's loop: one non-blocking libpq connection per
 * worker, driven by its libuv loop (uv_poll on the connection's socket,
 * PQconnectStart/PQconnectPoll, pipeline mode so that several calls'
 * queries are in flight at once).  Each query runs in its own implicit
 * transaction (the pipeline's Sync) after set_config('voxline.tenant_id',
 * tenant, true), so row-level security applies exactly as with
 * db_begin_tenant, and an error rolls everything back at the Sync: no
 * transaction is ever left open.  Nothing here blocks the loop.
 *
 * A dropped connection fails every query queued or in flight (done with
 * NULL) and is re-opened with backoff; a query that arrives while the
 * server is known to be down fails at once; past the queue's maximum a
 * query is refused.  A server named by a host name is looked up with
 * uv_getaddrinfo and reached through hostaddr (libpq would look it up
 * blocking).  Loop thread only. */
#ifndef MEDIA_LOOP_DB_H
#define MEDIA_LOOP_DB_H
#include <libpq-fe.h>
#include <uv.h>

#define LOOP_DB_QUEUE_MAX 512          /* queued + in flight, per worker */
#define LOOP_DB_CONNECT_TIMEOUT_MS 5000
#define LOOP_DB_QUERY_TIMEOUT_MS 15000 /* a query in flight longer: the connection is reset */

struct loop_db;

/* Called on the loop exactly once per query, never from inside
 * loop_db_query.  res: the query's result (PGRES_TUPLES_OK or
 * PGRES_COMMAND_OK), which the callee owns and PQclears; NULL when the
 * query failed, the connection is down or the queue is full. */
typedef void (*loop_db_done_fn)(PGresult *res, void *arg);

/* Starts connecting at once.  worker labels the metrics. */
struct loop_db *loop_db_new(uv_loop_t *loop, const char *url, int worker);
/* Tests: smaller limits (0 keeps the current value). */
void loop_db_set_limits(struct loop_db *ldb, int queue_max, int connect_timeout_ms, int query_timeout_ms);

/* Queues sql with text parameters under tenant_id's row-level security
 * (NULL: platform scope, as db_begin_tenant).  name: NULL for an unnamed
 * statement, or a string literal naming a statement prepared once per
 * connection (its pointer is the key).  sql must stay valid until done
 * (a literal); parameters are copied.  Returns
 * 0 when queued, -1 when refused (done still follows, with NULL). */
int loop_db_query(struct loop_db *ldb, const char *tenant_id, const char *name, const char *sql,
    int nparams, const char *const *params, loop_db_done_fn done, void *arg);

/* Queries queued or in flight. */
int loop_db_depth(const struct loop_db *ldb);
int loop_db_connected(const struct loop_db *ldb);

/* Fails every query still queued (done with NULL, from inside this call),
 * closes the connection and the loop's handles; ldb is freed once they
 * are closed. */
void loop_db_close(struct loop_db *ldb);
#endif
