/* The daemon's shared state and clocks. */
#include "media.h"
#include <stdio.h>
#include <time.h>

struct media_state media;

double
media_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

double
media_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void
media_iso_time(double wall_ms, char out[MEDIA_ISO_LEN])
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(out, MEDIA_ISO_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, MEDIA_ISO_LEN - n, ".%03dZ", (int)((long long)wall_ms % 1000));
}
