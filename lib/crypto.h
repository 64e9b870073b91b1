/* Small wrappers over OpenSSL used across the programs. */
#ifndef VOXLINE_CRYPTO_H
#define VOXLINE_CRYPTO_H
#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SHA256_LEN 32

/* Fills buf with n cryptographically random bytes; aborts if the RNG fails. */
void crypto_random(void *buf, size_t n);
void crypto_sha256(const void *data, size_t n, uint8_t out[CRYPTO_SHA256_LEN]);
/* HMAC with "sha1" or "sha256"; out must hold 64 bytes; returns length or -1. */
int crypto_hmac(const char *alg, const void *key, size_t keylen,
    const void *data, size_t n, uint8_t *out);
/* Constant-time equality of two byte strings of equal length. */
int crypto_equal(const void *a, const void *b, size_t n);

/* Encoders return a NUL-terminated malloc'd string. */
char *crypto_hex(const void *data, size_t n);
char *crypto_base64(const void *data, size_t n);
char *crypto_base64url(const void *data, size_t n);   /* no padding */
/* Decoders return a malloc'd buffer and its length, or NULL on bad input.
 * base64url accepts input with or without padding. */
uint8_t *crypto_base64_decode(const char *s, size_t *outlen);
uint8_t *crypto_base64url_decode(const char *s, size_t *outlen);
/* A random token: 32 bytes as base64url (43 chars), and its SHA-256 hex. */
char *crypto_token(void);
char *crypto_sha256_hex(const char *s);

#endif
