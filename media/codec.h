/* The audio format of a media stream, as the carrier's `start` declares
 * it: 8 kHz mu-law (every carrier), or 16-bit linear PCM, big-endian
 * ("audio/l16"), at 8 or 16 kHz (SignalWire's L16 codec).  Caller audio
 * comes out as 8 kHz PCM16 for the pipeline; the agent's 8 kHz mu-law
 * goes back in the stream's own format. */
#ifndef MEDIA_CODEC_H
#define MEDIA_CODEC_H
#include "../lib/carrier.h"
#include <stddef.h>
#include <stdint.h>

struct audio_resampler;

struct codec {
	int l16;                     /* 0: mu-law */
	int rate;                    /* 8000 or 16000 */
	struct audio_resampler *down, *up;   /* 16 kHz only */
};

/* Sets c up for the declared encoding and rate (encoding NULL: mu-law
 * 8 kHz; rate -1 or 0: 8 kHz); -1 when this carrier does not send that. */
int codec_open(struct codec *c, enum carrier carrier, const char *encoding, long rate);
void codec_close(struct codec *c);
/* Wire payload -> 8 kHz PCM16 (up to cap samples); returns the count. */
size_t codec_decode(struct codec *c, const uint8_t *in, size_t n, int16_t *out, size_t cap);
/* 8 kHz mu-law -> wire payload (up to cap bytes); returns the length. */
size_t codec_encode(struct codec *c, const uint8_t *ulaw, size_t n, uint8_t *out, size_t cap);

#endif
