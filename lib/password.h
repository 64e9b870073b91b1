/* Password hashing with Argon2id (PHC strings), parameters from the
 * configuration.  Also generates readable random passwords. */
#ifndef VOXLINE_PASSWORD_H
#define VOXLINE_PASSWORD_H

/* Returns a malloc'd PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash). */
char *password_hash(const char *password);
/* 1 when password matches phc, 0 otherwise (including malformed phc). */
int password_verify(const char *phc, const char *password);
/* 1 when phc was made with other parameters than the configured ones. */
int password_needs_rehash(const char *phc);
/* A random password of n characters from an unambiguous alphabet. */
char *password_generate(int n);

/* As password_verify; for a missing or malformed phc (unknown user,
 * invitation not accepted) runs the same Argon2id work against a dummy
 * hash and returns 0. */
int password_verify_or_dummy(const char *phc, const char *password);
/* NULL when the password is acceptable, else a sentence saying what to
 * change (length bounds, not the email address, not one repeated
 * character).  The message lives in thread-local storage. */
const char *password_problem(const char *password, const char *email);

#endif
