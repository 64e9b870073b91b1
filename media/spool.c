#include "spool.h"
#include "xalloc.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
spool_append(const char *path, const char *line)
{
	size_t n = strlen(line);
	if (n == 0 || n > SPOOL_MAX_RECORD || memchr(line, '\n', n))
		return -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	int rc = write_all(fd, line, n) == 0 && write_all(fd, "\n", 1) == 0 && fsync(fd) == 0 ? 0 : -1;
	close(fd);
	return rc;
}

/* Reads the whole file (bounded); NULL if absent or unreadable. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	struct buf_s { char *d; size_t n, cap; } b = { NULL, 0, 0 };
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.n + got + 1 > b.cap) {
			b.cap = (b.n + got + 1) * 2;
			b.d = xrealloc(b.d, b.cap);
		}
		memcpy(b.d + b.n, chunk, got);
		b.n += got;
	}
	int err = ferror(f);
	fclose(f);
	if (err) {
		free(b.d);
		return NULL;
	}
	if (b.d == NULL)
		b.d = xcalloc(1, 1);
	b.d[b.n] = 0;
	*len = b.n;
	return b.d;
}

long
spool_count(const char *path)
{
	size_t len;
	char *d = slurp(path, &len);
	if (d == NULL)
		return 0;
	long n = 0;
	for (size_t i = 0; i < len; i++)
		n += d[i] == '\n';
	free(d);
	return n;
}

/* Keeps the records from `rest` on: written to a temporary file, fsync'd,
 * renamed over the spool (atomic), directory fsync'd. */
static int
keep_rest(const char *path, const char *rest, size_t n)
{
	if (n == 0)
		return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
	char *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = -1;
	if (fd >= 0) {
		rc = write_all(fd, rest, n) == 0 && fsync(fd) == 0 ? 0 : -1;
		close(fd);
		if (rc == 0)
			rc = rename(tmp, path);
	}
	free(tmp);
	return rc;
}

long
spool_replay(const char *path, int (*apply)(const char *line, void *arg), void *arg)
{
	size_t len;
	char *d = slurp(path, &len);
	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	long applied = 0;
	char *p = d, *end = d + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			p = end;          /* torn tail: never completed, never acknowledged */
			break;
		}
		*nl = 0;
		if (nl > p && apply(p, arg) != 0) {
			*nl = '\n';
			break;
		}
		applied++;
		p = nl + 1;
	}
	long rc = keep_rest(path, p, (size_t)(end - p)) == 0 ? applied : -1;
	free(d);
	return rc;
}
