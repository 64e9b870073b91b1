/* Agent loading and the per-process agent cache.  The greeting and the
 * filler phrase are synthesised once per agent version, so a call's
 * first audio leaves as soon as its stream starts. */
#include "agent.h"
#include "cfg.h"
#include "db.h"
#include "dialog.h"
#include "engines/engine.h"
#include "kb_search.h"
#include "log.h"
#include "media.h"
#include "resilience.h"
#include "xalloc.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AGENT_CACHE_MAX 1024
#define AGENT_REFRESH_RETRY_MS 5000.0

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct agent *cache[AGENT_CACHE_MAX];
static int ncache;

void
agent_ref(struct agent *a)
{
	__atomic_add_fetch(&a->refs, 1, __ATOMIC_RELAXED);
}

void
agent_unref(struct agent *a)
{
	if (a == NULL || __atomic_sub_fetch(&a->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	free(a->name);
	free(a->business_name);
	free(a->greeting);
	free(a->voice);
	free(a->time_zone);
	free(a->transfer_number);
	free(a->filler);
	free(a->vocabulary);
	json_decref(a->hours);
	json_decref(a->signals);
	kb_corpus_free(a->kb);
	free(a->greeting_audio);
	free(a->filler_audio);
	free(a->fallback_audio);
	free(a->hold_audio);
	free(a->fallback_end_audio);
	free(a);
}

struct agent *
agent_cache_get(const char *agent_id, int *stale)
{
	struct agent *found = NULL;
	pthread_mutex_lock(&cache_lock);
	for (int i = 0; i < ncache; i++)
		if (strcmp(cache[i]->id, agent_id) == 0) {
			found = cache[i];
			agent_ref(found);
			double now = media_now_ms(), ttl = 1000.0 * (double)cfg_int(CFG_media_agent_cache_seconds);
			*stale = now - found->loaded_at > ttl;
			/* One caller refreshes it; the calls starting meanwhile go on
			 * with this copy instead of each loading the agent again.
			 * Should the refresh fail, the next caller tries after a pause. */
			if (*stale)
				found->loaded_at = now - ttl + (ttl < AGENT_REFRESH_RETRY_MS ? ttl : AGENT_REFRESH_RETRY_MS);
			break;
		}
	pthread_mutex_unlock(&cache_lock);
	return found;
}

static void
cache_put(struct agent *a)
{
	pthread_mutex_lock(&cache_lock);
	int i;
	for (i = 0; i < ncache; i++)
		if (strcmp(cache[i]->id, a->id) == 0)
			break;
	if (i == ncache && ncache == AGENT_CACHE_MAX) {
		agent_unref(cache[0]);
		memmove(cache, cache + 1, (size_t)(ncache - 1) * sizeof cache[0]);
		i = --ncache;
	}
	if (i < ncache)
		agent_unref(cache[i]);
	else
		ncache++;
	agent_ref(a);
	cache[i] = a;
	pthread_mutex_unlock(&cache_lock);
}

static char *
dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

static int
same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Synthesises text unless `old` already holds it for the same voice. */
static void
synth_cached(const struct agent *a, const struct agent *old, const char *text,
    const char *old_text, const uint8_t *old_audio, size_t old_len, uint8_t **audio, size_t *len)
{
	*audio = NULL;
	*len = 0;
	if (text == NULL || *text == 0)
		return;
	if (old && old_audio && same_text(text, old_text) && same_text(a->voice, old->voice) &&
	    strcmp(a->tts, old->tts) == 0) {
		*audio = xmalloc(old_len);
		memcpy(*audio, old_audio, old_len);
		*len = old_len;
		return;
	}
	struct chain_job j = { .agent = a, .tenant_id = a->tenant_id, .worker = -1 };
	if (chain_tts(&j, text, a->voice, audio, len) < 0)
		log_error("media_greeting_synth_failed", "{s:s}", "agent_id", a->id);
}

#define AGENT_SQL \
	"SELECT a.version, a.name, a.business_name, a.greeting, a.voice, " \
	"       coalesce(a.time_zone, t.time_zone), a.transfer_number, a.voicemail_enabled, " \
	"       a.message_taking_enabled, a.max_duration_seconds, a.stt_chain::text, " \
	"       a.llm_chain::text, a.tts_chain::text, a.hours::text, a.dashboard_signals::text, " \
	"       coalesce((SELECT string_agg(k.content, E'\\n\\n' ORDER BY k.created_at, k.id) " \
	"                   FROM knowledge_bases k WHERE k.tenant_id = a.tenant_id AND k.agent_id = a.id), ''), " \
	"       (SELECT k.filler_phrase FROM knowledge_bases k " \
	"         WHERE k.tenant_id = a.tenant_id AND k.agent_id = a.id AND k.filler_phrase <> '' " \
	"         ORDER BY k.created_at LIMIT 1) " \
	"  FROM agents a JOIN tenants t ON t.id = a.tenant_id " \
	" WHERE a.id = $1 AND a.tenant_id = $2"

const char *
agent_sql(void)
{
	return AGENT_SQL;
}

struct agent *
agent_build(const char *tenant_id, const char *agent_id, PGresult *r)
{
	if (r == NULL || PQntuples(r) != 1 || PQnfields(r) != 17)
		return NULL;
	struct agent *a = xcalloc(1, sizeof *a);
	a->refs = 1;
	snprintf(a->id, sizeof a->id, "%s", agent_id);
	snprintf(a->tenant_id, sizeof a->tenant_id, "%s", tenant_id);
	a->version = atoi(db_value(r, 0, 0));
	a->name = xstrdup(db_value(r, 0, 1));
	a->business_name = dup_or_null(db_value(r, 0, 2));
	a->greeting = dup_or_null(db_value(r, 0, 3));
	a->voice = dup_or_null(db_value(r, 0, 4));
	a->time_zone = dup_or_null(db_value(r, 0, 5));
	a->transfer_number = dup_or_null(db_value(r, 0, 6));
	a->voicemail_enabled = db_value(r, 0, 7)[0] == 't';
	a->message_taking_enabled = db_value(r, 0, 8)[0] == 't';
	a->max_duration_seconds = atoi(db_value(r, 0, 9));
	chain_parse(&a->chains[CHAIN_STT], CHAIN_STT, db_value(r, 0, 10));
	chain_parse(&a->chains[CHAIN_LLM], CHAIN_LLM, db_value(r, 0, 11));
	chain_parse(&a->chains[CHAIN_TTS], CHAIN_TTS, db_value(r, 0, 12));
	memcpy(a->stt, a->chains[CHAIN_STT].names[0], sizeof a->stt);
	memcpy(a->llm, a->chains[CHAIN_LLM].names[0], sizeof a->llm);
	memcpy(a->tts, a->chains[CHAIN_TTS].names[0], sizeof a->tts);
	a->hours = json_loads(db_value(r, 0, 13), 0, NULL);
	a->signals = json_loads(db_value(r, 0, 14), 0, NULL);
	if (!a->hours) a->hours = json_object();
	if (!a->signals) a->signals = json_object();
	a->kb = kb_corpus_new();
	kb_corpus_add(a->kb, 0, db_value(r, 0, 15));
	a->filler = dup_or_null(db_value(r, 0, 16));
	a->vocabulary = dialog_vocabulary(a);

	int stale;
	struct agent *old = agent_cache_get(agent_id, &stale);
	synth_cached(a, old, a->greeting, old ? old->greeting : NULL, old ? old->greeting_audio : NULL,
	    old ? old->greeting_len : 0, &a->greeting_audio, &a->greeting_len);
	synth_cached(a, old, a->filler, old ? old->filler : NULL, old ? old->filler_audio : NULL,
	    old ? old->filler_len : 0, &a->filler_audio, &a->filler_len);
	agent_unref(old);
	resilience_prepare(a);
	a->loaded_at = media_now_ms();
	cache_put(a);
	return a;
}
