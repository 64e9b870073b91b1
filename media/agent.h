/* An agent as the media daemon needs it: configuration, knowledge-base
 * passages and its synthesised greeting and filler phrase.  Its row is
 * read on the worker's loop (loop_db.h), the agent built on an engine
 * thread; shared read-only by every call of the agent (reference
 * counted) and cached for media_agent_cache_seconds. */
#ifndef MEDIA_AGENT_H
#define MEDIA_AGENT_H
#include "chain.h"
#include <libpq-fe.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct agent {
	int refs;                     /* atomic */
	char id[37], tenant_id[37];
	int version;
	char *name, *business_name, *greeting, *voice, *time_zone;
	char *transfer_number;        /* NULL: no transfer */
	int voicemail_enabled, message_taking_enabled, max_duration_seconds;
	char stt[32], llm[32], tts[32];   /* first engine of each chain */
	struct engine_chain chains[CHAIN__STAGES];
	json_t *hours;                /* {"mon": [{"open","close"}], ...} */
	json_t *signals;              /* dashboard_signals */
	struct kb_corpus *kb;          /* its knowledge bases' passages (lib/kb_search) */
	char *filler;                 /* filler phrase, NULL when none */
	char *vocabulary;             /* words callers are likely to use (recognition hints) */
	uint8_t *greeting_audio, *filler_audio;   /* 8 kHz mu-law */
	size_t greeting_len, filler_len;
	/* Said with the local engine when a stage has no provider left, and
	 * while a caller waits too long (provider_hold_text); fallback_end
	 * when the transfer that follows the fallback fails (agents with a
	 * transfer number), so that path synthesises nothing on the loop. */
	uint8_t *fallback_audio, *hold_audio, *fallback_end_audio;
	size_t fallback_len, hold_len, fallback_end_len;
	double loaded_at;             /* media_now_ms() */
};

void agent_ref(struct agent *a);
void agent_unref(struct agent *a);

/* Cached agent for id (any age) or NULL; the caller gets a reference.
 * *stale is set when it is older than the cache time. */
struct agent *agent_cache_get(const char *agent_id, int *stale);
/* The agent's row: parameters $1 agent id, $2 tenant id; run under the
 * tenant's row-level security (on the worker's loop, loop_db.h). */
const char *agent_sql(void);
/* CPU heavy: builds the agent from its row (chains, knowledge base,
 * vocabulary), synthesises greeting and filler unless the cached copy
 * has the same text and voice, stores it in the cache.  Engine threads
 * only.  Returns a reference, or NULL when row is not one agent row. */
struct agent *agent_build(const char *tenant_id, const char *agent_id, PGresult *row);

#endif
