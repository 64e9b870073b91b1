/* The version diff a user reads: which settings changed, in form order,
 * with a line-by-line view of changed texts. */
#include "tap.h"
#include "fcgi/admin/agent_diff.h"

static const char *
at(json_t *diff, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(diff, i), key));
}

static const char *
line(json_t *diff, size_t i, size_t l, const char *key)
{
	json_t *lines = json_object_get(json_array_get(diff, i), "lines");
	return json_string_value(json_object_get(json_array_get(lines, l), key));
}

int
main(void)
{
	json_t *v1 = json_pack("{s:s,s:s,s:b,s:[s],s:n,s:{s:b}}", "greeting", "Hello, Acme Dental.",
	    "tenant_prompt", "Be brief.\nNever give prices.\nOffer a callback.", "recording_enabled", 0,
	    "stt_chain", "pocketsphinx", "transfer_number", "modulations", "survey", 0);
	json_t *same = json_deep_copy(v1);
	json_t *d = agent_diff(v1, same);
	is_int(json_array_size(d), 0, "identical snapshots: no difference");
	json_decref(d);

	json_t *v2 = json_deep_copy(v1);
	json_object_set_new(v2, "greeting", json_string("Hi, thanks for calling Acme Dental."));
	json_object_set_new(v2, "tenant_prompt", json_string("Be brief.\nOffer a callback.\nSpeak Spanish if asked."));
	json_object_set_new(v2, "recording_enabled", json_true());
	json_object_set_new(v2, "transfer_number", json_string("+15551230000"));
	json_object_set_new(v2, "custom_flag", json_integer(3));
	d = agent_diff(v1, v2);
	is_int(json_array_size(d), 5, "five settings changed");
	is(at(d, 0, "label"), "Greeting", "in form order: greeting first");
	is(at(d, 0, "before"), "Hello, Acme Dental.", "old greeting");
	is(at(d, 0, "after"), "Hi, thanks for calling Acme Dental.", "new greeting");
	is(at(d, 1, "label"), "Business prompt", "then the tenant's prompt layer");
	is(line(d, 1, 0, "op"), "same", "unchanged first line kept");
	is(line(d, 1, 1, "op"), "del", "removed line marked");
	is(line(d, 1, 1, "text"), "Never give prices.", "removed line text");
	is(line(d, 1, 2, "op"), "same", "common line after the removal");
	is(line(d, 1, 3, "op"), "add", "added line marked");
	is(line(d, 1, 3, "text"), "Speak Spanish if asked.", "added line text");
	is(at(d, 2, "label"), "Transfer number", "null to a number is a change");
	is(at(d, 2, "before"), "", "null shows as empty");
	is(at(d, 3, "before"), "off", "booleans read as off/on");
	is(at(d, 3, "after"), "on", "recording turned on");
	is(at(d, 4, "field"), "custom_flag", "a setting the table does not know still shows, last");
	json_decref(d);

	json_t *m2 = json_deep_copy(v1);
	json_object_set_new(m2, "modulations", json_pack("{s:b}", "survey", 1));
	d = agent_diff(v1, m2);
	ok(json_array_size(d) == 1 && strcmp(at(d, 0, "after"), "{\"survey\":true}") == 0,
	    "objects compare as sorted compact JSON");
	json_decref(d);
	json_decref(m2);
	json_decref(v1);
	json_decref(v2);
	json_decref(same);
	return done_testing();
}
