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

uint8_t *
crypto_base64_decode(const char *s, size_t *outlen)
{
	size_t len = strlen(s);
	if (len % 4 != 0)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int pad_ok = c == '=' && i >= len - 2 && (i == len - 1 || s[len - 1] == '=');
		if (!(c == '+' || c == '/' || (c >= '0' && c <= '9') ||
		    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || pad_ok))
			return NULL;
	}
	uint8_t *out = xmalloc(len / 4 * 3 + 1);
	int n = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	if (n < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts padding as zero bytes. */
	if (len >= 1 && s[len - 1] == '=')
		n--;
	if (len >= 2 && s[len - 2] == '=')
		n--;
	*outlen = (size_t)n;
	return out;
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
