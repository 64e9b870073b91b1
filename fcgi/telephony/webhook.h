/* What every carrier webhook does around its own work: the source
 * allow-list, the signature (before anything else), parsing the carrier's
 * parameters, answering refusals, and the attempt log. */
#ifndef VOXLINE_WEBHOOK_H
#define VOXLINE_WEBHOOK_H
#include "../request.h"
#include "carrier.h"
#include <time.h>

struct webhook {
	enum carrier carrier;
	const char *endpoint;        /* voice, status, recording */
	json_t *params;              /* carrier parameters: object of strings */
	json_t *query;               /* our own query parameters (call_id) */
	int signature_valid;
	char result[64];             /* for the attempt log */
	struct timespec t0;
};

/* Checks source, signature and parameters.  0: go on (then call
 * webhook_finish); -1: already answered (403/404/400) and logged. */
int webhook_start(struct req *rq, struct resp *rs, const char *endpoint, struct webhook *wh);
/* A carrier parameter as a string (first value of a repeated name); NULL if absent. */
const char *webhook_param(const struct webhook *wh, const char *name);
/* Our call_id query parameter when it is a well-formed uuid; NULL otherwise. */
const char *webhook_call_id(const struct webhook *wh);
/* Records the attempt (result, status, time taken) and frees wh. */
void webhook_finish(struct req *rq, struct resp *rs, struct webhook *wh, const char *result);
/* The short empty answer status-type callbacks expect. */
void webhook_ok(struct resp *rs);

#endif
