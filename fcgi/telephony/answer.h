/* The markup a carrier executes when a call is answered: TwiML (Twilio),
 * cXML (SignalWire) or TeXML (Telnyx) — one dialect for our purposes.
 * Either a bidirectional media stream to voxline-media (with the stream
 * token and the call id as <Parameter>s, optional recording, a hang-up
 * when the stream ends), a polite message and hang-up, or a message and
 * a voicemail recording. */
#ifndef VOXLINE_ANSWER_H
#define VOXLINE_ANSWER_H
#include "buf.h"
#include "carrier.h"

enum answer_kind { ANSWER_STREAM, ANSWER_MESSAGE, ANSWER_VOICEMAIL };

struct answer {
	enum carrier carrier;
	enum answer_kind kind;
	const char *public_url;          /* the stream URL and callbacks derive from it */
	const char *call_id, *token;     /* stream */
	const char *language;            /* e.g. en-US */
	int record;                      /* record the call (stream) */
	const char *record_channels;     /* mono or dual */
	int max_duration;                /* seconds, passed to voxline-media */
	const char *reason;              /* message/voicemail: why (answer_message) */
	int voicemail_max;               /* seconds */
};

/* "stream", "message", "voicemail" (calls.answer). */
const char *answer_kind_name(enum answer_kind k);
/* The spoken text for a refusal reason (unknown reasons get a generic one). */
const char *answer_message(const char *reason, int voicemail);
/* wss://host/media/<twilio|telnyx> from public_url (malloc'd). */
char *answer_stream_url(const char *public_url, enum carrier c);
/* Appends the XML document to out; 0 or -1 when out is full. */
int answer_render(const struct answer *a, struct buf *out);
/* Appends s with XML escaping; 0 or -1. */
int answer_xml_escape(struct buf *out, const char *s);

#endif
