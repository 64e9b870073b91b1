/* Media stream tokens: minted by voxline-web when it answers a call
 * (sent to the carrier inside the TwiML/TeXML as a stream <Parameter>
 * or URL query), checked by voxline-media before it processes a single
 * frame.  A token binds one call to its tenant and agent and expires.
 *
 *   token = base64url(payload) "." base64url(HMAC-SHA256(secret, base64url(payload)))
 *   payload = {"call_id":"…","tenant_id":"…","agent_id":"…","exp":<unix seconds>}
 *
 * The secret is the configuration key stream_token_secret. */
#ifndef VOXLINE_STREAM_TOKEN_H
#define VOXLINE_STREAM_TOKEN_H
#include <time.h>

struct stream_claims {
	char call_id[37];
	char tenant_id[37];
	char agent_id[37];
	time_t exp;
};

/* A malloc'd token valid for ttl seconds from now. */
char *stream_token_mint(const char *secret, const struct stream_claims *c, int ttl);
/* 0 when token is authentic, well formed and not expired at now;
 * -1 otherwise (no detail on purpose: all failures look alike). */
int stream_token_verify(const char *secret, const char *token, time_t now,
    struct stream_claims *out);

#endif
