/* The worker loop's PostgreSQL connection (media/loop_db.c) when the
 * server is not there: a refused connection fails the queries waiting
 * for it (later, on the loop, once each), a query right after fails at
 * once, a server that never answers is given up after the connect
 * timeout, the queue refuses past its maximum, the connection is tried
 * again after the backoff, and closing fails what is left.  The queries
 * themselves run against PostgreSQL in tests/integration/media.t. */
#include "tap.h"
#include "../../media/loop_db.h"
#include "../../media/media.h"
#include "buf.h"
#include "metrics.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct probe {
	int calls;
	int got_result;
	int inside;                   /* set around loop_db_query */
	int during_submit;
	double at;
};

static void
done(PGresult *res, void *arg)
{
	struct probe *p = arg;
	p->calls++;
	if (res)
		p->got_result = 1;
	if (p->inside)
		p->during_submit = 1;
	p->at = media_now_ms();
	PQclear(res);
}

static int
query(struct loop_db *ldb, struct probe *p)
{
	const char *params[1] = { "x" };
	p->inside = 1;
	int rc = loop_db_query(ldb, "00000000-0000-0000-0000-000000000001", "test_stmt", "SELECT $1::text", 1,
	    params, done, p);
	p->inside = 0;
	return rc;
}

/* Runs the loop until *flag is set or ms have passed. */
static void
run_until(uv_loop_t *loop, const int *flag, double ms)
{
	double until = media_now_ms() + ms;
	while ((flag == NULL || !*flag) && media_now_ms() < until)
		uv_run(loop, UV_RUN_NOWAIT), usleep(2000);
}

static int
listener(int port, int *out_port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 16) < 0) {
		close(fd);
		return -1;
	}
	socklen_t l = sizeof a;
	getsockname(fd, (struct sockaddr *)&a, &l);
	*out_port = ntohs(a.sin_port);
	return fd;
}

int
main(void)
{
	uv_loop_t loop;
	uv_loop_init(&loop);
	char url[200];

	/* A port nobody listens on. */
	int port;
	int fd = listener(0, &port);
	close(fd);
	snprintf(url, sizeof url, "postgresql://voxline@127.0.0.1:%d/voxline", port);
	struct loop_db *ldb = loop_db_new(&loop, url, 0);
	struct probe a = { 0 };
	query(ldb, &a);
	ok(!a.during_submit, "refused server: done is not called from inside loop_db_query");
	run_until(&loop, &a.calls, 2000);
	is_int(a.calls, 1, "refused server: the waiting query fails once");
	ok(!a.got_result, "with NULL");
	ok(!loop_db_connected(ldb), "not connected");
	struct probe b = { 0 };
	is_int(query(ldb, &b), -1, "a query right after the failure is not queued");
	ok(!b.during_submit && b.calls == 0, "and fails later, on the loop");
	run_until(&loop, &b.calls, 1000);
	is_int(b.calls, 1, "once");
	is_int(loop_db_depth(ldb), 0, "nothing queued");

	/* The backoff is over: the connection is tried again by itself. */
	fd = listener(port, &port);
	if (fd >= 0) {
		fcntl(fd, F_SETFL, O_NONBLOCK);
		int c = -1;
		double until = media_now_ms() + 3000;
		while (c < 0 && media_now_ms() < until) {
			uv_run(&loop, UV_RUN_NOWAIT);
			c = accept(fd, NULL, NULL);
			usleep(2000);
		}
		ok(c >= 0, "tried again after the backoff");
		if (c >= 0)
			close(c);
		close(fd);
	} else
		skip(1, "the port was taken meanwhile");
	loop_db_close(ldb);
	uv_run(&loop, UV_RUN_NOWAIT);

	/* A host name is looked up off the loop, then refused the same way. */
	snprintf(url, sizeof url, "postgresql://voxline@localhost:%d/voxline", port);
	ldb = loop_db_new(&loop, url, 3);
	struct probe h = { 0 };
	query(ldb, &h);
	ok(!h.during_submit, "host name: done not called from inside loop_db_query");
	run_until(&loop, &h.calls, 3000);
	ok(h.calls == 1 && !h.got_result, "host name looked up, connection refused: NULL once");
	loop_db_close(ldb);
	uv_run(&loop, UV_RUN_NOWAIT);

	/* A server that takes the connection and never answers. */
	int silent = listener(0, &port);
	snprintf(url, sizeof url, "postgresql://voxline@127.0.0.1:%d/voxline", port);
	ldb = loop_db_new(&loop, url, 1);
	loop_db_set_limits(ldb, 2, 300, 0);
	struct probe c1 = { 0 }, c2 = { 0 }, c3 = { 0 };
	double t0 = media_now_ms();
	is_int(query(ldb, &c1), 0, "silent server: first query queued");
	is_int(query(ldb, &c2), 0, "second queued");
	is_int(loop_db_depth(ldb), 2, "depth 2");
	is_int(query(ldb, &c3), -1, "third refused: the queue holds 2");
	ok(!c3.during_submit, "refusal reported on the loop");
	run_until(&loop, &c3.calls, 1000);
	is_int(c3.calls, 1, "refused query done once with NULL");
	ok(c1.calls == 0 && c2.calls == 0, "the queued ones still wait");
	run_until(&loop, &c2.calls, 3000);
	ok(c1.calls == 1 && c2.calls == 1 && !c1.got_result && !c2.got_result,
	    "connect timeout: both fail with NULL");
	ok(c1.at - t0 >= 300 && c1.at - t0 < 1500, "after the connect timeout (300 ms), not long after");
	ok(c1.at <= c2.at, "in order");
	loop_db_close(ldb);
	uv_run(&loop, UV_RUN_NOWAIT);

	/* Closing with queries waiting. */
	ldb = loop_db_new(&loop, url, 2);
	struct probe d1 = { 0 }, d2 = { 0 };
	query(ldb, &d1);
	query(ldb, &d2);
	loop_db_close(ldb);
	ok(d1.calls == 1 && d2.calls == 1 && !d1.got_result && !d2.got_result, "close fails what is queued, once");
	while (uv_run(&loop, UV_RUN_NOWAIT))
		;
	close(silent);
	is_int(uv_loop_close(&loop), 0, "every handle closed");

	struct buf m;
	buf_init(&m, 1 << 20);
	metrics_render(&m);
	buf_putc(&m, 0);
	like(m.data, "voxline_media_db_queries_total{result=\"refused\"} 1", "refusal counted");
	like(m.data, "voxline_media_db_queries_total{result=\"unavailable\"}", "failures counted");
	like(m.data, "voxline_media_db_connected{worker=\"0\"} 0", "connection state per worker");
	buf_free(&m);
	return done_testing();
}
