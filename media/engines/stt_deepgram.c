/* Deepgram live recognition, one WebSocket session per caller turn on
 * an engine thread: the daemon's own VAD has already decided the turn
 * is over (barge-in needs that within one frame), so the utterance is
 * sent at once as mu-law, then Finalize flushes it and CloseStream
 * brings the Metadata that bills it.  Interim results are read and
 * ignored; endpointing stays on for the provider's own view. */
#include "engine.h"
#include "deepgram_msg.h"
#include "ws_client.h"
#include "audio.h"
#include "../media.h"
#include "xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEND_CHUNK 3200            /* 400 ms of audio per binary frame */
#define STEP_MS 50

static int
cancelled(struct engine_ctx *ctx)
{
	if (ctx->cancel && *ctx->cancel) {
		ctx->cancelled = 1;
		snprintf(ctx->error, sizeof ctx->error, "cancelled");
		return 1;
	}
	return 0;
}

/* Reads server messages until want() or the time limits: 0, -1. */
static int
read_until(struct ws_client *ws, struct engine_ctx *ctx, struct dg_utterance *u, int want_metadata,
    double started)
{
	double last = media_now_ms();
	for (;;) {
		if (want_metadata ? u->metadata : u->final)
			return 0;
		if (cancelled(ctx))
			return -1;
		int op;
		const char *data;
		size_t len;
		int r = ws_recv(ws, &op, &data, &len, STEP_MS);
		double now = media_now_ms();
		if (r < 0) {
			if (want_metadata && u->final)
				return 0;         /* closed after the transcript: billed by our count */
			snprintf(ctx->error, sizeof ctx->error, "connection closed (%d)", ws->close_code);
			return -1;
		}
		if (r == 0) {
			long limit = ctx->ttfb_ms < 0 ? ctx->first_byte_ms : ctx->stall_ms;
			if (limit > 0 && now - last > (double)limit) {
				snprintf(ctx->error, sizeof ctx->error, "%s", ctx->ttfb_ms < 0 ?
				    "no result within the limit" : "stream stalled");
				return -1;
			}
			continue;
		}
		last = now;
		if (ctx->ttfb_ms < 0)
			ctx->ttfb_ms = now - started;
		if (op != WS_TEXT)
			continue;
		if (dg_message(u, data, len) < 0) {
			snprintf(ctx->error, sizeof ctx->error, "%s", u->error);
			return -1;
		}
	}
}

static char *
transcribe(struct engine_ctx *ctx, const int16_t *pcm, size_t n, struct engine_usage *usage)
{
	char url[1200], headers[1200];
	const char *base = ctx->base_url;
	const char *rest = strncmp(base, "https://", 8) == 0 ? base + 8 : strncmp(base, "http://", 7) == 0 ? base + 7 : NULL;
	if (rest == NULL) {
		snprintf(ctx->error, sizeof ctx->error, "base URL must be http(s)");
		return NULL;
	}
	snprintf(url, sizeof url, "%s://%s/v1/listen?model=nova-3&encoding=mulaw&sample_rate=8000&channels=1"
	    "&interim_results=true&endpointing=300&smart_format=true&language=en-US",
	    base[4] == 's' ? "wss" : "ws", rest);
	snprintf(headers, sizeof headers, "Authorization: Token %s\r\n", ctx->secret);
	double started = media_now_ms();
	ctx->ttfb_ms = -1;
	struct ws_client ws;
	if (ws_connect(&ws, url, headers, ctx->connect_ms > 0 ? ctx->connect_ms : 5000, ctx->error,
	    sizeof ctx->error) < 0) {
		ws_close(&ws);
		return NULL;
	}
	uint8_t *ulaw = xmalloc(n ? n : 1);
	audio_pcm_to_ulaw(pcm, n, ulaw);
	int rc = 0;
	for (size_t off = 0; off < n && rc == 0; off += SEND_CHUNK)
		rc = ws_send(&ws, WS_BINARY, ulaw + off, n - off < SEND_CHUNK ? n - off : SEND_CHUNK);
	free(ulaw);
	static const char finalize[] = "{\"type\":\"Finalize\"}", close_stream[] = "{\"type\":\"CloseStream\"}";
	if (rc == 0)
		rc = ws_send(&ws, WS_TEXT, finalize, sizeof finalize - 1);
	if (rc < 0)
		snprintf(ctx->error, sizeof ctx->error, "sending audio failed");
	struct dg_utterance u;
	dg_init(&u);
	started = media_now_ms();    /* first byte counts from the end of what we sent */
	if (rc == 0 && n > 0)
		rc = read_until(&ws, ctx, &u, 0, started);
	if (rc == 0) {
		ws_send(&ws, WS_TEXT, close_stream, sizeof close_stream - 1);
		rc = read_until(&ws, ctx, &u, 1, started);
	}
	ws_close(&ws);
	if (rc < 0)
		return NULL;
	usage->audio_seconds += u.duration >= 0 ? u.duration : (double)n / 8000.0;
	return xstrdup(u.text);
}

const struct stt_remote stt_deepgram = { "deepgram", transcribe };
