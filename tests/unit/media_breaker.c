/* The circuit breaker state machine. */
#include "tap.h"
#include "../../media/breaker.h"

int
main(void)
{
	struct breaker_config c = { .failure_threshold = 3, .success_threshold = 2, .half_open_probes = 1,
		.open_ms = 1000 };
	struct breaker b = { 0 };
	int changed;
	ok(breaker_allow(&b, &c, 0, &changed) && !changed, "closed lets requests through");
	is_int(breaker_record(&b, &c, 0, 10), 0, "one failure: still closed");
	is_int(breaker_record(&b, &c, 0, 20), 0, "two failures: still closed");
	is_int(breaker_record(&b, &c, 1, 30), 0, "a success in between...");
	is_int(b.failures, 0, "...resets the count (failures must be consecutive)");
	breaker_record(&b, &c, 0, 40);
	breaker_record(&b, &c, 0, 50);
	is_int(breaker_record(&b, &c, 0, 60), 1, "third consecutive failure opens it");
	is_int(b.state, BREAKER_OPEN, "open");
	ok(!breaker_allow(&b, &c, 500, &changed) && !changed, "open skips the provider");
	ok(!breaker_allow(&b, &c, 1059, &changed), "until the open time is over");
	ok(breaker_allow(&b, &c, 1060, &changed) && changed, "then one probe goes (half-open)");
	is_int(b.state, BREAKER_HALF_OPEN, "half-open");
	ok(!breaker_allow(&b, &c, 1061, &changed), "only as many probes at a time as configured");
	is_int(breaker_record(&b, &c, 0, 1100), 1, "a failed probe opens it again");
	is_int(b.state, BREAKER_OPEN, "open again");
	ok(!breaker_allow(&b, &c, 2000, &changed), "with a fresh open time");
	ok(breaker_allow(&b, &c, 2100, &changed) && changed, "half-open after it");
	is_int(breaker_record(&b, &c, 1, 2110), 0, "one good probe is not enough");
	ok(breaker_allow(&b, &c, 2111, &changed), "the next probe may go");
	is_int(breaker_record(&b, &c, 1, 2120), 1, "second good probe closes it");
	is_int(b.state, BREAKER_CLOSED, "closed");
	is_int(b.failures, 0, "with no failures counted");
	is_int(breaker_record(&b, &c, 0, 2130), 0, "a new failure counts from zero");

	struct breaker h = { .state = BREAKER_OPEN, .opened_at = 0 };
	breaker_allow(&h, &c, 5000, &changed);
	ok(!breaker_allow(&h, &c, 5001, &changed), "probe slot taken");
	breaker_release(&h);
	ok(breaker_allow(&h, &c, 5002, &changed), "a cancelled probe gives its slot back");
	struct breaker o = { .state = BREAKER_OPEN, .opened_at = 0 };
	is_int(breaker_record(&o, &c, 1, 10), 0, "a late answer while open changes nothing");
	is_int(o.state, BREAKER_OPEN, "still open");
	struct breaker_config two = c;
	two.half_open_probes = 2;
	struct breaker t = { .state = BREAKER_OPEN };
	ok(breaker_allow(&t, &two, 1000, &changed) && breaker_allow(&t, &two, 1000, &changed) &&
	    !breaker_allow(&t, &two, 1000, &changed), "two probes at a time when configured");
	is(breaker_state_name(BREAKER_HALF_OPEN), "half_open", "state names as in provider_health");
	return done_testing();
}
