/* Growable byte buffer with a hard maximum fixed at creation.
 * Growth past the maximum fails (-1) and leaves the contents intact;
 * the data is always NUL-terminated for convenience. */
#ifndef VOXLINE_BUF_H
#define VOXLINE_BUF_H
#include <stddef.h>
#include <stdarg.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Hands the data to the caller (who frees it); the buffer is reset. */
char *buf_steal(struct buf *b);

#endif
