/* Engine chains: each stage of a call runs through the agent's chain
 * of engines (stt_chain, llm_chain, tts_chain), skipping providers
 * whose breaker is open and moving on when one fails, so a turn is
 * finished by the next engine with the conversation kept.  Runs on an
 * engine thread. */
#ifndef MEDIA_CHAIN_H
#define MEDIA_CHAIN_H
#include "engines/engine.h"
#include <stddef.h>
#include <stdint.h>

struct agent;
struct dialog;

#define CHAIN_MAX 4
#define CHAIN_NAME 32

enum chain_stage { CHAIN_STT, CHAIN_LLM, CHAIN_TTS, CHAIN__STAGES };

struct engine_chain {
	char names[CHAIN_MAX][CHAIN_NAME];
	int n;
};

/* What one stage's run did: every provider tried, with its usage. */
struct chain_report {
	int n;
	struct chain_try {
		char provider[CHAIN_NAME];
		struct engine_usage usage;
		int ok, skipped;
		char error[200];
	} tried[CHAIN_MAX];
	char used[CHAIN_NAME];        /* the engine that answered ("" if none) */
	int exhausted;                /* no engine answered (not cancelled) */
};

struct chain_job {
	const struct agent *agent;
	const char *tenant_id;
	const char *call_id;
	int worker;                   /* whose breakers (-1: none, e.g. agent loading) */
	const volatile int *cancel;
	struct stt_live *live;        /* STT: the call's live session (may be NULL) */
	unsigned live_turn;           /* and the turn asked of it */
	struct chain_report report;
};

/* Parses a chain (JSON array of names) keeping the engines this daemon
 * has for the stage, in order; the stage's local engine when none. */
void chain_parse(struct engine_chain *c, enum chain_stage stage, const char *json);

char *chain_stt(struct chain_job *j, const int16_t *pcm, size_t n, const char *hints);
int chain_llm(struct chain_job *j, struct dialog *d, const char *caller_text, llm_token_fn token, void *arg);
int chain_tts(struct chain_job *j, const char *text, const char *voice, uint8_t **ulaw, size_t *n);

/* The end of the call's live STT session (j->live, whose reference it
 * takes): its billed usage, and a failure no turn reported, in the report. */
void chain_stt_close(struct chain_job *j, const char *provider);

/* Credentials of a cloud provider for a tenant (cached): 1, 0 when
 * there are none, -1 when they could not be read. */
struct provider_cred;
int chain_credentials(const char *tenant_id, const char *provider, struct provider_cred *out);
/* The live-session provider of the agent's STT chain, NULL when none. */
const char *chain_stt_live(const struct agent *a);

/* The sum of the usage in a report. */
void chain_usage_total(const struct chain_report *r, struct engine_usage *out);

#endif
