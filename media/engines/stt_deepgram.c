/* Deepgram live recognition, one session per call (see stt_live.h and
 * docs/architecture.md).  The daemon's own VAD decides where a turn
 * starts and ends (barge-in needs that within one frame); Deepgram gets
 * the caller's speech as it is spoken, and its final results (is_final
 * segments, speech_final, UtteranceEnd, the Finalize flush) say when the
 * turn's transcript is complete.  Between turns (the agent speaking, the
 * caller silent) KeepAlive holds the session open.  A session that fails
 * is not reopened: the rest of the call is heard by the next engine of
 * the chain. */
#include "stt_live.h"
#include "deepgram_msg.h"
#include "ws_client.h"
#include "../chain.h"
#include "../media.h"
#include "cfg.h"
#include "log.h"
#include "provider_creds.h"
#include "xalloc.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STEP_MS 20
#define QUEUE_MAX (1024 * 1024)       /* a minute of audio waiting: the session is stuck */
#define CLOSE_WAIT_MS 3000
/* After an endpoint, the Finalize flush only adds the silence that
 * followed: its answer is not worth a longer wait. */
#define ENDPOINT_FLUSH_WAIT_MS 500

enum { EV_BEGIN, EV_AUDIO, EV_FINAL, EV_CLOSE };

struct stt_live {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int refs, running;
	char provider[CHAIN_NAME], tenant[37];
	int worker;
	/* loop -> session thread: events in order (kind byte, 4-byte length, data) */
	uint8_t *q;
	size_t qlen, qcap;
	int overflow;
	unsigned asked;                /* turns whose end was asked for */
	unsigned begun;                /* turns begun */
	unsigned endpointed;           /* the begun turn Deepgram's endpointing says is over (0: none) */
	/* session thread -> STT jobs */
	unsigned answered;             /* the latest turn with a result */
	int ok, done;                  /* its outcome; done: the thread has ended */
	char *text;
	char error[200];
	int dead;                      /* the session failed: no more turns on it */
	char dead_error[200];
	unsigned charged;              /* the turn that reported the failure (0: none yet) */
	double billed;                 /* seconds */
};

/* State only the session's thread touches. */
struct session {
	struct stt_live *l;
	struct ws_client ws;
	int opened, connected, in_turn;
	unsigned begins;               /* turns begun, as the loop counts them */
	struct dg_utterance u;
	size_t sent, since_final;      /* bytes sent; since the last Finalize */
	unsigned waiting;              /* turn whose transcript is awaited (0: none) */
	double fin_point, wait_since, last_msg, last_send;
};

static const char finalize_msg[] = "{\"type\":\"Finalize\"}", keepalive_msg[] = "{\"type\":\"KeepAlive\"}",
    close_msg[] = "{\"type\":\"CloseStream\"}";

static void
publish(struct stt_live *l, unsigned turn, int ok, const char *text, const char *error)
{
	pthread_mutex_lock(&l->mu);
	if (turn > l->answered) {
		l->answered = turn;
		l->ok = ok;
		free(l->text);
		l->text = ok ? xstrdup(text) : NULL;
		snprintf(l->error, sizeof l->error, "%s", error ? error : "");
		if (!ok && l->dead && l->charged == 0)
			l->charged = turn;
	}
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

/* The connection is over (dropped, failed or closed): what it carried
 * is billed by our own count unless Metadata said. */
static void
disconnect(struct session *s, double metadata_seconds)
{
	if (!s->connected)
		return;
	ws_close(&s->ws);
	s->connected = 0;
	pthread_mutex_lock(&s->l->mu);
	s->l->billed += metadata_seconds >= 0 ? metadata_seconds : (double)s->sent / 8000.0;
	pthread_mutex_unlock(&s->l->mu);
}

/* The session failed: the awaited turn fails (its chain falls back and
 * the breaker learns it), and so does every later turn's use of it. */
static void
fail(struct session *s, const char *why)
{
	struct stt_live *l = s->l;
	pthread_mutex_lock(&l->mu);
	int first = !l->dead;
	l->dead = 1;
	if (first)
		snprintf(l->dead_error, sizeof l->dead_error, "%s", why);
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	if (first)
		log_warn("media_stt_session_failed", "{s:s,s:s}", "provider", l->provider, "error", why);
	disconnect(s, -1);
	if (s->waiting) {
		publish(l, s->waiting, 0, NULL, why);
		s->waiting = 0;
	}
}

static int
send_or_fail(struct session *s, int op, const void *data, size_t n)
{
	if (!s->connected)
		return -1;
	if (ws_send(&s->ws, op, data, n) < 0) {
		fail(s, op == WS_BINARY ? "sending audio failed" : "sending to the session failed");
		return -1;
	}
	s->last_send = media_now_ms();
	return 0;
}

static void
open_session(struct session *s)
{
	struct provider_cred cred;
	char url[1200], headers[1100], error[200];
	s->opened = 1;
	int f = chain_credentials(s->l->tenant, s->l->provider, &cred);
	if (f <= 0 || !cred.base_url[0]) {
		fail(s, f < 0 ? "credentials could not be read" : "no credentials for this provider");
		return;
	}
	const char *base = cred.base_url;
	const char *rest = strncmp(base, "https://", 8) == 0 ? base + 8 : strncmp(base, "http://", 7) == 0 ? base + 7 : NULL;
	if (rest == NULL) {
		fail(s, "base URL must be http(s)");
		return;
	}
	snprintf(url, sizeof url, "%s://%.600s/v1/listen?model=nova-3&encoding=mulaw&sample_rate=8000&channels=1"
	    "&interim_results=true&endpointing=300&utterance_end_ms=1000&smart_format=true&language=en-US",
	    base[4] == 's' ? "wss" : "ws", rest);
	snprintf(headers, sizeof headers, "Authorization: Token %.1000s\r\n", cred.secret);
	long connect_ms = cfg_int(CFG_provider_connect_ms);
	if (ws_connect(&s->ws, url, headers, connect_ms > 0 ? connect_ms : 5000, error, sizeof error) < 0) {
		ws_close(&s->ws);
		fail(s, error);
		return;
	}
	s->connected = 1;
	s->last_send = s->last_msg = media_now_ms();
}

/* Deepgram's endpointing (speech_final, UtteranceEnd) says whether the
 * caller's words so far end the turn; the loop reads it at its next
 * quiet frame. */
static void
endpoint(struct session *s)
{
	unsigned turn = s->u.final && s->u.len > 0 ? s->begins : 0;
	pthread_mutex_lock(&s->l->mu);
	s->l->endpointed = turn;
	pthread_mutex_unlock(&s->l->mu);
}

static void
endpoint_clear(struct session *s)
{
	pthread_mutex_lock(&s->l->mu);
	s->l->endpointed = 0;
	pthread_mutex_unlock(&s->l->mu);
}

static void
turn_begin(struct session *s)
{
	s->in_turn = 1;
	s->begins++;
	if (s->waiting) {
		/* The loop has moved on to a new turn: the old one gets what was
		 * finalized so far (its answer is no longer awaited). */
		publish(s->l, s->waiting, 1, s->u.text, NULL);
		s->waiting = 0;
	}
	if (!s->opened)
		open_session(s);
	else if (s->since_final > 0 && send_or_fail(s, WS_TEXT, finalize_msg, sizeof finalize_msg - 1) == 0) {
		/* What was sent since the last turn was not one (a back-channel
		 * sound): flush it so it ends a segment, and skip its words. */
		s->since_final = 0;
	}
	dg_init(&s->u);
	s->u.since = (double)s->sent / 8000.0;
}

static void
send_audio(struct session *s, const uint8_t *a, size_t n)
{
	if (send_or_fail(s, WS_BINARY, a, n) < 0)
		return;
	s->sent += n;
	s->since_final += n;
}

/* The turn's transcript is complete once the final results reach the
 * end of the audio sent before its Finalize. */
static void
check_done(struct session *s)
{
	if (s->waiting && s->u.final_end >= s->fin_point - 0.05) {
		publish(s->l, s->waiting, 1, s->u.text, NULL);
		s->waiting = 0;
	}
}

static void
turn_end(struct session *s, unsigned turn)
{
	s->in_turn = 0;
	endpoint_clear(s);
	if (send_or_fail(s, WS_TEXT, finalize_msg, sizeof finalize_msg - 1) < 0) {
		publish(s->l, turn, 0, NULL, s->l->dead_error[0] ? s->l->dead_error : "session unavailable");
		return;
	}
	s->since_final = 0;
	s->fin_point = (double)s->sent / 8000.0;
	s->waiting = turn;
	s->wait_since = media_now_ms();
	check_done(s);
}

/* One step of reading: results, drops, the time limits. */
static void
receive(struct session *s)
{
	int op;
	const char *data;
	size_t len;
	int r = ws_recv(&s->ws, &op, &data, &len, STEP_MS);
	double now = media_now_ms();
	if (r < 0) {
		char why[64];
		snprintf(why, sizeof why, "connection closed (%d)", s->ws.close_code);
		fail(s, why);
		return;
	}
	if (r > 0) {
		s->last_msg = now;
		if (op == WS_TEXT && dg_message(&s->u, data, len) < 0) {
			fail(s, s->u.error);
			return;
		}
		if (s->in_turn)
			endpoint(s);
		check_done(s);
		return;
	}
	if (s->waiting && s->u.final && s->u.len > 0 && now - s->wait_since > ENDPOINT_FLUSH_WAIT_MS) {
		publish(s->l, s->waiting, 1, s->u.text, NULL);
		s->waiting = 0;
	}
	if (s->waiting) {
		int heard = s->last_msg > s->wait_since;
		double since = heard ? s->last_msg : s->wait_since;
		long limit = heard ? cfg_int(CFG_provider_stall_ms) : cfg_int(CFG_provider_first_byte_ms);
		if (limit > 0 && now - since > (double)limit)
			fail(s, heard ? "stream stalled" : "no result within the limit");
	}
}

static void
close_session(struct session *s)
{
	if (send_or_fail(s, WS_TEXT, close_msg, sizeof close_msg - 1) < 0)
		return;
	double until = media_now_ms() + CLOSE_WAIT_MS;
	while (!s->u.metadata && media_now_ms() < until) {
		int op;
		const char *data;
		size_t len;
		int r = ws_recv(&s->ws, &op, &data, &len, STEP_MS);
		if (r < 0)
			break;
		if (r > 0 && op == WS_TEXT && dg_message(&s->u, data, len) < 0)
			break;
	}
	disconnect(s, s->u.metadata && s->u.duration >= 0 ? s->u.duration : -1);
}

/* Takes the events the loop queued; 1 when the call is over. */
static int
drain_events(struct session *s)
{
	struct stt_live *l = s->l;
	pthread_mutex_lock(&l->mu);
	uint8_t *ev = l->q;
	size_t n = l->qlen;
	int overflow = l->overflow;
	l->q = NULL;
	l->qlen = l->qcap = 0;
	l->overflow = 0;
	pthread_mutex_unlock(&l->mu);
	if (overflow)
		fail(s, "audio queue overflow");
	int closing = 0;
	for (size_t off = 0; off + 5 <= n && !closing;) {
		uint32_t len;
		memcpy(&len, ev + off + 1, 4);
		const uint8_t *d = ev + off + 5;
		switch (ev[off]) {
		case EV_BEGIN: turn_begin(s); break;
		case EV_AUDIO: send_audio(s, d, len); break;
		case EV_FINAL: { unsigned t; memcpy(&t, d, sizeof t); turn_end(s, t); break; }
		case EV_CLOSE: closing = 1; break;
		}
		off += 5 + len;
	}
	free(ev);
	return closing;
}

static void *
run(void *arg)
{
	struct session s = { .l = arg };
	struct stt_live *l = s.l;
	dg_init(&s.u);
	while (!drain_events(&s)) {
		if (!s.connected) {
			struct timespec ts = { 0, STEP_MS * 1000000L };
			nanosleep(&ts, NULL);
			continue;
		}
		if (media_now_ms() - s.last_send >= STT_LIVE_KEEPALIVE_MS &&
		    send_or_fail(&s, WS_TEXT, keepalive_msg, sizeof keepalive_msg - 1) < 0)
			continue;
		receive(&s);
	}
	close_session(&s);
	pthread_mutex_lock(&l->mu);
	l->done = 1;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static void
push(struct stt_live *l, int kind, const void *data, uint32_t len)
{
	pthread_mutex_lock(&l->mu);
	if (l->dead && kind == EV_AUDIO) {
		/* nothing will carry it */
	} else if (l->qlen + 5 + len > QUEUE_MAX) {
		l->overflow = 1;
	} else {
		if (l->qlen + 5 + len > l->qcap) {
			l->qcap = (l->qlen + 5 + len) * 2;
			l->q = xrealloc(l->q, l->qcap);
		}
		l->q[l->qlen] = (uint8_t)kind;
		memcpy(l->q + l->qlen + 1, &len, 4);
		if (len)
			memcpy(l->q + l->qlen + 5, data, len);
		l->qlen += 5 + len;
	}
	pthread_mutex_unlock(&l->mu);
}

struct stt_live *
stt_live_open(const char *provider, const char *tenant_id, int worker)
{
	struct stt_live *l = xcalloc(1, sizeof *l);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	l->refs = 1;
	snprintf(l->provider, sizeof l->provider, "%s", provider);
	snprintf(l->tenant, sizeof l->tenant, "%s", tenant_id);
	l->worker = worker;
	if (pthread_create(&l->thread, NULL, run, l) == 0)
		l->running = 1;
	else {
		log_error("media_stt_session_thread_failed", NULL);
		l->dead = l->done = 1;
		snprintf(l->dead_error, sizeof l->dead_error, "session thread could not start");
	}
	return l;
}

void
stt_live_begin(struct stt_live *l)
{
	pthread_mutex_lock(&l->mu);
	l->begun++;
	pthread_mutex_unlock(&l->mu);
	push(l, EV_BEGIN, NULL, 0);
}

int
stt_live_endpointed(struct stt_live *l)
{
	pthread_mutex_lock(&l->mu);
	int over = !l->dead && l->begun > 0 && l->endpointed == l->begun;
	pthread_mutex_unlock(&l->mu);
	return over;
}
void stt_live_audio(struct stt_live *l, const uint8_t *ulaw, size_t n) { push(l, EV_AUDIO, ulaw, (uint32_t)n); }

unsigned
stt_live_end_turn(struct stt_live *l)
{
	pthread_mutex_lock(&l->mu);
	unsigned t = ++l->asked;
	pthread_mutex_unlock(&l->mu);
	push(l, EV_FINAL, &t, sizeof t);
	return t;
}

void
stt_live_ref(struct stt_live *l)
{
	pthread_mutex_lock(&l->mu);
	l->refs++;
	pthread_mutex_unlock(&l->mu);
}

void
stt_live_unref(struct stt_live *l)
{
	pthread_mutex_lock(&l->mu);
	int last = --l->refs == 0;
	pthread_mutex_unlock(&l->mu);
	if (!last)
		return;
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l->q);
	free(l->text);
	free(l);
}

int
stt_live_usable(struct stt_live *l, unsigned turn)
{
	pthread_mutex_lock(&l->mu);
	if (l->dead && l->charged == 0)
		l->charged = turn;
	int usable = !l->dead || l->charged == turn;
	pthread_mutex_unlock(&l->mu);
	return usable;
}

char *
stt_live_result(struct stt_live *l, unsigned turn, struct engine_ctx *ctx)
{
	double started = media_now_ms();
	char *text = NULL;
	pthread_mutex_lock(&l->mu);
	while (l->answered < turn && !l->done && !l->dead && !(ctx->cancel && *ctx->cancel)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += STEP_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&l->cv, &l->mu, &ts);
	}
	if (l->answered == turn && l->ok)
		text = xstrdup(l->text);
	else if (l->answered == turn)
		snprintf(ctx->error, sizeof ctx->error, "%s", l->error);
	else if (l->answered < turn && l->dead)
		snprintf(ctx->error, sizeof ctx->error, "%s", l->dead_error);
	else {
		/* Superseded by a later turn, the call ended, or cancelled. */
		ctx->cancelled = 1;
		snprintf(ctx->error, sizeof ctx->error, "cancelled");
	}
	pthread_mutex_unlock(&l->mu);
	if (text)
		ctx->ttfb_ms = media_now_ms() - started;
	return text;
}

int
stt_live_close(struct stt_live *l, struct engine_usage *u, char *error, size_t errlen)
{
	push(l, EV_CLOSE, NULL, 0);
	if (l->running)
		pthread_join(l->thread, NULL);
	u->audio_seconds += l->billed;
	int unreported = l->dead && l->charged == 0;
	snprintf(error, errlen, "%s", unreported ? l->dead_error : "");
	stt_live_unref(l);
	return unreported ? -1 : 0;
}

static char *
turn_text(struct engine_ctx *ctx, struct stt_live *live, unsigned turn, struct engine_usage *u)
{
	(void)u;                       /* billed when the session closes (Metadata) */
	return stt_live_result(live, turn, ctx);
}

const struct stt_remote stt_deepgram = { "deepgram", turn_text };
