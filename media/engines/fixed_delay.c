/* Fixed-delay engines for `make bench`: each stage takes exactly
 * media_fixed_delay_ms (a timer on the loop, see fixed_delay.h) and
 * produces a known result, so the daemon's own costs can be measured
 * apart from real engines'.  An agent selects them with the engine name
 * "fixed-delay". */
#include "engine.h"
#include "fixed_delay.h"
#include "audio.h"
#include "cfg.h"
#include "xalloc.h"
#include <math.h>
#include <pthread.h>
#include <string.h>

#define TONE_BYTES 8000               /* one second of 8 kHz mu-law */

static uint8_t tone[TONE_BYTES];
static pthread_once_t tone_once = PTHREAD_ONCE_INIT;

/* One second of a 440 Hz tone, made once. */
static void
make_tone(void)
{
	for (size_t i = 0; i < TONE_BYTES; i++)
		tone[i] = audio_ulaw_encode((int16_t)(8000 * sin(2 * M_PI * 440.0 * (double)i / 8000.0)));
}

int
fixed_delay_engine(const char *name)
{
	return name && strcmp(name, "fixed-delay") == 0;
}

long
fixed_delay_ms(void)
{
	return cfg_int(CFG_media_fixed_delay_ms);
}

static char *
transcribe(const int16_t *pcm, size_t n, const char *hints, struct engine_usage *u)
{
	u->audio_seconds += (double)n / 8000.0;
	return xstrdup("what are your opening hours");
}

static int
reply(struct dialog *d, const char *caller_text, llm_token_fn token, void *arg,
    struct engine_usage *u)
{
	static const char *const words[] = { "We ", "are ", "open ", "every ", "weekday. ",
		"Is ", "there ", "anything ", "else? " };
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		token(words[i], arg);
	u->tokens += (long)(sizeof words / sizeof words[0]);
	return 0;
}

/* One second of tone per sentence. */
static int
synth(const char *text, const char *voice, const volatile int *cancel,
    uint8_t **ulaw, size_t *n, struct engine_usage *u)
{
	pthread_once(&tone_once, make_tone);
	*ulaw = xmalloc(TONE_BYTES);
	memcpy(*ulaw, tone, TONE_BYTES);
	*n = TONE_BYTES;
	u->characters += (long)strlen(text);
	return 0;
}

const struct stt_engine stt_fixed_delay = { "fixed-delay", transcribe };
const struct llm_engine llm_fixed_delay = { "fixed-delay", reply };
const struct tts_engine tts_fixed_delay = { "fixed-delay", synth };
