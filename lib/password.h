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

#endif
