/* Server-sent events parser (the text/event-stream format of the
 * OpenAI-compatible streaming APIs), fed bytes as they arrive, split
 * anywhere.  Lines end in LF, CR LF or CR; ':' lines are comments;
 * several data: lines of one event are joined with '\n'; a blank line
 * dispatches the event.  Hostile input: a line longer than the hard
 * maximum makes the stream an error (nothing is buffered past it). */
#ifndef MEDIA_SSE_H
#define MEDIA_SSE_H
#include <stddef.h>

#define SSE_LINE_MAX 65536          /* longest line accepted */
#define SSE_DATA_MAX (256 * 1024)   /* longest event data accepted */

/* event: the event: field ("message" when absent); data NUL-terminated.
 * Returns 0 to go on, -1 to stop parsing. */
typedef int (*sse_event_fn)(const char *event, const char *data, size_t len, void *arg);

struct sse_parser {
	char line[SSE_LINE_MAX + 1];
	size_t line_len;
	char data[SSE_DATA_MAX + 1];
	size_t data_len;
	int has_data;
	char event[64];
	int after_cr;                 /* last byte was CR: a following LF belongs to it */
	int failed;                   /* oversized line/data, or the callback stopped */
};

void sse_init(struct sse_parser *p);
/* 0, or -1 once the stream is in error (then every later call fails). */
int sse_feed(struct sse_parser *p, const char *bytes, size_t n, sse_event_fn fn, void *arg);

#endif
