#include "codec.h"
#include "audio.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CODEC_MAX_SAMPLES 4096       /* per call of decode/encode */

/* Which carrier sends which encodings (the names as their `start` gives them). */
static const struct {
	enum carrier carrier;
	const char *encoding;
	int l16;
} formats[] = {
	{ CARRIER_TWILIO, "audio/x-mulaw", 0 },
	{ CARRIER_SIGNALWIRE, "audio/x-mulaw", 0 },
	{ CARRIER_SIGNALWIRE, "audio/l16", 1 },
	{ CARRIER_TELNYX, "PCMU", 0 },
	{ CARRIER_TELNYX, "audio/x-mulaw", 0 },
};

int
codec_open(struct codec *c, enum carrier carrier, const char *encoding, long rate)
{
	memset(c, 0, sizeof *c);
	c->rate = rate == -1 || rate == 0 ? 8000 : (int)rate;
	if (encoding == NULL)
		return c->rate == 8000 ? 0 : -1;    /* Twilio: mu-law 8 kHz is the only format */
	size_t i;
	for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (formats[i].carrier == carrier && strcasecmp(formats[i].encoding, encoding) == 0)
			break;
	if (i == sizeof formats / sizeof formats[0])
		return -1;
	c->l16 = formats[i].l16;
	if (c->rate == 8000)
		return 0;
	if (!c->l16 || c->rate != 16000)
		return -1;
	c->down = audio_resampler_new(16000, 8000);
	c->up = audio_resampler_new(8000, 16000);
	return c->down && c->up ? 0 : -1;
}

void
codec_close(struct codec *c)
{
	if (c->down)
		audio_resampler_free(c->down);
	if (c->up)
		audio_resampler_free(c->up);
	c->down = c->up = NULL;
}

size_t
codec_decode(struct codec *c, const uint8_t *in, size_t n, int16_t *out, size_t cap)
{
	if (!c->l16) {
		n = n < cap ? n : cap;
		audio_ulaw_to_pcm(in, n, out);
		return n;
	}
	size_t samples = n / 2;      /* an odd last byte is no sample */
	if (samples > CODEC_MAX_SAMPLES)
		samples = CODEC_MAX_SAMPLES;
	int16_t pcm[CODEC_MAX_SAMPLES];
	for (size_t i = 0; i < samples; i++)
		pcm[i] = (int16_t)(uint16_t)(in[2 * i] << 8 | in[2 * i + 1]);
	if (c->down == NULL) {
		samples = samples < cap ? samples : cap;
		memcpy(out, pcm, samples * sizeof *out);
		return samples;
	}
	int16_t *res;
	size_t got = audio_resample(c->down, pcm, samples, &res);
	got = got < cap ? got : cap;
	memcpy(out, res, got * sizeof *out);
	free(res);
	return got;
}

size_t
codec_encode(struct codec *c, const uint8_t *ulaw, size_t n, uint8_t *out, size_t cap)
{
	if (!c->l16) {
		n = n < cap ? n : cap;
		memcpy(out, ulaw, n);
		return n;
	}
	if (n > CODEC_MAX_SAMPLES / 2)
		n = CODEC_MAX_SAMPLES / 2;
	int16_t pcm[CODEC_MAX_SAMPLES];
	audio_ulaw_to_pcm(ulaw, n, pcm);
	int16_t *res = NULL;
	size_t samples = n;
	const int16_t *src = pcm;
	if (c->up) {
		samples = audio_resample(c->up, pcm, n, &res);
		src = res;
	}
	if (samples > cap / 2)
		samples = cap / 2;
	for (size_t i = 0; i < samples; i++) {
		uint16_t v = (uint16_t)src[i];
		out[2 * i] = (uint8_t)(v >> 8);
		out[2 * i + 1] = (uint8_t)v;
	}
	free(res);
	return samples * 2;
}
