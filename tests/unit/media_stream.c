/* Media-stream frames of each carrier, and hostile input. */
#include "tap.h"
#include "../../media/stream.h"
#include <string.h>

static enum stream_msg_type
type_of(enum carrier c, const char *s)
{
	struct stream_msg m;
	if (stream_parse(c, s, strlen(s), &m) < 0)
		return STREAM_MSG_INVALID;
	enum stream_msg_type t = m.type;
	json_decref(m.root);
	return t;
}

int
main(void)
{
	struct stream_msg m;
	const char *start = "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"accountSid\":\"AC1\",\"streamSid\":\"MZ1\","
	    "\"callSid\":\"CA1\",\"tracks\":[\"inbound\"],\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,"
	    "\"channels\":1},\"customParameters\":{\"token\":\"tok\",\"call_id\":\"cid\"}},\"streamSid\":\"MZ1\"}";
	is_int(stream_parse(CARRIER_TWILIO, start, strlen(start), &m), 0, "Twilio start parses");
	is_int(m.type, STREAM_MSG_START, "is a start");
	is(m.token, "tok", "token from customParameters");
	is(m.call_id, "cid", "call_id parameter");
	is(m.call_sid, "CA1", "callSid");
	is(m.stream_id, "MZ1", "streamSid");
	ok(stream_format_ok(&m), "mu-law 8 kHz accepted");
	json_decref(m.root);
	const char *tstart = "{\"event\":\"start\",\"sequence_number\":\"1\",\"start\":{\"call_control_id\":\"v3:x\","
	    "\"media_format\":{\"encoding\":\"PCMU\",\"sample_rate\":8000,\"channels\":1},"
	    "\"custom_parameters\":{\"token\":\"t2\"}},\"stream_id\":\"u-1\"}";
	stream_parse(CARRIER_TELNYX, tstart, strlen(tstart), &m);
	is(m.token, "t2", "Telnyx token from custom_parameters");
	is(m.call_sid, "v3:x", "Telnyx call_control_id");
	is(m.stream_id, "u-1", "Telnyx stream_id");
	ok(stream_format_ok(&m), "PCMU accepted");
	json_decref(m.root);
	const char *l16 = "{\"event\":\"start\",\"start\":{\"mediaFormat\":{\"encoding\":\"audio/L16\",\"sampleRate\":16000}},\"streamSid\":\"M\"}";
	stream_parse(CARRIER_SIGNALWIRE, l16, strlen(l16), &m);
	ok(!stream_format_ok(&m), "L16 at 16 kHz is refused (not mu-law)");
	json_decref(m.root);
	const char *media = "{\"event\":\"media\",\"sequenceNumber\":\"3\",\"media\":{\"track\":\"inbound\",\"chunk\":\"2\","
	    "\"timestamp\":\"20\",\"payload\":\"//8=\"},\"streamSid\":\"MZ1\"}";
	stream_parse(CARRIER_TWILIO, media, strlen(media), &m);
	is_int(m.type, STREAM_MSG_MEDIA, "media frame");
	is_int(m.chunk, 2, "chunk given as a string is read as a number");
	is(m.payload, "//8=", "payload");
	json_decref(m.root);
	is_int(type_of(CARRIER_TWILIO, "{\"event\":\"media\",\"streamSid\":\"M\",\"media\":{}}"), STREAM_MSG_INVALID,
	    "media without payload is invalid");
	is_int(type_of(CARRIER_TWILIO, "{\"event\":\"dtmf\",\"streamSid\":\"M\",\"dtmf\":{\"digit\":\"12\"}}"), STREAM_MSG_INVALID,
	    "two-character digit is invalid");
	is_int(type_of(CARRIER_TWILIO, "{\"event\":\"mark\",\"streamSid\":\"M\",\"mark\":{\"name\":\"a\"}}"), STREAM_MSG_MARK, "mark");
	is_int(type_of(CARRIER_TWILIO, "[1,2]"), STREAM_MSG_INVALID, "not an object");
	is_int(type_of(CARRIER_TWILIO, "{\"event\":\"media\""), STREAM_MSG_INVALID, "truncated JSON");
	is_int(type_of(CARRIER_TWILIO, "{\"event\":\"start\",\"event\":\"stop\"}"), STREAM_MSG_INVALID, "duplicate keys refused");
	is_int(type_of(CARRIER_TWILIO, "{\"event\":\"start\",\"start\":7,\"streamSid\":\"M\"}"), STREAM_MSG_INVALID,
	    "start that is not an object");
	is_int(type_of(CARRIER_TWILIO, "{\"event\":\"weird\"}"), STREAM_MSG_OTHER, "unknown events are tolerated");
	char *out = stream_media(CARRIER_TWILIO, "MZ9", (const unsigned char *)"\xff\xff", 2);
	is(out, "{\"event\":\"media\",\"streamSid\":\"MZ9\",\"media\":{\"payload\":\"//8=\"}}", "Twilio outbound media");
	free(out);
	out = stream_clear(CARRIER_TELNYX, "x");
	is(out, "{\"event\":\"clear\"}", "Telnyx clear carries no stream id");
	free(out);
	out = stream_mark(CARRIER_TWILIO, "MZ9", "end-1");
	is(out, "{\"event\":\"mark\",\"streamSid\":\"MZ9\",\"mark\":{\"name\":\"end-1\"}}", "Twilio mark");
	free(out);
	return done_testing();
}
