/* VAD and end of turn on synthetic audio: silence, low noise, a click,
 * a tone standing for speech, and a pause inside speech. */
#include "tap.h"
#include "../../media/vad.h"
#include <math.h>
#include <stdlib.h>

static int16_t frame[160];

static void
fill(double amp, int kind)
{
	for (int i = 0; i < 160; i++) {
		double v = kind == 0 ? 0 : kind == 1 ? ((rand() % 2001) - 1000) / 1000.0 : sin(i * 0.3) + 0.5 * sin(i * 0.71);
		frame[i] = (int16_t)(amp * v);
	}
}

/* Feeds ms of audio; returns the first event seen (VAD_NONE if none). */
static enum vad_event
feed(struct vad *v, int ms, double amp, int kind, int *at)
{
	enum vad_event first = VAD_NONE;
	for (int t = 0; t < ms; t += 20) {
		fill(amp, kind);
		enum vad_event e = vad_feed(v, frame, 160);
		if (e != VAD_NONE && first == VAD_NONE) {
			first = e;
			if (at)
				*at = t + 20;
		}
	}
	return first;
}

int
main(void)
{
	struct vad_config cfg = { .min_level_db = -45, .margin_db = 12, .min_speech_ms = 120, .end_silence_ms = 600 };
	struct vad v;
	vad_init(&v, &cfg);
	srand(1);
	is_int(feed(&v, 200, 9000, 2, NULL), VAD_NONE, "the first 200 ms only calibrate");
	is_int(feed(&v, 2000, 0, 0, NULL), VAD_NONE, "digital silence is not speech");
	is_int(feed(&v, 2000, 150, 1, NULL), VAD_NONE, "low background noise is not speech");
	is_int(feed(&v, 60, 12000, 2, NULL), VAD_NONE, "a 60 ms click does not start a turn");
	is_int(feed(&v, 400, 150, 1, NULL), VAD_NONE, "back to noise");
	int at = 0;
	is_int(feed(&v, 600, 8000, 2, &at), VAD_SPEECH_START, "loud voiced audio starts speech");
	ok(at >= 120 && at <= 140, "after the minimum speech duration");
	ok(vad_speech_ms(&v) >= 600, "speech duration tracked");
	is_int(feed(&v, 300, 150, 1, NULL), VAD_NONE, "a 300 ms pause does not end the turn");
	is_int(feed(&v, 400, 8000, 2, NULL), VAD_NONE, "speech resumes within the same turn");
	at = 0;
	is_int(feed(&v, 1000, 150, 1, &at), VAD_SPEECH_END, "600 ms of quiet ends the turn");
	ok(at >= 600 && at <= 620, "exactly at the end-of-speech silence");
	is_int(vad_speech_ms(&v), 0, "no speech under way after the end");
	/* The end decided elsewhere (the recogniser's endpointing). */
	is_int(feed(&v, 400, 8000, 2, NULL), VAD_SPEECH_START, "a new turn");
	is_int(feed(&v, 300, 150, 1, NULL), VAD_NONE, "a pause");
	vad_end_speech(&v);
	is_int(vad_speech_ms(&v), 0, "ended from outside");
	is_int(feed(&v, 1000, 150, 1, NULL), VAD_NONE, "no second end for the same turn");
	is_int(feed(&v, 400, 8000, 2, NULL), VAD_SPEECH_START, "the next speech starts a new turn");
	/* Noise floor adapts: steady louder noise (-40 dBFS) is not speech. */
	struct vad v2;
	vad_init(&v2, &cfg);
	is_int(feed(&v2, 3000, 500, 1, NULL), VAD_NONE, "steady moderate noise does not start speech");
	return done_testing();
}
