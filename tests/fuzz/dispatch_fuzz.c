/* libFuzzer: a whole request through dispatch(), with no database and no
 * templates.  Input:
 *
 *   METHOD PATH?QUERY\n
 *   C BODY...
 *
 * The first line is the request line (PATH still percent-encoded).  The
 * first byte C of the rest picks the content type of BODY: 'f' form,
 * 'j' JSON, 'c' JSON with charset, 't' text/plain, 'n' none; the same
 * letters in upper case also send "Accept: application/json".  Other
 * bytes pick by value.
 *
 * Checks: a status in 100..599, an X-Correlation-ID header with the id,
 * header lines all "Name: value\r\n" with no bare CR or LF, JSON bodies
 * parse, and JSON errors carry a catalog code whose status is the
 * response's status and the request's correlation id. */
#include "fcgi/dispatch.h"
#include "fcgi/request.h"
#include "fcgi/web.h"
#include "log.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


static const char *const content_types[] = {
	"application/x-www-form-urlencoded",
	"application/json",
	"application/json; charset=utf-8",
	"text/plain",
	NULL,
	"application/x-www-form-urlencoded; charset=UTF-8",
	"multipart/form-data; boundary=x",
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_set_level("error");
	dispatch_metrics_init();
	return 0;
}

static void
check_headers(const struct buf *h, const char *id)
{
	const char *p = h->data ? h->data : "";
	char want[128];
	snprintf(want, sizeof want, "X-Correlation-ID: %s\r\n", id);
	if (strstr(p, want) == NULL)
		abort();
	while (*p) {
		const char *crlf = strstr(p, "\r\n"), *colon = strchr(p, ':');
		if (crlf == NULL || colon == NULL || colon > crlf || colon == p || colon[1] != ' ')
			abort();
		for (const char *c = p; c < crlf; c++)
			if (*c == '\r' || *c == '\n')
				abort();
		p = crlf + 2;
	}
}

static void
check_json_body(const struct req *rq, const struct resp *rs)
{
	json_error_t je;
	json_t *v = json_loadb(rs->body.data ? rs->body.data : "", rs->body.len, 0, &je);
	if (v == NULL)
		abort();
	json_t *err = json_object_get(v, "error");
	if (rs->status >= 400) {
		const char *code = json_string_value(json_object_get(err, "code"));
		int c = code ? err_find(code) : -1;
		if (c < 0 || err_get((enum err_code)c)->status != rs->status)
			abort();
		const char *cid = json_string_value(json_object_get(err, "correlation_id"));
		if (cid == NULL || strcmp(cid, rq->correlation_id) != 0)
			abort();
		const char *id = json_string_value(json_object_get(err, "id"));
		if (id == NULL || strcmp(id, rs->error_id) != 0)
			abort();
	}
	json_decref(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t linelen = nl ? (size_t)(nl - data) : size;
	char *line = malloc(linelen + 1);
	memcpy(line, data, linelen);
	line[linelen] = '\0';

	const char *method = line, *path = "/", *query = NULL;
	char *sp = strchr(line, ' ');
	if (sp) {
		*sp = '\0';
		path = sp + 1;
		char *q = strchr(sp + 1, '?');
		if (q) {
			*q = '\0';
			query = q + 1;
		}
	}

	const char *ctype = NULL, *accept = NULL;
	char *body = NULL;
	size_t body_len = 0;
	if (nl && (size_t)(nl - data) + 1 < size) {
		const uint8_t *rest = nl + 1;
		size_t restlen = size - (size_t)(rest - data);
		int c = rest[0], lower = c | 0x20;
		int pick = lower == 'f' ? 0 : lower == 'j' ? 1 : lower == 'c' ? 2 :
		    lower == 't' ? 3 : lower == 'n' ? 4 : c % 7;
		ctype = content_types[pick];
		if ((c >= 'A' && c <= 'Z') || c >= 0x80)
			accept = "application/json";
		body_len = restlen - 1;
		body = malloc(body_len + 1);
		memcpy(body, rest + 1, body_len);
		body[body_len] = '\0';
	}

	/* /health/ready queries the database on every call: with db NULL it
	 * would only find that a NULL handle crashes, which cannot happen in
	 * voxline-web (every request thread owns a handle). */
	char *decoded = req_decode_path(path);
	int skip = decoded && strcmp(decoded, "/health/ready") == 0 &&
	    (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
	free(decoded);

	if (!skip) {
		struct req rq;
		struct resp rs;
		req_init(&rq);
		resp_init(&rs);
		rq.method = method;
		rq.query_string = query;
		rq.content_type = ctype;
		rq.accept = accept;
		rq.body = body;
		rq.body_len = body_len;
		rq.db = NULL;
		rq.tpl = NULL;
		dispatch_correlation_id(&rq, (size & 1) ? "fuzz-request-0001" : NULL);
		dispatch(&rq, &rs, path);

		if (rs.status < 100 || rs.status > 599)
			abort();
		check_headers(&rs.headers, rq.correlation_id);
		if (rs.content_type && strcmp(rs.content_type, "application/json") == 0)
			check_json_body(&rq, &rs);
		if (rs.body.len != (rs.body.data ? strlen(rs.body.data) : 0) &&
		    rs.content_type && strncmp(rs.content_type, "text/plain", 10) != 0)
			abort();    /* JSON and HTML bodies never hold NUL bytes */
		req_free(&rq);
		resp_free(&rs);
	}
	free(body);
	free(line);
	return 0;
}
