#include "stream.h"
#include "xalloc.h"
#include <openssl/evp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Field names per dialect: Twilio/SignalWire camelCase, Telnyx snake_case. */
static const struct dialect {
	const char *stream_id, *call_sid, *account_sid, *custom, *format, *rate, *seq;
	int stream_id_in_outbound;
} dialects[CARRIER__COUNT] = {
	[CARRIER_TWILIO] = { "streamSid", "callSid", "accountSid", "customParameters", "mediaFormat", "sampleRate",
		"sequenceNumber", 1 },
	[CARRIER_SIGNALWIRE] = { "streamSid", "callSid", "accountSid", "customParameters", "mediaFormat", "sampleRate",
		"sequenceNumber", 1 },
	[CARRIER_TELNYX] = { "stream_id", "call_control_id", "user_id", "custom_parameters", "media_format", "sample_rate",
		"sequence_number", 0 },
};

static const struct { const char *name; enum stream_msg_type type; } events[] = {
	{ "connected", STREAM_MSG_CONNECTED }, { "start", STREAM_MSG_START },
	{ "media", STREAM_MSG_MEDIA }, { "dtmf", STREAM_MSG_DTMF }, { "mark", STREAM_MSG_MARK },
	{ "stop", STREAM_MSG_STOP }, { "error", STREAM_MSG_ERROR },
};

static const char *
str_at(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Numbers that Twilio sends as strings ("chunk": "12"); -1 when absent or bad. */
static long
num_at(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (json_is_integer(v))
		return (long)json_integer_value(v);
	const char *s = json_string_value(v);
	if (s == NULL || *s == 0 || strlen(s) > 18)
		return -1;
	char *end;
	long n = strtol(s, &end, 10);
	return *end ? -1 : n;
}

int
stream_parse(enum carrier c, const char *data, size_t len, struct stream_msg *m)
{
	const struct dialect *d = &dialects[c];
	memset(m, 0, offsetof(struct stream_msg, fast));
	if (stream_fast_media(d->stream_id, d->seq, data, len, &m->fast) == 0) {
		m->type = m->fast.stream_id == NULL && d->stream_id_in_outbound ? STREAM_MSG_INVALID : STREAM_MSG_MEDIA;
		m->payload = m->fast.payload;
		m->stream_id = m->fast.stream_id;
		m->track = m->fast.track;
		m->chunk = m->fast.chunk;
		m->seq = m->fast.seq;
		return 0;
	}
	m->chunk = -1;
	json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		return -1;
	}
	m->root = root;
	const char *ev = str_at(root, "event");
	if (ev == NULL)
		return 0;
	m->type = STREAM_MSG_OTHER;
	for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
		if (strcmp(ev, events[i].name) == 0)
			m->type = events[i].type;
	m->stream_id = str_at(root, d->stream_id);
	m->seq = num_at(root, d->seq);
	switch (m->type) {
	case STREAM_MSG_START: {
		json_t *s = json_object_get(root, "start");
		if (!json_is_object(s))
			goto invalid;
		if (str_at(s, d->stream_id))
			m->stream_id = str_at(s, d->stream_id);
		m->call_sid = str_at(s, d->call_sid);
		m->account_sid = str_at(s, d->account_sid);
		json_t *cp = json_object_get(s, d->custom);
		m->token = str_at(cp, "token");
		m->call_id = str_at(cp, "call_id");
		json_t *f = json_object_get(s, d->format);
		m->encoding = str_at(f, "encoding");
		m->sample_rate = num_at(f, d->rate);
		break;
	}
	case STREAM_MSG_MEDIA: {
		json_t *md = json_object_get(root, "media");
		m->payload = str_at(md, "payload");
		m->track = str_at(md, "track");
		m->chunk = num_at(md, "chunk");
		if (m->payload == NULL)
			goto invalid;
		break;
	}
	case STREAM_MSG_DTMF:
		m->digit = str_at(json_object_get(root, "dtmf"), "digit");
		if (m->digit == NULL || strlen(m->digit) != 1)
			goto invalid;
		break;
	case STREAM_MSG_MARK:
		m->mark = str_at(json_object_get(root, "mark"), "name");
		if (m->mark == NULL)
			goto invalid;
		break;
	case STREAM_MSG_ERROR:
		m->error = str_at(json_object_get(root, "error"), "title");
		break;
	default:
		break;
	}
	if (m->stream_id == NULL && d->stream_id_in_outbound && m->type != STREAM_MSG_CONNECTED &&
	    m->type != STREAM_MSG_OTHER)
		goto invalid;
	return 0;
invalid:
	m->type = STREAM_MSG_INVALID;
	return 0;
}

static char *
dump(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL)
		abort();
	return s;
}

static json_t *
frame(enum carrier c, const char *event, const char *stream_id)
{
	json_t *o = json_pack("{s:s}", "event", event);
	if (dialects[c].stream_id_in_outbound && stream_id)
		json_object_set_new(o, "streamSid", json_string(stream_id));
	return o;
}

#define MEDIA_SUFFIX "\"}}"

char *
stream_media_prefix(enum carrier c, const char *stream_id)
{
	json_t *o = frame(c, "media", stream_id);
	json_object_set_new(o, "media", json_pack("{s:s}", "payload", ""));
	char *s = dump(o);
	/* The payload is the last member: cut at its opening quote. */
	size_t n = strlen(s), cut = sizeof MEDIA_SUFFIX - 1 + 1;
	if (n < cut || strcmp(s + n - cut, "\"" MEDIA_SUFFIX) != 0)
		abort();
	s[n - cut + 1] = '\0';
	return s;
}

size_t
stream_media_frame(const char *prefix, const unsigned char *ulaw, size_t n, char *out, size_t cap)
{
	size_t p = strlen(prefix), b = 4 * ((n + 2) / 3), total = p + b + sizeof MEDIA_SUFFIX - 1;
	if (total + 1 > cap)
		return 0;
	memcpy(out, prefix, p);
	EVP_EncodeBlock((unsigned char *)out + p, ulaw, (int)n);
	memcpy(out + p + b, MEDIA_SUFFIX, sizeof MEDIA_SUFFIX);
	return total;
}

char *
stream_media(enum carrier c, const char *stream_id, const unsigned char *ulaw, size_t n)
{
	char *prefix = stream_media_prefix(c, stream_id);
	size_t cap = strlen(prefix) + 4 * ((n + 2) / 3) + sizeof MEDIA_SUFFIX;
	char *out = xmalloc(cap);
	stream_media_frame(prefix, ulaw, n, out, cap);
	free(prefix);
	return out;
}

char *
stream_mark(enum carrier c, const char *stream_id, const char *name)
{
	json_t *o = frame(c, "mark", stream_id);
	json_object_set_new(o, "mark", json_pack("{s:s}", "name", name));
	return dump(o);
}

char *
stream_clear(enum carrier c, const char *stream_id)
{
	return dump(frame(c, "clear", stream_id));
}
