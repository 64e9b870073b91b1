/* Outbound audio for one call: a queue of mu-law bytes with marks, paced
 * at real time plus a small lead.  The carrier plays what it has, so
 * sending only `lead` ahead keeps `clear` effective at once while
 * absorbing scheduling jitter.  Times are milliseconds on one monotonic
 * clock; the queue does no I/O. */
#ifndef MEDIA_OUTQ_H
#define MEDIA_OUTQ_H
#include <stddef.h>
#include <stdint.h>

#define OUTQ_MAX_MARKS 64
#define OUTQ_MARK_NAME 40

struct outq_mark {
	uint64_t at;                 /* stream byte offset the mark follows */
	char name[OUTQ_MARK_NAME];
};

struct outq {
	uint8_t *data;
	size_t head, len, cap, max;  /* pending bytes are data[head .. head+len) */
	uint64_t enqueued, sent;     /* byte counters since the call started */
	struct outq_mark marks[OUTQ_MAX_MARKS];
	int nmarks;
	double clock_ms;             /* when byte `clock_base` was due to play */
	uint64_t clock_base;
	int lead_ms;
};

void outq_init(struct outq *q, int lead_ms, size_t max_bytes);
void outq_free(struct outq *q);
/* Appends audio (the clock restarts if the carrier has run dry); -1 if full. */
int outq_push(struct outq *q, const uint8_t *ulaw, size_t n, double now_ms);
/* Adds a mark after everything enqueued so far; -1 if too many. */
int outq_mark(struct outq *q, const char *name);
/* Bytes that may be sent now (a multiple of 160 unless the tail is shorter). */
size_t outq_due(const struct outq *q, double now_ms);
/* Takes up to n due bytes into out; returns how many, and the lateness of
 * that frame: how far past its play time it leaves (0 when on time). */
size_t outq_take(struct outq *q, uint8_t *out, size_t n, double now_ms, double *late_ms);
/* Name of a mark reached by what was sent, or NULL; removes it. */
const char *outq_next_mark(struct outq *q, char buf[OUTQ_MARK_NAME]);
/* Drops pending audio and marks (barge-in); returns the bytes dropped. */
size_t outq_clear(struct outq *q);
int outq_busy(const struct outq *q, double now_ms);   /* audio pending or still playing */
/* When the last byte sent finishes playing at the carrier. */
double outq_play_end(const struct outq *q);

#endif
