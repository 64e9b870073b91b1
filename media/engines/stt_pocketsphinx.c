/* Local speech recognition: telephone audio upsampled to 16 kHz for the
 * pocketsphinx en-us model, restricted to the agent's vocabulary when
 * hints are given (media_stt_vocabulary). */
#include "engine.h"
#include "audio.h"
#include "cfg.h"
#include "speech.h"
#include <stdlib.h>

static char *
transcribe(const int16_t *pcm, size_t n, const char *hints, struct engine_usage *u)
{
	int16_t *wide;
	size_t m = audio_resample_once(8000, SPEECH_RECOG_RATE, pcm, n, &wide);
	if (wide == NULL)
		return NULL;
	char *text = speech_recognize(cfg_str(CFG_media_stt_model_dir), wide, m, hints);
	free(wide);
	u->audio_seconds += (double)n / 8000.0;
	return text;
}

const struct stt_engine stt_pocketsphinx = { "pocketsphinx", transcribe };
