/* Transfer through the carrier's REST API (runs on an engine thread).
 * Twilio/SignalWire: update the live call with new TwiML that dials the
 * transfer number and, when nobody answers, records a voicemail.
 * Telnyx: the Call Control transfer command. */
#include "media.h"
#include "buf.h"
#include "cfg.h"
#include "xalloc.h"
#include <curl/curl.h>
#include <string.h>

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	buf_append(b, p, size * n);   /* bounded: the excess is dropped */
	return size * n;
}

static char *
twiml(const char *to, int voicemail)
{
	long timeout = cfg_int(CFG_media_transfer_timeout_seconds);
	/* `to` was validated as E.164 by the agents table's CHECK. */
	if (voicemail)
		return xasprintf("<Response><Dial timeout=\"%ld\"><Number>%s</Number></Dial>"
		    "<Say>Nobody is available to take your call. Please leave a message after the tone.</Say>"
		    "<Record maxLength=\"120\" playBeep=\"true\"/></Response>", timeout, to);
	return xasprintf("<Response><Dial timeout=\"%ld\"><Number>%s</Number></Dial>"
	    "<Say>Nobody is available to take your call. Please call again later. Goodbye.</Say></Response>",
	    timeout, to);
}

static int
valid_e164(const char *s)
{
	if (*s++ != '+' || *s < '1' || *s > '9')
		return 0;
	size_t n = 0;
	for (; *s; s++, n++)
		if (*s < '0' || *s > '9')
			return 0;
	return n >= 7 && n <= 15;
}

/* Path segments come from the carrier; allow only id characters. */
static int
valid_id(const char *s)
{
	if (!*s || strlen(s) > 100)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    *s == '-' || *s == '_' || *s == ':'))
			return 0;
	return 1;
}

int
transfer_call(enum carrier carrier, const char *account_sid, const char *call_sid,
    const char *to, int voicemail, char *err, size_t errlen)
{
	const char *base = cfg_str(CFG_media_carrier_api_url);
	const char *auth = cfg_str(CFG_media_carrier_auth_token);
	if (!valid_e164(to) || !valid_id(call_sid) || (carrier != CARRIER_TELNYX && !valid_id(account_sid))) {
		snprintf(err, errlen, "missing or malformed call identifiers");
		return -1;
	}
	if (!*auth) {
		snprintf(err, errlen, "media_carrier_auth_token is not configured");
		return -1;
	}
	CURL *h = curl_easy_init();
	if (h == NULL) {
		snprintf(err, errlen, "curl init failed");
		return -1;
	}
	char *url = NULL, *body = NULL, *userpwd = NULL, *bearer = NULL;
	struct curl_slist *hdr = NULL;
	struct buf resp;
	buf_init(&resp, 8192);
	if (carrier == CARRIER_TELNYX) {
		url = xasprintf("%s/v2/calls/%s/actions/transfer", *base ? base : "https://api.telnyx.com", call_sid);
		json_t *o = json_pack("{s:s,s:I}", "to", to, "timeout_secs",
		    (json_int_t)cfg_int(CFG_media_transfer_timeout_seconds));
		body = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		bearer = xasprintf("Authorization: Bearer %s", auth);
		hdr = curl_slist_append(hdr, bearer);
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
	} else {
		url = xasprintf("%s/2010-04-01/Accounts/%s/Calls/%s.json", *base ? base : "https://api.twilio.com",
		    account_sid, call_sid);
		char *tw = twiml(to, voicemail);
		char *enc = curl_easy_escape(h, tw, 0);
		body = xasprintf("Twiml=%s", enc);
		curl_free(enc);
		free(tw);
		userpwd = xasprintf("%s:%s", account_sid, auth);
		curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
		hdr = curl_slist_append(hdr, "Content-Type: application/x-www-form-urlencoded");
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
	CURLcode rc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	int ok = rc == CURLE_OK && status >= 200 && status < 300;
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	else if (!ok)
		snprintf(err, errlen, "carrier answered HTTP %ld", status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	buf_free(&resp);
	free(url);
	free(body);
	free(userpwd);
	free(bearer);
	return ok ? 0 : -1;
}
