/* Local speech synthesis: espeak-ng at its native rate, resampled to
 * 8 kHz and mu-law encoded for the carrier. */
#include "engine.h"
#include "audio.h"
#include "speech.h"
#include "xalloc.h"
#include <stdlib.h>
#include <string.h>

static int
synth(const char *text, const char *voice, const volatile int *cancel,
    uint8_t **ulaw, size_t *n, struct engine_usage *u)
{
	int16_t *pcm, *narrow;
	int rate;
	long got = speech_synth(text, voice, cancel, &pcm, &rate);
	if (got < 0)
		return -1;
	size_t m = audio_resample_once(rate, 8000, pcm, (size_t)got, &narrow);
	free(pcm);
	if (narrow == NULL)
		return -1;
	*ulaw = xmalloc(m ? m : 1);
	audio_pcm_to_ulaw(narrow, m, *ulaw);
	free(narrow);
	*n = m;
	u->characters += (long)strlen(text);
	return 0;
}

const struct tts_engine tts_espeak = { "espeak-ng", synth };
