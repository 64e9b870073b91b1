#include "breaker.h"

const char *
breaker_state_name(enum breaker_state s)
{
	return s == BREAKER_OPEN ? "open" : s == BREAKER_HALF_OPEN ? "half_open" : "closed";
}

static void
to_open(struct breaker *b, double now)
{
	b->state = BREAKER_OPEN;
	b->opened_at = now;
	b->successes = b->probes = 0;
}

int
breaker_allow(struct breaker *b, const struct breaker_config *c, double now, int *changed)
{
	*changed = 0;
	if (b->state == BREAKER_OPEN) {
		if (now - b->opened_at < c->open_ms)
			return 0;
		b->state = BREAKER_HALF_OPEN;
		b->successes = b->probes = 0;
		*changed = 1;
	}
	if (b->state == BREAKER_HALF_OPEN) {
		if (b->probes >= c->half_open_probes)
			return 0;
		b->probes++;
	}
	return 1;
}

int
breaker_record(struct breaker *b, const struct breaker_config *c, int ok, double now)
{
	switch (b->state) {
	case BREAKER_CLOSED:
		if (ok) {
			b->failures = 0;
			return 0;
		}
		if (++b->failures < c->failure_threshold)
			return 0;
		to_open(b, now);
		return 1;
	case BREAKER_HALF_OPEN:
		if (b->probes > 0)
			b->probes--;
		if (!ok) {
			to_open(b, now);
			return 1;
		}
		if (++b->successes < c->success_threshold)
			return 0;
		b->state = BREAKER_CLOSED;
		b->failures = b->successes = b->probes = 0;
		return 1;
	case BREAKER_OPEN:
		return 0;                 /* a late answer from before it opened */
	}
	return 0;
}

void
breaker_release(struct breaker *b)
{
	if (b->state == BREAKER_HALF_OPEN && b->probes > 0)
		b->probes--;
}
