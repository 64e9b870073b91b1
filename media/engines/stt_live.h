/* A live recognition session that lasts the whole call (Deepgram's
 * streaming API).  The call's loop feeds it without blocking: a turn
 * begins, its audio follows frame by frame, the daemon's end-of-turn
 * decision asks for the turn's transcript; an STT job on an engine
 * thread waits for that transcript.  The session's own thread owns the
 * WebSocket: it opens it at the first turn, streams the audio, passes
 * the provider's end-of-turn (endpointing) back to the loop, sends
 * KeepAlive while the caller is silent, Finalize at each end of turn and
 * CloseStream at the end of the call.  A session that fails (dropped,
 * stalled, refused) stays failed: the turn under way reports the
 * failure, and later turns skip the recogniser for the rest of the call. */
#ifndef MEDIA_STT_LIVE_H
#define MEDIA_STT_LIVE_H
#include "engine.h"
#include <stddef.h>
#include <stdint.h>

struct stt_live;

#define STT_LIVE_KEEPALIVE_MS 4000    /* Deepgram closes after 10 s without audio or KeepAlive */

/* Loop side (never blocks).  worker: whose breakers. */
struct stt_live *stt_live_open(const char *provider, const char *tenant_id, int worker);
void stt_live_begin(struct stt_live *l);                 /* a caller turn starts */
void stt_live_audio(struct stt_live *l, const uint8_t *ulaw, size_t n);
unsigned stt_live_end_turn(struct stt_live *l);          /* Finalize; the turn's number */
/* 1 when the provider's endpointing says the turn begun last is over. */
int stt_live_endpointed(struct stt_live *l);
void stt_live_ref(struct stt_live *l);
void stt_live_unref(struct stt_live *l);

/* Engine thread.  0 when the session failed and an earlier turn already
 * reported it (the recogniser is skipped); otherwise 1, and a failure
 * from now on is this turn's to report. */
int stt_live_usable(struct stt_live *l, unsigned turn);
/* The transcript of turn (malloc'd), NULL on failure (ctx->error, or
 * ctx->cancelled when the turn was given up). */
char *stt_live_result(struct stt_live *l, unsigned turn, struct engine_ctx *ctx);
/* CloseStream, waits for Metadata and the session's thread; adds the
 * billed audio (Metadata duration, or the audio sent when the session
 * failed) to u and drops the loop's reference.  -1 with error when the
 * session failed and no turn reported it (it died after the last one). */
int stt_live_close(struct stt_live *l, struct engine_usage *u, char *error, size_t errlen);

#endif
