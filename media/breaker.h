/* Circuit breaker state machine, pure (time is passed in):
 *   closed    -- failure_threshold consecutive failures --> open
 *   open      -- open_ms elapsed --> half_open
 *   half_open -- up to half_open_probes requests at a time; one failure
 *                --> open again; success_threshold successes --> closed.
 * The caller holds whatever lock protects the breaker. */
#ifndef MEDIA_BREAKER_H
#define MEDIA_BREAKER_H

enum breaker_state { BREAKER_CLOSED = 0, BREAKER_HALF_OPEN = 1, BREAKER_OPEN = 2 };

struct breaker_config {
	int failure_threshold, success_threshold, half_open_probes;
	double open_ms;
};

struct breaker {
	enum breaker_state state;
	int failures;                 /* consecutive, while closed */
	int successes;                /* while half-open */
	int probes;                   /* half-open requests under way */
	double opened_at;
};

const char *breaker_state_name(enum breaker_state s);
/* 1 when a request may go now (counted as a probe when half-open), 0
 * to skip this provider.  *changed is set when the state moved. */
int breaker_allow(struct breaker *b, const struct breaker_config *c, double now, int *changed);
/* The outcome of an allowed request; 1 when the state moved. */
int breaker_record(struct breaker *b, const struct breaker_config *c, int ok, double now);
/* An allowed request that ended without an outcome (cancelled). */
void breaker_release(struct breaker *b);

#endif
