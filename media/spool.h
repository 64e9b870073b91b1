/* The writer's disk spool: results that could not reach PostgreSQL are
 * appended as JSON lines and fsync'd, then replayed in order when the
 * database is back.  Records are idempotent, so a replay interrupted
 * half-way is simply run again.  A torn last line (crash mid-append)
 * has no newline and is ignored. */
#ifndef MEDIA_SPOOL_H
#define MEDIA_SPOOL_H
#include <stddef.h>

#define SPOOL_MAX_RECORD (4 * 1024 * 1024)

/* 0 when the line is durable on disk, -1 otherwise. */
int spool_append(const char *path, const char *line);
/* Records waiting (0 when the file is absent). */
long spool_count(const char *path);
/* Calls apply(line, arg) for each record in order; apply returns 0 when
 * the record is stored.  On the first failure stops and keeps the
 * unapplied records (the applied ones are removed); returns the number
 * applied, or -1 on an I/O error. */
long spool_replay(const char *path, int (*apply)(const char *line, void *arg), void *arg);

#endif
