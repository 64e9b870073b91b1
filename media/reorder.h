/* Caller audio frames back in order.  Telnyx does not guarantee frame
 * order, so its media frames go through a small window keyed by chunk
 * number: a frame is held until the ones before it have come, or until
 * the window is full (a lost frame then costs at most REORDER_WINDOW
 * frames of delay); a frame older than what was already passed on is
 * dropped and counted.  Loop thread only; bounded memory. */
#ifndef MEDIA_REORDER_H
#define MEDIA_REORDER_H
#include <stddef.h>
#include <stdint.h>

#define REORDER_WINDOW 5             /* frames (100 ms of 20 ms frames) */
#define REORDER_FRAME_MAX 2048       /* bytes of one frame's payload */

typedef void (*reorder_fn)(void *arg, const uint8_t *data, size_t n);

struct reorder {
	long next;                       /* next number to pass on; -1 before the first */
	struct {
		int used;
		long seq;
		size_t n;
		uint8_t data[REORDER_FRAME_MAX];
	} slot[REORDER_WINDOW];
	long late, missing;              /* dropped as too late; never came */
};

void reorder_init(struct reorder *r);
/* Takes frame number seq (n bytes; longer than REORDER_FRAME_MAX is
 * dropped as malformed) and passes on whatever is now in order. */
void reorder_push(struct reorder *r, long seq, const uint8_t *data, size_t n, reorder_fn fn, void *arg);

#endif
