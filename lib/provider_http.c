#include "provider_http.h"
#include "cfg.h"
#include "xalloc.h"
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How each cloud provider authenticates, and its cheapest authenticated
 * request.  %s is the secret.  Cartesia's current API takes a bearer
 * token and its older versions X-API-Key; both are sent.  The extra
 * header's %s is the configured API version (provider_cartesia_version). */
static const struct {
	const char *provider, *auth, *extra_auth, *extra, *probe;
} auth_table[] = {
	{ "openai", "Authorization: Bearer %s", NULL, NULL, "/models" },
	{ "groq", "Authorization: Bearer %s", NULL, NULL, "/models" },
	{ "gemini", "Authorization: Bearer %s", NULL, NULL, "/models" },
	{ "openai_compatible", "Authorization: Bearer %s", NULL, NULL, "/models" },
	{ "deepgram", "Authorization: Token %s", NULL, NULL, "/v1/projects" },
	{ "elevenlabs", "xi-api-key: %s", NULL, NULL, "/v1/user" },
	{ "cartesia", "Authorization: Bearer %s", "X-API-Key: %s", "Cartesia-Version: %s", "/voices" },
	{ "assemblyai", "Authorization: %s", NULL, NULL, "/v2/transcript?limit=1" },
};

static int
auth_index(const char *provider)
{
	for (size_t i = 0; i < sizeof auth_table / sizeof auth_table[0]; i++)
		if (strcmp(auth_table[i].provider, provider) == 0)
			return (int)i;
	return -1;
}

const char *
provider_http_probe_path(const char *provider)
{
	int i = auth_index(provider);
	return i < 0 ? NULL : auth_table[i].probe;
}

struct sink {
	struct buf *buf;
	int overflow;
};

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	if (buf_append(s->buf, p, size * n) < 0) {
		s->overflow = 1;
		return 0;
	}
	return size * n;
}

/* Replaces every occurrence of secret in s with "[redacted]". */
static void
redact(char *s, size_t cap, const char *secret)
{
	size_t n = strlen(secret);
	char *hit;
	while (n > 0 && (hit = strstr(s, secret)) != NULL) {
		char rest[256];
		snprintf(rest, sizeof rest, "%s", hit + n);
		snprintf(hit, cap - (size_t)(hit - s), "[redacted]%s", rest);
	}
}

/* A provider's own error text: {"error":{"message"}}, {"error":"…"},
 * {"detail":…}, {"message":…} or {"err_msg":…}. */
static const char *
error_text(json_t *j)
{
	json_t *e = json_object_get(j, "error");
	const char *keys[] = { "message", "detail", "err_msg" };
	if (json_is_string(e))
		return json_string_value(e);
	if (json_is_object(e) && json_is_string(json_object_get(e, "message")))
		return json_string_value(json_object_get(e, "message"));
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (json_is_string(json_object_get(j, keys[i])))
			return json_string_value(json_object_get(j, keys[i]));
	return "";
}

static void
classify(struct provider_http_result *out)
{
	json_t *j = json_loadb(out->body.data ? out->body.data : "", out->body.len, 0, NULL);
	long st = out->status;
	out->err = st == 401 || st == 403 ? ERR_provider_auth_failed :
	    st == 429 ? ERR_provider_rate_limited :
	    st >= 200 && st < 300 && j ? ERR_none : ERR_provider_bad_response;
	if (out->err != ERR_none)
		snprintf(out->detail, sizeof out->detail, "HTTP %ld%s%.200s", st,
		    st >= 200 && st < 300 ? ": the answer is not JSON" : j && error_text(j)[0] ? ": " : "",
		    j ? error_text(j) : "");
	json_decref(j);
}

int
provider_http(const char *provider, const struct provider_cred *cred,
    const struct provider_http_req *req, struct provider_http_result *out)
{
	out->status = 0;
	out->err = ERR_provider_unreachable;
	out->detail[0] = '\0';
	buf_init(&out->body, req->body_max);
	int a = auth_index(provider);
	if (a < 0) {
		out->err = ERR_provider_not_configured;
		snprintf(out->detail, sizeof out->detail, "%s takes no credentials", provider);
		return -1;
	}
	size_t blen = strlen(cred->base_url);
	while (blen > 0 && cred->base_url[blen - 1] == '/')
		blen--;
	char *url = xasprintf("%.*s%s", (int)blen, cred->base_url, req->path);
	char *auth = xasprintf(auth_table[a].auth, cred->secret);
	struct curl_slist *h = curl_slist_append(NULL, auth);
	char *extra_auth = auth_table[a].extra_auth ? xasprintf(auth_table[a].extra_auth, cred->secret) : NULL;
	if (extra_auth)
		h = curl_slist_append(h, extra_auth);
	if (auth_table[a].extra) {
		char extra[128];
		snprintf(extra, sizeof extra, auth_table[a].extra, cfg_str(CFG_provider_cartesia_version));
		h = curl_slist_append(h, extra);
	}
	h = curl_slist_append(h, "Accept: application/json");
	char *ct = req->body ? xasprintf("Content-Type: %s",
	    req->content_type ? req->content_type : "application/json") : NULL;
	if (ct)
		h = curl_slist_append(h, ct);
	struct sink sink = { &out->body, 0 };
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	if (req->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, req->connect_timeout_s);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
		classify(out);
	} else if (sink.overflow) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
		out->err = ERR_provider_bad_response;
		snprintf(out->detail, sizeof out->detail, "the answer is larger than %zu bytes", req->body_max);
	} else {
		snprintf(out->detail, sizeof out->detail, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
	}
	redact(out->detail, sizeof out->detail, cred->secret);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	/* The headers held the secret. */
	memset(auth, 0, strlen(auth));
	free(auth);
	if (extra_auth) {
		memset(extra_auth, 0, strlen(extra_auth));
		free(extra_auth);
	}
	free(ct);
	free(url);
	return out->err == ERR_none ? 0 : -1;
}
