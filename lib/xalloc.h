/* One allocation policy for the whole project: failure aborts.
 * Running out of memory is not a recoverable condition for a server
 * process here; every caller can then treat the result as valid. */
#ifndef VOXLINE_XALLOC_H
#define VOXLINE_XALLOC_H
#include <stddef.h>
#include <stdarg.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Formatted allocation (vsnprintf sized twice; never truncates). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

#endif
