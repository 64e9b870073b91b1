#include "vad.h"
#include "audio.h"

#define VAD_RATE 8000
/* A candidate survives short dips (plosives, pauses between syllables). */
#define VAD_CANDIDATE_GAP_MS 120
/* The first moments of a stream calibrate the noise floor (nobody speaks
 * before the line is up); the floor then follows quiet frames slowly. */
#define VAD_CALIBRATE_MS 200

void
vad_init(struct vad *v, const struct vad_config *cfg)
{
	*v = (struct vad){ .cfg = *cfg, .noise_db = -70.0 };
}

void
vad_end_speech(struct vad *v)
{
	v->in_speech = 0;
	v->run_ms = 0;
	v->speech_ms = 0;
}

enum vad_event
vad_feed(struct vad *v, const int16_t *pcm, size_t n)
{
	int ms = (int)(n * 1000 / VAD_RATE);
	double level = audio_level_db(pcm, n);
	if (v->calibrated_ms < VAD_CALIBRATE_MS) {
		v->noise_db = v->calibrated_ms == 0 ? level : v->noise_db * 0.7 + level * 0.3;
		v->calibrated_ms += ms;
		return VAD_NONE;
	}
	double threshold = v->noise_db + v->cfg.margin_db;
	if (threshold < v->cfg.min_level_db)
		threshold = v->cfg.min_level_db;
	int speech = level >= threshold;
	if (!speech && !v->in_speech) {
		/* Track the floor only on quiet: speech must not raise it. */
		v->noise_db = v->noise_db * 0.95 + level * 0.05;
	}
	if (speech) {
		v->run_ms += ms;
		v->gap_ms = 0;
		if (v->in_speech) {
			v->speech_ms += ms;
			return VAD_NONE;
		}
		if (v->run_ms >= v->cfg.min_speech_ms) {
			v->in_speech = 1;
			v->speech_ms = v->run_ms;
			return VAD_SPEECH_START;
		}
		return VAD_NONE;
	}
	v->gap_ms += ms;
	if (v->in_speech) {
		if (v->gap_ms >= v->cfg.end_silence_ms) {
			vad_end_speech(v);
			return VAD_SPEECH_END;
		}
		return VAD_NONE;
	}
	if (v->gap_ms > VAD_CANDIDATE_GAP_MS)
		v->run_ms = 0;
	return VAD_NONE;
}

int
vad_speech_ms(const struct vad *v)
{
	return v->in_speech ? v->speech_ms : 0;
}
