/* Call answers (TwiML/cXML/TeXML) and campaign target CSV. */
#include "tap.h"
#include "../fcgi/telephony/answer.h"
#include "../fcgi/telephony/targets_csv.h"
#include <string.h>

int
main(void)
{
	struct buf b;
	buf_init(&b, 1 << 16);
	struct answer a = { .carrier = CARRIER_SIGNALWIRE, .kind = ANSWER_STREAM,
		.public_url = "https://u:p@voice.example.test:8443/base", .call_id = "c-1",
		.token = "t\"<&>'", .language = "en-US", .max_duration = 600 };
	is_int(answer_render(&a, &b), 0, "stream answer renders");
	ok(strstr(b.data, "<Connect><Stream url=\"wss://voice.example.test:8443/media/twilio\">") != NULL,
	    "SignalWire streams to /media/twilio over wss, credentials dropped");
	ok(strstr(b.data, "value=\"t&quot;&lt;&amp;&gt;&apos;\"") != NULL, "token is XML-escaped");
	ok(strstr(b.data, "<Start><Recording") == NULL, "no recording unless the agent records");
	char *u = answer_stream_url("http://127.0.0.1:8080", CARRIER_TELNYX);
	is(u, "ws://127.0.0.1:8080/media/telnyx", "http public URL gives ws://, Telnyx path");
	free(u);

	buf_reset(&b);
	a.kind = ANSWER_MESSAGE;
	a.reason = "outside_hours";
	a.language = "fr-FR";
	answer_render(&a, &b);
	ok(strstr(b.data, "<Say language=\"fr-FR\">Thank you for calling. We are closed") != NULL,
	    "refusal is spoken in the agent's language");
	ok(strstr(b.data, "<Hangup/></Response>") != NULL, "and hangs up");
	ok(strstr(b.data, "<Connect>") == NULL, "no stream on a refusal");

	buf_reset(&b);
	a.kind = ANSWER_VOICEMAIL;
	a.reason = "over_capacity";
	a.voicemail_max = 90;
	answer_render(&a, &b);
	ok(strstr(b.data, "All our lines are busy") && strstr(b.data, "<Record maxLength=\"90\""),
	    "voicemail: the reason, then a recording of at most voicemail_max seconds");
	ok(strstr(b.data, "recordingStatusCallback=\"https://u:p@voice.example.test:8443/webhooks/signalwire/recording\"") != NULL,
	    "recording callback on the public origin, for the right carrier");
	buf_free(&b);

	const char *csv = "name,phone,plan\r\n\"Ann \"\"A\"\"\",+15551230001,gold\n"
	    "Bob,5551230002,silver\nCat,+15551230001,x\n\"Dan, D\",+15551230003\n"
	    "Eve,+15551230004,\"multi\nline\"\n\n\"bad,+15551230005,x\n";
	json_t *t, *r;
	const char *err = NULL;
	is_int(targets_csv_parse(csv, strlen(csv), &t, &r, &err), 0, "CSV parses");
	is_int(json_array_size(t), 2, "two good targets");
	is(json_string_value(json_object_get(json_object_get(json_array_get(t, 0), "variables"), "name")),
	    "Ann \"A\"", "quoted field with doubled quotes becomes a variable");
	is(json_string_value(json_object_get(json_object_get(json_array_get(t, 1), "variables"), "plan")),
	    "multi\nline", "quoted newline kept");
	is_int(json_array_size(r), 4, "four rejected rows");
	is_int(json_integer_value(json_object_get(json_array_get(r, 0), "line")), 3, "bad number reported at its line");
	is(json_string_value(json_object_get(json_array_get(r, 1), "reason")), "Duplicate phone number.",
	    "duplicate reported");
	is(json_string_value(json_object_get(json_array_get(r, 2), "reason")), "Wrong number of columns.",
	    "short row reported");
	json_decref(t), json_decref(r);
	ok(targets_csv_parse("name\nAnn\n", 9, &t, &r, &err) < 0 && strstr(err, "phone"),
	    "a file without a phone column is refused as a whole");
	json_decref(t), json_decref(r);
	done_testing();
}
