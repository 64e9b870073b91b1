#include "outq.h"
#include "audio.h"
#include "xalloc.h"
#include <stdlib.h>
#include <string.h>

#define BYTES_PER_MS 8.0

void
outq_init(struct outq *q, int lead_ms, size_t max_bytes)
{
	memset(q, 0, sizeof *q);
	q->lead_ms = lead_ms;
	q->max = max_bytes;
}

void
outq_free(struct outq *q)
{
	free(q->data);
	q->data = NULL;
}

double
outq_play_end(const struct outq *q)
{
	return q->clock_ms + (double)(q->sent - q->clock_base) / BYTES_PER_MS;
}

int
outq_push(struct outq *q, const uint8_t *ulaw, size_t n, double now_ms)
{
	if (q->len + n > q->max)
		return -1;
	if (q->len == 0 && outq_play_end(q) <= now_ms) {
		/* The carrier ran dry: new audio plays from now. */
		q->clock_ms = now_ms;
		q->clock_base = q->sent;
	}
	if (q->head + q->len + n > q->cap) {
		if (q->len)
			memmove(q->data, q->data + q->head, q->len);
		q->head = 0;
		if (q->len + n > q->cap) {
			q->cap = (q->len + n) * 2 < q->max ? (q->len + n) * 2 : q->max;
			q->data = xrealloc(q->data, q->cap);
		}
	}
	memcpy(q->data + q->head + q->len, ulaw, n);
	q->len += n;
	q->enqueued += n;
	return 0;
}

int
outq_mark(struct outq *q, const char *name)
{
	if (q->nmarks == OUTQ_MAX_MARKS)
		return -1;
	struct outq_mark *m = &q->marks[q->nmarks++];
	m->at = q->enqueued;
	size_t l = strlen(name);
	if (l >= OUTQ_MARK_NAME)
		l = OUTQ_MARK_NAME - 1;
	memcpy(m->name, name, l);
	m->name[l] = 0;
	return 0;
}

size_t
outq_due(const struct outq *q, double now_ms)
{
	if (q->len == 0)
		return 0;
	double horizon = now_ms + q->lead_ms - q->clock_ms;
	double allowed = horizon * BYTES_PER_MS - (double)(q->sent - q->clock_base);
	if (allowed <= 0)
		return 0;
	size_t frames = ((size_t)allowed + AUDIO_FRAME_BYTES - 1) / AUDIO_FRAME_BYTES;
	size_t n = frames * AUDIO_FRAME_BYTES;
	return n < q->len ? n : q->len;
}

size_t
outq_take(struct outq *q, uint8_t *out, size_t n, double now_ms, double *late_ms)
{
	size_t due = outq_due(q, now_ms);
	if (n > due)
		n = due;
	if (n == 0)
		return 0;
	double play_at = q->clock_ms + (double)(q->sent - q->clock_base) / BYTES_PER_MS;
	*late_ms = now_ms > play_at ? now_ms - play_at : 0;
	memcpy(out, q->data + q->head, n);
	q->head += n;
	q->len -= n;
	q->sent += n;
	if (q->len == 0)
		q->head = 0;
	return n;
}

const char *
outq_next_mark(struct outq *q, char buf[OUTQ_MARK_NAME])
{
	if (q->nmarks == 0 || q->marks[0].at > q->sent)
		return NULL;
	memcpy(buf, q->marks[0].name, OUTQ_MARK_NAME);
	memmove(q->marks, q->marks + 1, (size_t)(q->nmarks - 1) * sizeof q->marks[0]);
	q->nmarks--;
	return buf;
}

size_t
outq_clear(struct outq *q)
{
	size_t dropped = q->len;
	q->enqueued -= dropped;
	q->len = 0;
	q->head = 0;
	q->nmarks = 0;
	/* The carrier discards its buffer too: nothing is playing any more. */
	q->clock_ms = 0;
	q->clock_base = q->sent;
	return dropped;
}

int
outq_busy(const struct outq *q, double now_ms)
{
	return q->len > 0 || outq_play_end(q) > now_ms;
}
