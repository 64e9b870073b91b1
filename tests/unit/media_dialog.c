/* The local dialogue engine: intents, opening hours, knowledge-base
 * retrieval, message taking, and the end-of-call classification. */
#include "tap.h"
#include "../../media/agent.h"
#include "../../media/dialog.h"
#include "kb_search.h"
#include <stdlib.h>
#include <string.h>

int
main(void)
{
	struct agent a;
	memset(&a, 0, sizeof a);
	a.name = "Front desk";
	a.business_name = "Harbor Dental";
	a.transfer_number = "+15555550100";
	a.message_taking_enabled = 1;
	a.hours = json_loads("{\"mon\":[{\"open\":\"08:00\",\"close\":\"17:00\"}],\"tue\":[{\"open\":\"08:00\",\"close\":\"17:00\"}],"
	    "\"wed\":[{\"open\":\"08:00\",\"close\":\"17:00\"}],\"thu\":[{\"open\":\"08:00\",\"close\":\"17:00\"}],"
	    "\"fri\":[{\"open\":\"08:00\",\"close\":\"17:00\"}],\"sat\":[{\"open\":\"09:00\",\"close\":\"13:30\"}],\"sun\":[]}", 0, NULL);
	a.signals = json_loads("{\"reasons\":[\"appointment\",\"billing\",\"emergency\",\"hours\",\"other\"],"
	    "\"outcomes\":[\"answered\",\"message_taken\",\"transferred\",\"abandoned\"],"
	    "\"requires_action\":[{\"when\":{\"outcome\":\"message_taken\"},\"priority\":\"normal\"},"
	    "{\"when\":{\"reason\":\"emergency\"},\"priority\":\"urgent\"}]}", 0, NULL);
	a.kb = kb_corpus_new();
	int npass = kb_corpus_add(a.kb, 0, "We are at 214 Harbor Avenue, across from the marina.\n\n"
	    "Free parking is available in the lot behind the building. Street parking is metered.\n\n"
	    "We accept most dental insurance plans. We do not accept Medicaid.");
	is_int(npass, 3, "three passages");
	char *h = dialog_hours_text(a.hours);
	is(h, "We are open Monday to Friday from 8 AM to 5 PM, and on Saturday from 9 AM to 1:30 PM. "
	    "We are closed on Sunday.", "opening hours spoken from the schedule");
	free(h);
	char *kb = kb_corpus_answer(a.kb, "is there free parking");
	like(kb, "Free parking", "parking question finds the parking passage");
	free(kb);
	kb = kb_corpus_answer(a.kb, "do you take medicaid");
	like(kb, "Medicaid", "insurance question finds the insurance passage");
	free(kb);
	ok(kb_corpus_answer(a.kb, "what is the meaning of life") == NULL, "unrelated question finds nothing");

	struct dialog d;
	dialog_init(&d, &a);
	snprintf(d.from_number, sizeof d.from_number, "+15555550142");
	char *r = dialog_respond(&d, "what are your opening hours");
	like(r, "Monday to Friday", "hours intent");
	free(r);
	r = dialog_respond(&d, "i would like to leave a message");
	like(r, "What is your name", "message taking starts");
	free(r);
	free(dialog_respond(&d, "my name is jane doe"));
	free(dialog_respond(&d, "yes"));
	free(dialog_respond(&d, "i have a broken tooth and pain"));
	is(json_string_value(json_object_get(d.captured, "name")), "Jane Doe", "name captured");
	is(json_string_value(json_object_get(d.captured, "callback_number")), "+15555550142", "caller's number kept on yes");
	like(json_string_value(json_object_get(d.captured, "message")), "broken tooth", "message captured");
	struct dialog_result res;
	dialog_result(&d, 0, 0, &res);
	is(res.outcome, "message_taken", "outcome");
	is(res.reason, "emergency", "emergency reason wins");
	ok(res.requires_action, "requires action");
	is(res.priority, "urgent", "highest matching priority");
	like(res.summary, "Jane Doe", "summary names the caller");
	free(res.summary);
	r = dialog_respond(&d, "can i talk to a real person");
	ok(d.action == DIALOG_TRANSFER, "transfer intent");
	free(r);
	r = dialog_respond(&d, "thanks goodbye");
	ok(d.action == DIALOG_HANGUP, "goodbye intent");
	like(r, "Harbor Dental", "goodbye names the business");
	free(r);
	dialog_free(&d);

	struct dialog e;
	dialog_init(&e, &a);
	dialog_result(&e, 0, 0, &res);
	is(res.outcome, "abandoned", "no caller turn: abandoned");
	ok(!res.requires_action, "no action needed");
	unlike(res.summary, "Returning caller", "a first call is not told as a returning caller");
	free(res.summary);
	char *hist = dialog_history_text(&e);
	is(hist, "", "no history for a first call");
	free(hist);
	e.previous_calls = 1;
	hist = dialog_history_text(&e);
	is(hist, "1 earlier call", "one earlier call, no reason recorded");
	free(hist);
	e.previous_calls = 4;
	snprintf(e.last_reason, sizeof e.last_reason, "billing");
	hist = dialog_history_text(&e);
	is(hist, "4 earlier calls, the last about billing", "count and the last call's reason");
	free(hist);
	e.previous_calls = DIALOG_HISTORY_MAX;
	hist = dialog_history_text(&e);
	is(hist, "100 or more earlier calls, the last about billing", "the capped count is told as a floor");
	free(hist);
	dialog_result(&e, 0, 0, &res);
	like(res.summary, "Returning caller (100 or more earlier calls, the last about billing).",
	    "the summary carries the history");
	free(res.summary);
	dialog_free(&e);
	kb_corpus_free(a.kb);
	json_decref(a.hours);
	json_decref(a.signals);
	return done_testing();
}
