/* The carriers Voxline speaks to, and their REST API: place a call,
 * give a live call new instructions (transfer, fallback message), hang
 * up, download a recording.  One client for voxline-web, the worker and
 * voxline-media.  Credentials come from the configuration (cfg_keys.def).
 *
 * Twilio and SignalWire share the 2010-04-01 Calls resource (form bodies,
 * HTTP Basic); Telnyx uses its TeXML Calls API (JSON bodies, Bearer key). */
#ifndef VOXLINE_CARRIER_H
#define VOXLINE_CARRIER_H
#include "buf.h"
#include "errors.h"
#include <stddef.h>

enum carrier { CARRIER_TWILIO, CARRIER_SIGNALWIRE, CARRIER_TELNYX, CARRIER__COUNT };

const char *carrier_name(enum carrier c);
/* -1 for a name that is not a carrier. */
int carrier_from_name(const char *name);
/* calls.status for a carrier CallStatus (in-progress -> in_progress ...);
 * NULL when the value is unknown. */
const char *carrier_call_status(const char *carrier_status);
/* 1 when the status ends a call. */
int carrier_status_is_final(const char *calls_status);
/* 1 when the REST credentials for c are set. */
int carrier_configured(enum carrier c);
/* The REST API base URL of c from the configuration ("" when unset). */
const char *carrier_api_base(enum carrier c);

struct carrier_result {
	long http_status;            /* 0 when the carrier was not reached */
	enum err_code err;           /* ERR_none on success */
	char call_sid[128];          /* create: the carrier's call id */
	char detail[256];            /* carrier's code and message, for logs */
};

struct carrier_call {
	const char *to, *from;
	const char *answer_url;      /* where the carrier fetches instructions */
	const char *status_url;      /* status callbacks */
	int ring_timeout;            /* seconds */
	int time_limit;              /* seconds; 0 none */
};

int carrier_call_create(enum carrier c, const struct carrier_call *call, struct carrier_result *out);
/* Replaces what a live call is doing with new markup (transfer, message). */
int carrier_call_update(enum carrier c, const char *call_sid, const char *markup,
    struct carrier_result *out);
int carrier_call_hangup(enum carrier c, const char *call_sid, struct carrier_result *out);

/* Downloads url (which must be on the carrier's API origin) with the
 * carrier's credentials; each chunk goes to sink.  At most max bytes. */
typedef int (*carrier_sink_fn)(void *ctx, const void *data, size_t n);
int carrier_download(enum carrier c, const char *url, size_t max, carrier_sink_fn sink,
    void *ctx, struct carrier_result *out);

/* 1 when url has the same scheme://host[:port] as base (and base is set). */
int carrier_same_origin(const char *url, const char *base);



/* public_url + "/webhooks/<carrier>/<endpoint>" [+ "?call_id=<id>"] (malloc'd). */
char *carrier_webhook_url(enum carrier c, const char *endpoint, const char *call_id);
#endif
