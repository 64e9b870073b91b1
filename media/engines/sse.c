/* Server-sent events, byte by byte so a chunk may end anywhere. */
#include "sse.h"
#include <string.h>

void
sse_init(struct sse_parser *p)
{
	p->line_len = p->data_len = 0;
	p->has_data = p->after_cr = p->failed = 0;
	p->event[0] = 0;
}

static int
dispatch(struct sse_parser *p, sse_event_fn fn, void *arg)
{
	int rc = 0;
	if (p->has_data) {
		p->data[p->data_len] = 0;
		rc = fn(p->event[0] ? p->event : "message", p->data, p->data_len, arg);
	}
	p->data_len = 0;
	p->has_data = 0;
	p->event[0] = 0;
	return rc;
}

/* One complete line (without its terminator). */
static int
line(struct sse_parser *p, sse_event_fn fn, void *arg)
{
	char *l = p->line;
	size_t n = p->line_len;
	p->line_len = 0;
	if (n == 0)
		return dispatch(p, fn, arg);
	if (l[0] == ':')
		return 0;
	l[n] = 0;
	char *colon = memchr(l, ':', n);
	size_t name_len = colon ? (size_t)(colon - l) : n;
	const char *value = colon ? colon + 1 : "";
	if (*value == ' ')
		value++;
	size_t vlen = n - (size_t)(value - l);
	if (colon == NULL)
		vlen = 0;
	if (name_len == 4 && memcmp(l, "data", 4) == 0) {
		size_t need = vlen + (p->has_data ? 1 : 0);
		if (p->data_len + need > SSE_DATA_MAX)
			return -1;
		if (p->has_data)
			p->data[p->data_len++] = '\n';
		memcpy(p->data + p->data_len, value, vlen);
		p->data_len += vlen;
		p->has_data = 1;
	} else if (name_len == 5 && memcmp(l, "event", 5) == 0) {
		if (vlen >= sizeof p->event)
			vlen = sizeof p->event - 1;
		memcpy(p->event, value, vlen);
		p->event[vlen] = 0;
	}
	/* id:, retry: and unknown fields are ignored. */
	return 0;
}

int
sse_feed(struct sse_parser *p, const char *bytes, size_t n, sse_event_fn fn, void *arg)
{
	if (p->failed)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char ch = bytes[i];
		if (ch == '\n' && p->after_cr) {
			p->after_cr = 0;
			continue;
		}
		p->after_cr = ch == '\r';
		if (ch == '\n' || ch == '\r') {
			if (line(p, fn, arg) < 0) {
				p->failed = 1;
				return -1;
			}
			continue;
		}
		if (p->line_len == SSE_LINE_MAX) {
			p->failed = 1;
			return -1;
		}
		p->line[p->line_len++] = ch;
	}
	return 0;
}
