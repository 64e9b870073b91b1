/* libFuzzer: the simulator's TwiML reader (the voice webhook's answer).
 * Never crashes or overruns; on success the stream URL and token are
 * NUL-terminated within their buffers and non-empty. */
#include "../../cli/simulate_setup.c"
#include <stdint.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *xml = malloc(size + 1);
	memcpy(xml, data, size);
	xml[size] = 0;
	struct sim_target t;
	memset(&t, 0x55, sizeof t);
	if (sim_twiml_parse(xml, &t) == 0) {
		if (!memchr(t.ws_url, 0, sizeof t.ws_url) || !memchr(t.token, 0, sizeof t.token) ||
		    !t.ws_url[0] || !t.token[0])
			abort();
	}
	free(xml);
	return 0;
}
