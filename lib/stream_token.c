#include "stream_token.h"
#include "crypto.h"
#include "xalloc.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_TOKEN_MAX 1024

static char *
signature(const char *secret, const char *payload64)
{
	uint8_t mac[64];
	int n = crypto_hmac("sha256", secret, strlen(secret), payload64, strlen(payload64), mac);
	return n < 0 ? NULL : crypto_base64url(mac, (size_t)n);
}

char *
stream_token_mint(const char *secret, const struct stream_claims *c, int ttl)
{
	json_t *j = json_pack("{s:s,s:s,s:s,s:I}", "call_id", c->call_id, "tenant_id",
	    c->tenant_id, "agent_id", c->agent_id, "exp", (json_int_t)(time(NULL) + ttl));
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	char *p64 = crypto_base64url(text, strlen(text));
	char *sig = signature(secret, p64);
	char *token = xasprintf("%s.%s", p64, sig ? sig : "");
	free(text);
	free(p64);
	free(sig);
	return token;
}

static int
copy_id(char *dst, size_t n, json_t *v)
{
	const char *s = json_string_value(v);
	if (s == NULL || strlen(s) >= n)
		return -1;
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

int
stream_token_verify(const char *secret, const char *token, time_t now,
    struct stream_claims *out)
{
	if (token == NULL || strlen(token) > STREAM_TOKEN_MAX || secret == NULL || !*secret)
		return -1;
	const char *dot = strchr(token, '.');
	if (dot == NULL)
		return -1;
	char *p64 = xstrndup(token, (size_t)(dot - token));
	char *want = signature(secret, p64);
	int rc = -1;
	json_t *j = NULL;
	uint8_t *payload = NULL;
	size_t len;
	if (want == NULL || strlen(want) != strlen(dot + 1) ||
	    !crypto_equal(want, dot + 1, strlen(want)))
		goto out;
	if ((payload = crypto_base64url_decode(p64, &len)) == NULL ||
	    (j = json_loadb((const char *)payload, len, 0, NULL)) == NULL)
		goto out;
	json_t *exp = json_object_get(j, "exp");
	if (!json_is_integer(exp) || (time_t)json_integer_value(exp) < now)
		goto out;
	if (copy_id(out->call_id, sizeof out->call_id, json_object_get(j, "call_id")) < 0 ||
	    copy_id(out->tenant_id, sizeof out->tenant_id, json_object_get(j, "tenant_id")) < 0 ||
	    copy_id(out->agent_id, sizeof out->agent_id, json_object_get(j, "agent_id")) < 0)
		goto out;
	out->exp = (time_t)json_integer_value(exp);
	rc = 0;
out:
	json_decref(j);
	free(payload);
	free(want);
	free(p64);
	return rc;
}
