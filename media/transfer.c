/* Transfer through the carrier REST API (on an engine thread), with the
 * platform's carrier client (lib/carrier.h) and its credentials: the live
 * call gets new instructions that dial the transfer number and, when
 * nobody answers, take a voicemail (or say goodbye). */
#include "media.h"
#include "cfg.h"
#include "xalloc.h"
#include <string.h>

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

int
transfer_call(enum carrier carrier, const char *account_sid, const char *call_sid,
    const char *to, int voicemail, char *err, size_t errlen)
{
	if (!valid_e164(to) || !*call_sid) {
		snprintf(err, errlen, "missing or malformed call identifiers");
		return -1;
	}
	if (!carrier_configured(carrier)) {
		snprintf(err, errlen, "%s credentials are not configured", carrier_name(carrier));
		return -1;
	}
	long timeout = cfg_int(CFG_media_transfer_timeout_seconds);
	/* `to` is E.164 (checked above), so it needs no XML escaping. */
	char *markup = voicemail ?
	    xasprintf("<Response><Dial timeout=\"%ld\"><Number>%s</Number></Dial>"
	        "<Say>Nobody is available to take your call. Please leave a message after the tone.</Say>"
	        "<Record maxLength=\"%ld\" playBeep=\"true\"/></Response>", timeout, to,
	        cfg_int(CFG_voicemail_max_seconds)) :
	    xasprintf("<Response><Dial timeout=\"%ld\"><Number>%s</Number></Dial>"
	        "<Say>Nobody is available to take your call. Please call again later. Goodbye.</Say></Response>",
	        timeout, to);
	struct carrier_result res;
	memset(&res, 0, sizeof res);
	int rc = carrier_call_update(carrier, call_sid, markup, &res);
	free(markup);
	if (rc < 0)
		snprintf(err, errlen, "carrier answered HTTP %ld: %s", res.http_status, res.detail);
	return rc < 0 ? -1 : 0;
}
