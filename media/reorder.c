#include "reorder.h"
#include <string.h>

void
reorder_init(struct reorder *r)
{
	memset(r, 0, sizeof *r);
	r->next = -1;
}

/* Passes on frames from `next` while they are here. */
static void
drain_ready(struct reorder *r, reorder_fn fn, void *arg)
{
	for (;;) {
		int i = (int)(r->next % REORDER_WINDOW);
		if (!r->slot[i].used || r->slot[i].seq != r->next)
			return;
		r->slot[i].used = 0;
		r->next++;
		fn(arg, r->slot[i].data, r->slot[i].n);
	}
}

/* The window must move so that seq fits: frames that fall out of it are
 * passed on (in order), the numbers that never came are skipped. */
static void
advance_to(struct reorder *r, long first, reorder_fn fn, void *arg)
{
	while (r->next < first) {
		int i = (int)(r->next % REORDER_WINDOW);
		if (r->slot[i].used && r->slot[i].seq == r->next) {
			r->slot[i].used = 0;
			fn(arg, r->slot[i].data, r->slot[i].n);
		} else
			r->missing++;
		r->next++;
	}
}

void
reorder_push(struct reorder *r, long seq, const uint8_t *data, size_t n, reorder_fn fn, void *arg)
{
	if (seq < 0 || n > REORDER_FRAME_MAX)
		return;
	if (r->next < 0)
		r->next = seq;
	if (seq < r->next) {
		r->late++;
		return;
	}
	if (seq >= r->next + REORDER_WINDOW) {
		/* A jump far ahead (a run of frames lost): what is held goes
		 * on, and the stream carries on from the new frame. */
		if (seq - r->next > 2 * REORDER_WINDOW) {
			advance_to(r, r->next + REORDER_WINDOW, fn, arg);
			r->missing += seq - r->next;
			r->next = seq;
		} else
			advance_to(r, seq - REORDER_WINDOW + 1, fn, arg);
	}
	int i = (int)(seq % REORDER_WINDOW);
	if (r->slot[i].used && r->slot[i].seq == seq) {
		r->late++;                   /* the same frame twice */
		return;
	}
	r->slot[i].used = 1;
	r->slot[i].seq = seq;
	r->slot[i].n = n;
	memcpy(r->slot[i].data, data, n);
	drain_ready(r, fn, arg);
}
