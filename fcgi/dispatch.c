#include "dispatch.h"
#include "auth.h"
#include "crypto.h"
#include "log.h"
#include "metrics.h"
#include "router.h"
#include "xalloc.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const double latency_bounds[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5 };
static struct metric requests_total = METRIC_INIT("voxline_http_requests_total",
    "HTTP requests handled, by route pattern, method and status.", METRIC_COUNTER);
static struct metric request_seconds = METRIC_HISTOGRAM_INIT("voxline_http_request_duration_seconds",
    "Time to handle a request in voxline-web, by route pattern.", latency_bounds);

void
dispatch_metrics_init(void)
{
	metrics_register(&requests_total);
	metrics_register(&request_seconds);
}

void
dispatch_correlation_id(struct req *rq, const char *from_proxy)
{
	size_t n = from_proxy ? strlen(from_proxy) : 0;
	if (n >= 8 && n < sizeof rq->correlation_id &&
	    strspn(from_proxy, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n) {
		memcpy(rq->correlation_id, from_proxy, n + 1);
		return;
	}
	unsigned char raw[16];
	crypto_random(raw, sizeof raw);
	char *hex = crypto_hex(raw, sizeof raw);
	snprintf(rq->correlation_id, sizeof rq->correlation_id, "%s", hex);
	free(hex);
}

/* Dynamic responses are private to their requester; the security
 * headers proper come from nginx, the only thing facing the network. */
static void
default_headers(struct resp *rs)
{
	resp_header(rs, "Cache-Control", "no-store");
}

static void
route_and_run(struct req *rq, struct resp *rs, const char *raw_path)
{
	enum err_code err;
	rq->path = req_decode_path(raw_path);
	if (rq->path == NULL) {
		rq->path = xstrdup("/");
		resp_error(rq, rs, ERR_not_found, NULL);
		return;
	}
	char allow[128];
	const struct route *route;
	if ((err = router_match(rq, &route, allow, sizeof allow)) != 0) {
		if (err == ERR_method_not_allowed)
			resp_header(rs, "Allow", "%s", allow);
		resp_error(rq, rs, err, NULL);
		return;
	}
	rq->route = route;
	if (auth_identify(rq) < 0) {
		resp_fail(rq, rs, ERR_database_unavailable, "identify: database unreachable");
		return;
	}
	if ((err = access_check(rq, route->perm)) != ERR_none) {
		access_deny(rq, rs, err);
		return;
	}
	/* A carrier webhook gets the request as received: its handler checks
	 * the signature over the raw bytes before anything is parsed. */
	if (route->perm == PERM_carrier_webhook) {
		route->handler(rq, rs);
		return;
	}
	if (req_parse(rq, &err) < 0) {
		resp_error(rq, rs, err, NULL);
		return;
	}
	if ((err = csrf_check(rq)) != ERR_none) {
		resp_error(rq, rs, err, NULL);
		return;
	}
	int reads_query = strcmp(route->method, "GET") == 0;
	if (!reads_query && json_object_size(rq->query) > 0) {
		/* State-changing input comes from the body only. */
		resp_error(rq, rs, ERR_validation_failed,
		    json_pack("{s:s}", json_object_iter_key(json_object_iter(rq->query)),
		    "Unknown field."));
		return;
	}
	json_t *errors = validate(route->fields, reads_query ? rq->query : rq->form, &rq->in);
	if (errors) {
		resp_error(rq, rs, ERR_validation_failed, errors);
		return;
	}
	route->handler(rq, rs);
}

void
dispatch(struct req *rq, struct resp *rs, const char *raw_path)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	log_set_correlation_id(rq->correlation_id);
	default_headers(rs);
	/* Before the handler: a streamed response sends its headers early. */
	resp_header(rs, "X-Correlation-ID", "%s", rq->correlation_id);
	route_and_run(rq, rs, raw_path);

	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	const char *label = rq->route ? rq->route->pattern : "unmatched";
	char status[8];
	snprintf(status, sizeof status, "%d", rs->status);
	metrics_add(&requests_total, 1, "route", label, "method", rq->method, "status", status, NULL);
	metrics_observe(&request_seconds, secs, "route", label, NULL);
	log_info("request", "{s:s,s:s,s:i,s:f,s:s?}", "method", rq->method,
	    "path", rq->path ? rq->path : raw_path, "status", rs->status,
	    "duration_ms", round(secs * 1e6) / 1e3, "remote_addr", rq->remote_addr);
}
