/* Media-stream media frames ({"event":"media", ... "media":{"payload":
 * ...}}) read without building JSON objects: a validating scan that only
 * accepts plain frames and leaves everything else to a general JSON
 * parser.  Hostile-input safe and bounded (see stream_fast.c). */
#ifndef VOXLINE_STREAM_FAST_H
#define VOXLINE_STREAM_FAST_H
#include <stddef.h>

struct stream_fast {
	const char *payload;          /* base64 */
	const char *stream_id;        /* NULL when absent */
	const char *track;            /* NULL when absent */
	long chunk, seq;              /* -1 when absent */
	char scratch[2048];           /* the strings above */
};

/* stream_key/seq_key: the dialect's names of the stream id and sequence
 * number (top level).  0 when data is a plain media frame (m filled), -1
 * when a general parser must look at it (another event, anything unusual,
 * or malformed). */
int stream_fast_media(const char *stream_key, const char *seq_key, const char *data, size_t len,
    struct stream_fast *m);

#endif
