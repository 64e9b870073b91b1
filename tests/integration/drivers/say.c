/* Speaks text the way the daemon's local engine does (espeak-ng through
 * lib/speech.c, resampled to 8 kHz, mu-law) and writes the bytes to
 * stdout.  The local provider server (tests/lib/ProviderServer.pm) uses
 * it for ElevenLabs and Cartesia audio, so the caller's ear in the
 * simulator hears cloud speech exactly as it hears local speech.
 * Usage: say TEXT [VOICE] */
#include "audio.h"
#include "speech.h"
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: say TEXT [VOICE]\n");
		return 2;
	}
	int16_t *pcm, *narrow;
	int rate;
	long got = speech_synth(argv[1], argc == 3 ? argv[2] : NULL, NULL, &pcm, &rate);
	if (got < 0)
		return 1;
	size_t m = audio_resample_once(rate, 8000, pcm, (size_t)got, &narrow);
	free(pcm);
	if (narrow == NULL)
		return 1;
	uint8_t *ulaw = malloc(m ? m : 1);
	if (ulaw == NULL)
		return 1;
	audio_pcm_to_ulaw(narrow, m, ulaw);
	int rc = fwrite(ulaw, 1, m, stdout) == m ? 0 : 1;
	free(narrow);
	free(ulaw);
	return rc;
}
