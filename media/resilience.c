#include "resilience.h"
#include "media.h"
#include "agent.h"
#include "cfg.h"
#include "log.h"
#include "xalloc.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *const stage_names[CHAIN__STAGES] = { "stt", "llm", "tts" };
static const enum price_unit stage_units[CHAIN__STAGES] = { PRICE_AUDIO_SECOND, PRICE_TOKEN, PRICE_CHARACTER };
static const char *const unit_names[CHAIN__STAGES] = { "audio_second", "token", "character" };

/* Phrases synthesised with the local engine, once per text and voice. */
#define PHRASES 32
static pthread_mutex_t phrase_lock = PTHREAD_MUTEX_INITIALIZER;
static struct phrase {
	char *text, *voice;
	uint8_t *audio;
	size_t len;
} phrases[PHRASES];
static int nphrases;

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static void
phrase(const char *text, const char *voice, uint8_t **audio, size_t *len)
{
	*audio = NULL;
	*len = 0;
	pthread_mutex_lock(&phrase_lock);
	for (int i = 0; i < nphrases; i++)
		if (strcmp(phrases[i].text, text) == 0 && same(phrases[i].voice, voice)) {
			*audio = xmalloc(phrases[i].len);
			memcpy(*audio, phrases[i].audio, phrases[i].len);
			*len = phrases[i].len;
			pthread_mutex_unlock(&phrase_lock);
			return;
		}
	pthread_mutex_unlock(&phrase_lock);
	struct engine_usage u = { 0 };
	if (engine_tts(NULL)->synth(text, voice, NULL, audio, len, &u) < 0) {
		log_error("media_fallback_synth_failed", "{s:s}", "text", text);
		return;
	}
	pthread_mutex_lock(&phrase_lock);
	if (nphrases < PHRASES) {
		struct phrase *p = &phrases[nphrases++];
		p->text = xstrdup(text);
		p->voice = voice ? xstrdup(voice) : NULL;
		p->audio = xmalloc(*len ? *len : 1);
		memcpy(p->audio, *audio, *len);
		p->len = *len;
	}
	pthread_mutex_unlock(&phrase_lock);
}

void
resilience_prepare(struct agent *a)
{
	phrase(cfg_str(a->transfer_number ? CFG_provider_fallback_transfer_text : CFG_provider_fallback_end_text),
	    a->voice, &a->fallback_audio, &a->fallback_len);
	phrase(cfg_str(CFG_provider_hold_text), a->voice, &a->hold_audio, &a->hold_len);
	if (a->transfer_number)
		phrase(cfg_str(CFG_provider_fallback_end_text), a->voice, &a->fallback_end_audio,
		    &a->fallback_end_len);
}

static void
add_usage(struct call *c, enum chain_stage stage, const struct chain_try *t)
{
	struct resilience_state *rs = &c->rs;
	struct provider_usage *p = NULL;
	for (int i = 0; i < rs->nusage && !p; i++)
		if (rs->usage[i].stage == stage && strcmp(rs->usage[i].provider, t->provider) == 0)
			p = &rs->usage[i];
	if (p == NULL) {
		if (rs->nusage == RESILIENCE_PROVIDERS)
			return;
		p = &rs->usage[rs->nusage++];
		snprintf(p->provider, sizeof p->provider, "%s", t->provider);
		p->stage = stage;
	}
	p->u.audio_seconds += t->usage.audio_seconds;
	p->u.tokens += t->usage.tokens;
	p->u.characters += t->usage.characters;
}

static void
play_fallback(struct call *c, const uint8_t *audio, size_t len, const char *text, enum dialog_action then)
{
	pipeline_play(c, audio, len, text, then);
}

int
resilience_after_job(struct call *c, enum chain_stage stage, const struct chain_report *r)
{
	for (int i = 0; i < r->n; i++) {
		add_usage(c, stage, &r->tried[i]);
		if (!r->tried[i].ok && !r->tried[i].skipped && strcmp(r->tried[i].error, "cancelled") != 0)
			call_event(c, "provider.failed", json_pack("{s:s,s:s,s:s}", "stage", stage_names[stage],
			    "provider", r->tried[i].provider, "error", r->tried[i].error));
	}
	if (r->used[0]) {
		if (c->rs.used[stage][0] && strcmp(c->rs.used[stage], r->used) != 0)
			call_event(c, "provider.switched", json_pack("{s:s,s:s,s:s}", "stage", stage_names[stage],
			    "from", c->rs.used[stage], "to", r->used));
		snprintf(c->rs.used[stage], sizeof c->rs.used[stage], "%s", r->used);
	}
	if (!r->exhausted || c->phase != CALL_LIVE)
		return 0;
	if (c->rs.stage_failed)
		return 1;
	c->rs.stage_failed = 1;
	c->failed = 1;
	static const char *const reasons[CHAIN__STAGES] = { "speech recognition providers unavailable",
		"language model providers unavailable", "speech synthesis providers unavailable" };
	c->end_reason = reasons[stage];
	log_error("media_provider_stage_failed", "{s:s}", "stage", stage_names[stage]);
	int transfer = c->agent->transfer_number != NULL;
	call_event(c, "provider.stage_failed", json_pack("{s:s,s:s}", "stage", stage_names[stage], "then",
	    transfer ? "transfer" : "end"));
	play_fallback(c, c->agent->fallback_audio, c->agent->fallback_len,
	    cfg_str(transfer ? CFG_provider_fallback_transfer_text : CFG_provider_fallback_end_text),
	    transfer ? DIALOG_TRANSFER : DIALOG_HANGUP);
	return 1;
}

int
resilience_transfer_failed(struct call *c)
{
	if (!c->rs.stage_failed)
		return 0;
	play_fallback(c, c->agent->fallback_end_audio, c->agent->fallback_end_len,
	    cfg_str(CFG_provider_fallback_end_text), DIALOG_HANGUP);
	return 1;
}

/* The agent owes the caller a reply and nothing is playing. */
static int
waiting(const struct call *c, double now)
{
	if (outq_busy(&c->outq, now) || c->capturing || c->pending_action != DIALOG_NONE)
		return 0;
	return c->thinking || (c->reply_seq > 0 && (!c->llm_done || c->tts_busy || c->sent_index < c->nsent));
}

void
resilience_tick(struct call *c, double now)
{
	if (c->agent == NULL || c->phase != CALL_LIVE || !waiting(c, now) || c->t.eot <= 0)
		return;
	double since = c->t.eot;
	if (outq_play_end(&c->outq) > since)
		since = outq_play_end(&c->outq);
	if (c->rs.hold_at > since)
		since = c->rs.hold_at;
	if (now - since < (double)cfg_int(CFG_provider_max_silence_ms))
		return;
	const uint8_t *audio = c->agent->filler_audio ? c->agent->filler_audio : c->agent->hold_audio;
	size_t len = c->agent->filler_audio ? c->agent->filler_len : c->agent->hold_len;
	c->rs.hold_at = now;
	if (audio == NULL)
		return;
	outq_push(&c->outq, audio, len, now);
	call_event(c, "hold", json_pack("{s:i}", "waited_ms", (int)(now - since)));
	call_want_write(c);
}

const char *
resilience_provider(const struct call *c, enum chain_stage stage)
{
	if (c->rs.used[stage][0])
		return c->rs.used[stage];
	return c->agent ? c->agent->chains[stage].names[0] : "";
}

static double
line_cost(const struct provider_usage *p, time_t when, double *units)
{
	*units = p->stage == CHAIN_STT ? p->u.audio_seconds : p->stage == CHAIN_LLM ? (double)p->u.tokens :
	    (double)p->u.characters;
	int found;
	double v = price_cost(&media.prices, p->provider, stage_units[p->stage], *units, when, &found);
	if (!found && *units > 0)
		log_warn("media_price_missing", "{s:s,s:f}", "engine", p->provider, "amount", *units);
	return v;
}

double
resilience_cost(const struct call *c, enum chain_stage stage, time_t when)
{
	double sum = 0, units;
	for (int i = 0; i < c->rs.nusage; i++)
		if (c->rs.usage[i].stage == stage)
			sum += line_cost(&c->rs.usage[i], when, &units);
	return sum;
}

json_t *
resilience_cost_lines(const struct call *c, time_t when)
{
	json_t *a = json_array();
	for (int i = 0; i < c->rs.nusage; i++) {
		const struct provider_usage *p = &c->rs.usage[i];
		double units, cost = line_cost(p, when, &units);
		json_array_append_new(a, json_pack("{s:s,s:s,s:f,s:s,s:f}", "stage", stage_names[p->stage],
		    "provider", p->provider, "units", units, "unit", unit_names[p->stage], "cost", cost));
	}
	return a;
}
