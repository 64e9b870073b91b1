/* The simulator's carrier side: Twilio signature (reference vector) and
 * reading the stream out of TwiML. */
#include "tap.h"
#include "../../cli/simulate.h"
#include <stdlib.h>
#include <string.h>

int
main(void)
{
	const char *names[] = { "CallSid", "Caller", "Digits", "From", "To" };
	const char *values[] = { "CA1234567890ABCDE", "+14158675309", "1234", "+14158675309", "+18005551212" };
	char *sig = sim_twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", names, values, 5);
	is(sig, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "reference signature vector 1");
	free(sig);
	struct sim_target t;
	memset(&t, 0, sizeof t);
	const char *xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Connect>"
	    "<Stream url=\"wss://voice.example.com/media/twilio\">"
	    "<Parameter name=\"token\" value=\"a.b&amp;c\"/>"
	    "<Parameter name=\"call_id\" value=\"11111111-1111-4111-8111-111111111111\"/>"
	    "</Stream></Connect></Response>";
	is_int(sim_twiml_parse(xml, &t), 0, "TwiML parses");
	is(t.ws_url, "wss://voice.example.com/media/twilio", "stream url");
	is(t.token, "a.b&c", "token parameter, entities decoded");
	is(t.call_id, "11111111-1111-4111-8111-111111111111", "call id parameter");
	ok(sim_twiml_parse("<Response><Say>Hi</Say></Response>", &t) < 0, "no stream: refused");
	ok(sim_twiml_parse("<Response><Connect><Stream url=\"wss://x/media\"></Stream></Connect></Response>", &t) < 0,
	    "no token: refused");
	ok(sim_twiml_parse("<Response><Connect><Stream url=\"wss://x", &t) < 0, "truncated: refused");
	return done_testing();
}
