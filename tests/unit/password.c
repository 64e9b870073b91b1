/* Passwords: Argon2id PHC strings with the configured cost, verification,
 * upgrade detection when the configured cost changes, and generated
 * passwords. */
#include "tap.h"
#include "cfg.h"
#include "password.h"
#include "fcgi/web.h"

#include <stdlib.h>



static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* $argon2id$v=19$m=M,t=T,p=P$ + 22-char salt + $ + 43-char hash. */
static int
phc_shape(const char *phc, const char *params)
{
	size_t n = strlen(params);
	if (strncmp(phc, params, n) != 0)
		return 0;
	const char *salt = phc + n, *dollar = strchr(salt, '$');
	return dollar && dollar - salt == 22 && strspn(salt, b64chars) == 22 &&
	    strlen(dollar + 1) == 43 && strspn(dollar + 1, b64chars) == 43;
}

int
main(void)
{
	char err[256];
	unsetenv("VOXLINE_CONFIG");
	unsetenv("VOXLINE_PASSWORD_ARGON2_T_COST");
	unsetenv("VOXLINE_PASSWORD_ARGON2_M_KIB");
	unsetenv("VOXLINE_PASSWORD_ARGON2_PARALLELISM");
	is_int(cfg_load(NULL, err, sizeof err), 0, "default configuration loads");

	char *h1 = password_hash("correct horse battery staple");
	ok(strncmp(h1, "$argon2id$v=19$m=65536,t=3,p=1$", 31) == 0,
	    "hash is $argon2id$v=19$m=65536,t=3,p=1$... with the configured cost");
	ok(phc_shape(h1, "$argon2id$v=19$m=65536,t=3,p=1$"), "hash has a 16-byte salt and a 32-byte hash");
	unlike(h1, "correct horse", "the hash does not contain the password");
	char *h2 = password_hash("correct horse battery staple");
	ok(strcmp(h1, h2) != 0, "hashing the same password twice gives different strings (random salt)");

	is_int(password_verify(h1, "correct horse battery staple"), 1, "verify: the right password");
	is_int(password_verify(h2, "correct horse battery staple"), 1, "verify: the right password, second hash");
	is_int(password_verify(h1, "correct horse battery stapl"), 0, "verify: a wrong password");
	is_int(password_verify(h1, "Correct horse battery staple"), 0, "verify: case matters");
	is_int(password_verify(h1, ""), 0, "verify: the empty password");
	is_int(password_verify(NULL, "x"), 0, "verify: a NULL hash is false");
	is_int(password_verify("", "x"), 0, "verify: an empty hash is false");
	is_int(password_verify("not a hash", "x"), 0, "verify: garbage is false");
	is_int(password_verify("$argon2id$v=19$m=65536,t=3,p=1$", "x"), 0, "verify: a truncated hash is false");
	char *argon2i = strdup(h1);
	memmove(argon2i + 8, argon2i + 9, strlen(argon2i + 9) + 1);   /* $argon2i$... */
	is_int(password_verify(argon2i, "correct horse battery staple"), 0,
	    "verify: only argon2id hashes are accepted");
	free(argon2i);
	char *tampered = strdup(h1);
	size_t tl = strlen(tampered);
	tampered[tl - 2] = tampered[tl - 2] == 'A' ? 'B' : 'A';
	is_int(password_verify(tampered, "correct horse battery staple"), 0, "verify: a tampered hash is false");
	free(tampered);

	char *empty = password_hash("");
	is_int(password_verify(empty, ""), 1, "the empty password hashes and verifies");
	is_int(password_verify(empty, " "), 0, "and only itself");
	free(empty);

	/* Upgrade detection. */
	is_int(password_needs_rehash(h1), 0, "a fresh hash does not need rehashing");
	is_int(password_needs_rehash(NULL), 1, "a missing hash needs rehashing");
	is_int(password_needs_rehash("$2y$10$abcdefghijklmnopqrstuv"), 1, "a non-argon2id hash needs rehashing");
	is_int(password_needs_rehash("$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA"), 1,
	    "other parallelism needs rehashing");
	is_int(password_needs_rehash("$argon2id$v=19$m=32768,t=3,p=1$c2FsdA$aGFzaA"), 1,
	    "other memory cost needs rehashing");

	setenv("VOXLINE_PASSWORD_ARGON2_T_COST", "2", 1);
	is_int(cfg_load(NULL, err, sizeof err), 0, "configuration with t_cost 2 loads");
	is_int(cfg_int(CFG_password_argon2_t_cost), 2, "t_cost is now 2");
	is_int(password_needs_rehash(h1), 1, "after the configured cost changes the old hash needs rehashing");
	is_int(password_verify(h1, "correct horse battery staple"), 1,
	    "the old hash still verifies under the new configuration");
	char *h3 = password_hash("correct horse battery staple");
	ok(strncmp(h3, "$argon2id$v=19$m=65536,t=2,p=1$", 31) == 0, "a new hash uses t=2");
	is_int(password_needs_rehash(h3), 0, "the new hash does not need rehashing");
	is_int(password_verify(h3, "correct horse battery staple"), 1, "the new hash verifies");
	unsetenv("VOXLINE_PASSWORD_ARGON2_T_COST");
	cfg_load(NULL, err, sizeof err);
	is_int(password_needs_rehash(h3), 1, "back at t=3 the t=2 hash needs rehashing");
	is_int(password_needs_rehash(h1), 0, "and the t=3 hash does not");
	free(h1);
	free(h2);
	free(h3);

	/* Generated passwords. */
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	char *g = password_generate(16);
	is_int(strlen(g), 16, "password_generate(16) has 16 characters");
	is_int(strspn(g, alphabet), 16, "every character comes from the unambiguous alphabet");
	char *g2 = password_generate(16);
	ok(strcmp(g, g2) != 0, "two generated passwords differ");
	free(g);
	free(g2);
	g = password_generate(0);
	is(g, "", "password_generate(0) is empty");
	free(g);
	g = password_generate(4000);
	is_int(strlen(g), 4000, "a long generated password has the asked length");
	is_int(strspn(g, alphabet), 4000, "a long password uses only the alphabet");
	ok(strpbrk(g, "0O1lIi") == NULL, "no ambiguous characters (0 O 1 l I i)");
	int missing = 0;
	for (const char *a = alphabet; *a; a++)
		missing += strchr(g, *a) == NULL;
	is_int(missing, 0, "every alphabet character appears in 4000 generated characters");
	free(g);

	return done_testing();
}
