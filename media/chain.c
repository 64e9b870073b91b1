/* Running a stage through its chain of engines. */
#include "chain.h"
#include "agent.h"
#include "breakers.h"
#include "dialog.h"
#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "media.h"
#include "pool_db.h"
#include "provider_creds.h"
#include "engines/stt_live.h"
#include "xalloc.h"
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *const stage_names[CHAIN__STAGES] = { "stt", "llm", "tts" };

static int
known(enum chain_stage stage, const char *name)
{
	if (stage == CHAIN_STT ? engine_stt_remote(name) != NULL : stage == CHAIN_LLM ?
	    engine_llm_remote(name) != NULL : engine_tts_remote(name) != NULL)
		return 1;
	const char *have = stage == CHAIN_STT ? engine_stt(name)->name :
	    stage == CHAIN_LLM ? engine_llm(name)->name : engine_tts(name)->name;
	return strcmp(have, name) == 0;
}

void
chain_parse(struct engine_chain *c, enum chain_stage stage, const char *text)
{
	c->n = 0;
	json_t *arr = json_loads(text ? text : "[]", 0, NULL), *v;
	size_t i;
	json_array_foreach(arr, i, v) {
		const char *n = json_string_value(v);
		if (!n || strlen(n) >= CHAIN_NAME || c->n == CHAIN_MAX)
			continue;
		if (!known(stage, n)) {
			log_warn("media_engine_unknown", "{s:s,s:s}", "engine", n, "stage", stage_names[stage]);
			continue;
		}
		memcpy(c->names[c->n++], n, strlen(n) + 1);
	}
	json_decref(arr);
	if (c->n == 0) {
		const char *def = stage == CHAIN_STT ? engine_stt(NULL)->name :
		    stage == CHAIN_LLM ? engine_llm(NULL)->name : engine_tts(NULL)->name;
		snprintf(c->names[c->n++], CHAIN_NAME, "%s", def);
	}
}

/* Credentials, cached for the agent cache time so a turn does not wait
 * on the database. */
#define CRED_CACHE 64
static pthread_mutex_t cred_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cred_entry {
	char tenant[37], provider[CHAIN_NAME];
	struct provider_cred cred;
	int found;
	double at;
} creds[CRED_CACHE];
static int ncreds;

int
chain_credentials(const char *tenant_id, const char *provider, struct provider_cred *out)
{
	double now = media_now_ms(), ttl = (double)cfg_int(CFG_media_agent_cache_seconds) * 1000.0;
	pthread_mutex_lock(&cred_lock);
	for (int i = 0; i < ncreds; i++)
		if (strcmp(creds[i].tenant, tenant_id) == 0 && strcmp(creds[i].provider, provider) == 0 &&
		    now - creds[i].at < ttl) {
			*out = creds[i].cred;
			int f = creds[i].found;
			pthread_mutex_unlock(&cred_lock);
			return f;
		}
	pthread_mutex_unlock(&cred_lock);
	struct db *db = pool_db();
	if (db == NULL || db_begin_tenant(db, "*") < 0)
		return -1;
	int found = provider_cred_lookup(db, tenant_id, provider, out);
	if (found < 0) {
		db_rollback(db);
		return -1;
	}
	db_commit(db);
	pthread_mutex_lock(&cred_lock);
	int slot = 0;
	for (int i = 0; i < ncreds; i++)
		if (strcmp(creds[i].tenant, tenant_id) == 0 && strcmp(creds[i].provider, provider) == 0)
			slot = i + 1;
	struct cred_entry *e = slot ? &creds[slot - 1] : ncreds < CRED_CACHE ? &creds[ncreds++] : &creds[(int)now % CRED_CACHE];
	snprintf(e->tenant, sizeof e->tenant, "%s", tenant_id);
	snprintf(e->provider, sizeof e->provider, "%s", provider);
	e->cred = *out;
	e->found = found;
	e->at = now;
	pthread_mutex_unlock(&cred_lock);
	return found;
}

/* Before one engine's attempt: the breaker and, for a cloud engine,
 * the credentials.  0 go, -1 skip (t says why). */
static int
prepare(struct chain_job *j, struct chain_try *t, int remote, struct engine_ctx *ctx,
    struct provider_cred *cred)
{
	if (j->worker >= 0 && !breakers_allow(j->worker, t->provider)) {
		t->skipped = 1;
		snprintf(t->error, sizeof t->error, "breaker open");
		return -1;
	}
	memset(ctx, 0, sizeof *ctx);
	ctx->provider = t->provider;
	ctx->agent = j->agent;
	ctx->cancel = j->cancel;
	ctx->first_byte_ms = cfg_int(CFG_provider_first_byte_ms);
	ctx->stall_ms = cfg_int(CFG_provider_stall_ms);
	ctx->connect_ms = cfg_int(CFG_provider_connect_ms);
	ctx->ttfb_ms = -1;
	if (!remote)
		return 0;
	int f = chain_credentials(j->tenant_id, t->provider, cred);
	if (f <= 0 || !cred->base_url[0]) {
		snprintf(t->error, sizeof t->error, "%s", f < 0 ? "credentials could not be read" :
		    "no credentials for this provider");
		t->skipped = 1;
		if (j->worker >= 0)
			breakers_release(j->worker, t->provider);
		return -1;
	}
	ctx->base_url = cred->base_url;
	ctx->secret = cred->secret;
	return 0;
}

/* After an attempt: the breaker learns the outcome.  1 when the chain
 * must stop (success or cancellation). */
static int
settle(struct chain_job *j, struct chain_try *t, int ok, struct engine_ctx *ctx, enum chain_stage stage)
{
	if (ctx->cancelled || (j->cancel && *j->cancel)) {
		if (j->worker >= 0)
			breakers_release(j->worker, t->provider);
		snprintf(t->error, sizeof t->error, "cancelled");
		return 1;
	}
	t->ok = ok;
	if (!ok)
		snprintf(t->error, sizeof t->error, "%.199s", ctx->error[0] ? ctx->error : "engine failed");
	if (j->worker >= 0)
		breakers_record(j->worker, t->provider, ok, t->error);
	if (ok) {
		snprintf(j->report.used, sizeof j->report.used, "%s", t->provider);
		return 1;
	}
	log_warn("media_provider_failed", "{s:s,s:s,s:s}", "stage", stage_names[stage], "provider", t->provider,
	    "error", t->error);
	return 0;
}

static struct chain_try *
next_try(struct chain_job *j, const char *name)
{
	struct chain_try *t = &j->report.tried[j->report.n++];
	memset(t, 0, sizeof *t);
	snprintf(t->provider, sizeof t->provider, "%s", name);
	return t;
}

static void
finish(struct chain_job *j)
{
	j->report.exhausted = j->report.used[0] == 0 && !(j->cancel && *j->cancel);
}

char *
chain_stt(struct chain_job *j, const int16_t *pcm, size_t n, const char *hints)
{
	const struct engine_chain *c = &j->agent->chains[CHAIN_STT];
	char *text = NULL;
	memset(&j->report, 0, sizeof j->report);
	for (int i = 0; i < c->n && text == NULL; i++) {
		const struct stt_remote *r = engine_stt_remote(c->names[i]);
		struct chain_try *t = next_try(j, c->names[i]);
		struct engine_ctx ctx;
		struct provider_cred cred;
		if (prepare(j, t, r != NULL, &ctx, &cred) < 0)
			continue;
		if (r && (j->live == NULL || !stt_live_usable(j->live, j->live_turn))) {
			/* No session for this call, or it failed at an earlier turn:
			 * the rest of the call is heard by the next engine. */
			t->skipped = 1;
			snprintf(t->error, sizeof t->error, "%s", j->live ? "live session failed earlier in the call" :
			    "no live session");
			if (j->worker >= 0)
				breakers_release(j->worker, t->provider);
			continue;
		}
		text = r ? r->turn_text(&ctx, j->live, j->live_turn, &t->usage) :
		    engine_stt(c->names[i])->transcribe(pcm, n, hints, &t->usage);
		if (settle(j, t, text != NULL, &ctx, CHAIN_STT))
			break;
	}
	finish(j);
	return text;
}

struct tokens {
	llm_token_fn fn;
	void *arg;
	struct buf text;
};

static void
on_token(const char *tok, void *arg)
{
	struct tokens *k = arg;
	buf_puts(&k->text, tok);
	k->fn(tok, k->arg);
}

int
chain_llm(struct chain_job *j, struct dialog *d, const char *caller_text, llm_token_fn token, void *arg)
{
	const struct engine_chain *c = &j->agent->chains[CHAIN_LLM];
	memset(&j->report, 0, sizeof j->report);
	struct tokens k = { .fn = token, .arg = arg };
	buf_init(&k.text, 64 * 1024);
	int rc = -1, cut = 0, turns = d->caller_turns;
	char *ask = xstrdup(caller_text);
	for (int i = 0; i < c->n; i++) {
		const struct llm_remote *r = engine_llm_remote(c->names[i]);
		struct chain_try *t = next_try(j, c->names[i]);
		struct engine_ctx ctx;
		struct provider_cred cred;
		if (prepare(j, t, r != NULL, &ctx, &cred) < 0)
			continue;
		buf_reset(&k.text);
		if (r) {
			d->action = DIALOG_NONE;
			d->looked_up = 0;
			rc = r->reply(&ctx, d, ask, on_token, &k, &t->usage);
		} else
			rc = engine_llm(c->names[i])->reply(d, caller_text, on_token, &k, &t->usage);
		if (settle(j, t, rc == 0, &ctx, CHAIN_LLM))
			break;
		if (k.text.len && !cut) {
			/* The caller heard part of this reply: the next engine carries
			 * on from it rather than starting again. */
			dialog_remember(d, caller_text, k.text.data);
			free(ask);
			ask = xasprintf("(Your reply above was cut off. Continue it from where it stopped, without "
			    "repeating it, and answer what I said: \"%s\")", caller_text);
			cut = 1;
		}
	}
	/* The caller spoke, whichever engine answered and even when none
	 * could (the local dialogue engine counts its own turns). */
	if (d->caller_turns == turns)
		dialog_note_turn(d, caller_text);
	if (j->report.used[0])
		dialog_remember(d, cut ? NULL : caller_text, k.text.data ? k.text.data : "");
	free(ask);
	buf_free(&k.text);
	finish(j);
	return j->report.used[0] ? 0 : -1;
}

int
chain_tts(struct chain_job *j, const char *text, const char *voice, uint8_t **ulaw, size_t *n)
{
	const struct engine_chain *c = &j->agent->chains[CHAIN_TTS];
	memset(&j->report, 0, sizeof j->report);
	int rc = -1;
	for (int i = 0; i < c->n; i++) {
		const struct tts_remote *r = engine_tts_remote(c->names[i]);
		struct chain_try *t = next_try(j, c->names[i]);
		struct engine_ctx ctx;
		struct provider_cred cred;
		if (prepare(j, t, r != NULL, &ctx, &cred) < 0)
			continue;
		rc = r ? r->synth(&ctx, text, voice, ulaw, n, &t->usage) :
		    engine_tts(c->names[i])->synth(text, voice, j->cancel, ulaw, n, &t->usage);
		if (settle(j, t, rc == 0, &ctx, CHAIN_TTS))
			break;
	}
	finish(j);
	return j->report.used[0] ? 0 : -1;
}

void
chain_stt_close(struct chain_job *j, const char *provider)
{
	memset(&j->report, 0, sizeof j->report);
	struct chain_try *t = next_try(j, provider);
	t->ok = stt_live_close(j->live, &t->usage, t->error, sizeof t->error) == 0;
	j->live = NULL;
	if (!t->ok && j->worker >= 0)
		breakers_record(j->worker, provider, 0, t->error);
}

const char *
chain_stt_live(const struct agent *a)
{
	const struct engine_chain *c = &a->chains[CHAIN_STT];
	for (int i = 0; i < c->n; i++)
		if (engine_stt_remote(c->names[i]))
			return c->names[i];
	return NULL;
}

void
chain_usage_total(const struct chain_report *r, struct engine_usage *out)
{
	memset(out, 0, sizeof *out);
	for (int i = 0; i < r->n; i++) {
		out->audio_seconds += r->tried[i].usage.audio_seconds;
		out->tokens += r->tried[i].usage.tokens;
		out->characters += r->tried[i].usage.characters;
	}
}
