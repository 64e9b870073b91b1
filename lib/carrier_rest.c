/* The carrier REST client (see carrier.h).  Blocking libcurl requests
 * with a configured timeout: callers are the web request that places a
 * call, the worker, and voxline-media's worker threads. */
#include "carrier.h"
#include "cfg.h"
#include "log.h"
#include "xalloc.h"
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESPONSE_MAX (256u * 1024u)

struct sink_ctx {
	struct buf *buf;             /* collect the body, or */
	carrier_sink_fn sink;        /* pass it on */
	void *ctx;
	size_t got, max;
	int overflow;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink_ctx *s = arg;
	size_t len = size * n;
	if (s->got + len > s->max) {
		s->overflow = 1;
		return 0;
	}
	s->got += len;
	if (s->buf)
		return buf_append(s->buf, p, len) < 0 ? 0 : len;
	return s->sink(s->ctx, p, len) < 0 ? 0 : len;
}

/* The 2010-04-01 Calls collection of c (Twilio, SignalWire) or TeXML's. */
static char *
calls_url(enum carrier c, const char *sid)
{
	const char *base = carrier_api_base(c);
	switch (c) {
	case CARRIER_TWILIO:
		return sid ? xasprintf("%s/2010-04-01/Accounts/%s/Calls/%s.json", base,
		    cfg_str(CFG_twilio_account_sid), sid) :
		    xasprintf("%s/2010-04-01/Accounts/%s/Calls.json", base, cfg_str(CFG_twilio_account_sid));
	case CARRIER_SIGNALWIRE:
		return sid ? xasprintf("%s/api/laml/2010-04-01/Accounts/%s/Calls/%s.json", base,
		    cfg_str(CFG_signalwire_project_id), sid) :
		    xasprintf("%s/api/laml/2010-04-01/Accounts/%s/Calls.json", base,
		    cfg_str(CFG_signalwire_project_id));
	default:
		return sid ? xasprintf("%s/v2/texml/Accounts/%s/Calls/%s", base,
		    cfg_str(CFG_telnyx_account_sid), sid) :
		    xasprintf("%s/v2/texml/Accounts/%s/Calls", base, cfg_str(CFG_telnyx_account_sid));
	}
}

static void
set_auth(CURL *h, enum carrier c, struct curl_slist **hdrs)
{
	if (c == CARRIER_TELNYX) {
		char *a = xasprintf("Authorization: Bearer %s", cfg_str(CFG_telnyx_api_key));
		*hdrs = curl_slist_append(*hdrs, a);
		free(a);
		return;
	}
	curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(h, CURLOPT_USERNAME, c == CARRIER_TWILIO ?
	    cfg_str(CFG_twilio_account_sid) : cfg_str(CFG_signalwire_project_id));
	curl_easy_setopt(h, CURLOPT_PASSWORD, c == CARRIER_TWILIO ?
	    cfg_str(CFG_twilio_auth_token) : cfg_str(CFG_signalwire_api_token));
}

/* Carrier errors mapped to the catalog: credentials, refusals of the
 * request itself, throttling, and everything that means "not reached". */
static enum err_code
map_status(long status)
{
	if (status >= 200 && status < 300)
		return ERR_none;
	if (status == 401 || status == 403)
		return ERR_carrier_auth_failed;
	if (status == 429)
		return ERR_carrier_rate_limited;
	if (status >= 400 && status < 500)
		return ERR_carrier_rejected;
	return ERR_carrier_unavailable;
}

/* Twilio errors are {"code":21211,"message":"..."}; Telnyx's are
 * {"errors":[{"code":"...","title":"...","detail":"..."}]}. */
static void
error_detail(const struct buf *body, struct carrier_result *out)
{
	json_t *j = json_loadb(body->data ? body->data : "", body->len, 0, NULL);
	json_t *e = json_array_get(json_object_get(j, "errors"), 0);
	json_t *code = json_object_get(e ? e : j, "code");
	const char *msg = json_string_value(json_object_get(e ? e : j, e ? "detail" : "message"));
	char c[32] = "";
	if (json_is_integer(code))
		snprintf(c, sizeof c, "%lld", (long long)json_integer_value(code));
	else if (json_is_string(code))
		snprintf(c, sizeof c, "%s", json_string_value(code));
	snprintf(out->detail, sizeof out->detail, "HTTP %ld %s %s", out->http_status, c, msg ? msg : "");
	json_decref(j);
}

static int
request(enum carrier c, const char *method, const char *url, const char *content_type,
    const char *body, struct sink_ctx *sink, struct carrier_result *out)
{
	out->http_status = 0;
	out->err = ERR_none;
	out->detail[0] = '\0';
	if (!carrier_configured(c)) {
		out->err = ERR_carrier_not_configured;
		snprintf(out->detail, sizeof out->detail, "%s credentials are not configured", carrier_name(c));
		return -1;
	}
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, cfg_int(CFG_carrier_http_timeout));
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
	/* A file download must not write an error page into the file. */
	curl_easy_setopt(h, CURLOPT_FAILONERROR, sink->buf ? 0L : 1L);
	set_auth(h, c, &hdrs);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (body) {
		char *ct = xasprintf("Content-Type: %s", content_type);
		hdrs = curl_slist_append(hdrs, ct);
		free(ct);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	CURLcode rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->http_status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK && rc != CURLE_HTTP_RETURNED_ERROR) {
		out->err = ERR_carrier_unavailable;
		snprintf(out->detail, sizeof out->detail, "%s", sink->overflow ? "response too large" :
		    errbuf[0] ? errbuf : curl_easy_strerror(rc));
		log_warn("carrier_request_failed", "{s:s,s:s,s:s}", "carrier", carrier_name(c),
		    "method", method, "error", out->detail);
		return -1;
	}
	out->err = map_status(out->http_status);
	if (out->err != ERR_none) {
		if (sink->buf)
			error_detail(sink->buf, out);
		else
			snprintf(out->detail, sizeof out->detail, "HTTP %ld", out->http_status);
		log_warn("carrier_request_refused", "{s:s,s:s,s:s}", "carrier", carrier_name(c),
		    "method", method, "detail", out->detail);
		return -1;
	}
	return 0;
}

/* One form field appended as name=value (both escaped). */
static void
form_add(struct buf *b, const char *name, const char *value)
{
	char *v = curl_easy_escape(NULL, value, 0);
	buf_printf(b, "%s%s=%s", b->len ? "&" : "", name, v);
	curl_free(v);
}

static char *
create_body(enum carrier c, const struct carrier_call *call)
{
	char timeout[16], limit[16];
	snprintf(timeout, sizeof timeout, "%d", call->ring_timeout);
	snprintf(limit, sizeof limit, "%d", call->time_limit);
	if (c == CARRIER_TELNYX) {
		json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
		    "ApplicationSid", cfg_str(CFG_telnyx_application_sid), "To", call->to,
		    "From", call->from, "Url", call->answer_url, "Method", "POST",
		    "StatusCallback", call->status_url,
		    "StatusCallbackEvent", "initiated ringing answered completed", "Timeout", timeout);
		if (call->time_limit > 0)
			json_object_set_new(j, "TimeLimit", json_string(limit));
		char *s = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		return s;
	}
	struct buf b;
	buf_init(&b, 64 * 1024);
	form_add(&b, "To", call->to);
	form_add(&b, "From", call->from);
	form_add(&b, "Url", call->answer_url);
	form_add(&b, "Method", "POST");
	form_add(&b, "StatusCallback", call->status_url);
	form_add(&b, "StatusCallbackMethod", "POST");
	static const char *const events[] = { "initiated", "ringing", "answered", "completed" };
	for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
		form_add(&b, "StatusCallbackEvent", events[i]);
	form_add(&b, "Timeout", timeout);
	if (call->time_limit > 0)
		form_add(&b, "TimeLimit", limit);
	return buf_steal(&b);
}

static int
call_post(enum carrier c, const char *sid, char *body, struct buf *resp, struct carrier_result *out)
{
	char *url = calls_url(c, sid);
	struct sink_ctx s = { .buf = resp, .max = RESPONSE_MAX };
	int rc = request(c, "POST", url, c == CARRIER_TELNYX ? "application/json" :
	    "application/x-www-form-urlencoded", body, &s, out);
	free(url);
	free(body);
	return rc;
}

int
carrier_call_create(enum carrier c, const struct carrier_call *call, struct carrier_result *out)
{
	struct buf resp;
	buf_init(&resp, RESPONSE_MAX);
	out->call_sid[0] = '\0';
	int rc = call_post(c, NULL, create_body(c, call), &resp, out);
	if (rc == 0) {
		json_t *j = json_loadb(resp.data ? resp.data : "", resp.len, 0, NULL);
		json_t *data = json_object_get(j, "data");
		const char *sid = json_string_value(json_object_get(j, "sid"));
		if (sid == NULL)
			sid = json_string_value(json_object_get(j, "call_sid"));
		if (sid == NULL)
			sid = json_string_value(json_object_get(data, "call_sid"));
		if (sid && *sid && strlen(sid) < sizeof out->call_sid)
			snprintf(out->call_sid, sizeof out->call_sid, "%s", sid);
		else {
			out->err = ERR_carrier_unavailable;
			snprintf(out->detail, sizeof out->detail, "no call sid in the carrier's answer");
			rc = -1;
		}
		json_decref(j);
	}
	buf_free(&resp);
	return rc;
}

/* Body of an update: fields name/value, form or JSON by carrier. */
static char *
update_body(enum carrier c, const char *name, const char *value)
{
	if (c == CARRIER_TELNYX) {
		json_t *j = json_pack("{s:s}", name, value);
		char *s = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		return s;
	}
	struct buf b;
	buf_init(&b, 64 * 1024);
	form_add(&b, name, value);
	return buf_steal(&b);
}

int
carrier_call_update(enum carrier c, const char *sid, const char *markup, struct carrier_result *out)
{
	struct buf resp;
	buf_init(&resp, RESPONSE_MAX);
	int rc = call_post(c, sid, update_body(c, c == CARRIER_TELNYX ? "Texml" : "Twiml", markup),
	    &resp, out);
	buf_free(&resp);
	return rc;
}

int
carrier_call_hangup(enum carrier c, const char *sid, struct carrier_result *out)
{
	struct buf resp;
	buf_init(&resp, RESPONSE_MAX);
	int rc = call_post(c, sid, update_body(c, "Status", "completed"), &resp, out);
	buf_free(&resp);
	return rc;
}

int
carrier_download(enum carrier c, const char *url, size_t max, carrier_sink_fn sink, void *ctx,
    struct carrier_result *out)
{
	if (!carrier_same_origin(url, carrier_api_base(c))) {
		out->http_status = 0;
		out->err = ERR_carrier_rejected;
		snprintf(out->detail, sizeof out->detail, "recording URL is not on the %s API origin",
		    carrier_name(c));
		return -1;
	}
	struct sink_ctx s = { .sink = sink, .ctx = ctx, .max = max };
	return request(c, "GET", url, NULL, NULL, &s, out);
}
