/* Telephone audio primitives shared by voxline-media and the call
 * simulator: G.711 mu-law <-> PCM16 and sample-rate conversion. */
#ifndef VOXLINE_AUDIO_H
#define VOXLINE_AUDIO_H
#include <stddef.h>
#include <stdint.h>

#define AUDIO_ULAW_SILENCE 0xFF
#define AUDIO_FRAME_MS 20
#define AUDIO_FRAME_BYTES 160       /* 20 ms of 8 kHz mu-law */

int16_t audio_ulaw_decode(uint8_t u);
uint8_t audio_ulaw_encode(int16_t sample);
void audio_ulaw_to_pcm(const uint8_t *in, size_t n, int16_t *out);
void audio_pcm_to_ulaw(const int16_t *in, size_t n, uint8_t *out);

/* Level of a PCM16 block in dBFS (-96 for digital silence). */
double audio_level_db(const int16_t *pcm, size_t n);

/* Sample-rate converter (speexdsp), mono PCM16. */
struct audio_resampler;
struct audio_resampler *audio_resampler_new(int in_rate, int out_rate);
void audio_resampler_free(struct audio_resampler *r);
/* Converts n input samples; *out is malloc'd (caller frees); returns
 * the number of output samples. */
size_t audio_resample(struct audio_resampler *r, const int16_t *in, size_t n, int16_t **out);
/* One-shot conversion of a whole buffer. */
size_t audio_resample_once(int in_rate, int out_rate, const int16_t *in, size_t n, int16_t **out);

#endif
