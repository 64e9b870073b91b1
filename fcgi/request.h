/* One HTTP request as voxline-web sees it, and its response.
 * The request is filled from FastCGI parameters (or directly by unit
 * tests and fuzzers) and parsed before the handler runs; the handler
 * reads only validated input (rq->in) and path values (rq->path_args). */
#ifndef VOXLINE_REQUEST_H
#define VOXLINE_REQUEST_H
#include "buf.h"
#include "errors.h"
#include <jansson.h>
#include <stddef.h>

struct route;
struct db;
struct tpl_set;
struct auth;

#define REQ_MAX_FIELDS 256        /* form / query / cookie pairs */
#define RESP_MAX_BODY (64u << 20) /* buffered response ceiling */

struct req {
	/* From the server. */
	const char *method;
	char *path;                 /* decoded path, no query */
	const char *query_string;
	const char *content_type;
	const char *cookie_header;
	const char *accept;
	const char *remote_addr;
	const char *user_agent;
	const char *scheme;         /* "https" when nginx terminated TLS */
	const char *if_none_match;  /* conditional GET (ETag polling) */
	const char *request_uri;    /* request target as received (path + raw query) */
	char *const *env;           /* every FastCGI parameter, NAME=value, NULL-terminated */
	const char *authorization;  /* Authorization header (API keys) */
	const char *csrf_header;    /* X-CSRF-Token header (fetch requests) */
	char correlation_id[80];
	const char *body;           /* raw body (NUL-terminated), may be NULL */
	size_t body_len;

	/* Parsed. */
	json_t *query;              /* object of strings */
	json_t *form;               /* object: form or JSON body */
	json_t *cookies;            /* object of strings */
	json_t *path_args;          /* object of strings from {name} segments */
	json_t *in;                 /* validated input (query for GET, body otherwise) */
	const struct route *route;

	/* Context. */
	struct db *db;
	const struct tpl_set *tpl;
	struct auth *auth;          /* filled by the access layer (auth.h) */
};

struct resp {
	int status;
	const char *content_type;
	struct buf headers;         /* "Name: value\r\n" lines */
	struct buf body;
	int stream;                 /* 1 for a streamed body (resp_stream_start) */
	int head_sent;              /* the sink has written the status and headers */
	/* Where a streamed body goes: set by the server (FastCGI); when NULL
	 * (unit tests) the stream collects into body. */
	int (*sink)(struct resp *rs, const void *p, size_t n);
	void *fcgi_out;             /* the sink's FCGX_Request */
	enum err_code error;        /* set when the response is an error */
	char error_id[ERR_ID_LEN];
};

void req_init(struct req *rq);
void req_free(struct req *rq);
void resp_init(struct resp *rs);
void resp_free(struct resp *rs);

/* Parsers, all bounded and strict; -1 on malformed input. */
int req_parse_urlencoded(const char *s, size_t len, json_t *into);
int req_parse_cookies(const char *header, json_t *into);
/* Percent-decodes a path; rejects NUL, "//", "." and ".." segments. */
char *req_decode_path(const char *raw);
/* Parses query, cookies and the body per its content type.  On failure
 * sets *err (ERR_malformed_body, ERR_unsupported_media_type, ERR_bad_request). */
int req_parse(struct req *rq, enum err_code *err);
const char *req_cookie(const struct req *rq, const char *name);
/* A FastCGI parameter such as "HTTP_X_TWILIO_SIGNATURE"; NULL when absent. */
const char *req_param(const struct req *rq, const char *name);
/* Wants JSON back rather than an HTML page (API, health, webhooks, Accept). */
int req_wants_json(const struct req *rq);

void resp_header(struct resp *rs, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* JSON body (steals a reference to v). */
void resp_json(struct resp *rs, int status, json_t *v);
/* HTML page from templates/pages/<page>.html; ctx borrowed. */
void resp_page(struct req *rq, struct resp *rs, int status, const char *page, json_t *ctx);
void resp_redirect(struct resp *rs, const char *location);
void resp_text(struct resp *rs, int status, const char *content_type, const char *text, size_t n);
/* Streamed body, for large downloads: no Content-Length, sent as it is
 * written, never buffered whole.  Set every header before the first write;
 * after it the status can no longer change.  Writes return -1 once the
 * client has gone. */
void resp_stream_start(struct resp *rs, int status, const char *content_type);
int resp_stream_write(struct resp *rs, const void *p, size_t n);
/* The standard error: JSON {"error":{code,message,id,correlation_id[,fields]}}
 * or the HTML error page.  fields (stolen, may be NULL): field -> message.
 * Records occurrences of severe errors in system_errors. */
void resp_error(struct req *rq, struct resp *rs, enum err_code code, json_t *fields);
/* As resp_error with a detail for the log and system_errors (not the client). */
void resp_fail(struct req *rq, struct resp *rs, enum err_code code, const char *detail);

#endif
