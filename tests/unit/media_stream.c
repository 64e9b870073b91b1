/* Media-stream frames of each carrier, and hostile input. */
#include "tap.h"
#include "../../media/stream.h"
#include "../../media/codec.h"
#include <string.h>

/* The fast path may only accept what the general parser accepts, with
 * the same fields: every one-byte change of a media frame is checked. */
static int
fast_agrees(const char *text, size_t len)
{
	struct stream_fast f;
	if (stream_fast_media("streamSid", "sequenceNumber", text, len, &f) < 0)
		return 1;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *md = json_object_get(root, "media");
	const char *payload = json_string_value(json_object_get(md, "payload"));
	const char *sid = json_string_value(json_object_get(root, "streamSid"));
	const char *ev = json_string_value(json_object_get(root, "event"));
	int same = root && ev && strcmp(ev, "media") == 0 && payload && strcmp(payload, f.payload) == 0 &&
	    (sid == NULL ? f.stream_id == NULL : f.stream_id && strcmp(sid, f.stream_id) == 0);
	json_decref(root);
	return same;
}

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
	struct codec k;
	is_int(codec_open(&k, CARRIER_TWILIO, m.encoding, m.sample_rate), 0, "mu-law 8 kHz accepted");
	codec_close(&k);
	json_decref(m.root);
	const char *tstart = "{\"event\":\"start\",\"sequence_number\":\"1\",\"start\":{\"call_control_id\":\"v3:x\","
	    "\"media_format\":{\"encoding\":\"PCMU\",\"sample_rate\":8000,\"channels\":1},"
	    "\"custom_parameters\":{\"token\":\"t2\"}},\"stream_id\":\"u-1\"}";
	stream_parse(CARRIER_TELNYX, tstart, strlen(tstart), &m);
	is(m.token, "t2", "Telnyx token from custom_parameters");
	is(m.call_sid, "v3:x", "Telnyx call_control_id");
	is(m.stream_id, "u-1", "Telnyx stream_id");
	is_int(codec_open(&k, CARRIER_TELNYX, m.encoding, m.sample_rate), 0, "PCMU accepted");
	codec_close(&k);
	json_decref(m.root);
	const char *l16 = "{\"event\":\"start\",\"start\":{\"mediaFormat\":{\"encoding\":\"audio/l16\",\"sampleRate\":16000}},\"streamSid\":\"M\"}";
	stream_parse(CARRIER_SIGNALWIRE, l16, strlen(l16), &m);
	is_int(codec_open(&k, CARRIER_SIGNALWIRE, m.encoding, m.sample_rate), 0, "SignalWire L16 at 16 kHz accepted");
	ok(k.l16 && k.rate == 16000, "as linear PCM at 16 kHz");
	codec_close(&k);
	is_int(codec_open(&k, CARRIER_TWILIO, m.encoding, m.sample_rate), -1, "Twilio does not send L16: refused");
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
	/* The fast path for media frames. */
	struct stream_fast f;
	is_int(stream_fast_media("streamSid", "sequenceNumber", media, strlen(media), &f), 0, "plain media frame: fast path");
	ok(strcmp(f.payload, "//8=") == 0 && strcmp(f.stream_id, "MZ1") == 0 &&
	    strcmp(f.track, "inbound") == 0 && f.chunk == 2 && f.seq == 3, "with the same fields as the general parser");
	const char *esc = "{\"event\":\"media\",\"streamSid\":\"M\\u005a\",\"media\":{\"payload\":\"//8=\"}}";
	is_int(stream_fast_media("streamSid", "sequenceNumber", esc, strlen(esc), &f), -1, "escapes go to the general parser");
	stream_parse(CARRIER_TWILIO, esc, strlen(esc), &m);
	ok(m.type == STREAM_MSG_MEDIA && strcmp(m.stream_id, "MZ") == 0, "which reads them");
	json_decref(m.root);
	is_int(type_of(CARRIER_TWILIO, "{\"event\":\"media\",\"streamSid\":\"M\",\"media\":{\"payload\":\"//8=\"},\"x\":1,\"x\":2}"),
	    STREAM_MSG_INVALID, "a duplicate key anywhere is refused");
	is_int(type_of(CARRIER_TWILIO, "{\"event\":\"media\",\"streamSid\":\"M\",\"media\":{\"payload\":\"//8=\"}} x"),
	    STREAM_MSG_INVALID, "trailing text is refused");
	is_int(type_of(CARRIER_TWILIO, "{\"event\":\"media\",\"streamSid\":\"M\",\"media\":{\"payload\":7}}"),
	    STREAM_MSG_INVALID, "a payload that is not a string is refused");
	is_int(type_of(CARRIER_TWILIO, "{\"event\":\"media\",\"media\":{\"payload\":\"//8=\"}}"),
	    STREAM_MSG_INVALID, "Twilio media without streamSid is refused");
	is_int(type_of(CARRIER_TWILIO, "{\"event\":\"media\",\"streamSid\":\"M\xff\",\"media\":{\"payload\":\"//8=\"}}"),
	    STREAM_MSG_INVALID, "invalid UTF-8 is refused (the WebSocket layer does not check it)");
	int agree = 1;
	char mut[512];
	size_t ml = strlen(media);
	static const char bytes[] = "{}[]\",:\\ 0a-e.\x01\x80tfn";
	for (size_t i = 0; i < ml; i++)
		for (size_t b = 0; b < sizeof bytes - 1; b++) {
			memcpy(mut, media, ml);
			mut[i] = bytes[b];
			agree &= fast_agrees(mut, ml);
			agree &= fast_agrees(mut, i);          /* truncated */
		}
	ok(agree, "no one-byte change or truncation makes the fast path accept what the general parser refuses");

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
