/* The route table: it passes its own start-up check, and matching gives
 * the route, 404 or 405 with the Allow list a client sees. */
#include "tap.h"
#include "fcgi/router.h"
#include "fcgi/handlers.h"
#include "fcgi/web.h"



static char allow[128];

/* Matches method + path: the route's pattern, or the error code name. */
static const char *
m(const char *method, const char *path)
{
	static char res[256];
	struct req rq;
	const struct route *r = NULL;
	req_init(&rq);
	rq.method = method;
	rq.path = strdup(path);
	int rc = router_match(&rq, &r, allow, sizeof allow);
	if (rc == 0)
		snprintf(res, sizeof res, "%s %s", r->method, r->pattern);
	else
		snprintf(res, sizeof res, "%s", err_get((enum err_code)rc)->code);
	req_free(&rq);
	return res;
}

int
main(void)
{
	char err[256] = "";
	is_int(router_check(err, sizeof err), 0, "router_check passes on the real table");
	is(err, "", "router_check writes no error");
	ok(router_nroutes >= 5, "the table has its routes");

	is(m("GET", "/health"), "GET /health", "GET /health finds the health route");
	is(allow, "", "no Allow list on a match");
	is(m("GET", "/health/ready"), "GET /health/ready", "GET /health/ready");
	is(m("GET", "/metrics"), "GET /metrics", "GET /metrics");
	is(m("GET", "/"), "GET /", "GET /");
	is(m("GET", "/login"), "GET /login", "GET /login");

	struct req rq;
	const struct route *r = NULL;
	req_init(&rq);
	rq.method = "GET";
	rq.path = strdup("/health");
	is_int(router_match(&rq, &r, allow, sizeof allow), 0, "router_match returns 0 on a match");
	ok(r != NULL && r->handler == health_live, "/health is handled by health_live");
	ok(r != NULL && r->fields == NULL, "/health declares no input fields");
	is_int(json_object_size(rq.path_args), 0, "/health has no path arguments");
	req_free(&rq);
	req_init(&rq);
	rq.method = "GET";
	rq.path = strdup("/login");
	router_match(&rq, &r, allow, sizeof allow);
	ok(r != NULL && r->fields == login_page_fields, "/login declares login_page_fields");
	is(perm_name(r->perm), "public", "/login is public");
	req_free(&rq);

	is(m("GET", "/nope"), "not_found", "GET /nope is not_found");
	is(allow, "", "not_found has an empty Allow list");
	is_int(ERR_not_found, err_find("not_found"), "and router_match returns ERR_not_found");
	is(m("GET", "/health/"), "not_found", "a trailing slash is another path");
	is(m("GET", "/Health"), "not_found", "paths are case-sensitive");
	is(m("GET", "/healthz"), "not_found", "a longer path does not match a prefix route");
	is(m("GET", "/health/ready/x"), "not_found", "an extra segment does not match");
	is(m("GET", "/api/v1/nope"), "not_found", "an unknown API path is not_found");

	is(m("POST", "/health"), "method_not_allowed", "POST /health is method_not_allowed");
	is(allow, "GET", "Allow lists GET");
	is(m("DELETE", "/login"), "method_not_allowed", "DELETE /login is method_not_allowed");
	like(allow, "GET", "Allow lists GET for /login");
	is(m("get", "/health"), "method_not_allowed", "methods are case-sensitive");

	is(m("HEAD", "/health"), "GET /health", "HEAD matches a GET route");
	is(m("HEAD", "/login"), "GET /login", "HEAD /login matches GET /login");
	is(m("HEAD", "/nope"), "not_found", "HEAD of an unknown path is not_found");

	is(perm_name(PERM_public), "public", "perm_name");
	is(perm_description(PERM_public), "Anyone, without signing in.", "perm_description");
	is(perm_name(PERM__COUNT), "?", "an out-of-range permission has no name");

	return done_testing();
}
