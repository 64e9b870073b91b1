/* The carrier REST client (see carrier.h): blocking libcurl requests with
 * a configured timeout, for the web request that places a call and the
 * worker.  The wire format is carrier_wire.c's; voxline-media sends the
 * same requests from its event loop (media/curl_loop.c). */
#include "carrier.h"
#include "carrier_wire.h"

static int
perform(struct carrier_request *req, carrier_sink_fn sink, void *ctx, size_t max,
    struct carrier_result *out)
{
	struct carrier_exchange ex;
	carrier_exchange_init(&ex, req, sink, ctx, max);
	CURLcode rc = curl_easy_perform(ex.easy);
	int r = carrier_exchange_finish(&ex, req, rc, out);
	carrier_exchange_free(&ex);
	carrier_request_free(req);
	return r;
}

int
carrier_call_create(enum carrier c, const struct carrier_call *call, struct carrier_result *out)
{
	struct carrier_request req;
	if (carrier_request_create(c, call, &req, out) < 0)
		return -1;
	return perform(&req, NULL, NULL, 0, out);
}

int
carrier_call_update(enum carrier c, const char *sid, const char *markup, struct carrier_result *out)
{
	struct carrier_request req;
	if (carrier_request_update(c, sid, markup, &req, out) < 0)
		return -1;
	return perform(&req, NULL, NULL, 0, out);
}

int
carrier_call_hangup(enum carrier c, const char *sid, struct carrier_result *out)
{
	struct carrier_request req;
	if (carrier_request_hangup(c, sid, &req, out) < 0)
		return -1;
	return perform(&req, NULL, NULL, 0, out);
}

int
carrier_download(enum carrier c, const char *url, size_t max, carrier_sink_fn sink, void *ctx,
    struct carrier_result *out)
{
	struct carrier_request req;
	if (carrier_request_download(c, url, &req, out) < 0)
		return -1;
	return perform(&req, sink, ctx, max, out);
}
