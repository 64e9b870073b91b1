#include "s3_presign.h"
#include "buf.h"
#include "crypto.h"
#include "xalloc.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define URL_MAX 8192

char *
s3_uri_encode(const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b;
	buf_init(&b, URL_MAX);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~' ||
		    (keep_slash && *p == '/');
		char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
		if ((plain ? buf_putc(&b, (char)*p) : buf_append(&b, esc, 3)) < 0) {
			buf_free(&b);
			return NULL;
		}
	}
	return buf_steal(&b);
}

static void
hmac(const void *key, size_t keylen, const char *msg, uint8_t out[64])
{
	crypto_hmac("sha256", key, keylen, msg, strlen(msg), out);
}

char *
s3_presign(const struct s3_presign *p)
{
	if (!p->method || !p->host || !*p->host || !p->path || p->path[0] != '/' || !p->region ||
	    !p->access_key || !*p->access_key || !p->secret_key || p->expires < 1 || p->expires > 604800)
		return NULL;
	char date[9], stamp[17];
	struct tm tm;
	gmtime_r(&p->now, &tm);
	strftime(date, sizeof date, "%Y%m%d", &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	char *path = s3_uri_encode(p->path, 1);
	char *scope = xasprintf("%s/%s/s3/aws4_request", date, p->region);
	char *cred = xasprintf("%s/%s", p->access_key, scope);
	char *cred_enc = s3_uri_encode(cred, 0);
	char *out = NULL;
	struct buf q, creq, sts;
	buf_init(&q, URL_MAX);
	buf_init(&creq, URL_MAX);
	buf_init(&sts, URL_MAX);
	if (path == NULL || cred_enc == NULL)
		goto done;
	/* Parameters in byte order of their names, as the canonical query wants. */
	if (buf_printf(&q, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%s&X-Amz-Date=%s"
	    "&X-Amz-Expires=%d&X-Amz-SignedHeaders=host", cred_enc, stamp, p->expires) < 0 ||
	    buf_printf(&creq, "%s\n%s\n%s\nhost:%s\n\nhost\nUNSIGNED-PAYLOAD", p->method, path,
	    q.data, p->host) < 0)
		goto done;
	uint8_t h[CRYPTO_SHA256_LEN];
	crypto_sha256(creq.data, creq.len, h);
	char *hh = crypto_hex(h, sizeof h);
	int rc = buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", stamp, scope, hh);
	free(hh);
	if (rc < 0)
		goto done;
	/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "s3"), "aws4_request") */
	char *k0 = xasprintf("AWS4%s", p->secret_key);
	uint8_t k[64], sig[64];
	hmac(k0, strlen(k0), date, k);
	hmac(k, 32, p->region, k);
	hmac(k, 32, "s3", k);
	hmac(k, 32, "aws4_request", k);
	crypto_hmac("sha256", k, 32, sts.data, sts.len, sig);
	explicit_bzero(k0, strlen(k0));
	explicit_bzero(k, sizeof k);
	free(k0);
	char *sighex = crypto_hex(sig, 32);
	if (buf_printf(&q, "&X-Amz-Signature=%s", sighex) == 0)
		out = xasprintf("%s?%s", path, q.data);
	free(sighex);
done:
	buf_free(&q), buf_free(&creq), buf_free(&sts);
	free(path), free(scope), free(cred), free(cred_enc);
	return out;
}
