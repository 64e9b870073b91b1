#include "crypto.h"
#include "xalloc.h"
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

void
crypto_random(void *buf, size_t n)
{
	if (RAND_bytes(buf, (int)n) != 1)
		abort();    /* no safe way to continue without randomness */
}

void
crypto_sha256(const void *data, size_t n, uint8_t out[CRYPTO_SHA256_LEN])
{
	unsigned int len = 0;
	EVP_Digest(data, n, out, &len, EVP_sha256(), NULL);
}

int
crypto_hmac(const char *alg, const void *key, size_t keylen, const void *data,
    size_t n, uint8_t *out)
{
	const EVP_MD *md = strcmp(alg, "sha1") == 0 ? EVP_sha1() :
	    strcmp(alg, "sha256") == 0 ? EVP_sha256() : NULL;
	unsigned int len = 0;
	if (md == NULL || HMAC(md, key, (int)keylen, data, n, out, &len) == NULL)
		return -1;
	return (int)len;
}

int
crypto_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

char *
crypto_hex(const void *data, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = data;
	char *s = xmalloc(n * 2 + 1);
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	s[n * 2] = '\0';
	return s;
}

char *
crypto_base64(const void *data, size_t n)
{
	char *s = xmalloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)s, data, (int)n);
	return s;
}

char *
crypto_base64url(const void *data, size_t n)
{
	char *s = crypto_base64(data, n);
	size_t len = strlen(s);
	while (len && s[len - 1] == '=')
		s[--len] = '\0';
	for (char *p = s; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	return s;
}

/* Value of each base64 character; -1 for anything else. */
static const signed char b64_value[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

uint8_t *
crypto_base64_decode(const char *s, size_t *outlen)
{
	size_t len = strlen(s);
	if (len % 4 != 0)
		return NULL;
	/* Padding: one or two '=' at the very end only. */
	size_t pad = len >= 1 && s[len - 1] == '=' ? (len >= 2 && s[len - 2] == '=' ? 2 : 1) : 0;
	uint8_t *out = xmalloc(len / 4 * 3 + 1);
	size_t o = 0;
	for (size_t i = 0; i < len; i += 4) {
		int last = i + 4 == len, v[4];
		for (int k = 0; k < 4; k++) {
			v[k] = b64_value[(unsigned char)s[i + k]];
			if (v[k] < 0 && !(last && k >= 4 - (int)pad))
				goto bad;
			if (v[k] < 0)
				v[k] = 0;
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		out[o++] = (uint8_t)(w >> 16);
		out[o++] = (uint8_t)(w >> 8);
		out[o++] = (uint8_t)w;
	}
	*outlen = o - pad;
	return out;
bad:
	free(out);
	return NULL;
}

uint8_t *
crypto_base64url_decode(const char *s, size_t *outlen)
{
	size_t len = strlen(s);
	if (len % 4 == 1)
		return NULL;
	char *t = xmalloc(len + 4);
	size_t i;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (c == '+' || c == '/')
			break;
		t[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	if (i < len) {
		free(t);
		return NULL;
	}
	while (i % 4)
		t[i++] = '=';
	t[i] = '\0';
	uint8_t *out = crypto_base64_decode(t, outlen);
	free(t);
	return out;
}

char *
crypto_token(void)
{
	uint8_t raw[32];
	crypto_random(raw, sizeof raw);
	return crypto_base64url(raw, sizeof raw);
}

char *
crypto_sha256_hex(const char *s)
{
	uint8_t d[CRYPTO_SHA256_LEN];
	crypto_sha256(s, strlen(s), d);
	return crypto_hex(d, sizeof d);
}
