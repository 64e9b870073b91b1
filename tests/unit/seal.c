/* Sealed secrets: what opens, and everything that must not. */
#include "tap.h"
#include "crypto.h"
#include "seal.h"
#include <stdlib.h>
#include <string.h>

static const char aad_a[] = "provider_credentials:11111111-1111-4111-8111-111111111111:openai";
static const char aad_b[] = "provider_credentials:22222222-2222-4222-8222-222222222222:openai";

/* Replaces the byte at raw offset i of a sealed value's payload. */
static char *
flip(const char *sealed, size_t i)
{
	size_t n = 0;
	uint8_t *raw = crypto_base64_decode(sealed + 3, &n);
	raw[i % n] ^= 0x01;
	char *b64 = crypto_base64(raw, n);
	size_t len = strlen(b64) + 4;
	char *s = malloc(len);
	memcpy(s, "v1:", 3);
	memcpy(s + 3, b64, strlen(b64) + 1);
	free(b64);
	free(raw);
	return s;
}

int
main(void)
{
	uint8_t key[SEAL_KEY_LEN], other[SEAL_KEY_LEN];
	char *b64 = crypto_base64((const uint8_t *)"0123456789abcdef0123456789abcdef", 32);
	is_int(seal_key_parse(b64, key), 0, "a base64 key of 32 bytes is accepted");
	free(b64);
	is_int(seal_key_parse("", key), -1, "an empty key is refused");
	is_int(seal_key_parse("c2hvcnQ=", key), -1, "a key of the wrong length is refused");
	is_int(seal_key_parse("not base64!", key), -1, "a key that is not base64 is refused");
	memcpy(other, key, sizeof other);
	other[0] ^= 0x80;

	const char *secret = "sk-test-0123456789abcdef";
	char *s = seal_encrypt(key, aad_a, secret);
	ok(s != NULL && strncmp(s, "v1:", 3) == 0, "sealed value is versioned v1:");
	unlike(s, "sk-test", "sealed value does not contain the secret");
	char out[256];
	is_int(seal_open(key, aad_a, s, out, sizeof out), (long long)strlen(secret), "round trip length");
	is(out, secret, "round trip gives the secret back");

	char *s2 = seal_encrypt(key, aad_a, secret);
	ok(strcmp(s, s2) != 0, "the same secret seals differently each time (random nonce)");
	free(s2);

	is_int(seal_open(other, aad_a, s, out, sizeof out), -1, "wrong key does not open");
	is_int(seal_open(key, aad_b, s, out, sizeof out), -1, "moved to another row (other AAD) does not open");
	is_int(seal_open(key, "", s, out, sizeof out), -1, "empty AAD does not open");

	size_t n = 0;
	uint8_t *raw = crypto_base64_decode(s + 3, &n);
	free(raw);
	int tampered_ok = 1;
	for (size_t i = 0; i < n; i++) {
		char *t = flip(s, i);
		if (seal_open(key, aad_a, t, out, sizeof out) != -1)
			tampered_ok = 0;
		free(t);
	}
	ok(tampered_ok, "flipping any single byte (nonce, ciphertext or tag) is detected");

	char *cut = strdup(s);
	cut[strlen(cut) - 4] = '\0';
	is_int(seal_open(key, aad_a, cut, out, sizeof out), -1, "truncated value refused");
	free(cut);
	is_int(seal_open(key, aad_a, s + 3, out, sizeof out), -1, "value without version prefix refused");
	is_int(seal_open(key, aad_a, "v2:AAAA", out, sizeof out), -1, "unknown version refused");
	is_int(seal_open(key, aad_a, "v1:", out, sizeof out), -1, "empty payload refused");
	is_int(seal_open(key, aad_a, "v1:AAAAAAAAAAAAAAAA", out, sizeof out), -1,
	    "payload shorter than nonce and tag refused");
	is_int(seal_open(key, aad_a, "v1:!!!!", out, sizeof out), -1, "payload that is not base64 refused");
	is_int(seal_open(key, aad_a, NULL, out, sizeof out), -1, "missing value refused");
	is_int(seal_open(key, aad_a, s, out, 5), -1, "output buffer too small refused");
	char *huge = malloc(20000);
	memcpy(huge, "v1:", 3);
	memset(huge + 3, 'A', 19996);
	huge[19999] = '\0';
	is_int(seal_open(key, aad_a, huge, out, sizeof out), -1, "oversized value refused");
	free(huge);

	char *empty = seal_encrypt(key, aad_a, "");
	is_int(seal_open(key, aad_a, empty, out, sizeof out), 0, "an empty secret round-trips");
	free(empty);
	char *big = malloc(SEAL_MAX_PLAINTEXT + 2);
	memset(big, 'x', SEAL_MAX_PLAINTEXT + 1);
	big[SEAL_MAX_PLAINTEXT + 1] = '\0';
	ok(seal_encrypt(key, aad_a, big) == NULL, "plaintext over the limit is not sealed");
	free(big);
	free(s);
	return done_testing();
}
