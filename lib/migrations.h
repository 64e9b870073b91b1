/* Forward-only, checksummed SQL migrations: sql/NNNN_name.sql applied
 * in order, each in its own transaction, recorded in schema_migrations.
 * An applied file that was edited stops everything before any change;
 * an advisory lock makes concurrent runs safe. */
#ifndef VOXLINE_MIGRATIONS_H
#define VOXLINE_MIGRATIONS_H
#include <stddef.h>

struct db;

/* Latest version number ("0005") found in dir; "" when none. */
int migrations_latest(const char *dir, char *out, size_t outlen, char *err, size_t errlen);
/* Applies pending migrations; *applied gets how many.  0 or -1 (err set). */
int migrations_apply(struct db *db, const char *dir, int *applied, char *err, size_t errlen);
/* Runs one SQL file (several statements) in a platform-scoped
 * transaction: used for the demo seed. */
int migrations_run_file(struct db *db, const char *path, char *err, size_t errlen);

#endif
