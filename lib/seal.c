#include "seal.h"
#include "crypto.h"
#include "xalloc.h"
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define NONCE_LEN 12
#define TAG_LEN 16
#define PREFIX "v1:"

int
seal_key_parse(const char *b64, uint8_t key[SEAL_KEY_LEN])
{
	size_t n = 0;
	uint8_t *raw = b64 && b64[0] ? crypto_base64_decode(b64, &n) : NULL;
	int ok = raw != NULL && n == SEAL_KEY_LEN;
	if (ok)
		memcpy(key, raw, SEAL_KEY_LEN);
	if (raw) {
		memset(raw, 0, n);
		free(raw);
	}
	return ok ? 0 : -1;
}

/* One GCM pass: encrypts (enc 1) or decrypts (enc 0) in into out; when
 * decrypting, tag is checked.  0 or -1. */
static int
gcm(int enc, const uint8_t *key, const uint8_t *nonce, const char *aad, const uint8_t *in,
    size_t n, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, ok = c != NULL &&
	    EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
	    EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) == 1 &&
	    EVP_CipherUpdate(c, NULL, &len, (const uint8_t *)aad, (int)strlen(aad)) == 1 &&
	    (n == 0 || EVP_CipherUpdate(c, out, &len, in, (int)n) == 1) &&
	    (enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1) &&
	    EVP_CipherFinal_ex(c, out + (n == 0 ? 0 : len), &len) == 1 &&
	    (!enc || EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

char *
seal_encrypt(const uint8_t key[SEAL_KEY_LEN], const char *aad, const char *plaintext)
{
	size_t n = strlen(plaintext);
	if (n > SEAL_MAX_PLAINTEXT)
		return NULL;
	uint8_t *raw = xmalloc(NONCE_LEN + n + TAG_LEN);
	crypto_random(raw, NONCE_LEN);
	char *sealed = NULL;
	if (gcm(1, key, raw, aad, (const uint8_t *)plaintext, n, raw + NONCE_LEN,
	    raw + NONCE_LEN + n) == 0) {
		char *b64 = crypto_base64(raw, NONCE_LEN + n + TAG_LEN);
		size_t len = strlen(PREFIX) + strlen(b64) + 1;
		sealed = xmalloc(len);
		memcpy(sealed, PREFIX, strlen(PREFIX));
		memcpy(sealed + strlen(PREFIX), b64, strlen(b64) + 1);
		free(b64);
	}
	memset(raw, 0, NONCE_LEN + n + TAG_LEN);
	free(raw);
	return sealed;
}

int
seal_open(const uint8_t key[SEAL_KEY_LEN], const char *aad, const char *sealed, char *out,
    size_t outlen)
{
	if (sealed == NULL || strncmp(sealed, PREFIX, strlen(PREFIX)) != 0 ||
	    strlen(sealed) > strlen(PREFIX) + 4 * ((NONCE_LEN + SEAL_MAX_PLAINTEXT + TAG_LEN + 2) / 3))
		return -1;
	size_t n = 0;
	uint8_t *raw = crypto_base64_decode(sealed + strlen(PREFIX), &n);
	if (raw == NULL)
		return -1;
	int rc = -1;
	if (n < NONCE_LEN + TAG_LEN || n - NONCE_LEN - TAG_LEN + 1 > outlen)
		goto out;
	size_t clen = n - NONCE_LEN - TAG_LEN;
	if (gcm(0, key, raw, aad, raw + NONCE_LEN, clen, (uint8_t *)out, raw + NONCE_LEN + clen) < 0) {
		memset(out, 0, clen);
		goto out;
	}
	out[clen] = '\0';
	/* A secret is text: an embedded NUL would silently truncate it. */
	rc = memchr(out, '\0', clen) ? -1 : (int)clen;
	if (rc < 0)
		memset(out, 0, clen);
out:
	free(raw);
	return rc;
}
