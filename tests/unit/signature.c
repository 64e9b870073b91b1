/* Carrier webhook signatures against the official vectors of the
 * protocols reference (Twilio, SignalWire, Telnyx), port variants included. */
#include "tap.h"
#include "../fcgi/telephony/signature.h"
#include "crypto.h"
#include <stdlib.h>
#include <string.h>

static const char *form = "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234"
    "&From=%2B14158675309&To=%2B18005551212";
#define FORM_CT "application/x-www-form-urlencoded"

static int
twilio(const char *url, const char *sig)
{
	return sig_hmac_valid("12345", url, FORM_CT, form, strlen(form), sig, SIG_TWILIO_ORDER);
}

int
main(void)
{
	/* Primitive self-test (RFC 2202). */
	uint8_t mac[64];
	int n = crypto_hmac("sha1", "Jefe", 4, "what do ya want for nothing?", 28, mac);
	char *hex = crypto_hex(mac, (size_t)n);
	is(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", "HMAC-SHA1 RFC 2202 vector");
	free(hex);

	const char *base = "https://mycompany.com/myapp.php?foo=1&bar=2";
	ok(twilio(base, "RSOYDt4T1cUTdK1PDd93/VVr8B8="), "Twilio vector 1");
	ok(twilio("https://mycompany.com:1234/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
	    "Twilio vector 2: port stripped");
	ok(twilio("http://mycompany.com:1234/myapp.php?foo=1&bar=2", "Zmvh+3yNM1Phv2jhDCwEM3q5ebU="),
	    "Twilio vector 3: signed with the port kept");
	ok(twilio(base, "kvajT1Ptam85bY51eRf/AJRuM3w="), "Twilio vector 4: signed with :443");
	ok(twilio("http://mycompany.com/myapp.php?foo=1&bar=2", "0ZXoZLH/DfblKGATFgpif+LLRf4="),
	    "Twilio vector 5: signed with :80");
	ok(twilio("https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", "CukzLTc1tT5dXEDIHm/tKBanW10="),
	    "Twilio vector 6: credentials in the URL");
	ok(twilio("https://user:pass@mycompany.com/myapp.php?foo=1&bar=2", "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI="),
	    "Twilio vector 7: credentials and :443");
	ok(twilio("https://user@mycompany.com/myapp.php?foo=1&bar=2", "2YRLlVAflCqxaNicjMpJcSTgzSs="),
	    "Twilio vector 8: user only");

	ok(!twilio(base, "RSOYDt4T1cUTdK1PDd93/VVr8B9="), "one character off is refused");
	ok(!twilio(base, ""), "empty signature is refused");
	ok(!sig_hmac_valid("54321", base, FORM_CT, form, strlen(form), "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
	    SIG_TWILIO_ORDER), "another auth token is refused");
	ok(!sig_hmac_valid("", base, FORM_CT, form, strlen(form), "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
	    SIG_TWILIO_ORDER), "no configured key refuses everything");
	const char *tampered = "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1235"
	    "&From=%2B14158675309&To=%2B18005551212";
	ok(!sig_hmac_valid("12345", base, FORM_CT, tampered, strlen(tampered),
	    "RSOYDt4T1cUTdK1PDd93/VVr8B8=", SIG_TWILIO_ORDER), "a changed parameter is refused");
	ok(!twilio("https://mycompany.com/myapp.php?foo=1&bar=3", "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
	    "a changed query is refused");

	/* JSON bodies: bodySHA256. */
	const char *json = "{\"property\": \"value\", \"boolean\": true}";
	uint8_t h[32];
	crypto_sha256(json, strlen(json), h);
	hex = crypto_hex(h, 32);
	is(hex, "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620", "body SHA-256");
	free(hex);
	ok(sig_hmac_valid("12345", "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256="
	    "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620", "application/json",
	    json, strlen(json), "a9nBmqA0ju/hNViExpshrM61xv4=", SIG_TWILIO_ORDER), "Twilio JSON vector 1");
	ok(sig_hmac_valid("12345", "https://mycompany.com/myapp.php?bodySHA256="
	    "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620", "application/json",
	    json, strlen(json), "y77kIzt2vzLz71DgmJGsen2scGs=", SIG_TWILIO_ORDER), "Twilio JSON vector 2");
	const char *json2 = "{\"property\": \"value\", \"boolean\": false}";
	ok(!sig_hmac_valid("12345", "https://mycompany.com/myapp.php?bodySHA256="
	    "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620", "application/json",
	    json2, strlen(json2), "y77kIzt2vzLz71DgmJGsen2scGs=", SIG_TWILIO_ORDER),
	    "a body that does not match bodySHA256 is refused");

	/* SignalWire. */
	const char *swkey = "PSKtest1234567890abcdef";
	const char *swbody = "{\"event\":\"call.state\",\"params\":{\"call_id\":\"abc-123\",\"state\":\"answered\"}}";
	ok(sig_signalwire_hex_valid(swkey, "https://example.ngrok.io/webhook", swbody, strlen(swbody),
	    "c3c08c1fefaf9ee198a100d5906765a6f394bf0f"), "SignalWire vector A (hex, JSON)");
	ok(!sig_signalwire_hex_valid(swkey, "https://example.ngrok.io/webhook2", swbody, strlen(swbody),
	    "c3c08c1fefaf9ee198a100d5906765a6f394bf0f"), "SignalWire A: other URL refused");
	ok(sig_hmac_valid("12345", base, FORM_CT, form, strlen(form), "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
	    SIG_SIGNALWIRE_ORDER), "SignalWire vector B (= Twilio vector 1)");
	const char *swb = "{\"event\":\"call.state\"}";
	ok(sig_hmac_valid(swkey, "https://example.ngrok.io/webhook?bodySHA256="
	    "69f3cbfc18e386ef8236cb7008cd5a54b7fed637a8cb3373b5a1591d7f0fd5f4", "application/json",
	    swb, strlen(swb), "dfO9ek8mxyFtn2nMz24plPmPfIY=", SIG_SIGNALWIRE_ORDER), "SignalWire vector C");

	/* Repeated names: Twilio dedupes and sorts values, SignalWire keeps order. */
	json_t *ab = json_pack("{s:[ss]}", "To", "b", "a");
	json_t *sorted = json_pack("{s:[ss]}", "To", "a", "b");
	char *t1 = sig_hmac_compute("k", "https://x.test/", ab, SIG_TWILIO_ORDER);
	char *t2 = sig_hmac_compute("k", "https://x.test/", sorted, SIG_TWILIO_ORDER);
	char *s1 = sig_hmac_compute("k", "https://x.test/", ab, SIG_SIGNALWIRE_ORDER);
	char *s2 = sig_hmac_compute("k", "https://x.test/", sorted, SIG_SIGNALWIRE_ORDER);
	is(t1, t2, "Twilio: value order of a repeated name does not matter");
	ok(strcmp(s1, s2) != 0, "SignalWire: value order of a repeated name matters");
	json_t *dup = json_pack("{s:[sss]}", "To", "a", "b", "a");
	char *t3 = sig_hmac_compute("k", "https://x.test/", dup, SIG_TWILIO_ORDER);
	is(t3, t2, "Twilio: duplicate values are signed once");
	free(t1), free(t2), free(s1), free(s2), free(t3);
	json_decref(ab), json_decref(sorted), json_decref(dup);

	/* URL variants. */
	char *v[3];
	n = sig_url_variants("https://h.test/p?q=1", v);
	is_int(n, 2, "no port: as-is and with :443");
	is(v[1], "https://h.test:443/p?q=1", "default port added");
	for (int i = 0; i < n; i++) free(v[i]);
	n = sig_url_variants("http://u:p@h.test:8080/p", v);
	is_int(n, 2, "with a port: as-is and stripped");
	is(v[1], "http://u:p@h.test/p", "port stripped, credentials kept");
	for (int i = 0; i < n; i++) free(v[i]);
	n = sig_url_variants("https://[::1]:8443/x", v);
	is(v[1], "https://[::1]/x", "IPv6 literal: port stripped, address kept");
	for (int i = 0; i < n; i++) free(v[i]);

	/* Telnyx Ed25519 (self-generated vector from the reference). */
	const char *pk = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
	const char *tb = "{\"data\":{\"event_type\":\"call.initiated\",\"id\":\"0ccc7b54-4df3-4bca-a65a-3da1ecc777f0\"}}";
	const char *ts = "Es5MFqOrJvkje4uCzSmFjAx511fL4rQAC3ZGU4AtJD5rRccxihbsY+CM2fYNIWAs1I5FBdBwgsCyxk2o4h0iCA==";
	ok(sig_telnyx_valid(pk, "1700000000", ts, tb, strlen(tb), 1700000000 + 86400 * 400, 0),
	    "Telnyx vector (no time window)");
	ok(sig_telnyx_valid(pk, "1700000000", ts, tb, strlen(tb), 1700000100, 300),
	    "Telnyx vector inside the 300 s window");
	ok(!sig_telnyx_valid(pk, "1700000000", ts, tb, strlen(tb), 1700000301, 300),
	    "Telnyx: stale timestamp refused (replay)");
	ok(!sig_telnyx_valid(pk, "1700000000", ts, tb, strlen(tb), 1699999699, 300),
	    "Telnyx: timestamp from the future refused");
	ok(!sig_telnyx_valid(pk, "1700000001", ts, tb, strlen(tb), 1700000001, 300),
	    "Telnyx: another timestamp breaks the signature");
	ok(!sig_telnyx_valid(pk, "1700000000", ts, "{}", 2, 1700000000, 300),
	    "Telnyx: another body breaks the signature");
	ok(!sig_telnyx_valid("AAAA", "1700000000", ts, tb, strlen(tb), 1700000000, 300),
	    "Telnyx: a key that is not 32 bytes is refused");
	ok(!sig_telnyx_valid(pk, "1700000000", "AAAA", tb, strlen(tb), 1700000000, 300),
	    "Telnyx: a signature that is not 64 bytes is refused");
	ok(!sig_telnyx_valid(pk, "17e8", ts, tb, strlen(tb), 1700000000, 0),
	    "Telnyx: a non-numeric timestamp is refused");
	done_testing();
}
