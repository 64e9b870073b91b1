/* Transfer through the carrier REST API, sent from the call's loop
 * (curl_loop.h) with the platform's carrier wire format (lib/carrier_wire.h)
 * and credentials: the live call gets new instructions that dial the
 * transfer number and, when nobody answers, take a voicemail (or say
 * goodbye).  The loop never waits on the carrier: a slow answer only
 * delays this call's transfer. */
#include "media.h"
#include "carrier_wire.h"
#include "cfg.h"
#include "curl_loop.h"
#include "xalloc.h"
#include <string.h>

struct transfer {
	struct carrier_request req;
	struct carrier_exchange ex;
	transfer_done_fn done;
	void *arg;
};

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

static char *
transfer_markup(const char *to, int voicemail)
{
	long timeout = cfg_int(CFG_media_transfer_timeout_seconds);
	/* `to` is E.164 (checked by the caller), so it needs no XML escaping. */
	return voicemail ?
	    xasprintf("<Response><Dial timeout=\"%ld\"><Number>%s</Number></Dial>"
	        "<Say>Nobody is available to take your call. Please leave a message after the tone.</Say>"
	        "<Record maxLength=\"%ld\" playBeep=\"true\"/></Response>", timeout, to,
	        cfg_int(CFG_voicemail_max_seconds)) :
	    xasprintf("<Response><Dial timeout=\"%ld\"><Number>%s</Number></Dial>"
	        "<Say>Nobody is available to take your call. Please call again later. Goodbye.</Say></Response>",
	        timeout, to);
}

static void
transfer_free(struct transfer *t)
{
	carrier_exchange_free(&t->ex);
	carrier_request_free(&t->req);
	free(t);
}

/* The carrier answered, was not reached, or the worker is closing
 * (curl_loop_close): the answer, mapped to the catalog, goes to done. */
static void
on_done(CURL *easy, CURLcode rc, void *arg)
{
	(void)easy;
	struct transfer *t = arg;
	struct carrier_result res;
	carrier_exchange_finish(&t->ex, &t->req, rc, &res);
	transfer_done_fn done = t->done;
	void *darg = t->arg;
	transfer_free(t);
	done(&res, darg);
}

static void
refused(enum err_code code, const char *detail, transfer_done_fn done, void *arg)
{
	struct carrier_result res = { .err = code };
	snprintf(res.detail, sizeof res.detail, "%s", detail);
	done(&res, arg);
}

void
transfer_start(struct worker *w, enum carrier carrier, const char *call_sid, const char *to,
    int voicemail, transfer_done_fn done, void *arg)
{
	/* The call sid is checked with the request (carrier_wire.c). */
	if (!valid_e164(to)) {
		refused(ERR_media_transfer_failed, "the transfer number is not in E.164 form", done, arg);
		return;
	}
	struct transfer *t = xcalloc(1, sizeof *t);
	struct carrier_result res;
	char *markup = transfer_markup(to, voicemail);
	int rc = carrier_request_update(carrier, call_sid, markup, &t->req, &res);
	free(markup);
	if (rc < 0) {
		free(t);
		done(&res, arg);
		return;
	}
	t->done = done;
	t->arg = arg;
	carrier_exchange_init(&t->ex, &t->req, NULL, NULL, 0);
	if (w->curl == NULL || curl_loop_add(w->curl, t->ex.easy, on_done, t) < 0) {
		transfer_free(t);
		refused(ERR_carrier_unavailable, "the media daemon is shutting down", done, arg);
	}
}
