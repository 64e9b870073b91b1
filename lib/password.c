#include "password.h"
#include "cfg.h"
#include "crypto.h"
#include "xalloc.h"
#include <argon2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* The hash an unknown or password-less account is checked against, so
 * that signing in as nobody costs the same Argon2id work as a wrong
 * password (no timing signal telling which addresses exist). */
static char *dummy_phc;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy(void)
{
	char *pw = password_generate(24);
	dummy_phc = password_hash(pw);
	free(pw);
}

int
password_verify_or_dummy(const char *phc, const char *password)
{
	pthread_once(&dummy_once, make_dummy);
	if (phc == NULL || strncmp(phc, "$argon2id$", 10) != 0) {
		password_verify(dummy_phc, password);
		return 0;
	}
	return password_verify(phc, password);
}

const char *
password_problem(const char *password, const char *email)
{
	static _Thread_local char msg[128];
	size_t n = 0;
	for (const char *s = password; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	long min = cfg_int(CFG_password_min_length);
	if ((long)n < min) {
		snprintf(msg, sizeof msg, "Use at least %ld characters.", min);
		return msg;
	}
	if (n > 200)
		return "Use at most 200 characters.";
	if (email && strcasecmp(password, email) == 0)
		return "Do not use your email address as your password.";
	if (strspn(password, (char[2]){ password[0], 0 }) == strlen(password))
		return "Use more than one repeated character.";
	return NULL;
}
