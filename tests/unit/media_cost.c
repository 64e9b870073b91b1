/* Cost of a call per stage and provider: every provider's own usage at
 * its own price, including a switch to a fallback mid-call. */
#include "tap.h"
#include "../../media/media.h"
#include <math.h>
#include <string.h>

static void
use(struct call *c, const char *provider, enum chain_stage stage, double secs, long tokens, long chars)
{
	struct chain_report r = { .n = 1 };
	snprintf(r.tried[0].provider, sizeof r.tried[0].provider, "%s", provider);
	r.tried[0].usage = (struct engine_usage){ secs, tokens, chars };
	r.tried[0].ok = 1;
	snprintf(r.used, sizeof r.used, "%s", provider);
	c->phase = CALL_LIVE;
	resilience_after_job(c, stage, &r);
}

int
main(void)
{
	char err[200];
	is_int(price_parse(&media.prices, "deepgram:audio_second=0.0001,openai:token=0.000002,"
	    "groq:token=0.000001,elevenlabs:character=0.00005,cartesia:character=0.00004,local:token=0", err, sizeof err),
	    0, "prices");
	static struct call c;
	c.turns = json_array();
	c.events = json_array();
	use(&c, "deepgram", CHAIN_STT, 4.5, 0, 0);
	use(&c, "deepgram", CHAIN_STT, 8.0, 0, 0);
	use(&c, "openai", CHAIN_LLM, 0, 500, 0);
	use(&c, "groq", CHAIN_LLM, 0, 300, 0);
	use(&c, "elevenlabs", CHAIN_TTS, 0, 0, 200);
	use(&c, "cartesia", CHAIN_TTS, 0, 0, 100);
	time_t now = time(NULL);
	ok(fabs(resilience_cost(&c, CHAIN_STT, now) - 12.5 * 0.0001) < 1e-12, "STT: 12.5 s of Deepgram");
	ok(fabs(resilience_cost(&c, CHAIN_LLM, now) - (500 * 0.000002 + 300 * 0.000001)) < 1e-12,
	    "LLM: OpenAI's tokens at its price plus Groq's at its own");
	ok(fabs(resilience_cost(&c, CHAIN_TTS, now) - (200 * 0.00005 + 100 * 0.00004)) < 1e-12,
	    "TTS: each provider's characters at its price");
	json_t *lines = resilience_cost_lines(&c, now);
	is_int(json_array_size(lines), 5, "one line per stage and provider");
	json_t *l = json_array_get(lines, 0);
	is(json_string_value(json_object_get(l, "provider")), "deepgram", "provider named");
	ok(json_real_value(json_object_get(l, "units")) == 12.5, "usage summed over the turns");
	is(json_string_value(json_object_get(l, "unit")), "audio_second", "unit named");
	is(resilience_provider(&c, CHAIN_LLM), "groq", "the stage's provider is the one that served last");
	ok(json_array_size(c.events) == 2, "two provider switches recorded as events");
	json_decref(lines);
	json_decref(c.turns);
	json_decref(c.events);
	return done_testing();
}
