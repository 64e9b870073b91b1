/* dispatch(): from a filled request to the response a client receives:
 * status, content type, headers and the exact JSON body, including the
 * one error shape and the correlation id. */
#include "tap.h"
#include "fcgi/dispatch.h"
#include "fcgi/router.h"
#include "fcgi/web.h"
#include "log.h"

#include <time.h>



static struct req rq;
static struct resp rs;
static json_t *body;
static char text[8192];

/* Runs one request through dispatch(); the body parsed as JSON in body. */
static void
run(const char *method, const char *raw_path, const char *query, const char *accept,
    const char *content_type, const char *req_body)
{
	json_decref(body);
	body = NULL;
	req_init(&rq);
	resp_init(&rs);
	rq.method = method;
	rq.query_string = query;
	rq.accept = accept;
	rq.content_type = content_type;
	rq.body = req_body;
	rq.body_len = req_body ? strlen(req_body) : 0;
	rq.tpl = NULL;
	rq.db = NULL;
	dispatch_correlation_id(&rq, "test-correlation-0001");
	dispatch(&rq, &rs, raw_path);
	snprintf(text, sizeof text, "%s", rs.body.data ? rs.body.data : "");
	body = json_loads(text, 0, NULL);
}

static void
done(void)
{
	req_free(&rq);
	resp_free(&rs);
}

static const char *
headers(void)
{
	return rs.headers.data ? rs.headers.data : "";
}

static const char *
str_at(const char *path1, const char *path2)
{
	json_t *v = json_object_get(body, path1);
	if (path2)
		v = json_object_get(v, path2);
	return json_string_value(v);
}

static int
is_hex32(const char *s)
{
	return strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

int
main(void)
{
	char expect[1024];
	log_set_level("error");
	web.started = time(NULL) - 5;

	/* GET /health. */
	run("GET", "/health", NULL, NULL, NULL, NULL);
	is_int(rs.status, 200, "GET /health is 200");
	is(rs.content_type, "application/json", "GET /health is JSON");
	ok(body != NULL, "the body is valid JSON");
	is(str_at("status", NULL), "alive", "status is alive");
	is(str_at("version", NULL), "0.1.0", "version is the build's version");
	json_int_t up = json_integer_value(json_object_get(body, "uptime_seconds"));
	ok(up >= 5 && up <= 7, "uptime_seconds counts from web.started");
	ok(rs.body.len > 0 && rs.body.data[rs.body.len - 1] == '\n', "the JSON body ends with a newline");
	like(headers(), "X-Correlation-ID: test-correlation-0001\r\n", "X-Correlation-ID header carries the id");
	like(headers(), "Cache-Control: no-store\r\n", "no-store header");
	ok(rq.route != NULL && strcmp(rq.route->pattern, "/health") == 0, "the request records its route");
	is_int(rs.error, ERR_none, "no error recorded on success");
	done();

	run("HEAD", "/health", NULL, NULL, NULL, NULL);
	is_int(rs.status, 200, "HEAD /health is 200");
	done();

	/* Unknown API path: the standard error shape. */
	run("GET", "/api/v1/nope", NULL, NULL, NULL, NULL);
	is_int(rs.status, 404, "GET /api/v1/nope is 404");
	is(rs.content_type, "application/json", "API errors are JSON without asking");
	snprintf(expect, sizeof expect, "{\"error\":{\"code\":\"not_found\",\"message\":"
	    "\"The requested resource does not exist.\",\"id\":\"%s\",\"correlation_id\":"
	    "\"test-correlation-0001\"}}\n", rs.error_id);
	is(text, expect, "404 body is {\"error\":{code,message,id,correlation_id}} exactly");
	ok(strncmp(rs.error_id, "ERR_", 4) == 0 && strlen(rs.error_id) == 19, "the error id is ERR_YYYYMMDD_XXXXXX");
	is_int(rs.error, ERR_not_found, "the response records not_found");
	like(headers(), "X-Correlation-ID: test-correlation-0001\r\n", "error responses carry X-Correlation-ID too");
	done();

	/* Unknown query field. */
	run("GET", "/login", "evil=1", "application/json", NULL, NULL);
	is_int(rs.status, 400, "an unknown query field on /login is 400");
	is(str_at("error", "code"), "validation_failed", "code validation_failed");
	is(str_at("error", "message"), "Some fields are missing or invalid.", "validation message");
	char *fields = json_dumps(json_object_get(json_object_get(body, "error"), "fields"), JSON_COMPACT);
	is(fields, "{\"evil\":\"Unknown field.\"}", "fields names the unknown field");
	free(fields);
	is(str_at("error", "correlation_id"), "test-correlation-0001", "correlation_id in the error");
	done();

	run("GET", "/login", "next=", "application/json", NULL, NULL);
	ok(rs.status != 400, "a blank optional field passes validation (the page itself needs templates)");
	done();

	run("GET", "/health", "verbose=1", NULL, NULL, NULL);
	is_int(rs.status, 400, "/health takes no query fields");
	like(text, "\"fields\":{\"verbose\":\"Unknown field.\"}", "the field is named");
	done();

	run("GET", "/health", "a=%zz", NULL, NULL, NULL);
	is_int(rs.status, 400, "a malformed query string is 400");
	is(str_at("error", "code"), "bad_request", "code bad_request");
	done();

	run("GET", "/health", NULL, NULL, "text/plain", "hello");
	is_int(rs.status, 415, "a text/plain body is 415");
	is(str_at("error", "code"), "unsupported_media_type", "code unsupported_media_type");
	done();

	run("GET", "/health", NULL, NULL, "application/json", "[1]");
	is_int(rs.status, 400, "a JSON array body is 400");
	is(str_at("error", "code"), "malformed_body", "code malformed_body");
	done();

	/* Method not allowed. */
	run("POST", "/health", NULL, NULL, NULL, NULL);
	is_int(rs.status, 405, "POST /health is 405");
	is(str_at("error", "code"), "method_not_allowed", "code method_not_allowed");
	like(headers(), "Allow: GET\r\n", "405 carries Allow: GET");
	done();

	/* Paths that cannot be decoded are 404, not 400 or 500 (JSON asked:
	 * the HTML error page needs templates). */
	run("GET", "/health/../metrics", NULL, "application/json", NULL, NULL);
	is_int(rs.status, 404, "a .. path is 404");
	done();
	run("GET", "/%2e%2e/health", NULL, "application/json", NULL, NULL);
	is_int(rs.status, 404, "an encoded .. path is 404");
	is(str_at("error", "code"), "not_found", "with the not_found error");
	done();
	run("GET", "/heal%74h", NULL, NULL, NULL, NULL);
	is_int(rs.status, 200, "a percent-encoded path is decoded before routing");
	done();

	/* Home redirects. */
	run("GET", "/", NULL, NULL, NULL, NULL);
	is_int(rs.status, 303, "GET / is 303");
	like(headers(), "Location: /login\r\n", "GET / redirects to /login");
	done();

	/* Response headers cannot be split by values. */
	struct resp hr;
	resp_init(&hr);
	resp_redirect(&hr, "/next\r\nSet-Cookie: sid=evil");
	is(hr.headers.data, "Location: /next  Set-Cookie: sid=evil\r\n",
	    "CR and LF in a header value cannot start a new header");
	is_int(hr.status, 303, "resp_redirect is 303");
	resp_free(&hr);

	/* Correlation ids. */
	struct req r;
	req_init(&r);
	dispatch_correlation_id(&r, "req-1234_ABCD");
	is(r.correlation_id, "req-1234_ABCD", "a well-formed proxy id is kept");
	dispatch_correlation_id(&r, "0123456789abcdef0123456789abcdef");
	is(r.correlation_id, "0123456789abcdef0123456789abcdef", "nginx's 32-hex request id is kept");
	dispatch_correlation_id(&r, "bad id\n");
	ok(is_hex32(r.correlation_id), "an id with a space and newline is replaced by 32 hex characters");
	char first[80];
	snprintf(first, sizeof first, "%s", r.correlation_id);
	dispatch_correlation_id(&r, "short");
	ok(is_hex32(r.correlation_id), "a too-short id is replaced by 32 hex characters");
	ok(strcmp(first, r.correlation_id) != 0, "fresh ids differ");
	dispatch_correlation_id(&r, NULL);
	ok(is_hex32(r.correlation_id), "no proxy id: 32 hex characters");
	dispatch_correlation_id(&r, "");
	ok(is_hex32(r.correlation_id), "an empty proxy id: 32 hex characters");
	dispatch_correlation_id(&r, "abc\"><script>");
	ok(is_hex32(r.correlation_id), "an id with markup is replaced");
	char longid[100];
	memset(longid, 'a', 79);
	longid[79] = '\0';
	dispatch_correlation_id(&r, longid);
	is(r.correlation_id, longid, "a 79-character id is kept");
	memset(longid, 'b', 80);
	longid[80] = '\0';
	dispatch_correlation_id(&r, longid);
	ok(is_hex32(r.correlation_id), "an 80-character id is replaced");
	req_free(&r);

	json_decref(body);
	return done_testing();
}
