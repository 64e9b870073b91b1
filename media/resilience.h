/* What keeps a call going when providers fail: usage and cost per
 * provider, the provider each stage used last, the fallback when a
 * whole stage has failed (cached message, then transfer or a polite
 * end) and the rule that the caller never waits in silence longer
 * than provider_max_silence_ms.  Loop thread, except resilience_prepare. */
#ifndef MEDIA_RESILIENCE_H
#define MEDIA_RESILIENCE_H
#include "chain.h"
#include <jansson.h>

struct call;
struct agent;

#define RESILIENCE_PROVIDERS 12

struct resilience_state {
	struct provider_usage {
		char provider[CHAIN_NAME];
		enum chain_stage stage;
		struct engine_usage u;
	} usage[RESILIENCE_PROVIDERS];
	int nusage;
	char used[CHAIN__STAGES][CHAIN_NAME];   /* engine that served each stage last */
	int stage_failed;             /* the fallback message is playing or played */
	double hold_at;               /* last hold phrase (monotonic ms) */
};

/* Engine thread, at agent load: the fallback and hold phrases,
 * synthesised once per text with the local engine. */
void resilience_prepare(struct agent *a);

/* After an STT, LLM or TTS job: usage per provider and the engine
 * used.  Returns 1 when the whole stage failed and the fallback took
 * over the call (the caller must not go on with the turn). */
int resilience_after_job(struct call *c, enum chain_stage stage, const struct chain_report *r);
/* The carrier refused the transfer after a stage failure: end politely. */
int resilience_transfer_failed(struct call *c);
/* Plays a hold phrase when the caller has waited too long. */
void resilience_tick(struct call *c, double now);
/* Provider that served a stage (for the turn), or the chain's first. */
const char *resilience_provider(const struct call *c, enum chain_stage stage);
/* Cost of a stage: every provider's usage at its own price. */
double resilience_cost(const struct call *c, enum chain_stage stage, time_t when);
/* [{stage, provider, units, unit, cost}] for the record. */
json_t *resilience_cost_lines(const struct call *c, time_t when);

#endif
