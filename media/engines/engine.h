/* One small interface per pipeline stage.  Engines run on engine
 * threads (they may block); each reports its usage so the daemon can
 * price it.  An agent names its engine per stage (stt_chain, llm_chain,
 * tts_chain: the first entry this daemon knows is used). */
#ifndef MEDIA_ENGINE_H
#define MEDIA_ENGINE_H
#include <stddef.h>
#include <stdint.h>

struct dialog;

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

/* The first engine of the chain (a JSON array text or a single name)
 * that this daemon has; the local engine when none. */
const struct stt_engine *engine_stt(const char *name);
const struct llm_engine *engine_llm(const char *name);
const struct tts_engine *engine_tts(const char *name);

extern const struct stt_engine stt_pocketsphinx, stt_fixed_delay;
extern const struct llm_engine llm_local, llm_fixed_delay;
extern const struct tts_engine tts_espeak, tts_fixed_delay;

#endif
