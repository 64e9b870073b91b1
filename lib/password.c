#include "password.h"
#include "cfg.h"
#include "crypto.h"
#include "xalloc.h"
#include <argon2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SALT_LEN 16
#define HASH_LEN 32

struct params { uint32_t t, m, p; };

static struct params
configured(void)
{
	return (struct params){ (uint32_t)cfg_int(CFG_password_argon2_t_cost),
		(uint32_t)cfg_int(CFG_password_argon2_m_kib),
		(uint32_t)cfg_int(CFG_password_argon2_parallelism) };
}

char *
password_hash(const char *password)
{
	struct params p = configured();
	uint8_t salt[SALT_LEN];
	crypto_random(salt, sizeof salt);
	size_t len = argon2_encodedlen(p.t, p.m, p.p, SALT_LEN, HASH_LEN, Argon2_id);
	char *out = xmalloc(len);
	if (argon2id_hash_encoded(p.t, p.m, p.p, password, strlen(password), salt,
	    SALT_LEN, HASH_LEN, out, len) != ARGON2_OK)
		abort();    /* only on invalid parameters, which cfg bounds rule out */
	return out;
}

int
password_verify(const char *phc, const char *password)
{
	if (phc == NULL || strncmp(phc, "$argon2id$", 10) != 0)
		return 0;
	return argon2id_verify(phc, password, strlen(password)) == ARGON2_OK;
}

int
password_needs_rehash(const char *phc)
{
	struct params p = configured();
	unsigned m, t, par;
	if (phc == NULL || sscanf(phc, "$argon2id$v=19$m=%u,t=%u,p=%u$", &m, &t, &par) != 3)
		return 1;
	return m != p.m || t != p.t || par != p.p;
}

char *
password_generate(int n)
{
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	char *s = xmalloc((size_t)n + 1);
	for (int i = 0; i < n; i++) {
		unsigned char r;
		do
			crypto_random(&r, 1);
		while (r >= 256 - 256 % (sizeof alphabet - 1));  /* no modulo bias */
		s[i] = alphabet[r % (sizeof alphabet - 1)];
	}
	s[n] = '\0';
	return s;
}
