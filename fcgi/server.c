#include "server.h"
#include "cfg.h"
#include "dispatch.h"
#include "log.h"
#include "xalloc.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const reason_phrases[][2] = {
	{ "200", "OK" }, { "201", "Created" }, { "202", "Accepted" }, { "204", "No Content" },
	{ "206", "Partial Content" }, { "301", "Moved Permanently" }, { "302", "Found" },
	{ "303", "See Other" }, { "304", "Not Modified" }, { "400", "Bad Request" },
	{ "401", "Unauthorized" }, { "403", "Forbidden" }, { "404", "Not Found" },
	{ "405", "Method Not Allowed" }, { "409", "Conflict" }, { "413", "Payload Too Large" },
	{ "415", "Unsupported Media Type" }, { "429", "Too Many Requests" },
	{ "500", "Internal Server Error" }, { "503", "Service Unavailable" },
};

static const char *
reason(int status)
{
	char s[8];
	snprintf(s, sizeof s, "%d", status);
	for (size_t i = 0; i < sizeof reason_phrases / sizeof reason_phrases[0]; i++)
		if (strcmp(reason_phrases[i][0], s) == 0)
			return reason_phrases[i][1];
	return "Status";
}

/* Strict CONTENT_LENGTH: digits only, no sign, no overflow. */
static int
content_length(const char *s, size_t *out)
{
	*out = 0;
	if (s == NULL || *s == '\0')
		return 0;
	if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 12)
		return -1;
	*out = (size_t)strtoull(s, NULL, 10);
	return 0;
}

/* Reads exactly len bytes; -1 on a truncated body. */
static char *
read_body(FCGX_Request *fr, size_t len)
{
	char *body = xmalloc(len + 1);
	size_t got = 0;
	while (got < len) {
		int n = FCGX_GetStr(body + got, (int)(len - got), fr->in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	body[got] = '\0';
	if (got != len) {
		free(body);
		return NULL;
	}
	return body;
}

/* Headers are formatted here, not with FCGX_FPrintF: libfcgi's own
 * printf does not know every C99 conversion (%zu among them).  A streamed
 * body has no Content-Length (nginx sends it chunked). */
static void
write_head(FCGX_Request *fr, struct resp *rs, int head)
{
	struct buf h;
	buf_init(&h, 128 * 1024);
	buf_printf(&h, "Status: %d %s\r\n", rs->status, reason(rs->status));
	if (rs->content_type)
		buf_printf(&h, "Content-Type: %s\r\n", rs->content_type);
	buf_append(&h, rs->headers.data, rs->headers.len);
	if (!rs->stream)
		buf_printf(&h, "Content-Length: %zu\r\n", head ? 0 : rs->body.len);
	buf_puts(&h, "\r\n");
	FCGX_PutStr(h.data, (int)h.len, fr->out);
	buf_free(&h);
	rs->head_sent = 1;
}

static int
stream_sink(struct resp *rs, const void *p, size_t n)
{
	FCGX_Request *fr = rs->fcgi_out;
	if (!rs->head_sent)
		write_head(fr, rs, 0);
	if (n && FCGX_PutStr(p, (int)n, fr->out) < 0)
		return -1;
	return FCGX_GetError(fr->out) == 0 ? 0 : -1;
}

static void
write_response(FCGX_Request *fr, struct req *rq, struct resp *rs)
{
	int head = strcmp(rq->method, "HEAD") == 0;
	if (rs->stream) {
		if (!rs->head_sent)
			write_head(fr, rs, head);
		return;
	}
	write_head(fr, rs, head);
	if (rs->body.len && !head)
		FCGX_PutStr(rs->body.data, (int)rs->body.len, fr->out);
	if (FCGX_GetError(fr->out) != 0)
		log_info("client_gone", "{s:i}", "errno", FCGX_GetError(fr->out));
}

static const char *
param(FCGX_Request *fr, const char *name)
{
	return FCGX_GetParam(name, fr->envp);
}

void
server_handle(FCGX_Request *fr, struct db *db, const struct tpl_set *tpl)
{
	struct req rq;
	struct resp rs;
	req_init(&rq);
	resp_init(&rs);
	rq.db = db;
	rq.tpl = tpl;
	rs.sink = stream_sink;
	rs.fcgi_out = fr;
	rq.method = param(fr, "REQUEST_METHOD") ? param(fr, "REQUEST_METHOD") : "GET";
	rq.query_string = param(fr, "QUERY_STRING");
	rq.content_type = param(fr, "CONTENT_TYPE");
	rq.cookie_header = param(fr, "HTTP_COOKIE");
	rq.accept = param(fr, "HTTP_ACCEPT");
	rq.remote_addr = param(fr, "REMOTE_ADDR");
	rq.user_agent = param(fr, "HTTP_USER_AGENT");
	rq.scheme = param(fr, "REQUEST_SCHEME");
	rq.if_none_match = param(fr, "HTTP_IF_NONE_MATCH");
	rq.request_uri = param(fr, "REQUEST_URI");
	rq.env = fr->envp;
	rq.authorization = param(fr, "HTTP_AUTHORIZATION");
	rq.csrf_header = param(fr, "HTTP_X_CSRF_TOKEN");
	dispatch_correlation_id(&rq, param(fr, "REQUEST_ID"));

	/* The path without its query string; nginx passes it still encoded. */
	const char *uri = param(fr, "REQUEST_URI");
	char *raw_path = xstrdup(uri ? uri : "/");
	char *q = strchr(raw_path, '?');
	if (q)
		*q = '\0';

	size_t len;
	char *body = NULL;
	log_set_correlation_id(rq.correlation_id);
	enum err_code early = 0;
	if (content_length(param(fr, "CONTENT_LENGTH"), &len) < 0)
		early = ERR_bad_request;
	else if (len > (size_t)cfg_int(CFG_web_max_body))
		early = ERR_payload_too_large;     /* refused before reading a byte */
	else if (len > 0 && (body = read_body(fr, len)) == NULL)
		early = ERR_malformed_body;        /* truncated */
	if (early) {
		rq.path = xstrdup(raw_path);
		resp_error(&rq, &rs, early, NULL);
		resp_header(&rs, "X-Correlation-ID", "%s", rq.correlation_id);
	} else {
		rq.body = body;
		rq.body_len = len;
		dispatch(&rq, &rs, raw_path);
	}
	write_response(fr, &rq, &rs);
	log_set_correlation_id(NULL);
	free(body);
	free(raw_path);
	req_free(&rq);
	resp_free(&rs);
}
