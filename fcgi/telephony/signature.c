#include "signature.h"
#include "../request.h"
#include "buf.h"
#include "crypto.h"
#include "xalloc.h"
#include <openssl/evp.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SIG_MAX_MESSAGE (8u << 20)

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Values of one name in signing order. */
static int
append_values(struct buf *m, const char *name, json_t *v, enum sig_order order)
{
	if (json_is_string(v))
		return buf_puts(m, name) < 0 || buf_puts(m, json_string_value(v)) < 0 ? -1 : 0;
	size_t n = json_array_size(v);
	const char **vals = xcalloc(n ? n : 1, sizeof *vals);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (json_is_string(json_array_get(v, i)))
			vals[k++] = json_string_value(json_array_get(v, i));
	if (order == SIG_TWILIO_ORDER)
		qsort(vals, k, sizeof *vals, cmp_str);
	int rc = 0;
	for (size_t i = 0; i < k && rc == 0; i++) {
		if (order == SIG_TWILIO_ORDER && i > 0 && strcmp(vals[i], vals[i - 1]) == 0)
			continue;
		rc = buf_puts(m, name) < 0 || buf_puts(m, vals[i]) < 0 ? -1 : 0;
	}
	free(vals);
	return rc;
}

char *
sig_hmac_compute(const char *key, const char *url, json_t *params, enum sig_order order)
{
	struct buf m;
	buf_init(&m, SIG_MAX_MESSAGE);
	int rc = buf_puts(&m, url);
	size_t n = json_object_size(params);
	const char **names = xcalloc(n ? n : 1, sizeof *names);
	size_t k = 0;
	const char *name;
	json_t *v;
	json_object_foreach(params, name, v)
		names[k++] = name;
	qsort(names, k, sizeof *names, cmp_str);
	for (size_t i = 0; i < k && rc == 0; i++)
		rc = append_values(&m, names[i], json_object_get(params, names[i]), order);
	free(names);
	char *out = NULL;
	uint8_t mac[64];
	int len;
	if (rc == 0 && (len = crypto_hmac("sha1", key, strlen(key), m.data, m.len, mac)) > 0)
		out = crypto_base64(mac, (size_t)len);
	buf_free(&m);
	return out;
}

/* Splits url into scheme "://" [userinfo@] host [":" port] rest. */
struct url_parts {
	const char *scheme; size_t scheme_len;
	const char *host; size_t host_len;        /* userinfo included */
	const char *port; size_t port_len;
	const char *rest;
};

static int
url_split(const char *url, struct url_parts *u)
{
	const char *p = strstr(url, "://");
	if (p == NULL || p == url)
		return -1;
	u->scheme = url;
	u->scheme_len = (size_t)(p - url);
	u->host = p + 3;
	size_t auth = strcspn(u->host, "/?#");
	u->rest = u->host + auth;
	/* The host proper follows any userinfo; an IPv6 literal is bracketed. */
	const char *hp = u->host;
	for (const char *c = u->host; c < u->rest; c++)
		if (*c == '@')
			hp = c + 1;
	const char *colon = NULL;
	for (const char *c = hp; c < u->rest; c++)
		if (*c == ':')
			colon = c;
		else if (*c == ']')
			colon = NULL;
	size_t plen = colon ? (size_t)(u->rest - colon - 1) : 0;
	if (colon && plen > 0 && strspn(colon + 1, "0123456789") >= plen) {
		u->host_len = (size_t)(colon - u->host);
		u->port = colon + 1;
		u->port_len = plen;
	} else {
		u->host_len = auth;
		u->port = NULL;
		u->port_len = 0;
	}
	return 0;
}

static void
add_variant(char *out[3], int *n, char *s)
{
	for (int i = 0; i < *n; i++)
		if (strcmp(out[i], s) == 0) {
			free(s);
			return;
		}
	out[(*n)++] = s;
}

int
sig_url_variants(const char *url, char *out[3])
{
	int n = 0;
	out[n++] = xstrdup(url);
	struct url_parts u;
	if (url_split(url, &u) < 0)
		return n;
	const char *def = u.scheme_len == 5 && strncasecmp(u.scheme, "https", 5) == 0 ? "443" :
	    u.scheme_len == 4 && strncasecmp(u.scheme, "http", 4) == 0 ? "80" : NULL;
	add_variant(out, &n, xasprintf("%.*s://%.*s%s", (int)u.scheme_len, u.scheme,
	    (int)u.host_len, u.host, u.rest));
	if (u.port == NULL && def)
		add_variant(out, &n, xasprintf("%.*s://%.*s:%s%s", (int)u.scheme_len, u.scheme,
		    (int)u.host_len, u.host, def, u.rest));
	return n;
}

static int
equal_str(const char *a, const char *b)
{
	size_t n = strlen(a);
	return n == strlen(b) && crypto_equal(a, b, n);
}

/* The value of bodySHA256 in url's query, or NULL (malloc'd). */
static char *
body_sha_param(const char *url)
{
	const char *q = strchr(url, '?');
	while (q) {
		q++;
		if (strncmp(q, "bodySHA256=", 11) == 0)
			return xstrndup(q + 11, strcspn(q + 11, "&#"));
		q = strchr(q, '&');
	}
	return NULL;
}

static int
content_is_form(const char *ct)
{
	static const char form[] = "application/x-www-form-urlencoded";
	return ct && strncasecmp(ct, form, sizeof form - 1) == 0 &&
	    (ct[sizeof form - 1] == '\0' || ct[sizeof form - 1] == ';' || ct[sizeof form - 1] == ' ');
}

int
sig_hmac_valid(const char *key, const char *url, const char *content_type, const char *body,
    size_t body_len, const char *header, enum sig_order order)
{
	if (key == NULL || *key == '\0' || header == NULL || *header == '\0' || url == NULL)
		return 0;
	json_t *params = json_object();
	char *want_sha = body_sha_param(url);
	int valid = 0;
	if (want_sha) {
		/* Non-form body: the URL (with bodySHA256) is signed alone and
		 * the hash must match the exact bytes received. */
		uint8_t h[CRYPTO_SHA256_LEN];
		crypto_sha256(body ? body : "", body_len, h);
		char *hex = crypto_hex(h, sizeof h);
		int hash_ok = strlen(want_sha) == 64 && equal_str(hex, want_sha);
		free(hex);
		if (!hash_ok)
			goto out;
	} else if (body_len > 0) {
		if (!content_is_form(content_type) ||
		    req_parse_urlencoded(body, body_len, params) < 0)
			goto out;
	}
	char *urls[3];
	int n = sig_url_variants(url, urls);
	for (int i = 0; i < n; i++) {
		char *sig = sig_hmac_compute(key, urls[i], params, order);
		if (sig && equal_str(sig, header))
			valid = 1;
		free(sig);
		free(urls[i]);
	}
out:
	free(want_sha);
	json_decref(params);
	return valid;
}

int
sig_signalwire_hex_valid(const char *key, const char *url, const char *body, size_t body_len,
    const char *hex_header)
{
	if (key == NULL || *key == '\0' || hex_header == NULL || url == NULL)
		return 0;
	struct buf m;
	buf_init(&m, SIG_MAX_MESSAGE);
	int valid = 0;
	uint8_t mac[64];
	int len;
	if (buf_puts(&m, url) == 0 && buf_append(&m, body ? body : "", body_len) == 0 &&
	    (len = crypto_hmac("sha1", key, strlen(key), m.data, m.len, mac)) > 0) {
		char *hex = crypto_hex(mac, (size_t)len);
		char lower[128];
		size_t n = strlen(hex_header);
		if (n < sizeof lower) {
			for (size_t i = 0; i <= n; i++)
				lower[i] = (char)tolower((unsigned char)hex_header[i]);
			valid = equal_str(hex, lower);
		}
		free(hex);
	}
	buf_free(&m);
	return valid;
}

int
sig_telnyx_valid(const char *public_key_b64, const char *timestamp, const char *sig_b64,
    const char *body, size_t body_len, time_t now, long tolerance)
{
	if (!public_key_b64 || !*public_key_b64 || !timestamp || !sig_b64)
		return 0;
	size_t tlen = strlen(timestamp);
	if (tlen == 0 || tlen > 12 || strspn(timestamp, "0123456789") != tlen)
		return 0;
	long long ts = strtoll(timestamp, NULL, 10);
	if (tolerance > 0 && (ts > (long long)now + tolerance || ts < (long long)now - tolerance))
		return 0;
	size_t klen = 0, slen = 0;
	uint8_t *key = crypto_base64_decode(public_key_b64, &klen);
	uint8_t *sig = crypto_base64_decode(sig_b64, &slen);
	int valid = 0;
	EVP_PKEY *pk = NULL;
	EVP_MD_CTX *ctx = NULL;
	struct buf m;
	buf_init(&m, SIG_MAX_MESSAGE);
	if (key == NULL || sig == NULL || klen != 32 || slen != 64)
		goto out;
	if (buf_append(&m, timestamp, tlen) < 0 || buf_putc(&m, '|') < 0 ||
	    buf_append(&m, body ? body : "", body_len) < 0)
		goto out;
	pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key, klen);
	ctx = EVP_MD_CTX_new();
	if (pk && ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) == 1)
		valid = EVP_DigestVerify(ctx, sig, slen, (const unsigned char *)m.data, m.len) == 1;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	buf_free(&m);
	free(key);
	free(sig);
	return valid;
}
