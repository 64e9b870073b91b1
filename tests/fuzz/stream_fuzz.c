/* libFuzzer: carrier media-stream frames (what a carrier, or anyone who
 * reaches /media/, sends voxline-media) in every dialect.  Parsing never
 * crashes; a frame of a known event type carries the fields that type
 * needs; strings point into the parsed document. */
#include "../../media/stream.c"
#include <stdint.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int c = 0; c < CARRIER__COUNT; c++) {
		struct stream_msg m;
		if (stream_parse((enum carrier)c, (const char *)data, size, &m) < 0)
			continue;
		if (m.type == STREAM_MSG_MEDIA && m.payload == NULL)
			abort();
		if (m.type == STREAM_MSG_DTMF && (m.digit == NULL || strlen(m.digit) != 1))
			abort();
		if (m.type == STREAM_MSG_MARK && m.mark == NULL)
			abort();
		if (m.type == STREAM_MSG_START)
			(void)stream_format_ok(&m);
		json_decref(m.root);
	}
	return 0;
}
