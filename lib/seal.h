/* Secrets at rest: AES-256-GCM with a random 12-byte nonce and
 * associated data that names where the secret belongs, so a sealed
 * value copied to another row no longer opens.
 *
 *   sealed = "v1:" base64(nonce[12] | ciphertext | tag[16])
 *
 * The key is the configuration key credentials_key (base64 of 32 random
 * bytes). */
#ifndef VOXLINE_SEAL_H
#define VOXLINE_SEAL_H
#include <stddef.h>
#include <stdint.h>

#define SEAL_KEY_LEN 32
/* Largest plaintext sealed or opened. */
#define SEAL_MAX_PLAINTEXT 4096

/* 0 when b64 decodes to exactly SEAL_KEY_LEN bytes, else -1. */
int seal_key_parse(const char *b64, uint8_t key[SEAL_KEY_LEN]);
/* A malloc'd sealed string, or NULL (plaintext too long, cipher error). */
char *seal_encrypt(const uint8_t key[SEAL_KEY_LEN], const char *aad, const char *plaintext);
/* Opens sealed into out (NUL-terminated); returns the plaintext length,
 * or -1 when it is malformed, was sealed under another key or other
 * associated data, was altered, or does not fit in outlen. */
int seal_open(const uint8_t key[SEAL_KEY_LEN], const char *aad, const char *sealed,
    char *out, size_t outlen);

#endif
