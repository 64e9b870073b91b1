/* The carrier REST wire format (see carrier_wire.h). */
#include "carrier_wire.h"
#include "cfg.h"
#include "log.h"
#include "xalloc.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESPONSE_MAX (256u * 1024u)

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

/* Common part of every request: credentials checked, auth chosen. */
static int
request_begin(enum carrier c, enum carrier_op op, struct carrier_request *req,
    struct carrier_result *out)
{
	memset(req, 0, sizeof *req);
	req->carrier = c;
	req->op = op;
	req->method = op == CARRIER_OP_DOWNLOAD ? "GET" : "POST";
	memset(out, 0, sizeof *out);
	if (!carrier_configured(c)) {
		out->err = ERR_carrier_not_configured;
		snprintf(out->detail, sizeof out->detail, "%s credentials are not configured", carrier_name(c));
		return -1;
	}
	if (c == CARRIER_TELNYX) {
		req->bearer = xstrdup(cfg_str(CFG_telnyx_api_key));
	} else {
		req->user = xstrdup(c == CARRIER_TWILIO ? cfg_str(CFG_twilio_account_sid) :
		    cfg_str(CFG_signalwire_project_id));
		req->password = xstrdup(c == CARRIER_TWILIO ? cfg_str(CFG_twilio_auth_token) :
		    cfg_str(CFG_signalwire_api_token));
	}
	if (op != CARRIER_OP_DOWNLOAD)
		req->content_type = c == CARRIER_TELNYX ? "application/json" :
		    "application/x-www-form-urlencoded";
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

/* Body of an update: one field name/value, form or JSON by carrier. */
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
carrier_request_create(enum carrier c, const struct carrier_call *call, struct carrier_request *req,
    struct carrier_result *out)
{
	if (request_begin(c, CARRIER_OP_CREATE, req, out) < 0)
		return -1;
	req->url = calls_url(c, NULL);
	req->body = create_body(c, call);
	return 0;
}

/* A call sid goes into the URL path: only the characters the carriers
 * use (Twilio CA<hex>, SignalWire UUIDs, Telnyx v3:<base64url>), so a sid
 * from a media stream can never point the request elsewhere. */
static int
sid_valid(const char *sid, struct carrier_result *out)
{
	size_t n = strspn(sid, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-:");
	if (n > 0 && sid[n] == 0 && n < sizeof out->call_sid)
		return 1;
	out->err = ERR_carrier_rejected;
	snprintf(out->detail, sizeof out->detail, "malformed call sid");
	return 0;
}

int
carrier_request_update(enum carrier c, const char *sid, const char *markup,
    struct carrier_request *req, struct carrier_result *out)
{
	if (request_begin(c, CARRIER_OP_UPDATE, req, out) < 0)
		return -1;
	if (!sid_valid(sid, out)) {
		carrier_request_free(req);
		return -1;
	}
	req->url = calls_url(c, sid);
	req->body = update_body(c, c == CARRIER_TELNYX ? "Texml" : "Twiml", markup);
	return 0;
}

int
carrier_request_hangup(enum carrier c, const char *sid, struct carrier_request *req,
    struct carrier_result *out)
{
	if (request_begin(c, CARRIER_OP_HANGUP, req, out) < 0)
		return -1;
	if (!sid_valid(sid, out)) {
		carrier_request_free(req);
		return -1;
	}
	req->url = calls_url(c, sid);
	req->body = update_body(c, "Status", "completed");
	return 0;
}

int
carrier_request_download(enum carrier c, const char *url, struct carrier_request *req,
    struct carrier_result *out)
{
	if (request_begin(c, CARRIER_OP_DOWNLOAD, req, out) < 0)
		return -1;
	if (!carrier_same_origin(url, carrier_api_base(c))) {
		out->err = ERR_carrier_rejected;
		snprintf(out->detail, sizeof out->detail, "recording URL is not on the %s API origin",
		    carrier_name(c));
		carrier_request_free(req);
		return -1;
	}
	req->url = xstrdup(url);
	return 0;
}

void
carrier_request_free(struct carrier_request *req)
{
	free(req->url);
	free(req->body);
	free(req->user);
	free(req->password);
	free(req->bearer);
	memset(req, 0, sizeof *req);
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct carrier_exchange *ex = arg;
	size_t len = size * n;
	if (ex->got + len > ex->max) {
		ex->overflow = 1;
		return 0;
	}
	ex->got += len;
	if (ex->sink == NULL)
		return buf_append(&ex->resp, p, len) < 0 ? 0 : len;
	return ex->sink(ex->sink_ctx, p, len) < 0 ? 0 : len;
}

void
carrier_exchange_init(struct carrier_exchange *ex, const struct carrier_request *req,
    carrier_sink_fn sink, void *sink_ctx, size_t max)
{
	memset(ex, 0, sizeof *ex);
	ex->sink = sink;
	ex->sink_ctx = sink_ctx;
	ex->max = sink ? max : RESPONSE_MAX;
	buf_init(&ex->resp, RESPONSE_MAX);
	CURL *h = ex->easy = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, cfg_int(CFG_carrier_http_timeout));
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ex->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, ex);
	/* A file download must not write an error page into the file. */
	curl_easy_setopt(h, CURLOPT_FAILONERROR, sink ? 1L : 0L);
	if (req->bearer) {
		char *a = xasprintf("Authorization: Bearer %s", req->bearer);
		ex->headers = curl_slist_append(ex->headers, a);
		free(a);
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, req->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, req->password);
	}
	ex->headers = curl_slist_append(ex->headers, "Accept: application/json");
	if (req->body) {
		char *ct = xasprintf("Content-Type: %s", req->content_type);
		ex->headers = curl_slist_append(ex->headers, ct);
		free(ct);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, ex->headers);
}

int
carrier_exchange_finish(struct carrier_exchange *ex, const struct carrier_request *req, CURLcode rc,
    struct carrier_result *out)
{
	long status = 0;
	curl_easy_getinfo(ex->easy, CURLINFO_RESPONSE_CODE, &status);
	int reached = rc == CURLE_OK || rc == CURLE_HTTP_RETURNED_ERROR;
	const char *why = ex->overflow ? "response too large" : ex->errbuf[0] ? ex->errbuf :
	    curl_easy_strerror(rc);
	/* With FAILONERROR (downloads) the error page is not collected. */
	return carrier_answer(req, reached, why, status, ex->sink ? NULL : &ex->resp, out);
}

void
carrier_exchange_free(struct carrier_exchange *ex)
{
	if (ex->easy)
		curl_easy_cleanup(ex->easy);
	curl_slist_free_all(ex->headers);
	buf_free(&ex->resp);
	memset(ex, 0, sizeof *ex);
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

/* The carrier's call id in a create answer: Twilio/SignalWire "sid",
 * Telnyx "call_sid" (at the top or under "data"). */
static int
created_sid(const struct buf *body, struct carrier_result *out)
{
	json_t *j = json_loadb(body && body->data ? body->data : "", body ? body->len : 0, 0, NULL);
	const char *sid = json_string_value(json_object_get(j, "sid"));
	if (sid == NULL)
		sid = json_string_value(json_object_get(j, "call_sid"));
	if (sid == NULL)
		sid = json_string_value(json_object_get(json_object_get(j, "data"), "call_sid"));
	int ok = sid && *sid && strlen(sid) < sizeof out->call_sid;
	if (ok)
		snprintf(out->call_sid, sizeof out->call_sid, "%s", sid);
	json_decref(j);
	return ok ? 0 : -1;
}

static const char *const op_names[] = { "create", "update", "hangup", "download" };

int
carrier_answer(const struct carrier_request *req, int reached, const char *transport_error,
    long http_status, const struct buf *body, struct carrier_result *out)
{
	const char *carrier = carrier_name(req->carrier), *op = op_names[req->op];
	memset(out, 0, sizeof *out);
	if (!reached) {
		out->err = ERR_carrier_unavailable;
		snprintf(out->detail, sizeof out->detail, "%s", transport_error ? transport_error : "not reached");
		log_warn("carrier_request_failed", "{s:s,s:s,s:s}", "carrier", carrier, "op", op,
		    "error", out->detail);
		return -1;
	}
	out->http_status = http_status;
	out->err = map_status(http_status);
	if (out->err != ERR_none) {
		if (body)
			error_detail(body, out);
		else
			snprintf(out->detail, sizeof out->detail, "HTTP %ld", http_status);
		log_warn("carrier_request_refused", "{s:s,s:s,s:s}", "carrier", carrier, "op", op,
		    "detail", out->detail);
		return -1;
	}
	if (req->op == CARRIER_OP_CREATE && created_sid(body, out) < 0) {
		out->err = ERR_carrier_unavailable;
		snprintf(out->detail, sizeof out->detail, "no call sid in the carrier's answer");
		return -1;
	}
	return 0;
}
