/* Media stream tokens: what voxline-media accepts and refuses. */
#include "tap.h"
#include "stream_token.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
main(void)
{
	struct stream_claims c = { "11111111-1111-4111-8111-111111111111",
		"22222222-2222-4222-8222-222222222222", "33333333-3333-4333-8333-333333333333", 0 };
	const char *secret = "0123456789abcdef0123456789abcdef";
	char *t = stream_token_mint(secret, &c, 300);
	struct stream_claims out;
	memset(&out, 0, sizeof out);
	time_t now = time(NULL);

	is_int(stream_token_verify(secret, t, now, &out), 0, "a fresh token verifies");
	is(out.call_id, c.call_id, "call id comes back");
	is(out.tenant_id, c.tenant_id, "tenant id comes back");
	is(out.agent_id, c.agent_id, "agent id comes back");
	ok(out.exp >= now + 299 && out.exp <= now + 301, "expiry is ttl seconds ahead");

	is_int(stream_token_verify(secret, t, now + 301, &out), -1, "refused after expiry");
	is_int(stream_token_verify("another-secret-another-secret-xx", t, now, &out), -1,
	    "refused under another secret");

	/* Flip one character of the payload: signature no longer matches. */
	char *bad = strdup(t);
	bad[5] = bad[5] == 'A' ? 'B' : 'A';
	is_int(stream_token_verify(secret, bad, now, &out), -1, "tampered payload refused");
	free(bad);
	bad = strdup(t);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'A' ? 'B' : 'A';
	is_int(stream_token_verify(secret, bad, now, &out), -1, "tampered signature refused");
	free(bad);

	is_int(stream_token_verify(secret, "", now, &out), -1, "empty token refused");
	is_int(stream_token_verify(secret, "abc", now, &out), -1, "token without a dot refused");
	is_int(stream_token_verify(secret, NULL, now, &out), -1, "missing token refused");
	is_int(stream_token_verify("", t, now, &out), -1, "no secret configured: nothing verifies");
	char *huge = malloc(5000);
	memset(huge, 'a', 4999);
	huge[4999] = '\0';
	huge[100] = '.';
	is_int(stream_token_verify(secret, huge, now, &out), -1, "oversized token refused");
	free(huge);
	free(t);
	return done_testing();
}
