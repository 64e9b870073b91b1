/* Presentation helpers for the pages: labels, durations, changes against
 * the previous period, select options.  Text, never colour alone. */
#include "present.h"
#include <stdio.h>
#include <string.h>

void
dashp_duration(long secs, char *out, size_t n)
{
	if (secs < 0)
		secs = 0;
	if (secs >= 3600)
		snprintf(out, n, "%ld:%02ld:%02ld", secs / 3600, secs / 60 % 60, secs % 60);
	else
		snprintf(out, n, "%ld:%02ld", secs / 60, secs % 60);
}

void
dashp_change(long cur, long prev, int days, char *out, size_t n)
{
	if (prev == 0 && cur == 0)
		snprintf(out, n, "No calls in either period");
	else if (prev == 0)
		snprintf(out, n, "None in the previous %d days", days);
	else if (cur == prev)
		snprintf(out, n, "Same as the previous %d days", days);
	else {
		long pct = (cur - prev) * 100 / prev;
		snprintf(out, n, "%s %ld%% on the previous %d days (%ld)", cur > prev ? "Up" : "Down",
		    pct < 0 ? -pct : pct, days, prev);
	}
}

/* Adds name_label (humanised) next to each named field of row. */
static void
label_field(json_t *row, const char *name)
{
	const char *v = json_string_value(json_object_get(row, name));
	char key[64], label[96];
	snprintf(key, sizeof key, "%s_label", name);
	if (v && *v) {
		dash_label(v, label, sizeof label);
		json_object_set_new(row, key, json_string(label));
	}
}

void
dashp_call(json_t *row)
{
	static const char *const labelled[] = { "status", "outcome", "reason", "direction",
		"priority", "transfer_status", "pipeline_stage", "end_reason" };
	for (size_t i = 0; i < sizeof labelled / sizeof labelled[0]; i++)
		label_field(row, labelled[i]);
	json_t *d = json_object_get(row, "duration_seconds");
	if (json_is_integer(d)) {
		char text[32];
		dashp_duration((long)json_integer_value(d), text, sizeof text);
		json_object_set_new(row, "duration_text", json_string(text));
	}
	int open = json_is_true(json_object_get(row, "requires_action")) &&
	    json_is_null(json_object_get(row, "resolved_at"));
	json_object_set_new(row, "action_open", json_boolean(open));
	json_object_set_new(row, "archived", json_boolean(!json_is_null(json_object_get(row, "archived_at"))));
}

void
dashp_calls(json_t *rows)
{
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		dashp_call(row);
}

json_t *
dashp_options(const struct dashp_choice *choices, const char *current)
{
	json_t *a = json_array();
	for (; choices->value; choices++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "value", choices->value,
		    "label", choices->label, "selected", current && strcmp(current, choices->value) == 0));
	return a;
}

json_t *
dashp_signal_options(json_t *values, const char *current)
{
	json_t *a = json_array();
	size_t i;
	json_t *v;
	int found = 0;
	json_array_foreach(values, i, v) {
		const char *value = json_string_value(json_object_get(v, "value"));
		int sel = current && strcmp(current, value) == 0;
		found |= sel;
		json_array_append_new(a, json_pack("{s:s,s:O,s:b}", "value", value, "label",
		    json_object_get(v, "label"), "selected", sel));
	}
	if (current && !found) {
		/* A bookmarked value the admin has since renamed: still shown. */
		char label[96];
		dash_label(current, label, sizeof label);
		json_array_append_new(a, json_pack("{s:s,s:s,s:b}", "value", current, "label", label,
		    "selected", 1));
	}
	return a;
}
