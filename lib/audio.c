/* G.711 mu-law (bias 0x84, clip 32635) and speexdsp resampling. */
#include "audio.h"
#include "xalloc.h"
#include <stdlib.h>
#include <math.h>
#include <speex/speex_resampler.h>

int16_t
audio_ulaw_decode(uint8_t byte)
{
	uint8_t u = (uint8_t)~byte;
	int sign = u & 0x80, exp = (u >> 4) & 7, mant = u & 0x0F;
	int mag = ((mant << 3) + 0x84) << exp;
	return (int16_t)(sign ? -(mag - 0x84) : (mag - 0x84));
}

uint8_t
audio_ulaw_encode(int16_t sample)
{
	int s = sample, sign = 0;
	if (s < 0) {
		s = -s;
		sign = 0x80;
	}
	if (s > 32635)
		s = 32635;
	s += 0x84;
	int exp = 7;
	for (int mask = 0x4000; (s & mask) == 0 && exp > 0; mask >>= 1)
		exp--;
	int mant = (s >> (exp + 3)) & 0x0F;
	return (uint8_t)~(sign | (exp << 4) | mant);
}

/* audio_ulaw_decode of every byte (G.711), for the per-frame path. */
static const int16_t ulaw_table[256] = {
	-32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956,
	-23932, -22908, -21884, -20860, -19836, -18812, -17788, -16764,
	-15996, -15484, -14972, -14460, -13948, -13436, -12924, -12412,
	-11900, -11388, -10876, -10364, -9852, -9340, -8828, -8316,
	-7932, -7676, -7420, -7164, -6908, -6652, -6396, -6140,
	-5884, -5628, -5372, -5116, -4860, -4604, -4348, -4092,
	-3900, -3772, -3644, -3516, -3388, -3260, -3132, -3004,
	-2876, -2748, -2620, -2492, -2364, -2236, -2108, -1980,
	-1884, -1820, -1756, -1692, -1628, -1564, -1500, -1436,
	-1372, -1308, -1244, -1180, -1116, -1052, -988, -924,
	-876, -844, -812, -780, -748, -716, -684, -652,
	-620, -588, -556, -524, -492, -460, -428, -396,
	-372, -356, -340, -324, -308, -292, -276, -260,
	-244, -228, -212, -196, -180, -164, -148, -132,
	-120, -112, -104, -96, -88, -80, -72, -64,
	-56, -48, -40, -32, -24, -16, -8, 0,
	32124, 31100, 30076, 29052, 28028, 27004, 25980, 24956,
	23932, 22908, 21884, 20860, 19836, 18812, 17788, 16764,
	15996, 15484, 14972, 14460, 13948, 13436, 12924, 12412,
	11900, 11388, 10876, 10364, 9852, 9340, 8828, 8316,
	7932, 7676, 7420, 7164, 6908, 6652, 6396, 6140,
	5884, 5628, 5372, 5116, 4860, 4604, 4348, 4092,
	3900, 3772, 3644, 3516, 3388, 3260, 3132, 3004,
	2876, 2748, 2620, 2492, 2364, 2236, 2108, 1980,
	1884, 1820, 1756, 1692, 1628, 1564, 1500, 1436,
	1372, 1308, 1244, 1180, 1116, 1052, 988, 924,
	876, 844, 812, 780, 748, 716, 684, 652,
	620, 588, 556, 524, 492, 460, 428, 396,
	372, 356, 340, 324, 308, 292, 276, 260,
	244, 228, 212, 196, 180, 164, 148, 132,
	120, 112, 104, 96, 88, 80, 72, 64,
	56, 48, 40, 32, 24, 16, 8, 0,
};

void
audio_ulaw_to_pcm(const uint8_t *in, size_t n, int16_t *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = ulaw_table[in[i]];
}

void
audio_pcm_to_ulaw(const int16_t *in, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = audio_ulaw_encode(in[i]);
}

double
audio_level_db(const int16_t *pcm, size_t n)
{
	if (n == 0)
		return -96.0;
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += (double)pcm[i] * pcm[i];
	double rms = sqrt(sum / (double)n);
	if (rms < 1.0)
		return -96.0;
	return 20.0 * log10(rms / 32768.0);
}

struct audio_resampler {
	SpeexResamplerState *st;
	int in_rate, out_rate;
};

struct audio_resampler *
audio_resampler_new(int in_rate, int out_rate)
{
	int err = 0;
	SpeexResamplerState *st = speex_resampler_init(1, (spx_uint32_t)in_rate,
	    (spx_uint32_t)out_rate, SPEEX_RESAMPLER_QUALITY_VOIP, &err);
	if (st == NULL)
		return NULL;
	struct audio_resampler *r = xcalloc(1, sizeof *r);
	r->st = st;
	r->in_rate = in_rate;
	r->out_rate = out_rate;
	speex_resampler_skip_zeros(st);
	return r;
}

void
audio_resampler_free(struct audio_resampler *r)
{
	if (r == NULL)
		return;
	speex_resampler_destroy(r->st);
	free(r);
}

size_t
audio_resample(struct audio_resampler *r, const int16_t *in, size_t n, int16_t **out)
{
	size_t cap = n * (size_t)r->out_rate / (size_t)r->in_rate + 64;
	int16_t *o = xmalloc(cap * sizeof *o);
	size_t done_in = 0, done_out = 0;
	while (done_in < n && done_out < cap) {
		spx_uint32_t ilen = (spx_uint32_t)(n - done_in), olen = (spx_uint32_t)(cap - done_out);
		speex_resampler_process_int(r->st, 0, in + done_in, &ilen, o + done_out, &olen);
		if (ilen == 0 && olen == 0)
			break;
		done_in += ilen;
		done_out += olen;
	}
	*out = o;
	return done_out;
}

size_t
audio_resample_once(int in_rate, int out_rate, const int16_t *in, size_t n, int16_t **out)
{
	if (in_rate == out_rate) {
		*out = xmalloc((n ? n : 1) * sizeof **out);
		for (size_t i = 0; i < n; i++)
			(*out)[i] = in[i];
		return n;
	}
	struct audio_resampler *r = audio_resampler_new(in_rate, out_rate);
	if (r == NULL) {
		*out = NULL;
		return 0;
	}
	size_t got = audio_resample(r, in, n, out);
	audio_resampler_free(r);
	return got;
}
