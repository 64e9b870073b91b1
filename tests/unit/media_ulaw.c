/* G.711 mu-law against the reference decode vectors, and round trips. */
#include "tap.h"
#include "audio.h"
#include <stdlib.h>

int
main(void)
{
	static const struct { unsigned char u; int pcm; } vec[] = {
		{ 0xFF, 0 }, { 0x7F, 0 }, { 0xF2, 104 }, { 0x72, -104 }, { 0xCE, 988 },
		{ 0x9F, 8316 }, { 0x80, 32124 }, { 0x00, -32124 },
	};
	for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
		char name[64];
		snprintf(name, sizeof name, "decode 0x%02X -> %d", vec[i].u, vec[i].pcm);
		is_int(audio_ulaw_decode(vec[i].u), vec[i].pcm, name);
	}
	is_int(audio_ulaw_encode(0), 0xFF, "silence encodes as 0xFF");
	is_int(audio_ulaw_encode(32767), 0x80, "positive full scale clips to 0x80");
	is_int(audio_ulaw_encode(-32768), 0x00, "negative full scale clips to 0x00");
	/* Every code decodes and re-encodes to a code with the same value. */
	int same = 1;
	for (int u = 0; u < 256; u++)
		same &= audio_ulaw_decode(audio_ulaw_encode(audio_ulaw_decode((unsigned char)u))) ==
		    audio_ulaw_decode((unsigned char)u);
	ok(same, "decode/encode/decode is stable for all 256 codes");
	/* Encoding error stays within one quantisation step of the segment. */
	int worst = 0;
	for (int s = -32000; s <= 32000; s += 7) {
		int back = audio_ulaw_decode(audio_ulaw_encode((short)s));
		int err = abs(back - s), step = abs(s) < 256 ? 16 : abs(s) / 8;
		if (err > step)
			worst = s;
	}
	is_int(worst, 0, "round-trip error within one step everywhere");
	int16_t pcm[160];
	for (int i = 0; i < 160; i++)
		pcm[i] = 0;
	ok(audio_level_db(pcm, 160) <= -90, "digital silence is at the bottom of the scale");
	for (int i = 0; i < 160; i++)
		pcm[i] = (i & 1) ? 16384 : -16384;
	ok(audio_level_db(pcm, 160) > -7 && audio_level_db(pcm, 160) < -5, "half-scale square wave is about -6 dBFS");
	int16_t tone[8000], *up;
	for (int i = 0; i < 8000; i++)
		tone[i] = (int16_t)((i % 16 < 8) ? 8000 : -8000);
	size_t n = audio_resample_once(8000, 16000, tone, 8000, &up);
	ok(n > 15800 && n <= 16000, "8 kHz to 16 kHz doubles the sample count");
	free(up);
	{
		uint8_t all[256];
		int16_t pcm[256];
		int table_ok = 1;
		for (int u = 0; u < 256; u++)
			all[u] = (uint8_t)u;
		audio_ulaw_to_pcm(all, 256, pcm);
		for (int u = 0; u < 256; u++)
			table_ok &= pcm[u] == audio_ulaw_decode((uint8_t)u);
		ok(table_ok, "frame decoding (table) agrees with the formula for every byte");
	}
	return done_testing();
}
