/* Telnyx caller frames put back in order: a bounded window, late frames
 * dropped and counted, a lost frame costs at most the window. */
#include "tap.h"
#include "../../media/reorder.h"
#include <string.h>

static char got[256];
static size_t ngot;

static void
collect(void *arg, const uint8_t *data, size_t n)
{
	(void)arg;
	if (ngot + n < sizeof got) {
		memcpy(got + ngot, data, n);
		ngot += n;
		got[ngot] = '\0';
	}
}

/* Frames are one letter each: frame k holds 'a' + k. */
static void
push(struct reorder *r, long seq)
{
	uint8_t b = (uint8_t)('a' + seq);
	reorder_push(r, seq, &b, 1, collect, NULL);
}

static void
reset(struct reorder *r)
{
	reorder_init(r);
	ngot = 0;
	got[0] = '\0';
}

int
main(void)
{
	struct reorder r;
	reset(&r);
	for (long s = 0; s < 6; s++)
		push(&r, s);
	is(got, "abcdef", "in-order frames pass straight through");

	reset(&r);
	push(&r, 0); push(&r, 2); push(&r, 1); push(&r, 4); push(&r, 3);
	is(got, "abcde", "swapped frames come out in order");
	is_int(r.late, 0, "nothing dropped");

	reset(&r);
	push(&r, 0); push(&r, 1); push(&r, 3);
	is(got, "ab", "a gap holds later frames");
	push(&r, 4); push(&r, 5); push(&r, 6);
	is(got, "ab", "while the window has room");
	push(&r, 7);
	is(got, "abdefgh", "a full window gives up on the missing frame");
	is_int(r.missing, 1, "and counts it missing");
	push(&r, 2);
	is(got, "abdefgh", "the missing frame arriving after its successors is not used");
	is_int(r.late, 1, "it is counted as dropped late");
	push(&r, 7);
	is_int(r.late, 2, "a repeated frame is dropped too");

	reset(&r);
	push(&r, 10); push(&r, 11); push(&r, 13); push(&r, 1000);
	ok(ngot == 4 && got[2] == 'n' && got[3] == (char)('a' + 1000 % 256),
	    "a far jump (frames lost) passes on what was held and carries on from the new frame");
	is_int(r.missing, 1000 - 12 - 1, "the numbers skipped count as missing");
	push(&r, 1001);
	is_int((int)ngot, 5, "frames after the jump flow at once");
	push(&r, 998);
	is_int(r.late, 1, "and one from before the jump is late");

	reset(&r);
	uint8_t big[REORDER_FRAME_MAX + 1] = { 0 };
	reorder_push(&r, 0, big, sizeof big, collect, NULL);
	is_int((int)ngot, 0, "an oversized frame is refused");
	reorder_push(&r, -5, big, 1, collect, NULL);
	is_int((int)ngot, 0, "a negative number is refused");
	return done_testing();
}
