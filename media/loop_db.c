/* PostgreSQL on a worker's loop (see loop_db.h).
 *
 * A query goes out as one pipeline segment: [Parse of its named
 * statement, first use on this connection], set_config of the tenant,
 * the query, Sync.  The server runs the segment in one implicit
 * transaction that the Sync commits (or rolls back after an error), so
 * the tenant setting (is_local) lives exactly as long as the query.
 * libpq returns each statement's results followed by a NULL, and the
 * Sync as PGRES_PIPELINE_SYNC: that marks the query's end. */
#include "loop_db.h"
#include "log.h"
#include "media.h"
#include "metrics.h"
#include "xalloc.h"
#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define FAST_FAIL_MS 250          /* a query this soon after a failed attempt fails at once */
#define MAX_INFLIGHT 64           /* segments sent and not yet answered */
#define MAX_PREPARED 32
#define WATCH_MS 250

static const double query_bounds[] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000 };
struct metric media_db_queries = METRIC_INIT("voxline_media_db_queries_total",
    "Queries on the workers' loop connections by result: ok, error, unavailable (connection down "
    "or dropped) or refused (queue full).", METRIC_COUNTER);
struct metric media_db_query_ms = METRIC_HISTOGRAM_INIT("voxline_media_db_query_ms",
    "From a loop query's queueing to its answer.", query_bounds);
struct metric media_db_queue_depth = METRIC_INIT("voxline_media_db_queue_depth",
    "Queries queued or in flight on each worker's loop connection.", METRIC_GAUGE);
struct metric media_db_connected = METRIC_INIT("voxline_media_db_connected",
    "Each worker's loop connection to PostgreSQL: 1 up, 0 down.", METRIC_GAUGE);

static pthread_once_t metrics_once = PTHREAD_ONCE_INIT;

static void
register_metrics(void)
{
	metrics_register(&media_db_queries);
	metrics_register(&media_db_query_ms);
	metrics_register(&media_db_queue_depth);
	metrics_register(&media_db_connected);
}

enum ldb_state { LDB_DOWN, LDB_CONNECTING, LDB_READY };

static const char TENANT_SQL[] = "SELECT set_config('voxline.tenant_id', $1, true)";

struct req {
	struct req *next;
	int scoped;                   /* set_config of tenant first */
	char *tenant;
	const char *name, *sql;
	int nparams;
	char **params;
	loop_db_done_fn done;
	void *arg;
	double queued_at, sent_at;
	int main_item;                /* index of the query among the segment's statements */
	int item, got;                /* statement being read; a result of it seen */
	int prepares;                 /* the segment carries the Parse of name */
	int failed;
	PGresult *res;
	const char *result;           /* metric label of a failure */
};

struct fifo {
	struct req *head, *tail;
	int n;
};

struct ldb_poll {
	uv_poll_t h;
	int fd;
	int events;
};

struct loop_db {
	uv_loop_t *loop;
	char *url;
	/* A single server host name is looked up off the loop and given to
	 * libpq as hostaddr (PQconnectStart would look it up blocking). */
	PQconninfoOption *opts;       /* url parsed, when host is such a name */
	const char *host;
	uv_getaddrinfo_t gai;
	int resolving;
	char worker[16];
	PGconn *pg;
	enum ldb_state state;
	struct ldb_poll *poll;
	uv_timer_t retry, watch, kick;
	int open_handles;
	struct fifo waiting, inflight, failing;
	const char *prepared[MAX_PREPARED];
	int nprepared;
	int backoff_ms;
	double connect_started, failed_at;
	int queue_max, connect_timeout_ms, query_timeout_ms;
	int down_logged;
	int closing;
};

static void
push(struct fifo *f, struct req *r)
{
	r->next = NULL;
	if (f->tail)
		f->tail->next = r;
	else
		f->head = r;
	f->tail = r;
	f->n++;
}

static struct req *
pop(struct fifo *f)
{
	struct req *r = f->head;
	if (r) {
		f->head = r->next;
		if (f->head == NULL)
			f->tail = NULL;
		f->n--;
		r->next = NULL;
	}
	return r;
}

static void
req_free(struct req *r)
{
	for (int i = 0; i < r->nparams; i++)
		free(r->params[i]);
	free(r->params);
	free(r->tenant);
	PQclear(r->res);
	free(r);
}

static void
show_depth(struct loop_db *ldb)
{
	metrics_set(&media_db_queue_depth, (double)(ldb->waiting.n + ldb->inflight.n), "worker", ldb->worker, NULL);
}

/* Hands res (or NULL) to the query's owner and frees the request. */
static void
deliver(struct req *r, PGresult *res)
{
	if (r->done) {                /* not the connection's own set-up */
		metrics_add(&media_db_queries, 1, "result", res ? "ok" : r->result ? r->result : "error", NULL);
		metrics_observe(&media_db_query_ms, media_now_ms() - r->queued_at, NULL);
	}
	loop_db_done_fn done = r->done;
	void *arg = r->arg;
	req_free(r);
	if (done)
		done(res, arg);
	else
		PQclear(res);
}

static void
on_kick(uv_timer_t *t)
{
	struct loop_db *ldb = t->data;
	struct fifo f = ldb->failing;
	ldb->failing = (struct fifo){ 0 };
	struct req *r;
	while ((r = pop(&f)) != NULL)
		deliver(r, NULL);
}

/* Fails r on the next loop turn (never inside the caller's own call). */
static void
fail_later(struct loop_db *ldb, struct req *r, const char *label)
{
	r->result = label;
	push(&ldb->failing, r);
	if (!ldb->closing)
		uv_timer_start(&ldb->kick, on_kick, 0, 0);
}

static void
poll_closed(uv_handle_t *h)
{
	free(h);                      /* the first member of its struct ldb_poll */
}

static void
unwatch(struct loop_db *ldb)
{
	if (ldb->poll == NULL)
		return;
	uv_poll_stop(&ldb->poll->h);
	uv_close((uv_handle_t *)&ldb->poll->h, poll_closed);
	ldb->poll = NULL;
}

static void on_poll(uv_poll_t *h, int status, int events);

/* Watches the connection's socket for events (it may change while
 * connecting); -1 when it cannot be watched. */
static int
watch(struct loop_db *ldb, int events)
{
	int fd = PQsocket(ldb->pg);
	if (fd < 0)
		return -1;
	if (ldb->poll && ldb->poll->fd != fd)
		unwatch(ldb);
	if (ldb->poll == NULL) {
		struct ldb_poll *p = xcalloc(1, sizeof *p);
		if (uv_poll_init(ldb->loop, &p->h, fd) != 0) {
			free(p);
			return -1;
		}
		p->h.data = ldb;
		p->fd = fd;
		ldb->poll = p;
	} else if (ldb->poll->events == events)
		return 0;
	ldb->poll->events = events;
	return uv_poll_start(&ldb->poll->h, events, on_poll) == 0 ? 0 : -1;
}

static void
trim_copy(char *out, size_t n, const char *msg)
{
	snprintf(out, n, "%s", msg && *msg ? msg : "unknown error");
	size_t l = strlen(out);
	while (l && (out[l - 1] == '\n' || out[l - 1] == ' '))
		out[--l] = 0;
}

static void on_retry(uv_timer_t *t);

/* Closes the connection; every query queued or in flight fails. */
static void
disconnect(struct loop_db *ldb)
{
	unwatch(ldb);
	if (ldb->pg)
		PQfinish(ldb->pg);
	ldb->pg = NULL;
	ldb->nprepared = 0;
	ldb->state = LDB_DOWN;
	metrics_set(&media_db_connected, 0, "worker", ldb->worker, NULL);
	struct req *r;
	while ((r = pop(&ldb->inflight)) != NULL)
		fail_later(ldb, r, "unavailable");
	while ((r = pop(&ldb->waiting)) != NULL)
		fail_later(ldb, r, "unavailable");
	show_depth(ldb);
}

/* The connection is gone (or never came): every query queued or in
 * flight fails, and a new attempt follows after the backoff. */
static void
drop(struct loop_db *ldb, const char *why)
{
	char msg[300];
	trim_copy(msg, sizeof msg, why);
	if (!ldb->down_logged && !ldb->closing)
		log_warn("media_db_unavailable", "{s:s,s:s,s:i}", "worker", ldb->worker, "error", msg,
		    "failed_queries", ldb->inflight.n + ldb->waiting.n);
	ldb->down_logged = 1;
	disconnect(ldb);
	ldb->failed_at = media_now_ms();
	if (!ldb->closing) {
		uv_timer_start(&ldb->retry, on_retry, (uint64_t)ldb->backoff_ms, 0);
		ldb->backoff_ms = ldb->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ldb->backoff_ms * 2;
	}
}

static void
drop_pg(struct loop_db *ldb)
{
	drop(ldb, ldb->pg ? PQerrorMessage(ldb->pg) : NULL);
}

static int
is_prepared(struct loop_db *ldb, const char *name)
{
	for (int i = 0; i < ldb->nprepared; i++)
		if (ldb->prepared[i] == name)
			return 1;
	return 0;
}

static void
unprepare(struct loop_db *ldb, const char *name)
{
	for (int i = 0; i < ldb->nprepared; i++)
		if (ldb->prepared[i] == name) {
			ldb->prepared[i] = ldb->prepared[--ldb->nprepared];
			return;
		}
}

/* Sends r's pipeline segment; -1 when the connection failed. */
static int
send_req(struct loop_db *ldb, struct req *r)
{
	PGconn *pg = ldb->pg;
	int item = 0;
	r->sent_at = media_now_ms();
	r->prepares = 0;
	if (r->name && !is_prepared(ldb, r->name)) {
		if (ldb->nprepared == MAX_PREPARED)
			r->name = NULL;           /* no room to remember it: unnamed */
		else {
			if (!PQsendPrepare(pg, r->name, r->sql, r->nparams, NULL))
				return -1;
			ldb->prepared[ldb->nprepared++] = r->name;
			r->prepares = 1;
			item++;
		}
	}
	if (r->scoped) {
		const char *t[1] = { r->tenant };
		if (!PQsendQueryParams(pg, TENANT_SQL, 1, NULL, t, NULL, NULL, 0))
			return -1;
		item++;
	}
	const char *const *p = (const char *const *)r->params;
	int ok = r->name ? PQsendQueryPrepared(pg, r->name, r->nparams, p, NULL, NULL, 0)
	    : PQsendQueryParams(pg, r->sql, r->nparams, NULL, p, NULL, NULL, 0);
	if (!ok)
		return -1;
	r->main_item = item;
	return PQpipelineSync(pg) ? 0 : -1;
}

/* Flushes what libpq holds and watches for the answers (and for room to
 * write while something is left). */
static void
flush_and_watch(struct loop_db *ldb)
{
	int f = PQflush(ldb->pg);
	if (f < 0 || watch(ldb, UV_READABLE | (f == 1 ? UV_WRITABLE : 0)) < 0)
		drop_pg(ldb);
}

static void
pump(struct loop_db *ldb)
{
	if (ldb->state != LDB_READY)
		return;
	while (ldb->waiting.head && ldb->inflight.n < MAX_INFLIGHT) {
		struct req *r = pop(&ldb->waiting);
		push(&ldb->inflight, r);
		if (send_req(ldb, r) < 0) {
			drop_pg(ldb);
			return;
		}
	}
	flush_and_watch(ldb);
}

static void
complete(struct loop_db *ldb, struct req *r)
{
	PGresult *res = r->failed ? NULL : r->res;
	if (res == NULL)
		PQclear(r->res);
	r->res = NULL;
	show_depth(ldb);
	deliver(r, res);
}

/* Reads every answer that has arrived, completing queries in order. */
static void
read_results(struct loop_db *ldb)
{
	while (ldb->state == LDB_READY && ldb->inflight.head && !ldb->closing) {
		if (PQisBusy(ldb->pg))
			break;
		PGresult *res = PQgetResult(ldb->pg);
		struct req *r = ldb->inflight.head;
		if (res == NULL) {
			if (!r->got)
				break;        /* nothing more yet */
			r->item++;
			r->got = 0;
			continue;
		}
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			pop(&ldb->inflight);
			complete(ldb, r);
			continue;
		}
		r->got = 1;
		int good = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
		if (good && r->item == r->main_item && r->res == NULL) {
			r->res = res;
			continue;
		}
		if (!good) {
			if (!r->failed && st != PGRES_PIPELINE_ABORTED) {
				char msg[300];
				trim_copy(msg, sizeof msg, PQresultErrorMessage(res));
				log_error("media_db_query_failed", "{s:s,s:s}", "statement",
				    r->name ? r->name : "unnamed", "error", msg);
			}
			r->failed = 1;
			if (r->prepares && r->item == 0)
				unprepare(ldb, r->name);
		}
		PQclear(res);
	}
	if (ldb->state == LDB_READY && PQstatus(ldb->pg) == CONNECTION_BAD)
		drop_pg(ldb);
}

static void
connected(struct loop_db *ldb)
{
	if (PQsetnonblocking(ldb->pg, 1) != 0 || PQenterPipelineMode(ldb->pg) != 1) {
		drop_pg(ldb);
		return;
	}
	ldb->state = LDB_READY;
	ldb->backoff_ms = BACKOFF_MIN_MS;
	if (ldb->down_logged)
		log_info("media_db_connected", "{s:s}", "worker", ldb->worker);
	ldb->down_logged = 0;
	metrics_set(&media_db_connected, 1, "worker", ldb->worker, NULL);
	/* What db.c sets on its connections, first in the pipeline. */
	struct req *r = xcalloc(1, sizeof *r);
	r->sql = "SET TIME ZONE 'UTC'";
	r->queued_at = media_now_ms();
	r->next = ldb->waiting.head;
	ldb->waiting.head = r;
	if (ldb->waiting.tail == NULL)
		ldb->waiting.tail = r;
	ldb->waiting.n++;
	pump(ldb);
}

static void
connect_step(struct loop_db *ldb, PostgresPollingStatusType st)
{
	/* libpq may have closed the socket and opened another, likely under
	 * the same number (next address, a retry without SSL): a fresh poll
	 * handle at each step, so libuv never watches a closed descriptor. */
	unwatch(ldb);
	switch (st) {
	case PGRES_POLLING_READING:
		if (watch(ldb, UV_READABLE) < 0)
			drop_pg(ldb);
		break;
	case PGRES_POLLING_WRITING:
		if (watch(ldb, UV_WRITABLE) < 0)
			drop_pg(ldb);
		break;
	case PGRES_POLLING_OK:
		connected(ldb);
		break;
	default:
		drop_pg(ldb);
		break;
	}
}

static void
quiet_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* PQconnectStart with the url, or with its parsed options and the host's
 * address (hostaddr) when it was looked up here. */
static void
open_pg(struct loop_db *ldb, const char *hostaddr)
{
	if (hostaddr == NULL)
		ldb->pg = PQconnectStart(ldb->url);
	else {
		int n = 0;
		for (PQconninfoOption *o = ldb->opts; o->keyword; o++)
			n++;
		const char **kw = xcalloc((size_t)n + 2, sizeof *kw), **val = xcalloc((size_t)n + 2, sizeof *val);
		int k = 0;
		for (PQconninfoOption *o = ldb->opts; o->keyword; o++)
			if (o->val && *o->val) {
				kw[k] = o->keyword;
				val[k++] = o->val;
			}
		kw[k] = "hostaddr";
		val[k] = hostaddr;
		ldb->pg = PQconnectStartParams(kw, val, 0);
		free(kw);
		free(val);
	}
	if (ldb->pg == NULL) {
		drop(ldb, "out of memory");
		return;
	}
	if (PQstatus(ldb->pg) == CONNECTION_BAD) {
		drop_pg(ldb);
		return;
	}
	PQsetNoticeProcessor(ldb->pg, quiet_notices, NULL);
	connect_step(ldb, PGRES_POLLING_WRITING);
}

static void free_when_closed(struct loop_db *ldb);

static void
on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct loop_db *ldb = req->data;
	ldb->resolving = 0;
	char addr[INET6_ADDRSTRLEN] = "";
	if (status == 0 && res) {
		const void *in = res->ai_family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr
		    : (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;
		if (inet_ntop(res->ai_family, in, addr, sizeof addr) == NULL)
			addr[0] = 0;
	}
	uv_freeaddrinfo(res);
	if (ldb->closing) {
		free_when_closed(ldb);
		return;
	}
	if (ldb->state != LDB_CONNECTING)
		return;                   /* timed out meanwhile */
	if (addr[0] == 0) {
		char msg[300];
		snprintf(msg, sizeof msg, "could not resolve host \"%s\": %s", ldb->host,
		    status ? uv_strerror(status) : "no address");
		drop(ldb, msg);
		return;
	}
	open_pg(ldb, addr);
}

static void
start_connect(struct loop_db *ldb)
{
	uv_timer_stop(&ldb->retry);
	ldb->state = LDB_CONNECTING;
	ldb->connect_started = media_now_ms();
	if (ldb->resolving)
		return;                   /* the look-up under way goes on with this attempt */
	if (ldb->host == NULL) {
		open_pg(ldb, NULL);
		return;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	ldb->gai.data = ldb;
	if (uv_getaddrinfo(ldb->loop, &ldb->gai, on_resolved, ldb->host, NULL, &hints) != 0) {
		drop(ldb, "could not start the host name look-up");
		return;
	}
	ldb->resolving = 1;
}

/* Sets ldb->opts and ldb->host when url names one server by a host name
 * (not a socket directory, an address or several hosts) and no hostaddr. */
static void
parse_url(struct loop_db *ldb)
{
	PQconninfoOption *opts = PQconninfoParse(ldb->url, NULL);
	if (opts == NULL)
		return;                   /* libpq says why when connecting */
	const char *host = NULL, *hostaddr = NULL;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "hostaddr") == 0)
			hostaddr = o->val;
	}
	unsigned char a[sizeof(struct in6_addr)];
	if (host == NULL || !*host || (hostaddr && *hostaddr) || host[0] == '/' || host[0] == '@' ||
	    strchr(host, ',') || inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1) {
		PQconninfoFree(opts);
		return;
	}
	ldb->opts = opts;
	ldb->host = host;
}

static void
on_retry(uv_timer_t *t)
{
	struct loop_db *ldb = t->data;
	if (ldb->state == LDB_DOWN && !ldb->closing)
		start_connect(ldb);
}

static void
on_poll(uv_poll_t *h, int status, int events)
{
	struct loop_db *ldb = h->data;
	if (ldb->closing || ldb->poll == NULL || &ldb->poll->h != h)
		return;
	if (ldb->state == LDB_CONNECTING) {
		connect_step(ldb, PQconnectPoll(ldb->pg));
		return;
	}
	if (ldb->state != LDB_READY)
		return;
	if (status < 0) {
		drop(ldb, uv_strerror(status));
		return;
	}
	if ((events & UV_READABLE) && !PQconsumeInput(ldb->pg)) {
		drop_pg(ldb);
		return;
	}
	read_results(ldb);
	pump(ldb);
}

static void
on_watch(uv_timer_t *t)
{
	struct loop_db *ldb = t->data;
	double now = media_now_ms();
	if (ldb->state == LDB_CONNECTING && now - ldb->connect_started > ldb->connect_timeout_ms)
		drop(ldb, "connection timed out");
	else if (ldb->state == LDB_READY && ldb->inflight.head &&
	    now - ldb->inflight.head->sent_at > ldb->query_timeout_ms)
		drop(ldb, "query timed out");
}

struct loop_db *
loop_db_new(uv_loop_t *loop, const char *url, int worker)
{
	pthread_once(&metrics_once, register_metrics);
	struct loop_db *ldb = xcalloc(1, sizeof *ldb);
	ldb->loop = loop;
	ldb->url = xstrdup(url);
	snprintf(ldb->worker, sizeof ldb->worker, "%d", worker);
	ldb->queue_max = LOOP_DB_QUEUE_MAX;
	ldb->connect_timeout_ms = LOOP_DB_CONNECT_TIMEOUT_MS;
	ldb->query_timeout_ms = LOOP_DB_QUERY_TIMEOUT_MS;
	ldb->backoff_ms = BACKOFF_MIN_MS;
	ldb->failed_at = -1e12;
	parse_url(ldb);
	uv_timer_t *timers[] = { &ldb->retry, &ldb->watch, &ldb->kick };
	for (size_t i = 0; i < sizeof timers / sizeof timers[0]; i++) {
		uv_timer_init(loop, timers[i]);
		timers[i]->data = ldb;
		ldb->open_handles++;
	}
	uv_timer_start(&ldb->watch, on_watch, WATCH_MS, WATCH_MS);
	metrics_set(&media_db_connected, 0, "worker", ldb->worker, NULL);
	show_depth(ldb);
	start_connect(ldb);
	return ldb;
}

void
loop_db_set_limits(struct loop_db *ldb, int queue_max, int connect_timeout_ms, int query_timeout_ms)
{
	if (queue_max > 0)
		ldb->queue_max = queue_max;
	if (connect_timeout_ms > 0)
		ldb->connect_timeout_ms = connect_timeout_ms;
	if (query_timeout_ms > 0)
		ldb->query_timeout_ms = query_timeout_ms;
}

int
loop_db_query(struct loop_db *ldb, const char *tenant_id, const char *name, const char *sql,
    int nparams, const char *const *params, loop_db_done_fn done, void *arg)
{
	struct req *r = xcalloc(1, sizeof *r);
	r->scoped = 1;
	r->tenant = xstrdup(tenant_id ? tenant_id : "*");
	r->name = name;
	r->sql = sql;
	r->nparams = nparams;
	r->params = xcalloc(nparams > 0 ? (size_t)nparams : 1, sizeof *r->params);
	for (int i = 0; i < nparams; i++)
		r->params[i] = params[i] ? xstrdup(params[i]) : NULL;
	r->done = done;
	r->arg = arg;
	r->queued_at = media_now_ms();
	if (ldb->closing || ldb->waiting.n + ldb->inflight.n >= ldb->queue_max) {
		fail_later(ldb, r, "refused");
		if (!ldb->closing)
			log_warn("media_db_queue_full", "{s:s,s:i}", "worker", ldb->worker, "queued", ldb->queue_max);
		return -1;
	}
	if (ldb->state == LDB_DOWN && r->queued_at - ldb->failed_at < FAST_FAIL_MS) {
		fail_later(ldb, r, "unavailable");
		return -1;
	}
	push(&ldb->waiting, r);
	show_depth(ldb);
	if (ldb->state == LDB_DOWN)
		start_connect(ldb);      /* the backoff is over: try now rather than wait */
	else
		pump(ldb);
	return 0;
}

int
loop_db_depth(const struct loop_db *ldb)
{
	return ldb->waiting.n + ldb->inflight.n;
}

int
loop_db_connected(const struct loop_db *ldb)
{
	return ldb->state == LDB_READY;
}

static void
free_when_closed(struct loop_db *ldb)
{
	if (ldb->open_handles > 0 || ldb->resolving)
		return;
	PQconninfoFree(ldb->opts);
	free(ldb->url);
	free(ldb);
}

static void
timer_closed(uv_handle_t *h)
{
	struct loop_db *ldb = h->data;
	ldb->open_handles--;
	free_when_closed(ldb);
}

void
loop_db_close(struct loop_db *ldb)
{
	if (ldb == NULL || ldb->closing)
		return;
	ldb->closing = 1;
	uv_timer_stop(&ldb->retry);
	uv_timer_stop(&ldb->watch);
	uv_timer_stop(&ldb->kick);
	if (ldb->resolving)
		uv_cancel((uv_req_t *)&ldb->gai);   /* on_resolved still follows */
	disconnect(ldb);
	while (ldb->failing.head)     /* an owner may ask again from its callback: refused */
		on_kick(&ldb->kick);
	uv_close((uv_handle_t *)&ldb->retry, timer_closed);
	uv_close((uv_handle_t *)&ldb->watch, timer_closed);
	uv_close((uv_handle_t *)&ldb->kick, timer_closed);
}
