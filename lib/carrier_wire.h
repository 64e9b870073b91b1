/* The carrier REST wire format, apart from the transport: one function
 * builds a request (URL, method, auth, body), one sets up a libcurl easy
 * handle for it, one reads the answer into a carrier_result.  The
 * blocking client (carrier_rest.c) and voxline-media's loop both send
 * requests built and read here. */
#ifndef VOXLINE_CARRIER_WIRE_H
#define VOXLINE_CARRIER_WIRE_H
#include "buf.h"
#include "carrier.h"
#include <curl/curl.h>

enum carrier_op { CARRIER_OP_CREATE, CARRIER_OP_UPDATE, CARRIER_OP_HANGUP, CARRIER_OP_DOWNLOAD };

struct carrier_request {
	enum carrier carrier;
	enum carrier_op op;
	const char *method;
	char *url;
	char *body;                  /* NULL: no body */
	const char *content_type;
	char *user, *password;       /* HTTP Basic (Twilio, SignalWire) */
	char *bearer;                /* Telnyx */
};

/* Each fills req (free with carrier_request_free); -1 with out set when
 * the carrier's credentials are not configured or the URL is refused. */
int carrier_request_create(enum carrier c, const struct carrier_call *call,
    struct carrier_request *req, struct carrier_result *out);
int carrier_request_update(enum carrier c, const char *call_sid, const char *markup,
    struct carrier_request *req, struct carrier_result *out);
int carrier_request_hangup(enum carrier c, const char *call_sid, struct carrier_request *req,
    struct carrier_result *out);
int carrier_request_download(enum carrier c, const char *url, struct carrier_request *req,
    struct carrier_result *out);
void carrier_request_free(struct carrier_request *req);

/* One request in flight: the easy handle and what it collects.  The
 * answer goes to resp, or to sink (downloads), up to max bytes. */
struct carrier_exchange {
	CURL *easy;
	struct curl_slist *headers;
	struct buf resp;
	carrier_sink_fn sink;
	void *sink_ctx;
	size_t got, max;
	int overflow;
	char errbuf[CURL_ERROR_SIZE];
};

/* Sets up ex->easy for req; req must outlive the exchange. */
void carrier_exchange_init(struct carrier_exchange *ex, const struct carrier_request *req,
    carrier_sink_fn sink, void *sink_ctx, size_t max);
/* Reads the outcome of the transfer (rc from curl) into out; 0 or -1. */
int carrier_exchange_finish(struct carrier_exchange *ex, const struct carrier_request *req,
    CURLcode rc, struct carrier_result *out);
void carrier_exchange_free(struct carrier_exchange *ex);

/* The answer to req: reached = 0 when the carrier was not reached
 * (transport_error says why), else its HTTP status and body. */
int carrier_answer(const struct carrier_request *req, int reached, const char *transport_error,
    long http_status, const struct buf *body, struct carrier_result *out);
#endif
