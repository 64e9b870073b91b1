/* Provider HTTP on a thread-local libcurl multi handle: the engine
 * thread polls in short steps so a cancel, a slow first byte or a stall
 * ends the request within one step; connections are reused per thread. */
#include "http_stream.h"
#include "../media.h"
#include "buf.h"
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define POLL_STEP_MS 20
#define ERROR_BODY_MAX 2048

static __thread CURL *tl_easy;
static __thread CURLM *tl_multi;

struct run {
	struct http_stream *h;
	struct engine_ctx *ctx;
	double started, last_byte;
	long status;
	int stopped;
	struct buf err;
};

struct curl_slist *
http_header(struct curl_slist *l, const char *name, const char *value)
{
	char line[1400];
	snprintf(line, sizeof line, "%s: %s", name, value);
	return curl_slist_append(l, line);
}

static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct run *r = arg;
	size_t n = size * nmemb;
	double now = media_now_ms();
	if (r->ctx->ttfb_ms < 0)
		r->ctx->ttfb_ms = now - r->started;
	r->last_byte = now;
	if (r->status == 0)
		curl_easy_getinfo(tl_easy, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->status < 200 || r->status > 299) {
		if (r->err.len + n <= ERROR_BODY_MAX)
			buf_append(&r->err, p, n);
		return n;
	}
	if (r->h->on_data(p, n, r->h->arg) < 0) {
		r->stopped = 1;
		return 0;
	}
	return n;
}

static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct run *r = arg;
	size_t n = size * nmemb, k = strlen(r->h->header_name);
	if (k && n > k + 1 && strncasecmp(p, r->h->header_name, k) == 0 && p[k] == ':') {
		const char *v = p + k + 1;
		size_t vl = n - k - 1;
		while (vl && (*v == ' ' || *v == '\t')) { v++; vl--; }
		while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n')) vl--;
		snprintf(r->h->header_value, sizeof r->h->header_value, "%.*s", (int)vl, v);
	}
	return n;
}

/* The provider's error message from its JSON body, or the body itself. */
static void
describe_error(struct run *r)
{
	char *body = r->err.data ? r->err.data : "";
	snprintf(r->ctx->error, sizeof r->ctx->error, "HTTP %ld: %.200s", r->status, body);
	for (char *c = r->ctx->error; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
}

int
http_stream_run(struct http_stream *h, struct engine_ctx *ctx)
{
	if (tl_easy == NULL) {
		tl_easy = curl_easy_init();
		tl_multi = curl_multi_init();
		if (!tl_easy || !tl_multi) {
			snprintf(ctx->error, sizeof ctx->error, "libcurl initialisation failed");
			return -1;
		}
	}
	struct run r = { .h = h, .ctx = ctx, .started = media_now_ms() };
	buf_init(&r.err, ERROR_BODY_MAX + 1);
	ctx->ttfb_ms = -1;
	ctx->http_status = 0;
	CURL *e = tl_easy;
	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, h->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers);
	if (h->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, h->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(h->body));
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ctx->connect_ms > 0 ? ctx->connect_ms : 5000L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_multi_add_handle(tl_multi, e);
	int running = 1, rc = 0;
	const char *why = NULL;
	while (running) {
		if (curl_multi_perform(tl_multi, &running) != CURLM_OK) {
			why = "transfer failed";
			break;
		}
		if (!running)
			break;
		double now = media_now_ms();
		if (ctx->cancel && *ctx->cancel) {
			ctx->cancelled = 1;
			why = "cancelled";
			break;
		}
		if (ctx->ttfb_ms < 0 && ctx->first_byte_ms > 0 && now - r.started > (double)ctx->first_byte_ms) {
			why = "no first byte within the limit";
			break;
		}
		if (ctx->ttfb_ms >= 0 && ctx->stall_ms > 0 && now - r.last_byte > (double)ctx->stall_ms) {
			why = "stream stalled";
			break;
		}
		curl_multi_poll(tl_multi, NULL, 0, POLL_STEP_MS, NULL);
	}
	CURLcode res = CURLE_OK;
	if (!why) {
		int left;
		CURLMsg *m;
		while ((m = curl_multi_info_read(tl_multi, &left)) != NULL)
			if (m->msg == CURLMSG_DONE && m->easy_handle == e)
				res = m->data.result;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r.status);
	ctx->http_status = (int)r.status;
	curl_multi_remove_handle(tl_multi, e);
	if (why) {
		snprintf(ctx->error, sizeof ctx->error, "%s", why);
		rc = -1;
	} else if (r.stopped) {
		rc = -1;                  /* the callback said why */
	} else if (res != CURLE_OK) {
		snprintf(ctx->error, sizeof ctx->error, "%s", curl_easy_strerror(res));
		rc = -1;
	} else if (r.status < 200 || r.status > 299) {
		describe_error(&r);
		rc = -1;
	}
	buf_free(&r.err);
	return rc;
}
