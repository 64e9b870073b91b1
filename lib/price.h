/* Price table: what each engine's usage costs, from configuration
 * (media_prices); voxline-media prices calls with it, the worker
 * post-call transcripts.  Entries are `engine:unit=rate[@YYYY-MM-DD]`,
 * separated by commas; units are audio_second, token and character.  For a call on
 * a given day the entry with the latest effective date not after that
 * day applies.  An engine with no entry costs nothing (and is logged). */
#ifndef VOXLINE_PRICE_H
#define VOXLINE_PRICE_H
#include <time.h>

enum price_unit { PRICE_AUDIO_SECOND, PRICE_TOKEN, PRICE_CHARACTER, PRICE__UNITS };

#define PRICE_MAX 64

struct price_entry {
	char engine[32];
	enum price_unit unit;
	double rate;
	int effective;        /* yyyymmdd; 0 = always */
};

struct price_table {
	struct price_entry e[PRICE_MAX];
	int n;
};

/* 0, or -1 with a message in err. */
int price_parse(struct price_table *t, const char *spec, char *err, size_t errlen);
/* Cost of `amount` units for the engine on the day `when` (UTC); sets
 * *found to whether a rate applied. */
double price_cost(const struct price_table *t, const char *engine, enum price_unit unit,
    double amount, time_t when, int *found);

#endif
