/* Presentation helpers shared by the dashboard pages. */
#ifndef VOXLINE_DASH_PRESENT_H
#define VOXLINE_DASH_PRESENT_H
#include "dash.h"

/* 3:25, or 1:02:03 past an hour. */
void dashp_duration(long secs, char *out, size_t n);
/* "Up 12% on the previous 7 days (110)" and the like. */
void dashp_change(long cur, long prev, int days, char *out, size_t n);
/* Adds *_label, duration_text, action_open and archived to a call row. */
void dashp_call(json_t *row);
void dashp_calls(json_t *rows);

struct dashp_choice {
	const char *value, *label;
};
/* [{value,label,selected}] for a <select>. */
json_t *dashp_options(const struct dashp_choice *choices, const char *current);
/* Same from the tenant's signals ([{value,label}]). */
json_t *dashp_signal_options(json_t *values, const char *current);

#endif
