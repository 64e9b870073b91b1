/* The transfer request sent from a worker's loop (media/transfer.c on
 * media/curl_loop.c) against a carrier played by a thread on loopback:
 * the loop keeps running while the carrier holds its answer; a 2xx is a
 * success; 5xx, 4xx, a refused connection, a carrier that never answers
 * and a worker closing mid-request each end the transfer once, with the
 * catalog code of what happened. */
#include "tap.h"
#include "../../media/media.h"
#include "../../media/curl_loop.h"
#include "cfg.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TICK_MS 20
#define HOLD_TICKS 25            /* the carrier waits for 25 loop ticks (500 ms) */

enum carrier_mode { ANSWER, HOLD_THEN_ANSWER, NEVER_ANSWER };

/* A one-connection carrier on loopback. */
struct carrier_srv {
	int fd, port;
	enum carrier_mode mode;
	int status;
	pthread_t thread;
	char request[8192];
	int got_request;              /* atomic */
	int ticks_while_held;
	int release;                  /* atomic: NEVER_ANSWER closes once set */
};

static int ticks;                 /* atomic: loop timer ticks */

static double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
load(void)
{
	return __atomic_load_n(&ticks, __ATOMIC_SEQ_CST);
}

/* Reads the request head and its body (Content-Length). */
static void
read_request(int c, struct carrier_srv *s)
{
	size_t n = 0;
	while (n < sizeof s->request - 1) {
		ssize_t r = read(c, s->request + n, sizeof s->request - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		s->request[n] = 0;
		char *end = strstr(s->request, "\r\n\r\n");
		const char *cl = strcasestr(s->request, "Content-Length:");
		if (end && (!cl || n >= (size_t)(end + 4 - s->request) + strtoul(cl + 15, NULL, 10)))
			break;
	}
}

static void *
serve(void *arg)
{
	struct carrier_srv *s = arg;
	int c = accept(s->fd, NULL, NULL);
	if (c < 0)
		return NULL;
	read_request(c, s);
	__atomic_store_n(&s->got_request, 1, __ATOMIC_SEQ_CST);
	if (s->mode == HOLD_THEN_ANSWER) {
		/* Until the loop has ticked HOLD_TICKS times, or 5 s: a loop
		 * blocked on this request never ticks. */
		int from = load();
		double until = now_s() + 5;
		while (load() - from < HOLD_TICKS && now_s() < until)
			usleep(5000);
		s->ticks_while_held = load() - from;
	}
	if (s->mode == NEVER_ANSWER) {
		while (!__atomic_load_n(&s->release, __ATOMIC_SEQ_CST))
			usleep(5000);
	} else {
		char resp[512];
		const char *body = s->status < 300 ? "{\"sid\":\"CA42\",\"status\":\"in-progress\"}" :
		    s->status == 400 ? "{\"code\":21220,\"message\":\"Call is not in-progress. Cannot redirect.\"}" :
		    "{\"code\":20500,\"message\":\"An internal server error has occurred\"}";
		int len = snprintf(resp, sizeof resp, "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", s->status, strlen(body), body);
		ssize_t w = write(c, resp, (size_t)len);
		(void)w;
	}
	close(c);
	return NULL;
}

static int
listen_loopback(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		fprintf(stderr, "listen: failed\n");
		exit(1);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* Points the platform's Twilio API at port, with a request timeout. */
static void
configure(int port, int timeout_s)
{
	char base[64], t[16];
	snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
	snprintf(t, sizeof t, "%d", timeout_s);
	setenv("VOXLINE_TWILIO_API_BASE", base, 1);
	setenv("VOXLINE_TWILIO_ACCOUNT_SID", "AC0001", 1);
	setenv("VOXLINE_TWILIO_AUTH_TOKEN", "tw-token", 1);
	setenv("VOXLINE_CARRIER_HTTP_TIMEOUT", t, 1);
	char err[256];
	if (cfg_load("", err, sizeof err) < 0) {
		fprintf(stderr, "cfg: %s\n", err);
		exit(1);
	}
}

static void
srv_start(struct carrier_srv *s, enum carrier_mode mode, int status)
{
	memset(s, 0, sizeof *s);
	s->mode = mode;
	s->status = status;
	s->fd = listen_loopback(&s->port);
	pthread_create(&s->thread, NULL, serve, s);
}

static void
srv_stop(struct carrier_srv *s)
{
	__atomic_store_n(&s->release, 1, __ATOMIC_SEQ_CST);
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	close(s->fd);
}

/* One transfer on a fresh loop; what done received. */
struct outcome {
	int calls;
	struct carrier_result res;
};

static struct worker w;
static uv_timer_t tick;

static void
on_tick(uv_timer_t *t)
{
	(void)t;
	__atomic_add_fetch(&ticks, 1, __ATOMIC_SEQ_CST);
}

static void
on_done(const struct carrier_result *res, void *arg)
{
	struct outcome *o = arg;
	o->calls++;
	o->res = *res;
	uv_timer_stop(&tick);
	uv_close((uv_handle_t *)&tick, NULL);
	curl_loop_close(w.curl);
	w.curl = NULL;
}

static void
run_transfer(struct outcome *o)
{
	memset(o, 0, sizeof *o);
	uv_loop_init(&w.loop);
	w.curl = curl_loop_new(&w.loop);
	__atomic_store_n(&ticks, 0, __ATOMIC_SEQ_CST);
	uv_timer_init(&w.loop, &tick);
	uv_timer_start(&tick, on_tick, TICK_MS, TICK_MS);
	transfer_start(&w, CARRIER_TWILIO, "CA42", "+15555550100", 1, on_done, o);
	uv_run(&w.loop, UV_RUN_DEFAULT);
	uv_loop_close(&w.loop);
}

static void
test_held_answer(void)
{
	struct carrier_srv s;
	struct outcome o;
	srv_start(&s, HOLD_THEN_ANSWER, 200);
	configure(s.port, 10);
	run_transfer(&o);
	srv_stop(&s);
	ok(s.got_request, "the carrier got the update");
	ok(s.ticks_while_held >= HOLD_TICKS, "the loop kept ticking while the carrier held its answer");
	like(s.request, "POST /2010-04-01/Accounts/AC0001/Calls/CA42.json HTTP/1.1", "Twilio call update");
	like(s.request, "Twiml=%3CResponse%3E%3CDial", "with TwiML that dials");
	like(s.request, "%2B15555550100", "the transfer number");
	like(s.request, "%3CRecord", "and takes a voicemail when nobody answers");
	is_int(o.calls, 1, "done once");
	is_int(o.res.err, ERR_none, "the transfer succeeded");
}

static void
expect_failure(const char *name, enum carrier_mode mode, int status, enum err_code want, const char *detail)
{
	struct carrier_srv s;
	struct outcome o;
	char label[160];
	int port;
	if (status < 0) {
		close(listen_loopback(&port));       /* nobody listens there now */
	} else {
		srv_start(&s, mode, status);
		port = s.port;
	}
	configure(port, 1);
	run_transfer(&o);
	if (status >= 0)
		srv_stop(&s);
	snprintf(label, sizeof label, "%s: done once", name);
	is_int(o.calls, 1, label);
	snprintf(label, sizeof label, "%s: %s", name, err_get(want)->code);
	is_int(o.res.err, want, label);
	snprintf(label, sizeof label, "%s: the detail says why", name);
	like(o.res.detail, detail, label);
}

/* The worker closes with the request in flight: the owner hears once. */
static void
test_close_in_flight(void)
{
	struct carrier_srv s;
	struct outcome o = { 0 };
	srv_start(&s, NEVER_ANSWER, 0);
	configure(s.port, 10);
	uv_loop_init(&w.loop);
	w.curl = curl_loop_new(&w.loop);
	uv_timer_init(&w.loop, &tick);
	uv_timer_start(&tick, on_tick, TICK_MS, TICK_MS);    /* so that UV_RUN_ONCE returns */
	transfer_start(&w, CARRIER_TWILIO, "CA42", "+15555550100", 0, on_done, &o);
	while (!__atomic_load_n(&s.got_request, __ATOMIC_SEQ_CST))
		uv_run(&w.loop, UV_RUN_ONCE);
	struct curl_loop *cl = w.curl;
	w.curl = NULL;
	curl_loop_close(cl);         /* on_done stops the tick */
	uv_run(&w.loop, UV_RUN_DEFAULT);
	uv_loop_close(&w.loop);
	srv_stop(&s);
	is_int(o.calls, 1, "closing the worker ends the transfer once");
	is_int(o.res.err, ERR_carrier_unavailable, "as carrier_unavailable");
}

int
main(void)
{
	test_held_answer();
	expect_failure("carrier answers 503", ANSWER, 503, ERR_carrier_unavailable, "HTTP 503 20500 An internal server error");
	expect_failure("carrier answers 400", ANSWER, 400, ERR_carrier_rejected, "HTTP 400 21220 Call is not in-progress");
	expect_failure("connection refused", ANSWER, -1, ERR_carrier_unavailable, "onnect");
	expect_failure("no answer in time", NEVER_ANSWER, 0, ERR_carrier_unavailable, "timed out");
	test_close_in_flight();
	return done_testing();
}
