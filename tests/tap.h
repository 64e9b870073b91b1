/* Minimal TAP producer for unit tests run by prove.
 * plan(n) or done_testing(); ok/is/is_int/like; skip; diag. */
#ifndef VOXLINE_TAP_H
#define VOXLINE_TAP_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed, tap_planned;

static inline void
plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

static inline void
diag(const char *msg)
{
	printf("# %s\n", msg);
}

static inline int
ok_at(int cond, const char *file, int line, const char *name)
{
	tap_n++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
	if (!cond) {
		tap_failed++;
		printf("#   Failed test '%s'\n#   at %s line %d.\n", name, file, line);
	}
	return cond;
}
#define ok(cond, name) ok_at(!!(cond), __FILE__, __LINE__, (name))

static inline int
is_at(const char *got, const char *want, const char *file, int line, const char *name)
{
	int cond = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);
	ok_at(cond, file, line, name);
	if (!cond)
		printf("#          got: '%s'\n#     expected: '%s'\n",
		    got ? got : "(null)", want ? want : "(null)");
	return cond;
}
#define is(got, want, name) is_at((got), (want), __FILE__, __LINE__, (name))

static inline int
is_int_at(long long got, long long want, const char *file, int line, const char *name)
{
	int cond = got == want;
	ok_at(cond, file, line, name);
	if (!cond)
		printf("#          got: %lld\n#     expected: %lld\n", got, want);
	return cond;
}
#define is_int(got, want, name) is_int_at((long long)(got), (long long)(want), __FILE__, __LINE__, (name))

/* Substring match: enough for checking rendered output. */
static inline int
like_at(const char *got, const char *needle, const char *file, int line, const char *name)
{
	int cond = got != NULL && strstr(got, needle) != NULL;
	ok_at(cond, file, line, name);
	if (!cond)
		printf("#   '%s'\n#   does not contain '%s'\n", got ? got : "(null)", needle);
	return cond;
}
#define like(got, needle, name) like_at((got), (needle), __FILE__, __LINE__, (name))
#define unlike(got, needle, name) ok((got) != NULL && strstr((got), (needle)) == NULL, (name))

static inline void
skip(int n, const char *why)
{
	for (int i = 0; i < n; i++)
		printf("ok %d # skip %s\n", ++tap_n, why);
}

static inline int
done_testing(void)
{
	if (!tap_planned)
		printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
