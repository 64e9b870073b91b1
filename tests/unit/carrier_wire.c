/* The carrier REST wire format, without a network: the requests built
 * for Twilio, SignalWire and Telnyx (URL, auth, body) and how each
 * carrier's answers are read (call sid, error codes from the catalog). */
#include "tap.h"
#include "carrier_wire.h"
#include "cfg.h"
#include <stdlib.h>
#include <string.h>

static void
configure(void)
{
	setenv("VOXLINE_TWILIO_ACCOUNT_SID", "AC0001", 1);
	setenv("VOXLINE_TWILIO_AUTH_TOKEN", "tw-token", 1);
	setenv("VOXLINE_TWILIO_API_BASE", "https://tw.example", 1);
	setenv("VOXLINE_SIGNALWIRE_PROJECT_ID", "proj-1", 1);
	setenv("VOXLINE_SIGNALWIRE_API_TOKEN", "sw-token", 1);
	setenv("VOXLINE_SIGNALWIRE_API_BASE", "https://space.signalwire.example", 1);
	setenv("VOXLINE_TELNYX_API_KEY", "KEY-1", 1);
	setenv("VOXLINE_TELNYX_ACCOUNT_SID", "tx-acct", 1);
	setenv("VOXLINE_TELNYX_APPLICATION_SID", "app-9", 1);
	setenv("VOXLINE_TELNYX_API_BASE", "https://tx.example", 1);
	char err[256];
	if (cfg_load("", err, sizeof err) < 0) {
		fprintf(stderr, "cfg: %s\n", err);
		exit(1);
	}
}

static struct buf
body_of(const char *s)
{
	struct buf b;
	buf_init(&b, 4096);
	buf_puts(&b, s);
	return b;
}

/* The answer to req with the given status and body. */
static int
answer(const struct carrier_request *req, long status, const char *body, struct carrier_result *out)
{
	struct buf b = body_of(body);
	int rc = carrier_answer(req, 1, NULL, status, &b, out);
	buf_free(&b);
	return rc;
}

static void
test_update(void)
{
	struct carrier_request req;
	struct carrier_result out;
	ok(carrier_request_update(CARRIER_TWILIO, "CA42", "<Response><Say>a&b</Say></Response>", &req, &out) == 0,
	    "twilio update built");
	is(req.url, "https://tw.example/2010-04-01/Accounts/AC0001/Calls/CA42.json", "twilio update URL");
	is(req.method, "POST", "twilio update is a POST");
	is(req.user, "AC0001", "twilio basic user is the account sid");
	is(req.password, "tw-token", "twilio basic password is the auth token");
	ok(req.bearer == NULL, "twilio sends no bearer");
	is(req.content_type, "application/x-www-form-urlencoded", "twilio form body");
	is(req.body, "Twiml=%3CResponse%3E%3CSay%3Ea%26b%3C%2FSay%3E%3C%2FResponse%3E", "twilio TwiML escaped in the form");
	carrier_request_free(&req);

	ok(carrier_request_update(CARRIER_SIGNALWIRE, "abc-1", "<Response/>", &req, &out) == 0, "signalwire update built");
	is(req.url, "https://space.signalwire.example/api/laml/2010-04-01/Accounts/proj-1/Calls/abc-1.json",
	    "signalwire LaML update URL");
	is(req.user, "proj-1", "signalwire basic user is the project id");
	is(req.password, "sw-token", "signalwire basic password is the API token");
	is(req.body, "Twiml=%3CResponse%2F%3E", "signalwire TwiML form body");
	carrier_request_free(&req);

	ok(carrier_request_update(CARRIER_TELNYX, "v3:xyz", "<Response/>", &req, &out) == 0, "telnyx update built");
	is(req.url, "https://tx.example/v2/texml/Accounts/tx-acct/Calls/v3:xyz", "telnyx TeXML update URL");
	is(req.bearer, "KEY-1", "telnyx bearer API key");
	ok(req.user == NULL, "telnyx sends no basic auth");
	is(req.content_type, "application/json", "telnyx JSON body");
	is(req.body, "{\"Texml\":\"<Response/>\"}", "telnyx TeXML in JSON");
	carrier_request_free(&req);

	ok(carrier_request_hangup(CARRIER_TWILIO, "CA42", &req, &out) == 0, "twilio hang-up built");
	is(req.body, "Status=completed", "hang-up sets Status=completed");
	carrier_request_free(&req);
	ok(carrier_request_hangup(CARRIER_TELNYX, "v3:xyz", &req, &out) == 0, "telnyx hang-up built");
	is(req.body, "{\"Status\":\"completed\"}", "telnyx hang-up in JSON");
	carrier_request_free(&req);
}

static void
test_create(void)
{
	struct carrier_call call = { .to = "+15555550100", .from = "+15555550199",
		.answer_url = "https://v.example/webhooks/twilio/voice?call_id=1", .status_url = "https://v.example/s",
		.ring_timeout = 30, .time_limit = 600 };
	struct carrier_request req;
	struct carrier_result out;
	ok(carrier_request_create(CARRIER_TWILIO, &call, &req, &out) == 0, "twilio create built");
	is(req.url, "https://tw.example/2010-04-01/Accounts/AC0001/Calls.json", "twilio Calls collection");
	like(req.body, "To=%2B15555550100&From=%2B15555550199&Url=https%3A%2F%2Fv.example%2Fwebhooks%2Ftwilio%2Fvoice%3Fcall_id%3D1",
	    "twilio create: numbers and answer URL escaped");
	like(req.body, "StatusCallbackEvent=initiated&StatusCallbackEvent=ringing", "status events repeated");
	like(req.body, "Timeout=30&TimeLimit=600", "ring timeout and time limit");
	carrier_request_free(&req);

	ok(carrier_request_create(CARRIER_SIGNALWIRE, &call, &req, &out) == 0, "signalwire create built");
	is(req.url, "https://space.signalwire.example/api/laml/2010-04-01/Accounts/proj-1/Calls.json",
	    "signalwire Calls collection");
	carrier_request_free(&req);

	ok(carrier_request_create(CARRIER_TELNYX, &call, &req, &out) == 0, "telnyx create built");
	is(req.url, "https://tx.example/v2/texml/Accounts/tx-acct/Calls", "telnyx Calls collection");
	like(req.body, "\"ApplicationSid\":\"app-9\"", "telnyx create names the application");
	like(req.body, "\"TimeLimit\":\"600\"", "telnyx time limit");
	carrier_request_free(&req);

	/* Answers to a create: the sid where each carrier puts it. */
	carrier_request_create(CARRIER_TWILIO, &call, &req, &out);
	ok(answer(&req, 201, "{\"sid\":\"CA77\",\"status\":\"queued\"}", &out) == 0, "twilio created");
	is(out.call_sid, "CA77", "twilio sid read");
	ok(answer(&req, 201, "{\"status\":\"queued\"}", &out) < 0 && out.err == ERR_carrier_unavailable,
	    "a create answer without a sid is an error");
	ok(answer(&req, 201, "not json", &out) < 0 && out.err == ERR_carrier_unavailable, "garbage answer is an error");
	carrier_request_free(&req);
	carrier_request_create(CARRIER_TELNYX, &call, &req, &out);
	ok(answer(&req, 200, "{\"call_sid\":\"v3:top\"}", &out) == 0, "telnyx created (call_sid)");
	is(out.call_sid, "v3:top", "telnyx sid at the top");
	ok(answer(&req, 200, "{\"data\":{\"call_sid\":\"v3:data\"}}", &out) == 0, "telnyx created (data.call_sid)");
	is(out.call_sid, "v3:data", "telnyx sid under data");
	carrier_request_free(&req);
	carrier_request_create(CARRIER_SIGNALWIRE, &call, &req, &out);
	ok(answer(&req, 201, "{\"sid\":\"3f2a\"}", &out) == 0, "signalwire created");
	is(out.call_sid, "3f2a", "signalwire sid read");
	carrier_request_free(&req);
}

static void
test_errors(void)
{
	struct carrier_request req;
	struct carrier_result out;
	carrier_request_update(CARRIER_TWILIO, "CA42", "<Response/>", &req, &out);
	ok(answer(&req, 200, "{\"sid\":\"CA42\"}", &out) == 0 && out.err == ERR_none, "200 is success");
	is_int(out.http_status, 200, "status kept");
	ok(answer(&req, 401, "{\"code\":20003,\"message\":\"Authenticate\"}", &out) < 0, "401 fails");
	is_int(out.err, ERR_carrier_auth_failed, "401 is carrier_auth_failed");
	is(out.detail, "HTTP 401 20003 Authenticate", "twilio error code and message in the detail");
	answer(&req, 400, "{\"code\":21220,\"message\":\"Call is not in-progress.\"}", &out);
	is_int(out.err, ERR_carrier_rejected, "400 is carrier_rejected");
	answer(&req, 429, "{}", &out);
	is_int(out.err, ERR_carrier_rate_limited, "429 is carrier_rate_limited");
	answer(&req, 503, "", &out);
	is_int(out.err, ERR_carrier_unavailable, "503 is carrier_unavailable");
	ok(carrier_answer(&req, 0, "Connection refused", 0, NULL, &out) < 0, "not reached fails");
	is_int(out.err, ERR_carrier_unavailable, "not reached is carrier_unavailable");
	is_int(out.http_status, 0, "no status when not reached");
	is(out.detail, "Connection refused", "transport error kept");
	carrier_request_free(&req);

	carrier_request_update(CARRIER_TELNYX, "v3:xyz", "<Response/>", &req, &out);
	answer(&req, 422, "{\"errors\":[{\"code\":\"90015\",\"title\":\"Invalid\",\"detail\":\"Call ended\"}]}", &out);
	is_int(out.err, ERR_carrier_rejected, "telnyx 422 is carrier_rejected");
	is(out.detail, "HTTP 422 90015 Call ended", "telnyx error code and detail");
	carrier_request_free(&req);

	carrier_request_update(CARRIER_SIGNALWIRE, "abc-1", "<Response/>", &req, &out);
	answer(&req, 403, "{\"code\":20003,\"message\":\"Forbidden\"}", &out);
	is_int(out.err, ERR_carrier_auth_failed, "signalwire 403 is carrier_auth_failed");
	carrier_request_free(&req);

	/* A call sid from a media stream cannot steer the request. */
	static const char *const bad_sids[] = { "", "CA42/../../Recordings/RE1", "CA42?Status=completed", "CA42#",
		"CA 42", "CA%2F42" };
	for (size_t i = 0; i < sizeof bad_sids / sizeof bad_sids[0]; i++) {
		char name[96];
		snprintf(name, sizeof name, "update refused for sid \"%s\"", bad_sids[i]);
		ok(carrier_request_update(CARRIER_TWILIO, bad_sids[i], "<Response/>", &req, &out) < 0 &&
		    out.err == ERR_carrier_rejected && req.url == NULL, name);
		snprintf(name, sizeof name, "hang-up refused for sid \"%s\"", bad_sids[i]);
		ok(carrier_request_hangup(CARRIER_TELNYX, bad_sids[i], &req, &out) < 0 && out.err == ERR_carrier_rejected,
		    name);
	}

	/* Downloads only from the carrier's API origin. */
	ok(carrier_request_download(CARRIER_TWILIO, "https://evil.example/2010-04-01/Recordings/RE1.wav", &req, &out) < 0,
	    "a download off the API origin is refused");
	is_int(out.err, ERR_carrier_rejected, "as carrier_rejected");
	ok(carrier_request_download(CARRIER_TWILIO, "https://tw.example/2010-04-01/Recordings/RE1.wav", &req, &out) == 0,
	    "a download on the origin is built");
	is(req.method, "GET", "downloads are GETs");
	ok(req.body == NULL, "with no body");
	carrier_request_free(&req);

	unsetenv("VOXLINE_TELNYX_API_KEY");
	char err[256];
	cfg_load("", err, sizeof err);
	ok(carrier_request_update(CARRIER_TELNYX, "v3:xyz", "<Response/>", &req, &out) < 0,
	    "no request without credentials");
	is_int(out.err, ERR_carrier_not_configured, "as carrier_not_configured");
}

int
main(void)
{
	configure();
	test_update();
	test_create();
	test_errors();
	return done_testing();
}
