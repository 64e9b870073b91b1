/* What the pages say about numbers: durations, changes against the
 * previous period (in words, never colour alone), labels of values. */
#include "tap.h"
#include "fcgi/dashboard/present.h"

int
main(void)
{
	char s[128];
	dashp_duration(0, s, sizeof s);
	is(s, "0:00", "zero");
	dashp_duration(205, s, sizeof s);
	is(s, "3:25", "minutes and seconds");
	dashp_duration(3723, s, sizeof s);
	is(s, "1:02:03", "past an hour");
	dashp_duration(-5, s, sizeof s);
	is(s, "0:00", "never negative");

	dashp_change(110, 100, 7, s, sizeof s);
	is(s, "Up 10% on the previous 7 days (100)", "up");
	dashp_change(90, 100, 30, s, sizeof s);
	is(s, "Down 10% on the previous 30 days (100)", "down");
	dashp_change(5, 5, 7, s, sizeof s);
	is(s, "Same as the previous 7 days", "same");
	dashp_change(5, 0, 7, s, sizeof s);
	is(s, "None in the previous 7 days", "nothing before");
	dashp_change(0, 0, 7, s, sizeof s);
	is(s, "No calls in either period", "nothing at all");

	dash_label("appointment_requested", s, sizeof s);
	is(s, "Appointment requested", "underscores become spaces, first letter capital");
	dash_label("transfer.failed", s, sizeof s);
	is(s, "Transfer failed", "event types read as words");
	dash_label("", s, sizeof s);
	is(s, "", "empty stays empty");

	json_t *row = json_pack("{s:s,s:s,s:i,s:b,s:n,s:n}", "status", "no_answer", "outcome",
	    "message_taken", "duration_seconds", 65, "requires_action", 1, "resolved_at", "archived_at");
	dashp_call(row);
	is(json_string_value(json_object_get(row, "status_label")), "No answer", "status label");
	is(json_string_value(json_object_get(row, "duration_text")), "1:05", "duration text");
	ok(json_is_true(json_object_get(row, "action_open")), "open action item");
	ok(json_is_false(json_object_get(row, "archived")), "not archived");
	json_decref(row);

	static const struct dashp_choice c[] = { { "a", "A" }, { "b", "B" }, { NULL } };
	json_t *o = dashp_options(c, "b");
	ok(json_is_false(json_object_get(json_array_get(o, 0), "selected")) &&
	    json_is_true(json_object_get(json_array_get(o, 1), "selected")), "the current choice is selected");
	json_decref(o);
	json_t *sig = json_pack("[{s:s,s:s}]", "value", "billing", "label", "Billing");
	o = dashp_signal_options(sig, "old_reason");
	is_int((long long)json_array_size(o), 2, "a bookmarked value no longer in the vocabulary is still offered");
	is(json_string_value(json_object_get(json_array_get(o, 1), "label")), "Old reason", "with a label");
	json_decref(o);
	json_decref(sig);
	return done_testing();
}
