/* One small interface per pipeline stage.  Engines run on engine
 * threads (they may block); each reports its usage so the daemon can
 * price it.  An agent names its engine per stage (stt_chain, llm_chain,
 * tts_chain: the first entry this daemon knows is used). */
#ifndef MEDIA_ENGINE_H
#define MEDIA_ENGINE_H
#include <stddef.h>
#include <stdint.h>

struct dialog;
struct agent;

/* One request to a cloud provider: where and how to reach it, the
 * limits that count as a failure, and what happened. */
struct engine_ctx {
	const char *provider;         /* name in lib/providers.def */
	const char *base_url;         /* from the credential (or the table default) */
	const char *secret;
	const struct agent *agent;
	const volatile int *cancel;   /* may be NULL */
	long first_byte_ms;           /* time to first byte over this fails (0: none) */
	long stall_ms;                /* a gap between bytes over this fails (0: none) */
	long connect_ms;
	/* out */
	double ttfb_ms;               /* measured time to first byte, -1 if none */
	int http_status;
	int cancelled;                /* stopped because *cancel was set: not a provider failure */
	int emitted;                  /* LLM: tokens already passed on (the turn is under way) */
	char error[256];
};

struct engine_usage {
	double audio_seconds;
	long tokens;
	long characters;
};

struct stt_engine {
	const char *name;
	/* 8 kHz PCM16 in; malloc'd lower-case text out ("" if nothing), NULL on
	 * failure.  hints: words the caller is likely to use (may be NULL). */
	char *(*transcribe)(const int16_t *pcm, size_t n, const char *hints, struct engine_usage *u);
};

typedef void (*llm_token_fn)(const char *token, void *arg);

struct llm_engine {
	const char *name;
	/* Streams the reply to the caller's words through token(); may set
	 * the dialog's action.  0 or -1. */
	int (*reply)(struct dialog *d, const char *caller_text, llm_token_fn token, void *arg,
	    struct engine_usage *u);
};

struct tts_engine {
	const char *name;
	/* 8 kHz mu-law out (malloc'd); cancel polled while working.  0 or -1. */
	int (*synth)(const char *text, const char *voice, const volatile int *cancel,
	    uint8_t **ulaw, size_t *n, struct engine_usage *u);
};

/* Cloud engines: the same stages through a provider, with the request
 * described by an engine_ctx (filled by the chain from the credential
 * and the configured limits). */
struct stt_live;
/* A cloud recogniser streams the whole call through one live session
 * (stt_live.h); a turn's transcript is read from it. */
struct stt_remote {
	const char *name;
	char *(*turn_text)(struct engine_ctx *ctx, struct stt_live *live, unsigned turn, struct engine_usage *u);
};

struct llm_remote {
	const char *name;
	/* The conversation so far is in the dialog's history. */
	int (*reply)(struct engine_ctx *ctx, struct dialog *d, const char *caller_text,
	    llm_token_fn token, void *arg, struct engine_usage *u);
};

struct tts_remote {
	const char *name;
	int (*synth)(struct engine_ctx *ctx, const char *text, const char *voice,
	    uint8_t **ulaw, size_t *n, struct engine_usage *u);
};

/* The cloud engine of that name, NULL when it is none. */
const struct stt_remote *engine_stt_remote(const char *name);
const struct llm_remote *engine_llm_remote(const char *name);
const struct tts_remote *engine_tts_remote(const char *name);

/* The first engine of the chain (a JSON array text or a single name)
 * that this daemon has; the local engine when none. */
const struct stt_engine *engine_stt(const char *name);
const struct llm_engine *engine_llm(const char *name);
const struct tts_engine *engine_tts(const char *name);

extern const struct stt_engine stt_pocketsphinx, stt_fixed_delay;
extern const struct llm_engine llm_local, llm_fixed_delay;
extern const struct tts_engine tts_espeak, tts_fixed_delay;
extern const struct stt_remote stt_deepgram;
extern const struct llm_remote llm_openai, llm_groq, llm_gemini, llm_openai_compatible;
extern const struct tts_remote tts_elevenlabs, tts_cartesia;

#endif
