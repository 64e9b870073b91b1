/* Outbound pacing: real time plus a small lead, marks after the audio
 * they follow, clear drops everything at once. */
#include "tap.h"
#include "../../media/outq.h"
#include <string.h>

int
main(void)
{
	struct outq q;
	outq_init(&q, 60, 8000 * 60);
	unsigned char audio[8000], frame[160];
	memset(audio, 0x55, sizeof audio);
	double t = 1000, late;
	is_int(outq_due(&q, t), 0, "nothing due when empty");
	ok(outq_push(&q, audio, 8000, t) == 0, "one second queued");
	outq_mark(&q, "end");
	/* At start only the lead (60 ms = 480 bytes = 3 frames) may go. */
	int sent = 0;
	while (outq_take(&q, frame, 160, t, &late) == 160)
		sent++;
	is_int(sent, 3, "a 60 ms lead is three frames");
	char name[OUTQ_MARK_NAME];
	ok(outq_next_mark(&q, name) == NULL, "mark not reached yet");
	/* Then one frame per 20 ms of real time. */
	int per_tick[5], total = sent;
	for (int i = 0; i < 5; i++) {
		t += 20;
		per_tick[i] = 0;
		while (outq_take(&q, frame, 160, t, &late) == 160)
			per_tick[i]++;
		total += per_tick[i];
	}
	ok(per_tick[0] == 1 && per_tick[4] == 1, "then one frame per 20 ms");
	ok(late == 0, "frames sent ahead of their play time are not late");
	/* A stalled sender catches up at once, and reports lateness. */
	t += 200;
	int burst = 0;
	double worst = 0;
	while (outq_take(&q, frame, 160, t, &late) == 160) {
		burst++;
		if (late > worst)
			worst = late;
	}
	is_int(burst, 10, "after a 200 ms stall ten frames go at once");
	ok(worst > 100 && worst <= 140, "lateness of the stalled frames reported");
	/* Drain to the end: the mark follows the last byte. */
	t += 2000;
	while (outq_take(&q, frame, 160, t, &late) > 0)
		;
	ok(outq_next_mark(&q, name) != NULL && strcmp(name, "end") == 0, "mark emitted after its audio");
	ok(outq_busy(&q, t - 1500), "still playing at the carrier right after sending");
	ok(!outq_busy(&q, t + 100), "idle once played out");
	/* Clear: pending audio and marks dropped; new audio plays from now. */
	outq_push(&q, audio, 8000, t + 200);
	outq_mark(&q, "gone");
	outq_take(&q, frame, 160, t + 200, &late);
	size_t dropped = outq_clear(&q);
	is_int(dropped, 8000 - 160, "clear drops what was not sent");
	is_int(outq_due(&q, t + 200), 0, "nothing left to send");
	ok(outq_next_mark(&q, name) == NULL, "marks of the cut audio are gone");
	outq_push(&q, audio, 1600, t + 300);
	sent = 0;
	while (outq_take(&q, frame, 160, t + 300, &late) == 160)
		sent++;
	is_int(sent, 3, "after clear the lead starts again from now");
	outq_free(&q);
	return done_testing();
}
