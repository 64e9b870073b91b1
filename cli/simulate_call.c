/* The carrier's side of media streams, for any number of calls on one
 * libwebsockets client loop: connected/start, 20 ms mu-law frames in
 * real time (script lines or silence), a playout model of the agent's
 * audio (marks echoed when played, `clear` empties it), and the
 * measurements a caller would notice.  Runs on a libuv loop (epoll), and
 * the per-frame work (media out, agent media in) builds no JSON objects,
 * so the simulator stays cheap beside the daemon it loads. */
#include "simulate.h"
#include "audio.h"
#include "crypto.h"
#include "stream_fast.h"
#include "xalloc.h"
#include <jansson.h>
#include <libwebsockets.h>
#include <openssl/evp.h>
#include <uv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TICK_US (5 * LWS_US_PER_MS)
#define REPLY_QUIET_MS 1200          /* reply over: played out and this quiet */
#define STEP_TIMEOUT_MS 25000
#define SIM_RX_MAX (1 << 20)
#define MAX_MARKS 64

enum sim_phase { SIM_IDLE, SIM_CONNECTING, SIM_OPEN, SIM_DONE };

struct sim_mark { char name[64]; double play_at; };

struct sim_call {
	int index;
	const struct sim_options *o;
	const struct sim_script *script;
	struct sim_report *rep;
	struct lws *wsi;
	enum sim_phase phase;
	double connect_at, open_at, start_sent_at, deadline;
	int sent_connected, sent_start, want_stop, stop_sent, want_close;
	char dtmf;
	/* outbound audio clock */
	double t0;
	long frames_due, frames_sent, seq;
	const struct sim_audio *speaking;
	size_t speak_pos;
	int speaking_barge;
	/* script */
	int step;
	double step_at;
	double speech_end_at;            /* end of our last line (monotonic) */
	int turn;                        /* report turn of the current expect/reply */
	/* inbound playout model */
	double play_end, last_frame_at, reply_first_at;
	int reply_started, reply_frames;
	struct sim_mark marks[MAX_MARKS];
	int nmarks;
	char *rx;
	size_t rxlen;
	char stream_id[64];
};

static struct sim_call *calls;
static int ncalls, remaining;
static struct lws_context *ctx;
static lws_sorted_usec_list_t tick_sul;

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double
wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Field names per carrier dialect. */
static int
telnyx(const struct sim_call *c)
{
	return strcmp(c->o->carrier, "telnyx") == 0;
}

static char *
frame_json(struct sim_call *c, const char *event, json_t *body)
{
	int tx = telnyx(c);
	json_t *o = json_pack("{s:s}", "event", event);
	if (strcmp(event, "connected") != 0) {
		char seq[24];
		snprintf(seq, sizeof seq, "%ld", ++c->seq);
		json_object_set_new(o, tx ? "sequence_number" : "sequenceNumber", json_string(seq));
		json_object_set_new(o, tx ? "stream_id" : "streamSid", json_string(c->stream_id));
	} else {
		if (!tx)
			json_object_set_new(o, "protocol", json_string("Call"));
		json_object_set_new(o, "version", json_string("1.0.0"));
	}
	if (body)
		json_object_set_new(o, event, body);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

static char *
start_json(struct sim_call *c)
{
	int tx = telnyx(c);
	const struct sim_target *t = &c->rep->target;
	const char *token = c->o->bad_token ? c->o->bad_token : t->token;
	json_t *params = json_pack("{s:s}", "token", token);
	if (t->call_id[0])
		json_object_set_new(params, "call_id", json_string(t->call_id));
	json_t *fmt = json_pack("{s:s,s:i,s:i}", "encoding", tx ? "PCMU" : "audio/x-mulaw",
	    tx ? "sample_rate" : "sampleRate", 8000, "channels", 1);
	json_t *s;
	if (tx)
		s = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "call_control_id", t->call_sid, "user_id", t->account_sid,
		    "from", c->o->from, "to", c->o->to, "media_format", fmt, "custom_parameters", params);
	else
		s = json_pack("{s:s,s:s,s:s,s:[s],s:o,s:o}", "accountSid", t->account_sid, "streamSid", c->stream_id,
		    "callSid", t->call_sid, "tracks", "inbound", "mediaFormat", fmt, "customParameters", params);
	return frame_json(c, "start", s);
}

/* One caller frame, as frame_json would write it (the stream id is our
 * own hex), straight into out; returns the length. */
static size_t
media_frame(struct sim_call *c, const uint8_t *ulaw, size_t n, char *out, size_t cap)
{
	int tx = telnyx(c);
	char b64[4 * ((AUDIO_FRAME_BYTES + 2) / 3) + 1];
	if (n > AUDIO_FRAME_BYTES)
		return 0;
	EVP_EncodeBlock((unsigned char *)b64, ulaw, (int)n);
	int len = snprintf(out, cap, "{\"event\":\"media\",\"%s\":\"%ld\",\"%s\":\"%s\",\"media\":{\"track\":\"inbound\","
	    "\"chunk\":\"%ld\",\"timestamp\":\"%ld\",\"payload\":\"%s\"}}",
	    tx ? "sequence_number" : "sequenceNumber", ++c->seq, tx ? "stream_id" : "streamSid", c->stream_id,
	    c->frames_sent + 1, c->frames_sent * AUDIO_FRAME_MS, b64);
	return len > 0 && (size_t)len < cap ? (size_t)len : 0;
}

static int
send_text(struct sim_call *c, char *s)
{
	size_t n = strlen(s);
	unsigned char *b = xmalloc(LWS_PRE + n);
	memcpy(b + LWS_PRE, s, n);
	int w = lws_write(c->wsi, b + LWS_PRE, n, LWS_WRITE_TEXT);
	free(b);
	free(s);
	return w < (int)n ? -1 : 0;
}

static struct sim_turn *
cur_turn(struct sim_call *c)
{
	return c->turn >= 0 ? &c->rep->turns[c->turn] : NULL;
}

static void
finish(struct sim_call *c)
{
	if (c->phase == SIM_DONE)
		return;
	c->phase = SIM_DONE;
	remaining--;
}

static void next_step(struct sim_call *c, double now);

static void
begin_step(struct sim_call *c, double now)
{
	c->step_at = now;
	c->turn = -1;
	if (c->step >= c->script->n) {
		c->want_stop = 1;
		lws_callback_on_writable(c->wsi);
		return;
	}
	const struct sim_step *st = &c->script->steps[c->step];
	switch (st->op) {
	case SIM_SAY:
		c->speaking = &st->audio;
		c->speak_pos = 0;
		c->speaking_barge = 0;
		break;
	case SIM_EXPECT: case SIM_REPLY: case SIM_WAIT_GREETING: case SIM_BARGE:
		if (c->rep->nturns < SIM_MAX_STEPS) {
			c->turn = c->rep->nturns++;
			c->rep->turns[c->turn] = (struct sim_turn){ .step = c->step, .v2v_ms = -1 };
		}
		break;
	case SIM_DTMF:
		c->dtmf = st->text[0];
		lws_callback_on_writable(c->wsi);
		next_step(c, now);
		break;
	case SIM_HANGUP:
		c->want_stop = 1;
		lws_callback_on_writable(c->wsi);
		break;
	default:
		break;
	}
}

static void
next_step(struct sim_call *c, double now)
{
	c->step++;
	begin_step(c, now);
}

/* The reply under way has played out and the line has been quiet. */
static int
reply_over(const struct sim_call *c, double now)
{
	return c->reply_started && now > c->play_end + REPLY_QUIET_MS && now > c->last_frame_at + REPLY_QUIET_MS;
}

static void
step_progress(struct sim_call *c, double now)
{
	if (c->step >= c->script->n || c->phase != SIM_OPEN)
		return;
	const struct sim_step *st = &c->script->steps[c->step];
	double limit = st->op == SIM_EXPECT_HANGUP && st->ms > 0 ? st->ms : STEP_TIMEOUT_MS;
	if (now - c->step_at > limit && st->op != SIM_PAUSE) {
		snprintf(c->rep->error, sizeof c->rep->error, "step at line %d timed out", st->line);
		c->rep->timed_out = 1;
		c->want_stop = 1;
		c->step = c->script->n;
		lws_callback_on_writable(c->wsi);
		return;
	}
	switch (st->op) {
	case SIM_SAY:
		if (c->speaking == NULL)
			next_step(c, now);
		break;
	case SIM_PAUSE:
		if (now - c->step_at >= st->ms)
			next_step(c, now);
		break;
	case SIM_EXPECT: case SIM_REPLY: case SIM_WAIT_GREETING:
		if (reply_over(c, now)) {
			c->reply_started = 0;
			next_step(c, now);
		}
		break;
	case SIM_BARGE:
		if (c->speaking == NULL && c->speaking_barge) {
			c->speaking_barge = 0;
			c->reply_started = 0;
			next_step(c, now);
		} else if (c->speaking == NULL && c->reply_started && now >= c->reply_first_at + st->ms) {
			c->speaking = &st->audio;
			c->speak_pos = 0;
			c->speaking_barge = 1;
			c->rep->barge_started_ms = wall_ms();
		}
		break;
	default:
		break;
	}
}

static void
on_agent_media(struct sim_call *c, const char *b64, double now)
{
	size_t n;
	uint8_t *ulaw = crypto_base64_decode(b64, &n);
	if (ulaw == NULL)
		return;
	c->rep->frames++;
	if (c->rep->clears && c->speaking && c->speaking_barge)
		c->rep->frames_after_clear++;
	if (!c->reply_started) {
		c->reply_started = 1;
		c->reply_first_at = now;
		c->reply_frames = 0;
		if (c->rep->greeting_ms < 0)
			c->rep->greeting_ms = now - c->start_sent_at;
		struct sim_turn *t = cur_turn(c);
		if (t && c->speech_end_at > 0 && t->v2v_ms < 0)
			t->v2v_ms = now - c->speech_end_at;
	} else {
		double late = now > c->play_end ? now - c->play_end : 0;
		if (c->rep->nlate == c->rep->caplate) {
			c->rep->caplate = c->rep->caplate ? c->rep->caplate * 2 : 256;
			c->rep->late = xrealloc(c->rep->late, c->rep->caplate * sizeof *c->rep->late);
		}
		c->rep->late[c->rep->nlate++] = late;
	}
	c->reply_frames++;
	c->last_frame_at = now;
	c->play_end = (c->play_end > now ? c->play_end : now) + (double)n / 8.0;
	struct sim_turn *t = cur_turn(c);
	if (t) {
		if (t->nheard + n > t->capheard) {
			t->capheard = (t->nheard + n) * 2;
			t->heard = xrealloc(t->heard, t->capheard);
		}
		memcpy(t->heard + t->nheard, ulaw, n);
		t->nheard += n;
	}
	if (c->o->record_dir) {
		struct sim_report *r = c->rep;
		if (r->nall + n > r->capall) {
			r->capall = (r->nall + n) * 2;
			r->all_audio = xrealloc(r->all_audio, r->capall);
		}
		memcpy(r->all_audio + r->nall, ulaw, n);
		r->nall += n;
	}
	free(ulaw);
}

static void
on_message(struct sim_call *c, const char *data, size_t len)
{
	double now = now_ms();
	struct stream_fast f;
	if (stream_fast_media(telnyx(c) ? "stream_id" : "streamSid", telnyx(c) ? "sequence_number" : "sequenceNumber",
	    data, len, &f) == 0) {
		on_agent_media(c, f.payload, now);
		return;
	}
	json_t *m = json_loadb(data, len, 0, NULL);
	const char *ev = json_string_value(json_object_get(m, "event"));
	if (ev == NULL) {
		json_decref(m);
		return;
	}
	if (strcmp(ev, "media") == 0) {
		const char *p = json_string_value(json_object_get(json_object_get(m, "media"), "payload"));
		if (p)
			on_agent_media(c, p, now);
	} else if (strcmp(ev, "mark") == 0) {
		const char *name = json_string_value(json_object_get(json_object_get(m, "mark"), "name"));
		if (name && c->nmarks < MAX_MARKS) {
			struct sim_mark *k = &c->marks[c->nmarks++];
			snprintf(k->name, sizeof k->name, "%s", name);
			k->play_at = c->play_end;
		}
	} else if (strcmp(ev, "clear") == 0) {
		c->rep->clears++;
		c->rep->clear_at_ms = wall_ms();
		c->play_end = now;
		for (int i = 0; i < c->nmarks; i++)
			c->marks[i].play_at = now;
	}
	json_decref(m);
}

/* The next message due on the stream: 1 written, 0 nothing due, -1 close. */
static int
write_next(struct sim_call *c)
{
	if (c->phase != SIM_OPEN)
		return 0;
	if (c->want_close)
		return -1;
	if (!c->sent_connected) {
		c->sent_connected = 1;
		return send_text(c, frame_json(c, "connected", NULL)) < 0 ? -1 : 1;
	}
	if (!c->sent_start) {
		c->sent_start = 1;
		c->start_sent_at = c->t0 = now_ms();
		int rc = send_text(c, start_json(c));
		begin_step(c, c->t0);
		return rc < 0 ? -1 : 1;
	}
	if (c->dtmf) {
		char d[2] = { c->dtmf, 0 };
		c->dtmf = 0;
		json_t *dtmf = json_pack("{s:s,s:s}", "track", "inbound_track", "digit", d);
		return send_text(c, frame_json(c, "dtmf", dtmf)) < 0 ? -1 : 1;
	}
	for (int m = 0; m < c->nmarks; m++) {
		if (c->marks[m].play_at > now_ms())
			continue;
		char *f = frame_json(c, "mark", json_pack("{s:s}", "name", c->marks[m].name));
		memmove(c->marks + m, c->marks + m + 1, (size_t)(c->nmarks - m - 1) * sizeof c->marks[0]);
		c->nmarks--;
		return send_text(c, f) < 0 ? -1 : 1;
	}
	if (c->want_stop && !c->stop_sent) {
		c->stop_sent = 1;
		c->want_close = 1;
		return send_text(c, frame_json(c, "stop", json_pack("{s:s,s:s}", "accountSid",
		    c->rep->target.account_sid, "callSid", c->rep->target.call_sid))) < 0 ? -1 : 1;
	}
	if (c->frames_sent >= c->frames_due)
		return 0;
	uint8_t frame[AUDIO_FRAME_BYTES];
	memset(frame, AUDIO_ULAW_SILENCE, sizeof frame);
	if (c->speaking) {
		size_t k = c->speaking->n - c->speak_pos;
		if (k > sizeof frame)
			k = sizeof frame;
		memcpy(frame, c->speaking->ulaw + c->speak_pos, k);
		c->speak_pos += k;
		if (c->speak_pos >= c->speaking->n) {
			c->speaking = NULL;
			c->speech_end_at = now_ms();
		}
	}
	unsigned char out[LWS_PRE + 1024];
	size_t len = media_frame(c, frame, sizeof frame, (char *)out + LWS_PRE, sizeof out - LWS_PRE);
	int rc = len == 0 || lws_write(c->wsi, out + LWS_PRE, len, LWS_WRITE_TEXT) < (int)len ? -1 : 0;
	c->frames_sent++;
	return rc < 0 ? -1 : 1;
}

/* Writes everything due, straight from the loop, until the socket holds a
 * partial write (libwebsockets then calls back when it can take more):
 * a writable callback per frame would cost two epoll changes per frame. */
static int
flush(struct sim_call *c)
{
	for (;;) {
		if (lws_partial_buffered(c->wsi)) {
			lws_callback_on_writable(c->wsi);
			return 0;
		}
		int rc = write_next(c);
		if (rc <= 0)
			return rc;
	}
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct sim_call *c = lws_get_opaque_user_data(wsi);
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->phase = SIM_OPEN;
		c->rep->connected = 1;
		c->open_at = now_ms();
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (!c->rep->error[0])          /* a timeout already said why */
			snprintf(c->rep->error, sizeof c->rep->error, "connection failed: %s",
			    in ? (const char *)in : "unknown");
		c->wsi = NULL;
		finish(c);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (c->rxlen + len > SIM_RX_MAX)
			return -1;
		c->rx = xrealloc(c->rx, c->rxlen + len + 1);
		memcpy(c->rx + c->rxlen, in, len);
		c->rxlen += len;
		if (lws_is_final_fragment(wsi)) {
			on_message(c, c->rx, c->rxlen);
			c->rxlen = 0;
		}
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2) {
			int code = ((unsigned char *)in)[0] << 8 | ((unsigned char *)in)[1];
			if (code == 1008)
				c->rep->refused = 1;
		}
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return flush(c) < 0 ? -1 : 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (!c->stop_sent) {
			c->rep->closed_by_agent = 1;
			int expected = c->step < c->script->n && c->script->steps[c->step].op == SIM_EXPECT_HANGUP;
			if (!expected && !c->rep->error[0])
				snprintf(c->rep->error, sizeof c->rep->error, "%s at line %d",
				    c->rep->refused ? "stream refused" : "stream closed by the platform",
				    c->step < c->script->n ? c->script->steps[c->step].line : 0);
		}
		c->wsi = NULL;
		finish(c);
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{ "voxline-simulate", callback, 0, 65536, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void
connect_call(struct sim_call *c)
{
	char url[512];
	snprintf(url, sizeof url, "%s", c->rep->target.ws_url);
	const char *prot, *addr, *path;
	int port;
	if (lws_parse_uri(url, &prot, &addr, &port, &path)) {
		snprintf(c->rep->error, sizeof c->rep->error, "bad stream url");
		finish(c);
		return;
	}
	char fullpath[600];
	snprintf(fullpath, sizeof fullpath, "/%s", path);
	struct lws_client_connect_info ci;
	memset(&ci, 0, sizeof ci);
	ci.context = ctx;
	ci.address = addr;
	ci.port = port;
	ci.path = fullpath;
	ci.host = addr;
	ci.origin = addr;
	ci.ssl_connection = strcmp(prot, "wss") == 0 ? LCCSCF_USE_SSL : 0;
	ci.protocol = NULL;
	ci.local_protocol_name = "voxline-simulate";
	ci.opaque_user_data = c;
	ci.pwsi = &c->wsi;
	c->phase = SIM_CONNECTING;
	if (lws_client_connect_via_info(&ci) == NULL && c->phase != SIM_DONE) {
		snprintf(c->rep->error, sizeof c->rep->error, "cannot connect to %.200s", c->rep->target.ws_url);
		finish(c);
	}
}

static void
on_tick(lws_sorted_usec_list_t *sul)
{
	double now = now_ms();
	for (int i = 0; i < ncalls; i++) {
		struct sim_call *c = &calls[i];
		if (c->phase == SIM_IDLE && now >= c->connect_at)
			connect_call(c);
		if (c->phase == SIM_DONE)
			continue;
		if (now > c->deadline) {
			snprintf(c->rep->error, sizeof c->rep->error, "call timed out");
			c->rep->timed_out = 1;
			/* A stream still waiting for its upgrade (a daemon that does
			 * not answer) is given up at once, not closed politely. */
			if (c->wsi && c->phase == SIM_OPEN) {
				c->want_close = 1;
				lws_callback_on_writable(c->wsi);
			} else
				finish(c);
			continue;
		}
		if (c->phase != SIM_OPEN || !c->sent_start)
			continue;
		long due = (long)((now - c->t0) / AUDIO_FRAME_MS) + 1;
		if (due > c->frames_due)
			c->frames_due = due;
		step_progress(c, now);
		/* Due frames, and marks the playout has reached, go out now. */
		if (c->wsi && flush(c) < 0)
			lws_callback_on_writable(c->wsi);
	}
	if (remaining > 0)
		lws_sul_schedule(ctx, 0, &tick_sul, on_tick, TICK_US);
}

int
sim_run(const struct sim_options *o, const struct sim_script *s, struct sim_report *reports, int n)
{
	uv_loop_t loop;
	uv_loop_init(&loop);
	void *loops[1] = { &loop };
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_LIBUV;
	info.foreign_loops = loops;
	info.fd_limit_per_thread = (unsigned)(n + 64);
	lws_set_log_level(LLL_ERR, NULL);
	ctx = lws_create_context(&info);
	if (ctx == NULL) {
		uv_loop_close(&loop);
		return -1;
	}
	calls = xcalloc((size_t)n, sizeof *calls);
	ncalls = remaining = n;
	double now = now_ms();
	for (int i = 0; i < n; i++) {
		struct sim_call *c = &calls[i];
		c->index = i;
		c->o = o;
		c->script = s;
		c->rep = &reports[i];
		c->rep->greeting_ms = -1;
		c->turn = -1;
		c->connect_at = now + (double)i * o->stagger_ms;
		c->deadline = c->connect_at + (double)o->timeout_s * 1000;
		unsigned char r[16];
		crypto_random(r, sizeof r);
		char *hex = crypto_hex(r, sizeof r);
		snprintf(c->stream_id, sizeof c->stream_id, "MZ%s", hex);
		free(hex);
		if (reports[i].error[0])
			finish(c);
	}
	lws_sul_schedule(ctx, 0, &tick_sul, on_tick, 1);
	while (remaining > 0)
		uv_run(&loop, UV_RUN_ONCE);
	lws_context_destroy(ctx);
	/* lws closes its handles on the loop after the context is gone. */
	while (uv_run(&loop, UV_RUN_NOWAIT))
		;
	uv_loop_close(&loop);
	for (int i = 0; i < n; i++)
		free(calls[i].rx);
	free(calls);
	return 0;
}
