/* One call = one media stream: the stream token is checked on `start`
 * before any audio is looked at; then caller audio flows to the
 * pipeline and the agent's audio, marks and clears flow back, paced. */
#include "media.h"
#include "agent.h"
#include "audio.h"
#include "cfg.h"
#include "crypto.h"
#include "errors.h"
#include "log.h"
#include "metrics.h"
#include "writer.h"
#include "xalloc.h"
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#define CALL_RX_MAX (256 * 1024)
#define CALL_OUTQ_MAX (8000 * 600)   /* ten minutes of audio */

static const double late_bounds[] = { 1, 2, 5, 10, 20, 50, 100, 250 };
struct metric media_frame_lateness = METRIC_HISTOGRAM_INIT("voxline_media_frame_lateness_ms",
    "How late each outbound audio frame left relative to its play time.", late_bounds);
struct metric media_streams_refused = METRIC_INIT("voxline_media_streams_refused_total",
    "Media streams refused (bad token, protocol, capacity).", METRIC_COUNTER);
struct metric media_calls_total = METRIC_INIT("voxline_media_calls_total",
    "Calls started on this daemon.", METRIC_COUNTER);
struct metric media_calls_active = METRIC_INIT("voxline_media_calls_active",
    "Calls under way.", METRIC_GAUGE);
struct metric media_frames_late = METRIC_INIT("voxline_media_frames_late_dropped_total",
    "Caller audio frames that came after later ones had been used (dropped).", METRIC_COUNTER);

void
call_ref(struct call *c)
{
	c->refs++;
}

static void
set_log_call(const struct call *c)
{
	log_set_call_id(c->claims.call_id[0] ? c->claims.call_id : NULL);
}

struct call *
call_new(struct worker *w, struct lws *wsi, enum carrier carrier, const char *query_token)
{
	struct call *c = xcalloc(1, sizeof *c);
	c->w = w;
	c->wsi = wsi;
	c->refs = 1;
	c->carrier = carrier;
	snprintf(c->query_token, sizeof c->query_token, "%s", query_token ? query_token : "");
	buf_init(&c->rx, CALL_RX_MAX);
	buf_init(&c->reply_text, 16384);
	buf_init(&c->heard_text, 16384);
	outq_init(&c->outq, (int)cfg_int(CFG_media_outbound_lead_ms), CALL_OUTQ_MAX);
	vad_init(&c->vad, &media.vad);
	reorder_init(&c->reorder);
	c->turns = json_array();
	c->events = json_array();
	c->started_ms = media_now_ms();
	c->started_wall = media_wall_ms();
	c->last_caller_ms = c->started_ms;
	c->seq = 1;                   /* 0 means: no reply under way */
	c->next = w->calls;
	if (w->calls)
		w->calls->prev = c;
	w->calls = c;
	w->ncalls++;
	return c;
}

static void
unlink_call(struct call *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else if (c->w->calls == c)
		c->w->calls = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	c->w->ncalls--;
}

void
call_unref(struct call *c)
{
	if (--c->refs > 0)
		return;
	set_log_call(c);
	if (c->answered)
		finish_call(c);
	log_set_call_id(NULL);
	if (c->agent) {
		dialog_free(&c->dialog);
		agent_unref(c->agent);
	}
	for (int i = 0; i < c->nctl; i++)
		free(c->ctl[i]);
	for (int i = c->sent_index; i < c->nsent; i++)
		free(c->sentences[i]);
	for (int i = 0; i < CALL_SPOKEN; i++)
		free(c->spoken[i]);
	buf_free(&c->rx);
	buf_free(&c->reply_text);
	buf_free(&c->heard_text);
	outq_free(&c->outq);
	free(c->media_prefix);
	codec_close(&c->codec);
	json_decref(c->turns);
	json_decref(c->events);
	free(c->utt);
	free(c->v2v);
	free(c->lat_eot);
	free(c->lat_stt);
	free(c->lat_llm);
	free(c->lat_tts);
	free(c);
}

static void flush_dirty(uv_idle_t *idle);

/* Something is due on the stream.  It is written from the loop's idle
 * phase of this iteration or the next (call_flush), straight to the
 * socket: asking libwebsockets for a writable callback per frame costs
 * two epoll_ctl changes per frame, which at hundreds of calls is more
 * than the frames themselves. */
void
call_want_write(struct call *c)
{
	if (c->wsi == NULL || c->dirty)
		return;
	c->dirty = 1;
	c->dirty_next = c->w->dirty;
	c->w->dirty = c;
	call_ref(c);
	if (c->dirty_next == NULL)
		uv_idle_start(&c->w->flush, flush_dirty);
}

void
call_event(struct call *c, const char *type, json_t *data)
{
	json_t *e = json_pack("{s:s,s:f,s:o}", "type", type, "at_ms", media_wall_ms(),
	    "data", data ? data : json_object());
	json_array_append_new(c->events, e);
}

/* Queues a control frame; 0 when it was dropped (queue full). */
static int
queue_ctl(struct call *c, char *frame)
{
	if (c->nctl == (int)(sizeof c->ctl / sizeof c->ctl[0])) {
		free(frame);
		return 0;
	}
	c->ctl[c->nctl++] = frame;
	return 1;
}

static void
push_ctl(struct call *c, char *frame)
{
	if (queue_ctl(c, frame))
		call_want_write(c);
}

/* Closes the stream politely: nothing more is read; pending audio is
 * dropped; the socket closes at the next write opportunity. */
void
call_hang_up(struct call *c, const char *reason)
{
	if (c->phase == CALL_ENDING || c->phase == CALL_CLOSED)
		return;
	if (!c->end_reason)
		c->end_reason = reason;
	c->phase = CALL_ENDING;
	call_event(c, "call.hangup", json_pack("{s:s}", "reason", reason));
	call_want_write(c);
}

static void
refuse(struct call *c, const char *why)
{
	metrics_add(&media_streams_refused, 1, "reason", why, NULL);
	enum err_code code = strcmp(why, "bad_token") == 0 || strcmp(why, "call_mismatch") == 0 ?
	    ERR_media_stream_refused : strcmp(why, "draining") == 0 ? ERR_media_capacity : ERR_media_protocol_error;
	log_warn("media_stream_refused", "{s:s,s:s,s:s}", "code", err_get(code)->code, "reason", why,
	    "carrier", carrier_name(c->carrier));
	c->phase = CALL_CLOSED;
	if (c->wsi)
		lws_close_reason(c->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)why, strlen(why));
}

static void
on_start(struct call *c, const struct stream_msg *m)
{
	const char *token = m->token && *m->token ? m->token : c->query_token;
	if (!token[0] || stream_token_verify(cfg_str(CFG_stream_token_secret), token, time(NULL), &c->claims) < 0) {
		memset(&c->claims, 0, sizeof c->claims);
		refuse(c, "bad_token");
		return;
	}
	if (m->call_id && strcmp(m->call_id, c->claims.call_id) != 0) {
		refuse(c, "call_mismatch");
		return;
	}
	if (codec_open(&c->codec, c->carrier, m->encoding, m->sample_rate) < 0) {
		refuse(c, "unsupported_format");
		return;
	}
	if (__atomic_load_n(&media.draining, __ATOMIC_RELAXED)) {
		refuse(c, "draining");
		return;
	}
	snprintf(c->stream_id, sizeof c->stream_id, "%s", m->stream_id ? m->stream_id : "");
	c->media_prefix = stream_media_prefix(c->carrier, c->stream_id);
	snprintf(c->call_sid, sizeof c->call_sid, "%s", m->call_sid ? m->call_sid : "");
	snprintf(c->account_sid, sizeof c->account_sid, "%s", m->account_sid ? m->account_sid : "");
	c->phase = CALL_LIVE;
	c->answered = 1;
	c->started_ms = media_now_ms();
	c->started_wall = media_wall_ms();
	c->last_caller_ms = c->started_ms;
	__atomic_add_fetch(&media.active_calls, 1, __ATOMIC_RELAXED);
	metrics_add(&media_calls_total, 1, NULL);
	metrics_add(&media_calls_active, 1, NULL);
	set_log_call(c);
	log_info("media_call_started", "{s:s,s:s}", "carrier", carrier_name(c->carrier),
	    "agent_id", c->claims.agent_id);
	call_event(c, "call.media_started", json_pack("{s:s}", "carrier", carrier_name(c->carrier)));
	writer_call_started(c->claims.call_id, c->claims.tenant_id, media.owner, c->started_wall);
	pipeline_greet(c);
}

/* One frame of caller audio, in order, in the stream's format. */
static void
caller_frame(void *arg, const uint8_t *data, size_t n)
{
	struct call *c = arg;
	int16_t pcm[1024];
	for (size_t off = 0; off < n; off += 1024) {
		size_t k = codec_decode(&c->codec, data + off, n - off < 1024 ? n - off : 1024, pcm, 1024);
		pipeline_caller_audio(c, pcm, k);
	}
}

static void
on_media(struct call *c, const struct stream_msg *m)
{
	if (m->track && strcmp(m->track, "inbound") != 0)
		return;
	size_t n;
	uint8_t *ulaw = crypto_base64_decode(m->payload, &n);
	if (ulaw == NULL) {
		log_warn("media_bad_payload", NULL);
		return;
	}
	if (c->carrier == CARRIER_TELNYX)
		reorder_push(&c->reorder, m->chunk >= 0 ? m->chunk : m->seq, ulaw, n, caller_frame, c);
	else
		caller_frame(c, ulaw, n);
	free(ulaw);
}

static void
dispatch(struct call *c, const char *data, size_t len)
{
	struct stream_msg m;
	if (stream_parse(c->carrier, data, len, &m) < 0 || m.type == STREAM_MSG_INVALID) {
		json_decref(m.root);
		if (c->phase == CALL_WAIT_START)
			refuse(c, "protocol_error");
		else
			log_warn("media_protocol_error", "{s:i}", "bytes", (int)len);
		return;
	}
	if (c->phase == CALL_WAIT_START) {
		/* Nothing but connected/start before the token has been checked. */
		if (m.type == STREAM_MSG_START)
			on_start(c, &m);
		else if (m.type != STREAM_MSG_CONNECTED)
			refuse(c, "no_start");
		json_decref(m.root);
		return;
	}
	if (c->phase != CALL_LIVE) {
		json_decref(m.root);
		return;
	}
	switch (m.type) {
	case STREAM_MSG_MEDIA:
		on_media(c, &m);
		break;
	case STREAM_MSG_MARK:
		pipeline_mark_heard(c, m.mark);
		break;
	case STREAM_MSG_DTMF:
		log_info("media_dtmf", "{s:s}", "digit", m.digit);
		call_event(c, "dtmf", json_pack("{s:s}", "digit", m.digit));
		break;
	case STREAM_MSG_STOP:
		call_event(c, "call.stop", NULL);
		if (!c->end_reason)
			c->end_reason = "caller hung up";
		c->phase = CALL_ENDING;
		call_want_write(c);
		break;
	case STREAM_MSG_ERROR:
		log_warn("media_carrier_error", "{s:s}", "title", m.error ? m.error : "");
		call_event(c, "carrier.error", json_pack("{s:s}", "title", m.error ? m.error : ""));
		break;
	default:
		break;
	}
	json_decref(m.root);
}

int
call_rx(struct call *c, const char *data, size_t len, int final)
{
	if (c->phase == CALL_CLOSED)
		return -1;
	/* A message in one frame (every media frame) is read in place; one in
	 * fragments is gathered first, within CALL_RX_MAX. */
	if (!final || c->rx.len > 0 || len > CALL_RX_MAX) {
		if (buf_append(&c->rx, data, len) < 0) {
			buf_reset(&c->rx);
			if (c->phase == CALL_WAIT_START)
				refuse(c, "frame_too_large");
			return c->phase == CALL_CLOSED ? -1 : 0;
		}
		if (!final)
			return 0;
		data = c->rx.data;
		len = c->rx.len;
	}
	set_log_call(c);
	dispatch(c, data, len);
	buf_reset(&c->rx);
	log_set_call_id(NULL);
	/* A refusal closes from this callback, so the close reason is sent. */
	return c->phase == CALL_CLOSED ? -1 : 0;
}

static int
write_text(struct call *c, const char *s)
{
	size_t n = strlen(s);
	unsigned char stackbuf[LWS_PRE + 2048];
	unsigned char *b = n <= 2048 ? stackbuf : xmalloc(LWS_PRE + n);
	memcpy(b + LWS_PRE, s, n);
	int w = lws_write(c->wsi, b + LWS_PRE, n, LWS_WRITE_TEXT);
	if (b != stackbuf)
		free(b);
	return w < (int)n ? -1 : 0;
}

/* The next message due on the stream: 1 written, 0 nothing due, -1 close. */
static int
write_next(struct call *c, double now)
{
	if (c->phase == CALL_CLOSED)
		return -1;
	if (c->clear_pending) {
		c->clear_pending = 0;
		char *f = stream_clear(c->carrier, c->stream_id);
		int rc = write_text(c, f);
		free(f);
		call_event(c, "barge_in", json_pack("{s:f,s:f}", "decided_at_ms", c->clear_decided_ms,
		    "clear_sent_at_ms", media_wall_ms()));
		return rc < 0 ? -1 : 1;
	}
	/* Marks the audio sent so far has reached go out in this same flush. */
	char name[OUTQ_MARK_NAME];
	while (outq_next_mark(&c->outq, name))
		queue_ctl(c, stream_mark(c->carrier, c->stream_id, name));
	if (c->nctl) {
		char *f = c->ctl[0];
		memmove(c->ctl, c->ctl + 1, (size_t)(--c->nctl) * sizeof c->ctl[0]);
		int rc = write_text(c, f);
		free(f);
		return rc < 0 ? -1 : 1;
	}
	if (c->phase == CALL_ENDING)
		return -1;
	uint8_t frame[AUDIO_FRAME_BYTES];
	double late;
	size_t n = outq_take(&c->outq, frame, sizeof frame, now, &late);
	if (n == 0)
		return 0;
	unsigned char f[LWS_PRE + STREAM_FRAME_MAX];
	uint8_t wire[4 * AUDIO_FRAME_BYTES + 64];
	size_t wn = codec_encode(&c->codec, frame, n, wire, sizeof wire);
	size_t len = stream_media_frame(c->media_prefix, wire, wn, (char *)f + LWS_PRE, STREAM_FRAME_MAX);
	int rc = lws_write(c->wsi, f + LWS_PRE, len, LWS_WRITE_TEXT) < (int)len ? -1 : 0;
	metrics_observe(&media_frame_lateness, late, NULL);
	if (late > c->frame_late_max)
		c->frame_late_max = late;
	c->frames_sent++;
	pipeline_frame_sent(c, now);
	return rc < 0 ? -1 : 1;
}

/* Writes everything due until the socket holds a partial write (then
 * libwebsockets calls back when it can take more). */
int
call_writable(struct call *c)
{
	double now = media_now_ms();
	for (;;) {
		if (c->wsi == NULL)
			return -1;
		if (lws_partial_buffered(c->wsi)) {
			lws_callback_on_writable(c->wsi);
			return 0;
		}
		int rc = write_next(c, now);
		if (rc <= 0)
			return rc;
	}
}

/* The calls that asked to write (the loop's idle phase, and once more
 * when the worker stops).  A stream to be closed is closed from its
 * writable callback, as libwebsockets wants. */
void
call_flush(struct worker *w)
{
	struct call *list = w->dirty;
	w->dirty = NULL;
	uv_idle_stop(&w->flush);
	while (list) {
		struct call *c = list;
		list = c->dirty_next;
		c->dirty = 0;
		c->dirty_next = NULL;
		if (c->wsi && call_writable(c) < 0 && c->wsi)
			lws_callback_on_writable(c->wsi);
		call_unref(c);
	}
}

static void
flush_dirty(uv_idle_t *idle)
{
	call_flush(idle->data);
}

void
call_socket_closed(struct call *c)
{
	c->wsi = NULL;
	if (c->phase == CALL_LIVE || c->phase == CALL_ENDING) {
		if (!c->end_reason)
			c->end_reason = "stream closed by the carrier";
		__atomic_sub_fetch(&media.active_calls, 1, __ATOMIC_RELAXED);
		metrics_add(&media_calls_active, -1, NULL);
		set_log_call(c);
		if (c->reorder.late || c->reorder.missing) {
			metrics_add(&media_frames_late, (double)c->reorder.late, NULL);
			call_event(c, "media.reordered", json_pack("{s:I,s:I}", "late_dropped", (json_int_t)c->reorder.late,
			    "missing", (json_int_t)c->reorder.missing));
		}
		log_info("media_call_ended", "{s:s}", "reason", c->end_reason);
		log_set_call_id(NULL);
	}
	if (c->phase != CALL_WAIT_START)
		c->phase = CALL_ENDING;
	c->cancel_tts && (*c->cancel_tts = 1);
	c->cancel_llm && (*c->cancel_llm = 1);
	c->gen++;
	pipeline_stream_closed(c);
	unlink_call(c);
	call_unref(c);
}

void
call_tick(struct call *c, double now)
{
	if (c->phase != CALL_LIVE)
		return;
	pipeline_tick(c, now);
	if (outq_due(&c->outq, now))
		call_want_write(c);
}

/* Used by pipeline.c to queue marks that follow no audio. */
void call_push_ctl(struct call *c, char *frame);
void
call_push_ctl(struct call *c, char *frame)
{
	push_ctl(c, frame);
}
