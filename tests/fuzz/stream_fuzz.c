/* libFuzzer: carrier media-stream frames (what a carrier, or anyone who
 * reaches /media/, sends voxline-media) in every dialect.  Parsing never
 * crashes; a frame of a known event type carries the fields that type
 * needs; strings point into the parsed document; any declared format
 * is either refused or opened. */
#include "../../media/stream.c"
#include "../../media/codec.c"
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
		struct codec k;
		if (m.type == STREAM_MSG_START && codec_open(&k, (enum carrier)c, m.encoding, m.sample_rate) == 0)
			codec_close(&k);
		json_decref(m.root);
	}
	return 0;
}
