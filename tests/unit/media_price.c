/* The price table: parsing, effective dates, units, unknown engines. */
#include "tap.h"
#include "price.h"
#include <math.h>
#include <string.h>

static time_t
day(int y, int m, int d)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12 };
	return timegm(&tm);
}

int
main(void)
{
	struct price_table t;
	char err[256];
	is_int(price_parse(&t, "deepgram:audio_second=0.0001, openai:token=0.000002@2025-01-01,"
	    "openai:token=0.000001@2026-06-01, elevenlabs:character=0.00005 ,", err, sizeof err), 0, "table parses");
	is_int(t.n, 4, "four entries");
	int found;
	ok(fabs(price_cost(&t, "deepgram", PRICE_AUDIO_SECOND, 60, day(2026, 1, 1), &found) - 0.006) < 1e-9 && found,
	    "a minute of audio at 0.0001/s costs 0.006");
	ok(fabs(price_cost(&t, "openai", PRICE_TOKEN, 1000, day(2026, 1, 1), &found) - 0.002) < 1e-9,
	    "older rate before its replacement takes effect");
	ok(fabs(price_cost(&t, "openai", PRICE_TOKEN, 1000, day(2026, 6, 1), &found) - 0.001) < 1e-9,
	    "new rate from its effective day");
	price_cost(&t, "openai", PRICE_TOKEN, 1000, day(2024, 12, 31), &found);
	ok(!found, "no rate before the first effective date");
	ok(price_cost(&t, "deepgram", PRICE_TOKEN, 5, day(2026, 1, 1), &found) == 0 && !found,
	    "unit must match");
	ok(price_cost(&t, "cartesia", PRICE_CHARACTER, 100, day(2026, 1, 1), &found) == 0 && !found,
	    "unknown engine costs nothing and says so");
	is_int(price_parse(&t, "deepgram=1", err, sizeof err), -1, "missing unit refused");
	like(err, "deepgram=1", "error names the entry");
	is_int(price_parse(&t, "x:furlongs=1", err, sizeof err), -1, "unknown unit refused");
	is_int(price_parse(&t, "x:token=-1", err, sizeof err), -1, "negative rate refused");
	is_int(price_parse(&t, "x:token=1@2026-13-01", err, sizeof err), -1, "bad date refused");
	is_int(price_parse(&t, "", err, sizeof err), 0, "empty table is valid");
	return done_testing();
}
