/* Blocking HTTP requests to a cloud provider with its own way of
 * authenticating (one table in provider_http.c), for the portal's "test
 * connection" and the worker's post-call transcription.  Failures are
 * mapped to the error catalog: credentials refused, not reached, rate
 * limited, or an answer that is not what the provider should send. */
#ifndef VOXLINE_PROVIDER_HTTP_H
#define VOXLINE_PROVIDER_HTTP_H
#include "buf.h"
#include "errors.h"
#include "provider_creds.h"

struct provider_http_result {
	long status;            /* HTTP status; 0 when the provider was not reached */
	enum err_code err;      /* ERR_none on a 2xx answer with a JSON body */
	char detail[256];       /* for people and logs; never holds the secret */
	struct buf body;        /* the answer (buf_free it) */
};

struct provider_http_req {
	const char *method;     /* "GET", "POST" */
	const char *path;       /* appended to the credential's base URL */
	const char *body;       /* NULL: none */
	size_t body_len;
	const char *content_type; /* of body; NULL: application/json */
	long timeout_s;         /* whole request */
	long connect_timeout_s;
	size_t body_max;        /* larger answers fail as provider_bad_response */
};

/* Runs the request with cred's base URL and secret; 0 when out->err is
 * ERR_none, else -1.  out->body is initialised either way. */
int provider_http(const char *provider, const struct provider_cred *cred,
    const struct provider_http_req *req, struct provider_http_result *out);
/* The provider's cheap authenticated request (list models, projects,
 * the user or voices); NULL for providers without one. */
const char *provider_http_probe_path(const char *provider);

#endif
