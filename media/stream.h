/* The carriers' media-stream dialects: Twilio Media Streams (also what
 * SignalWire speaks) and Telnyx media streaming.  Inbound frames are
 * parsed into one shape; outbound media, mark and clear are built per
 * carrier.  Parsing is hostile-input safe: unknown or malformed frames
 * come back as STREAM_MSG_INVALID. */
#ifndef MEDIA_STREAM_H
#define MEDIA_STREAM_H
#include "../lib/carrier.h"       /* enum carrier, carrier_name() */
#include "stream_fast.h"
#include <jansson.h>
#include <stddef.h>

enum stream_msg_type {
	STREAM_MSG_INVALID, STREAM_MSG_CONNECTED, STREAM_MSG_START, STREAM_MSG_MEDIA,
	STREAM_MSG_DTMF, STREAM_MSG_MARK, STREAM_MSG_STOP, STREAM_MSG_ERROR, STREAM_MSG_OTHER,
};

/* Strings point into the parsed JSON (valid while `root` lives). */
struct stream_msg {
	enum stream_msg_type type;
	json_t *root;
	const char *stream_id, *call_sid, *account_sid;
	const char *token, *call_id;           /* custom parameters */
	const char *encoding;
	long sample_rate;
	const char *payload;                   /* base64 */
	const char *track;
	long chunk;                            /* -1 when absent */
	long seq;                              /* sequence number; -1 when absent */
	const char *digit, *mark;
	const char *error;
	struct stream_fast fast;               /* strings of a media frame read without JSON objects */
};

#define STREAM_FRAME_MAX 4096             /* an outbound media frame, as text */

/* 0 (msg filled; json_decref(msg->root) afterwards) or -1. */
int stream_parse(enum carrier c, const char *data, size_t len, struct stream_msg *msg);
/* Outbound frames as JSON text (malloc'd). */
char *stream_media(enum carrier c, const char *stream_id, const unsigned char *ulaw, size_t n);
/* The text of an outbound media frame up to its payload, made once per
 * stream (malloc'd); stream_media_frame completes it in out (cap bytes)
 * and returns the length, 0 when it does not fit. */
char *stream_media_prefix(enum carrier c, const char *stream_id);
size_t stream_media_frame(const char *prefix, const unsigned char *ulaw, size_t n, char *out, size_t cap);
char *stream_mark(enum carrier c, const char *stream_id, const char *name);
char *stream_clear(enum carrier c, const char *stream_id);

#endif
