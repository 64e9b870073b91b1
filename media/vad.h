/* Voice activity detection and end of turn on 8 kHz PCM16 frames.
 * Energy against an adaptive noise floor: a frame is speech when it is
 * above both an absolute level and the floor plus a margin.  Speech is
 * declared after min_speech_ms (short clicks do not count) and ends after
 * end_silence_ms of quiet. */
#ifndef MEDIA_VAD_H
#define MEDIA_VAD_H
#include <stddef.h>
#include <stdint.h>

struct vad_config {
	double min_level_db;     /* absolute floor for speech, dBFS */
	double margin_db;        /* above the noise floor */
	int min_speech_ms;
	int end_silence_ms;
};

enum vad_event { VAD_NONE, VAD_SPEECH_START, VAD_SPEECH_END };

struct vad {
	struct vad_config cfg;
	double noise_db;
	int in_speech;
	int run_ms;          /* speech heard in the current candidate/utterance */
	int gap_ms;          /* quiet since the last speech frame */
	int speech_ms;       /* length of the current utterance so far */
	int calibrated_ms;   /* audio seen while learning the noise floor */
};

void vad_init(struct vad *v, const struct vad_config *cfg);
/* Feeds one frame (any length; durations follow the sample count). */
enum vad_event vad_feed(struct vad *v, const int16_t *pcm, size_t n);
/* The utterance under way is over (decided elsewhere, e.g. by the
 * recogniser's endpointing): the next speech starts a new one. */
void vad_end_speech(struct vad *v);
/* Milliseconds of speech in the utterance under way (0 when none). */
int vad_speech_ms(const struct vad *v);

#endif
