/* From a filled struct req to a finished struct resp: path decoding,
 * routing, parsing, declared-field validation, the handler, and the
 * headers every response carries.  No FastCGI here, so unit tests and
 * fuzzers drive it directly. */
#ifndef VOXLINE_DISPATCH_H
#define VOXLINE_DISPATCH_H
#include "request.h"

/* raw_path: REQUEST_URI's path part, still percent-encoded. */
void dispatch(struct req *rq, struct resp *rs, const char *raw_path);
/* Sets rq->correlation_id from the proxy's id when it is well formed,
 * else from fresh random bytes. */
void dispatch_correlation_id(struct req *rq, const char *from_proxy);
/* Registers the request metrics (once, before threads start). */
void dispatch_metrics_init(void);

#endif
