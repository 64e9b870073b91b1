/* libFuzzer: carrier media-stream frames (what a carrier, or anyone who
 * reaches /media/, sends voxline-media) in every dialect.  Parsing never
 * crashes; a frame of a known event type carries the fields that type
 * needs; strings point into the parsed document. */
#include "../../media/carrier.c"
#include <stdint.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int c = 0; c < CARRIER__COUNT; c++) {
		struct carrier_msg m;
		if (carrier_parse((enum carrier)c, (const char *)data, size, &m) < 0)
			continue;
		if (m.type == CARRIER_MSG_MEDIA && m.payload == NULL)
			abort();
		if (m.type == CARRIER_MSG_DTMF && (m.digit == NULL || strlen(m.digit) != 1))
			abort();
		if (m.type == CARRIER_MSG_MARK && m.mark == NULL)
			abort();
		if (m.type == CARRIER_MSG_START)
			(void)carrier_format_ok(&m);
		json_decref(m.root);
	}
	return 0;
}
