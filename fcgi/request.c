#include "request.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "tpl.h"
#include "xalloc.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
req_init(struct req *rq)
{
	memset(rq, 0, sizeof *rq);
	rq->method = "GET";
	rq->query = json_object();
	rq->form = json_object();
	rq->cookies = json_object();
	rq->path_args = json_object();
}

void
req_free(struct req *rq)
{
	free(rq->path);
	json_decref(rq->query);
	json_decref(rq->form);
	json_decref(rq->cookies);
	json_decref(rq->path_args);
	json_decref(rq->in);
	rq->path = NULL;
	rq->query = rq->form = rq->cookies = rq->path_args = rq->in = NULL;
}

void
resp_init(struct resp *rs)
{
	memset(rs, 0, sizeof *rs);
	rs->status = 200;
	buf_init(&rs->headers, 64 * 1024);
	buf_init(&rs->body, RESP_MAX_BODY);
}

void
resp_free(struct resp *rs)
{
	buf_free(&rs->headers);
	buf_free(&rs->body);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes %XX (and '+' as space when plus is set) into a new string.
 * NUL bytes and invalid escapes or UTF-8 are rejected. */
static char *
percent_decode(const char *s, size_t len, int plus)
{
	char *out = xmalloc(len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= len) {
				free(out);
				return NULL;
			}
			int h = hexval((unsigned char)s[i + 1]), l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0) {
				free(out);
				return NULL;
			}
			c = h * 16 + l;
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		if (c == 0) {
			free(out);
			return NULL;
		}
		out[n++] = (char)c;
	}
	out[n] = '\0';
	/* Strings reach JSON and templates: they must be valid UTF-8. */
	json_t *check = json_stringn(out, n);
	if (check == NULL) {
		free(out);
		return NULL;
	}
	json_decref(check);
	return out;
}

int
req_parse_urlencoded(const char *s, size_t len, json_t *into)
{
	size_t i = 0;
	int fields = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && s[end] != '&')
			end++;
		if (end > i) {
			if (++fields > REQ_MAX_FIELDS)
				return -1;
			const char *eq = memchr(s + i, '=', end - i);
			size_t klen = eq ? (size_t)(eq - (s + i)) : end - i;
			char *k = percent_decode(s + i, klen, 1);
			char *v = eq ? percent_decode(eq + 1, (size_t)(s + end - eq - 1), 1) : xstrdup("");
			if (k == NULL || v == NULL || *k == '\0') {
				free(k);
				free(v);
				return -1;
			}
			/* A repeated name becomes an array (multi-select, bulk ids). */
			json_t *old = json_object_get(into, k);
			if (old == NULL)
				json_object_set_new(into, k, json_string(v));
			else if (json_is_array(old))
				json_array_append_new(old, json_string(v));
			else
				json_object_set_new(into, k, json_pack("[Os]", old, v));
			free(k);
			free(v);
		}
		i = end + 1;
	}
	return 0;
}

int
req_parse_cookies(const char *header, json_t *into)
{
	int fields = 0;
	const char *p = header;
	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (eq && eq > p) {
			if (++fields > REQ_MAX_FIELDS)
				return -1;
			char *k = xstrndup(p, (size_t)(eq - p));
			size_t vlen = len - (size_t)(eq - p) - 1;
			const char *v = eq + 1;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"')
				v++, vlen -= 2;
			json_t *val = json_stringn(v, vlen);
			/* First occurrence wins (most specific path, RFC 6265 5.4). */
			if (val && json_object_get(into, k) == NULL)
				json_object_set_new(into, k, val);
			else
				json_decref(val);
			free(k);
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

char *
req_decode_path(const char *raw)
{
	if (raw == NULL || raw[0] != '/')
		return NULL;
	char *p = percent_decode(raw, strlen(raw), 0);
	if (p == NULL)
		return NULL;
	/* Refuse dot segments and empty segments rather than normalising. */
	for (const char *s = p; *s; ) {
		const char *seg = s + 1, *next = strchr(seg, '/');
		size_t n = next ? (size_t)(next - seg) : strlen(seg);
		if ((n == 0 && next) || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.')) {
			free(p);
			return NULL;
		}
		if (!next)
			break;
		s = next;
	}
	return p;
}

static int
content_type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);
	return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int
req_parse(struct req *rq, enum err_code *err)
{
	*err = ERR_bad_request;
	if (rq->query_string && req_parse_urlencoded(rq->query_string,
	    strlen(rq->query_string), rq->query) < 0)
		return -1;
	if (rq->cookie_header && req_parse_cookies(rq->cookie_header, rq->cookies) < 0)
		return -1;
	if (rq->body_len == 0)
		return 0;
	*err = ERR_malformed_body;
	if (content_type_is(rq->content_type, "application/x-www-form-urlencoded"))
		return req_parse_urlencoded(rq->body, rq->body_len, rq->form);
	if (content_type_is(rq->content_type, "application/json")) {
		json_error_t jerr;
		json_t *v = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr);
		if (v == NULL || !json_is_object(v)) {
			json_decref(v);
			return -1;
		}
		json_decref(rq->form);
		rq->form = v;
		return 0;
	}
	*err = ERR_unsupported_media_type;
	return -1;
}

const char *
req_cookie(const struct req *rq, const char *name)
{
	return json_string_value(json_object_get(rq->cookies, name));
}

const char *
req_param(const struct req *rq, const char *name)
{
	size_t n = strlen(name);
	for (char *const *e = rq->env; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

int
req_wants_json(const struct req *rq)
{
	const char *p = rq->path ? rq->path : "";
	if (strncmp(p, "/api/", 5) == 0 || strncmp(p, "/health", 7) == 0 ||
	    strncmp(p, "/webhooks/", 10) == 0 || strcmp(p, "/metrics") == 0)
		return 1;
	return rq->accept && strstr(rq->accept, "application/json") &&
	    !strstr(rq->accept, "text/html");
}

void
resp_header(struct resp *rs, const char *name, const char *fmt, ...)
{
	char value[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(value, sizeof value, fmt, ap);
	va_end(ap);
	/* Header injection is impossible by construction: no CR/LF passes. */
	for (char *c = value; *c; c++)
		if (*c == '\r' || *c == '\n')
			*c = ' ';
	buf_printf(&rs->headers, "%s: %s\r\n", name, value);
}

void
resp_json(struct resp *rs, int status, json_t *v)
{
	rs->status = status;
	rs->content_type = "application/json";
	buf_reset(&rs->body);
	char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	json_decref(v);
	if (text == NULL || buf_puts(&rs->body, text) < 0 || buf_putc(&rs->body, '\n') < 0) {
		buf_reset(&rs->body);
		rs->status = 500;
		buf_puts(&rs->body, "{\"error\":{\"code\":\"internal\"}}\n");
	}
	free(text);
}

void
resp_page(struct req *rq, struct resp *rs, int status, const char *page, json_t *ctx)
{
	json_object_set_new(ctx, "version", json_string(VOXLINE_VERSION));
	if (json_object_get(ctx, "correlation_id") == NULL)
		json_object_set_new(ctx, "correlation_id", json_string(rq->correlation_id));
	buf_reset(&rs->body);
	if (rq->tpl == NULL || tpl_render(rq->tpl, page, ctx, &rs->body) < 0) {
		log_error("template_render_failed", "{s:s}", "page", page);
		buf_reset(&rs->body);
		rs->status = 500;
		rs->content_type = "text/plain; charset=utf-8";
		buf_puts(&rs->body, "Internal error\n");
		return;
	}
	rs->status = status;
	rs->content_type = "text/html; charset=utf-8";
}

void
resp_redirect(struct resp *rs, const char *location)
{
	rs->status = 303;
	resp_header(rs, "Location", "%s", location);
	buf_reset(&rs->body);
}

void
resp_text(struct resp *rs, int status, const char *content_type, const char *text, size_t n)
{
	rs->status = status;
	rs->content_type = content_type;
	buf_reset(&rs->body);
	if (buf_append(&rs->body, text, n) < 0)
		rs->status = 500;
}

void
resp_stream_start(struct resp *rs, int status, const char *content_type)
{
	rs->status = status;
	rs->content_type = content_type;
	rs->stream = 1;
	buf_reset(&rs->body);
}

int
resp_stream_write(struct resp *rs, const void *p, size_t n)
{
	if (rs->sink)
		return rs->sink(rs, p, n);
	return buf_append(&rs->body, p, n);
}

static void
error_response(struct req *rq, struct resp *rs, enum err_code code, json_t *fields,
    const char *detail)
{
	const struct err_def *e = err_get(code);
	rs->error = code;
	err_new_id(rs->error_id);
	if (err_is_recorded(code) && rq->db)
		err_record(rq->db, code, rs->error_id, rq->correlation_id, NULL, NULL, detail);
	log_event(err_is_recorded(code) ? LOG_ERROR : LOG_INFO, "request_error",
	    "{s:s,s:s,s:i,s:s?}", "code", e->code, "error_id", rs->error_id,
	    "status", e->status, "detail", detail);
	if (req_wants_json(rq)) {
		json_t *err = json_pack("{s:s,s:s,s:s,s:s}", "code", e->code, "message",
		    e->message, "id", rs->error_id, "correlation_id", rq->correlation_id);
		if (fields)
			json_object_set_new(err, "fields", fields);
		resp_json(rs, e->status, json_pack("{s:o}", "error", err));
		return;
	}
	json_t *ctx = json_pack("{s:i,s:s,s:s,s:s,s:s}", "status", e->status,
	    "title", e->message, "heading", e->message, "message",
	    e->status == 404 ? "The page you asked for does not exist or you cannot see it." :
	    e->status >= 500 ? "Please try again in a moment. If it keeps happening, quote the reference below." :
	    "Please check what you sent and try again.",
	    "error_id", rs->error_id);
	if (fields)
		json_object_set_new(ctx, "fields", fields);
	resp_page(rq, rs, e->status, "error", ctx);
	json_decref(ctx);
}

void
resp_error(struct req *rq, struct resp *rs, enum err_code code, json_t *fields)
{
	error_response(rq, rs, code, fields, NULL);
}

void
resp_fail(struct req *rq, struct resp *rs, enum err_code code, const char *detail)
{
	error_response(rq, rs, code, NULL, detail);
}
