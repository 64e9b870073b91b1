/* Fixed-delay engines for `make bench`: each stage takes exactly
 * media_fixed_delay_ms and produces a known result, so the daemon's own
 * costs can be measured apart from real engines'.  An agent selects them
 * with the engine name "fixed-delay". */
#include "engine.h"
#include "audio.h"
#include "cfg.h"
#include "xalloc.h"
#include <math.h>
#include <string.h>
#include <time.h>

static void
wait_delay(void)
{
	long ms = cfg_int(CFG_media_fixed_delay_ms);
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static char *
transcribe(const int16_t *pcm, size_t n, const char *hints, struct engine_usage *u)
{
	wait_delay();
	u->audio_seconds += (double)n / 8000.0;
	return xstrdup("what are your opening hours");
}

static int
reply(struct dialog *d, const char *caller_text, llm_token_fn token, void *arg,
    struct engine_usage *u)
{
	wait_delay();
	static const char *const words[] = { "We ", "are ", "open ", "every ", "weekday. ",
		"Is ", "there ", "anything ", "else? " };
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		token(words[i], arg);
	u->tokens += (long)(sizeof words / sizeof words[0]);
	return 0;
}

/* One second of a 440 Hz tone per sentence. */
static int
synth(const char *text, const char *voice, const volatile int *cancel,
    uint8_t **ulaw, size_t *n, struct engine_usage *u)
{
	wait_delay();
	size_t m = 8000;
	uint8_t *out = xmalloc(m);
	for (size_t i = 0; i < m; i++)
		out[i] = audio_ulaw_encode((int16_t)(8000 * sin(2 * M_PI * 440.0 * (double)i / 8000.0)));
	*ulaw = out;
	*n = m;
	u->characters += (long)strlen(text);
	return 0;
}

const struct stt_engine stt_fixed_delay = { "fixed-delay", transcribe };
const struct llm_engine llm_fixed_delay = { "fixed-delay", reply };
const struct tts_engine tts_fixed_delay = { "fixed-delay", synth };
