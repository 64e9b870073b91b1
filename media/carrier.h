/* The carriers' media-stream dialects: Twilio Media Streams (also what
 * SignalWire speaks) and Telnyx media streaming.  Inbound frames are
 * parsed into one shape; outbound media, mark and clear are built per
 * carrier.  Parsing is hostile-input safe: unknown or malformed frames
 * come back as CARRIER_MSG_INVALID. */
#ifndef MEDIA_CARRIER_H
#define MEDIA_CARRIER_H
#include <jansson.h>
#include <stddef.h>

enum carrier { CARRIER_TWILIO, CARRIER_SIGNALWIRE, CARRIER_TELNYX, CARRIER__COUNT };

enum carrier_msg_type {
	CARRIER_MSG_INVALID, CARRIER_MSG_CONNECTED, CARRIER_MSG_START, CARRIER_MSG_MEDIA,
	CARRIER_MSG_DTMF, CARRIER_MSG_MARK, CARRIER_MSG_STOP, CARRIER_MSG_ERROR, CARRIER_MSG_OTHER,
};

/* Strings point into the parsed JSON (valid while `root` lives). */
struct carrier_msg {
	enum carrier_msg_type type;
	json_t *root;
	const char *stream_id, *call_sid, *account_sid;
	const char *token, *call_id;           /* custom parameters */
	const char *encoding;
	long sample_rate;
	const char *payload;                   /* base64 */
	const char *track;
	long chunk;                            /* -1 when absent */
	const char *digit, *mark;
	const char *error;
};

/* "twilio", "signalwire", "telnyx"; -1 for another name. */
int carrier_from_name(const char *name);
const char *carrier_name(enum carrier c);
/* 0 (msg filled; json_decref(msg->root) afterwards) or -1. */
int carrier_parse(enum carrier c, const char *data, size_t len, struct carrier_msg *msg);
/* True when the start's media format is 8 kHz mu-law. */
int carrier_format_ok(const struct carrier_msg *m);
/* Outbound frames as JSON text (malloc'd). */
char *carrier_media(enum carrier c, const char *stream_id, const unsigned char *ulaw, size_t n);
char *carrier_mark(enum carrier c, const char *stream_id, const char *name);
char *carrier_clear(enum carrier c, const char *stream_id);

#endif
