#include "carrier.h"
#include "cfg.h"
#include "xalloc.h"
#include <string.h>
#include <strings.h>

static const char *const names[CARRIER__COUNT] = { "twilio", "signalwire", "telnyx" };

const char *
carrier_name(enum carrier c)
{
	return c >= 0 && c < CARRIER__COUNT ? names[c] : "unknown";
}

int
carrier_from_name(const char *name)
{
	for (int i = 0; name && i < CARRIER__COUNT; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

/* Carrier CallStatus values (Twilio's, shared by SignalWire and TeXML). */
static const struct { const char *carrier, *calls; int final; } statuses[] = {
	{ "queued", "queued", 0 }, { "initiated", "queued", 0 },
	{ "ringing", "ringing", 0 }, { "in-progress", "in_progress", 0 },
	{ "answered", "in_progress", 0 }, { "completed", "completed", 1 },
	{ "busy", "busy", 1 }, { "no-answer", "no_answer", 1 },
	{ "failed", "failed", 1 }, { "canceled", "canceled", 1 },
};

const char *
carrier_call_status(const char *s)
{
	for (size_t i = 0; s && i < sizeof statuses / sizeof statuses[0]; i++)
		if (strcmp(statuses[i].carrier, s) == 0)
			return statuses[i].calls;
	return NULL;
}

int
carrier_status_is_final(const char *calls_status)
{
	for (size_t i = 0; calls_status && i < sizeof statuses / sizeof statuses[0]; i++)
		if (strcmp(statuses[i].calls, calls_status) == 0)
			return statuses[i].final;
	return 0;
}

const char *
carrier_api_base(enum carrier c)
{
	static const enum cfg_key base[CARRIER__COUNT] = { CFG_twilio_api_base,
		CFG_signalwire_api_base, CFG_telnyx_api_base };
	return c >= 0 && c < CARRIER__COUNT ? cfg_str(base[c]) : "";
}

int
carrier_configured(enum carrier c)
{
	switch (c) {
	case CARRIER_TWILIO:
		return *cfg_str(CFG_twilio_account_sid) && *cfg_str(CFG_twilio_auth_token);
	case CARRIER_SIGNALWIRE:
		return *cfg_str(CFG_signalwire_project_id) && *cfg_str(CFG_signalwire_api_token) &&
		    *cfg_str(CFG_signalwire_api_base);
	case CARRIER_TELNYX:
		return *cfg_str(CFG_telnyx_api_key) && *cfg_str(CFG_telnyx_account_sid);
	default:
		return 0;
	}
}

/* Length of "scheme://authority" at the start of url, 0 if malformed. */
static size_t
origin_len(const char *url)
{
	const char *p = strstr(url, "://");
	if (p == NULL || p == url)
		return 0;
	p += 3;
	size_t n = strcspn(p, "/?#");
	if (n == 0 || memchr(p, '@', n))
		return 0;     /* no credentials in download URLs */
	return (size_t)(p - url) + n;
}

int
carrier_same_origin(const char *url, const char *base)
{
	if (url == NULL || base == NULL)
		return 0;
	size_t a = origin_len(url), b = origin_len(base);
	return a > 0 && a == b && strncasecmp(url, base, a) == 0;
}

char *
carrier_webhook_url(enum carrier c, const char *endpoint, const char *call_id)
{
	const char *base = cfg_str(CFG_public_url);
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	return call_id ? xasprintf("%.*s/webhooks/%s/%s?call_id=%s", (int)n, base, carrier_name(c),
	    endpoint, call_id) : xasprintf("%.*s/webhooks/%s/%s", (int)n, base, carrier_name(c), endpoint);
}
