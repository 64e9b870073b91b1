#include "webhook.h"
#include "allowlist.h"
#include "signature.h"
#include "../validate.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const enum cfg_key allow_keys[CARRIER__COUNT] = { CFG_twilio_allowed_sources,
	CFG_signalwire_allowed_sources, CFG_telnyx_allowed_sources };

/* Origin of public_url (scheme://[userinfo@]host[:port]) + request target. */
static char *
signed_url(const struct req *rq)
{
	const char *base = cfg_str(CFG_public_url);
	const char *p = strstr(base, "://");
	size_t n = p ? (size_t)(p + 3 - base) + strcspn(p + 3, "/?#") : strlen(base);
	return xasprintf("%.*s%s", (int)n, base, rq->request_uri ? rq->request_uri : "");
}

static int
signature_ok(const struct req *rq, enum carrier c)
{
	const char *body = rq->body ? rq->body : "";
	if (c == CARRIER_TELNYX)
		return sig_telnyx_valid(cfg_str(CFG_telnyx_public_key),
		    req_param(rq, "HTTP_TELNYX_TIMESTAMP"), req_param(rq, "HTTP_TELNYX_SIGNATURE_ED25519"),
		    body, rq->body_len, time(NULL), cfg_int(CFG_telnyx_signature_tolerance));
	char *url = signed_url(rq);
	int ok;
	if (c == CARRIER_TWILIO)
		ok = sig_hmac_valid(cfg_str(CFG_twilio_auth_token), url, rq->content_type, body,
		    rq->body_len, req_param(rq, "HTTP_X_TWILIO_SIGNATURE"), SIG_TWILIO_ORDER);
	else {
		/* SignalWire's own header, or the X-Twilio-Signature alias. */
		const char *h = req_param(rq, "HTTP_X_SIGNALWIRE_SIGNATURE");
		if (h == NULL)
			h = req_param(rq, "HTTP_X_TWILIO_SIGNATURE");
		const char *key = cfg_str(CFG_signalwire_signing_key);
		ok = sig_hmac_valid(key, url, rq->content_type, body, rq->body_len, h,
		    SIG_SIGNALWIRE_ORDER) ||
		    (h && strlen(h) == 40 && sig_signalwire_hex_valid(key, url, body, rq->body_len, h));
	}
	free(url);
	return ok;
}

/* Form bodies as they are; JSON bodies flattened to their scalar members. */
static int
parse_params(const struct req *rq, json_t *into)
{
	if (rq->body_len == 0)
		return 0;
	const char *ct = rq->content_type ? rq->content_type : "";
	if (strncasecmp(ct, "application/json", 16) == 0) {
		json_t *j = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(j)) {
			json_decref(j);
			return -1;
		}
		const char *k;
		json_t *v;
		json_object_foreach(j, k, v) {
			if (json_is_string(v))
				json_object_set(into, k, v);
			else if (json_is_integer(v))
				json_object_set_new(into, k, json_sprintf("%lld", (long long)json_integer_value(v)));
		}
		json_decref(j);
		return 0;
	}
	return req_parse_urlencoded(rq->body, rq->body_len, into);
}

static void
refuse(struct req *rq, struct resp *rs, struct webhook *wh, enum err_code code, const char *result)
{
	resp_error(rq, rs, code, NULL);
	webhook_finish(rq, rs, wh, result);
}

int
webhook_start(struct req *rq, struct resp *rs, const char *endpoint, struct webhook *wh)
{
	memset(wh, 0, sizeof *wh);
	clock_gettime(CLOCK_MONOTONIC, &wh->t0);
	wh->endpoint = endpoint;
	wh->params = json_object();
	wh->query = json_object();
	int c = carrier_from_name(json_string_value(json_object_get(rq->path_args, "carrier")));
	if (c < 0) {
		json_decref(wh->params);
		json_decref(wh->query);
		wh->params = wh->query = NULL;
		resp_error(rq, rs, ERR_unknown_carrier, NULL);
		return -1;
	}
	wh->carrier = (enum carrier)c;
	if (!allowlist_permits(cfg_str(allow_keys[c]), rq->remote_addr)) {
		refuse(rq, rs, wh, ERR_webhook_source_forbidden, "forbidden_source");
		return -1;
	}
	if (!signature_ok(rq, wh->carrier)) {
		refuse(rq, rs, wh, ERR_webhook_signature_invalid, "bad_signature");
		return -1;
	}
	wh->signature_valid = 1;
	if (parse_params(rq, wh->params) < 0 || (rq->query_string &&
	    req_parse_urlencoded(rq->query_string, strlen(rq->query_string), wh->query) < 0)) {
		refuse(rq, rs, wh, ERR_malformed_body, "malformed");
		return -1;
	}
	return 0;
}

const char *
webhook_param(const struct webhook *wh, const char *name)
{
	json_t *v = json_object_get(wh->params, name);
	if (json_is_array(v))
		v = json_array_get(v, 0);
	return json_string_value(v);
}

const char *
webhook_call_id(const struct webhook *wh)
{
	const char *id = json_string_value(json_object_get(wh->query, "call_id"));
	return id && validate_value(FT_UUID, id) == 0 ? id : NULL;
}

void
webhook_ok(struct resp *rs)
{
	resp_text(rs, 204, NULL, "", 0);
}

static struct metric webhooks_total = METRIC_INIT("voxline_webhooks_total",
    "Carrier webhook requests, by carrier, endpoint and result.", METRIC_COUNTER);

int
telephony_init(char *err, size_t errlen)
{
	for (int c = 0; c < CARRIER__COUNT; c++)
		if (allowlist_check(cfg_str(allow_keys[c])) < 0) {
			snprintf(err, errlen, "%s_allowed_sources: not a list of CIDR blocks",
			    carrier_name((enum carrier)c));
			return -1;
		}
	metrics_register(&webhooks_total);
	return 0;
}

void
webhook_finish(struct req *rq, struct resp *rs, struct webhook *wh, const char *result)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - wh->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - wh->t0.tv_nsec) / 1e6;
	char status[8], dur[32];
	snprintf(status, sizeof status, "%d", rs->status);
	snprintf(dur, sizeof dur, "%.3f", ms);
	/* Only a verified request may name a call sid in the log. */
	const char *sid = wh->signature_valid ? webhook_param(wh, "CallSid") : NULL;
	const char *p[9] = { carrier_name(wh->carrier), wh->endpoint, rq->remote_addr,
		wh->signature_valid ? "true" : "false", result, status, dur,
		sid && strlen(sid) <= 128 ? sid : NULL, rq->correlation_id };
	if (db_run(rq->db, "INSERT INTO webhook_attempts (carrier, endpoint, source_addr,"
	    " signature_valid, result, http_status, duration_ms, carrier_call_sid, correlation_id)"
	    " VALUES ($1, $2, $3::inet, $4::boolean, $5, $6::int, $7::numeric, $8, $9)", 9, p) < 0)
		log_warn("webhook_attempt_not_logged", "{s:s}", "error", db_error(rq->db));
	metrics_add(&webhooks_total, 1, "carrier", p[0], "endpoint", p[1], "result", result, NULL);
	log_info("webhook", "{s:s,s:s,s:s,s:b,s:i}", "carrier", p[0], "endpoint", p[1],
	    "result", result, "signature_valid", wh->signature_valid, "status", rs->status);
	json_decref(wh->params);
	json_decref(wh->query);
	wh->params = wh->query = NULL;
}
