#include "price.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const unit_names[PRICE__UNITS] = { "audio_second", "token", "character" };

static int
parse_entry(struct price_entry *e, const char *s, size_t n)
{
	char tmp[128];
	while (n && (*s == ' ' || *s == '\t')) { s++; n--; }
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	char *colon = strchr(tmp, ':'), *eq = strchr(tmp, '='), *at = strchr(tmp, '@');
	if (!colon || !eq || eq < colon || colon == tmp || (size_t)(colon - tmp) >= sizeof e->engine)
		return -1;
	*colon = *eq = 0;
	if (at) {
		if (at < eq)
			return -1;
		*at = 0;
		int y, m, d;
		char extra;
		if (sscanf(at + 1, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
			return -1;
		e->effective = y * 10000 + m * 100 + d;
	} else
		e->effective = 0;
	memcpy(e->engine, tmp, (size_t)(colon - tmp) + 1);
	int u;
	for (u = 0; u < PRICE__UNITS; u++)
		if (strcmp(colon + 1, unit_names[u]) == 0)
			break;
	if (u == PRICE__UNITS)
		return -1;
	e->unit = (enum price_unit)u;
	char *end;
	e->rate = strtod(eq + 1, &end);
	if (end == eq + 1 || *end || e->rate < 0 || e->rate > 1000)
		return -1;
	return 0;
}

int
price_parse(struct price_table *t, const char *spec, char *err, size_t errlen)
{
	t->n = 0;
	const char *p = spec;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		int blank = 1;
		for (size_t i = 0; i < n; i++)
			if (p[i] != ' ' && p[i] != '\t')
				blank = 0;
		if (!blank) {
			if (t->n == PRICE_MAX) {
				snprintf(err, errlen, "media_prices: more than %d entries", PRICE_MAX);
				return -1;
			}
			if (parse_entry(&t->e[t->n], p, n) < 0) {
				snprintf(err, errlen, "media_prices: bad entry '%.*s' (want engine:unit=rate[@YYYY-MM-DD])",
				    (int)(n > 60 ? 60 : n), p);
				return -1;
			}
			t->n++;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

double
price_cost(const struct price_table *t, const char *engine, enum price_unit unit,
    double amount, time_t when, int *found)
{
	struct tm tm;
	gmtime_r(&when, &tm);
	int day = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
	const struct price_entry *best = NULL;
	for (int i = 0; i < t->n; i++) {
		const struct price_entry *e = &t->e[i];
		if (e->unit != unit || strcmp(e->engine, engine) != 0 || e->effective > day)
			continue;
		if (best == NULL || e->effective >= best->effective)
			best = e;
	}
	*found = best != NULL;
	return best ? best->rate * amount : 0.0;
}
