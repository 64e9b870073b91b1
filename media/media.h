/* voxline-media: shared state of the daemon, its workers and calls.
 * Each worker owns one libuv loop with one libwebsockets context; a call
 * lives on one worker's loop thread and is only touched there.  Engine
 * work runs on libuv's thread pool and comes back to the loop. */
#ifndef MEDIA_MEDIA_H
#define MEDIA_MEDIA_H
#include "buf.h"
#include "codec.h"
#include "reorder.h"
#include "stream.h"
#include "dialog.h"
#include "engines/engine.h"
#include "outq.h"
#include "price.h"
#include "resilience.h"
#include "stream_token.h"
#include "vad.h"
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <uv.h>

struct lws;
struct lws_context;
struct lws_vhost;
struct call;
struct agent;

/* A message from an engine thread to a loop (a completed sentence). */
struct mail {
	struct mail *next;
	struct call *call;
	unsigned gen;
	char *text;
};

struct worker {
	int index;
	uv_loop_t loop;
	struct lws_context *ctx;
	struct lws_vhost *vhost;
	int listen_fd;
	uv_poll_t accept_poll;
	uv_timer_t tick;
	double last_tick;             /* monotonic ms of the tick before, 0 before the first */
	uv_async_t wake;
	pthread_mutex_t lock;
	struct mail *mail, *mail_tail;
	struct curl_loop *curl;       /* the loop's own HTTP (carrier REST) */
	struct loop_db *db;           /* the loop's own PostgreSQL (call start reads) */
	uv_idle_t flush;              /* runs while calls have something to write */
	struct call *dirty;           /* calls with something to write (call_want_write) */
	struct call *calls;           /* doubly linked */
	int ncalls;
	int stopping;
	pthread_t thread;
};

struct media_state {
	struct price_table prices;
	struct vad_config vad;
	char owner[160];              /* node/run: who holds a call (calls.media_owner) */
	int nworkers;
	struct worker *workers;
	int draining;                 /* atomic */
	double drain_deadline;        /* monotonic ms */
	int active_calls;             /* atomic */
};
extern struct media_state media;

double media_now_ms(void);        /* monotonic */
double media_wall_ms(void);       /* Unix epoch */
#define MEDIA_ISO_LEN 32
/* A record's time, UTC with milliseconds: 2026-11-21T23:59:30.123Z */
void media_iso_time(double wall_ms, char out[MEDIA_ISO_LEN]);

enum call_phase { CALL_WAIT_START, CALL_LIVE, CALL_ENDING, CALL_CLOSED };

struct turn_timing {
	double speech_end, eot, stt_done, llm_first, tts_first, first_audio;
	double speech_start_wall;
};

struct call {
	struct call *prev, *next;
	struct worker *w;
	struct lws *wsi;              /* NULL once the socket is gone */
	int refs;                     /* loop thread only */
	struct call *dirty_next;      /* on its worker's dirty list */
	int dirty;
	enum carrier carrier;
	enum call_phase phase;
	int answered;                 /* went live: it leaves a record (a refused stream does not) */
	char query_token[1024];
	char stream_id[128], call_sid[128], account_sid[128];
	char *media_prefix;           /* outbound media frame text up to the payload */
	struct codec codec;           /* the stream's audio format */
	struct reorder reorder;       /* Telnyx: caller frames back in order */
	struct stream_claims claims;
	struct agent *agent;
	struct dialog dialog;
	int call_info_ready;
	struct vad vad;
	struct outq outq;
	struct buf rx;
	/* Control frames waiting to be written (clear first, then in order). */
	char *ctl[8];
	int nctl;
	int clear_pending;
	double clear_decided_ms;
	/* The caller's utterance under way (8 kHz PCM) and a short pre-roll. */
	int16_t *utt;
	size_t utt_len, utt_cap;
	int16_t preroll[1600];
	size_t preroll_len;
	struct stt_live *stt_live;    /* the call's live recognition session, if its chain has one */
	int capturing;
	double speech_start_ms;
	/* The agent's reply under way. */
	unsigned gen;
	int thinking;                 /* STT or LLM under way for the current turn */
	int llm_done, tts_busy;
	char *sentences[32];
#define CALL_SPOKEN 32
	char *spoken[CALL_SPOKEN];    /* synthesised sentences, by index */
	int nsent, sent_index;
	volatile int *cancel_tts, *cancel_llm;
	struct buf reply_text;
	struct buf heard_text;
	int reply_seq;
	double reply_started_wall;
	struct turn_timing t;
	int measuring;
	enum dialog_action pending_action;
	double action_deadline;
	double filler_at;
	int filler_played;
	/* Bookkeeping for the record. */
	json_t *turns, *events;
	int seq;
	double started_ms, started_wall, last_caller_ms;
	int silence_prompts;
	int ending_said;
	struct engine_usage usage_stt, usage_llm, usage_tts;
	const char *end_reason;
	int failed, transferred;
	const char *transfer_status;
	double *v2v, *lat_eot, *lat_stt, *lat_llm, *lat_tts;
	int nlat, caplat;
	double frame_late_max;
	long frames_sent;
	struct resilience_state rs;   /* providers: usage, fallbacks */
};

/* call.c: the session, driven by server.c */
struct call *call_new(struct worker *w, struct lws *wsi, enum carrier c, const char *query_token);
int call_rx(struct call *c, const char *data, size_t len, int final);   /* -1: close */
int call_writable(struct call *c);         /* -1: close the socket */
void call_flush(struct worker *w);         /* writes what call_want_write asked for */
void call_socket_closed(struct call *c);
void call_tick(struct call *c, double now);
void call_ref(struct call *c);
void call_unref(struct call *c);
void call_hang_up(struct call *c, const char *reason);
void call_event(struct call *c, const char *type, json_t *data);
void call_want_write(struct call *c);

/* pipeline.c: turns, engines and replies */
void pipeline_greet(struct call *c);
void pipeline_caller_audio(struct call *c, const int16_t *pcm, size_t n);
void pipeline_say(struct call *c, const char *text, enum dialog_action then);
void pipeline_barge_in(struct call *c);
void pipeline_mark_heard(struct call *c, const char *name);
void pipeline_tick(struct call *c, double now);
void pipeline_mail(struct worker *w);
void pipeline_frame_sent(struct call *c, double now);
/* The stream closed: the live recognition session ends (CloseStream). */
void pipeline_stream_closed(struct call *c);
void pipeline_end(struct call *c);          /* closes the reply under way */
/* Plays ready audio as the agent's next reply, then does `then`. */
void pipeline_play(struct call *c, const uint8_t *audio, size_t n, const char *text,
    enum dialog_action then);

/* finish.c: the call's record for the writer */
void finish_call(struct call *c);

/* transfer.c: the carrier's REST call on the worker's loop.  done runs on
 * the loop exactly once (at once when the request cannot be sent) with
 * res->err ERR_none on success, else the catalog code and the carrier's
 * detail; arg must stay valid until then (hold a reference). */
typedef void (*transfer_done_fn)(const struct carrier_result *res, void *arg);
void transfer_start(struct worker *w, enum carrier carrier, const char *call_sid, const char *to,
    int voicemail, transfer_done_fn done, void *arg);

#endif
