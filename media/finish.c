/* The record a call leaves behind: outcome and classification from the
 * dialogue, costs from the price table, latency percentiles, turns and
 * timeline events, handed to the asynchronous writer. */
#include "media.h"
#include "agent.h"
#include "log.h"
#include "writer.h"
#include "xalloc.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static json_t *
percentiles(const double *v, int n)
{
	if (n == 0)
		return NULL;
	double *s = xmalloc((size_t)n * sizeof *s);
	memcpy(s, v, (size_t)n * sizeof *s);
	qsort(s, (size_t)n, sizeof *s, cmp_double);
	int i50 = (int)ceil(0.50 * n) - 1, i95 = (int)ceil(0.95 * n) - 1;
	json_t *o = json_pack("{s:i,s:i,s:i}", "p50", (int)lround(s[i50 < 0 ? 0 : i50]),
	    "p95", (int)lround(s[i95 < 0 ? 0 : i95]), "n", n);
	free(s);
	return o;
}

void
finish_call(struct call *c)
{
	pipeline_end(c);
	double end = media_wall_ms();
	time_t when = (time_t)(c->started_wall / 1000);
	json_t *rec = json_pack("{s:s,s:s,s:s}", "op", "call_end", "call_id", c->claims.call_id,
	    "tenant_id", c->claims.tenant_id);
	char ended[MEDIA_ISO_LEN], answered[MEDIA_ISO_LEN];
	media_iso_time(end, ended);
	media_iso_time(c->started_wall, answered);
	json_object_set_new(rec, "ended_at", json_string(ended));
	json_object_set_new(rec, "answered_at", json_string(answered));
	json_object_set_new(rec, "duration_seconds", json_integer((json_int_t)lround((end - c->started_wall) / 1000)));
	json_object_set_new(rec, "status", json_string(c->failed ? "failed" : "completed"));
	json_object_set_new(rec, "end_reason", json_string(c->end_reason ? c->end_reason : "stream closed"));
	if (c->agent) {
		struct dialog_result r;
		dialog_result(&c->dialog, c->transferred, 0, &r);
		json_object_set_new(rec, "outcome", json_string(r.outcome));
		json_object_set_new(rec, "reason", r.reason[0] ? json_string(r.reason) : json_null());
		json_object_set_new(rec, "summary", json_string(r.summary));
		json_object_set_new(rec, "requires_action", json_boolean(r.requires_action));
		json_object_set_new(rec, "priority", json_string(r.priority));
		json_object_set(rec, "captured_data", c->dialog.captured);
		free(r.summary);
		/* Each provider's usage at its own price. */
		json_object_set_new(rec, "cost_stt", json_real(resilience_cost(c, CHAIN_STT, when)));
		json_object_set_new(rec, "cost_llm", json_real(resilience_cost(c, CHAIN_LLM, when)));
		json_object_set_new(rec, "cost_tts", json_real(resilience_cost(c, CHAIN_TTS, when)));
		call_event(c, "call.costs", json_pack("{s:o}", "providers", resilience_cost_lines(c, when)));
		if (c->transferred || c->transfer_status) {
			json_object_set_new(rec, "transfer_to", json_string(c->agent->transfer_number));
			json_object_set_new(rec, "transfer_status", json_string(c->transfer_status));
		}
	}
	json_t *lat = json_object();
	const struct { const char *name; double *v; } series[] = {
		{ "voice_to_voice", c->v2v }, { "end_of_turn", c->lat_eot }, { "stt_final", c->lat_stt },
		{ "llm_first_token", c->lat_llm }, { "tts_first_audio", c->lat_tts },
	};
	for (size_t i = 0; i < sizeof series / sizeof series[0]; i++) {
		json_t *p = percentiles(series[i].v, c->nlat);
		if (p)
			json_object_set_new(lat, series[i].name, p);
	}
	json_object_set_new(lat, "frame_lateness_max_ms", json_real(c->frame_late_max));
	json_object_set_new(rec, "latency", lat);
	json_object_set_new(rec, "usage", json_pack("{s:f,s:I,s:I}", "stt_audio_seconds", c->usage_stt.audio_seconds,
	    "llm_tokens", (json_int_t)c->usage_llm.tokens, "tts_characters", (json_int_t)c->usage_tts.characters));
	json_object_set(rec, "turns", c->turns);
	call_event(c, c->failed ? "call.failed" : "call.completed",
	    json_pack("{s:s}", "reason", c->end_reason ? c->end_reason : "stream closed"));
	json_t *events = json_array(), *e;
	size_t i;
	json_array_foreach(c->events, i, e) {
		char at[MEDIA_ISO_LEN];
		media_iso_time(json_real_value(json_object_get(e, "at_ms")), at);
		json_array_append_new(events, json_pack("{s:s,s:O,s:O}", "occurred_at", at,
		    "type", json_object_get(e, "type"), "data", json_object_get(e, "data")));
	}
	json_object_set_new(rec, "events", events);
	writer_call_finished(rec);
}
