/* Stream audio formats: mu-law passes through; SignalWire's L16 (16-bit
 * big-endian linear PCM) at 8 and 16 kHz is decoded to the pipeline's
 * 8 kHz PCM and the agent's audio encoded back. */
#include "tap.h"
#include "../../media/codec.h"
#include "audio.h"
#include <math.h>
#include <string.h>

int
main(void)
{
	struct codec c;
	is_int(codec_open(&c, CARRIER_TWILIO, NULL, -1), 0, "Twilio without a format: mu-law 8 kHz");
	is_int(codec_open(&c, CARRIER_TWILIO, "audio/x-mulaw", 16000), -1, "mu-law at 16 kHz is refused");
	is_int(codec_open(&c, CARRIER_TELNYX, "L16", 16000), -1, "L16 only where the carrier sends it");
	is_int(codec_open(&c, CARRIER_SIGNALWIRE, "audio/l16", 24000), -1, "L16 at 24 kHz is refused");
	is_int(codec_open(&c, CARRIER_SIGNALWIRE, "audio/x-mulaw", 8000), 0, "SignalWire mu-law");
	uint8_t u[4] = { 0xFF, 0x80, 0x00, 0x7F }, w[8];
	is_int((int)codec_encode(&c, u, 4, w, sizeof w), 4, "mu-law goes out as it is");
	ok(memcmp(u, w, 4) == 0, "byte for byte");
	codec_close(&c);

	/* L16 at 8 kHz: big-endian samples. */
	is_int(codec_open(&c, CARRIER_SIGNALWIRE, "audio/L16", 8000), 0, "SignalWire L16 at 8 kHz");
	uint8_t be[6] = { 0x12, 0x34, 0xFF, 0xFE, 0x80, 0x00 };
	int16_t pcm[8];
	is_int((int)codec_decode(&c, be, sizeof be, pcm, 8), 3, "three samples");
	ok(pcm[0] == 0x1234 && pcm[1] == -2 && pcm[2] == -32768, "read big-endian and signed");
	is_int((int)codec_decode(&c, be, 5, pcm, 8), 2, "an odd last byte is no sample");
	uint8_t silence[2] = { 0xFF, 0xFF };   /* mu-law zero */
	uint8_t out[16];
	is_int((int)codec_encode(&c, silence, 2, out, sizeof out), 4, "two samples out as four bytes");
	ok(out[0] == 0 && out[1] == 0 && out[2] == 0 && out[3] == 0, "mu-law silence is linear zero");
	uint8_t loud = 0x80;                   /* mu-law positive full scale */
	codec_encode(&c, &loud, 1, out, sizeof out);
	is_int(out[0] << 8 | out[1], audio_ulaw_decode(0x80) & 0xFFFF, "a sample keeps its value, high byte first");
	codec_close(&c);

	/* L16 at 16 kHz: a 400 Hz tone comes in at 16 kHz and reaches the
	 * pipeline at 8 kHz with its level; 20 ms out is 20 ms at 16 kHz. */
	is_int(codec_open(&c, CARRIER_SIGNALWIRE, "audio/l16", 16000), 0, "SignalWire L16 at 16 kHz");
	size_t total = 0;
	double energy = 0;
	for (int frame = 0; frame < 10; frame++) {
		uint8_t in[640];
		for (int i = 0; i < 320; i++) {
			int16_t v = (int16_t)(10000 * sin(2 * M_PI * 400.0 * (frame * 320 + i) / 16000.0));
			in[2 * i] = (uint8_t)((uint16_t)v >> 8);
			in[2 * i + 1] = (uint8_t)v;
		}
		int16_t p8[400];
		size_t n = codec_decode(&c, in, sizeof in, p8, 400);
		total += n;
		if (frame >= 5)
			for (size_t i = 0; i < n; i++)
				energy += (double)p8[i] * p8[i];
	}
	ok(total > 1500 && total <= 1600, "200 ms at 16 kHz is about 1600 samples at 8 kHz");
	double rms = sqrt(energy / (total / 2.0));
	ok(rms > 5000 && rms < 9000, "the tone keeps its level (RMS of 10000/sqrt 2)");
	size_t bytes = 0;
	uint8_t frame[AUDIO_FRAME_BYTES];
	memset(frame, 0xFF, sizeof frame);
	uint8_t wire[1024];
	for (int k = 0; k < 10; k++)
		bytes += codec_encode(&c, frame, sizeof frame, wire, sizeof wire);
	ok(bytes > 6000 && bytes <= 6400, "200 ms of agent audio is about 200 ms of 16 kHz L16 (6400 bytes)");
	codec_close(&c);
	return done_testing();
}
