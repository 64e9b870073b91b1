/* One streaming HTTP request to a provider on an engine thread, with
 * the limits of its engine_ctx enforced while it runs: cancellation,
 * time to first byte, stalls between bytes.  The body arrives through
 * on_data as it comes; a non-2xx answer's body is kept (bounded) for
 * the error text. */
#ifndef MEDIA_HTTP_STREAM_H
#define MEDIA_HTTP_STREAM_H
#include "engine.h"
#include <stddef.h>

struct curl_slist;

struct http_stream {
	const char *url;
	struct curl_slist *headers;
	const char *body;             /* POST body, NULL for GET */
	/* Return 0 to go on, -1 to stop (ctx->error set by the callback). */
	int (*on_data)(const char *p, size_t n, void *arg);
	void *arg;
	char header_name[48];         /* a response header to keep (optional) */
	char header_value[128];
};

/* 0 when a 2xx answer was read to its end; -1 with ctx->error and
 * ctx->http_status otherwise. */
int http_stream_run(struct http_stream *h, struct engine_ctx *ctx);

/* "Bearer" style header line, bounded. */
struct curl_slist *http_header(struct curl_slist *l, const char *name, const char *value);

#endif
