/* voxline demo: loads sql/seed/demo.sql (idempotent) and, the first time,
 * creates a superadmin with a generated password.  The password is
 * printed and, with --credentials-file, kept in a 0600 file so that
 * `make run` can show it again; only its Argon2id hash is stored. */
#include "cfg.h"
#include "commands.h"
#include "db.h"
#include "migrations.h"
#include "password.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEMO_ADMIN_EMAIL "admin@voxline.local"

static int
write_credentials(const char *path, const char *email, const char *password)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "w");
	fprintf(f, "email=%s\npassword=%s\n", email, password);
	return fclose(f);
}

int
cmd_demo(int argc, char **argv)
{
	const char *cred_file = NULL;
	if (argc == 3 && strcmp(argv[1], "--credentials-file") == 0)
		cred_file = argv[2];
	else if (argc != 1) {
		fprintf(stderr, "usage: voxline demo [--credentials-file FILE]\n");
		return 2;
	}
	struct db *db = cli_db_open();
	char err[1024], path[4096];
	int rc = 1;
	char *password = NULL, *hash = NULL;
	snprintf(path, sizeof path, "%s/seed/demo.sql", cfg_str(CFG_sql_dir));
	if (migrations_run_file(db, path, err, sizeof err) < 0) {
		fprintf(stderr, "voxline demo: %s: %s\n", path, err);
		goto out;
	}
	PGresult *r = db_exec(db, "SELECT 1 FROM users WHERE is_superadmin", 0, NULL);
	if (r == NULL) {
		fprintf(stderr, "voxline demo: %s\n", db_error(db));
		goto out;
	}
	int exists = PQntuples(r) > 0;
	PQclear(r);
	if (exists) {
		printf("voxline demo: demo data loaded; superadmin already exists\n");
		rc = 0;
		goto out;
	}
	password = password_generate(16);
	hash = password_hash(password);
	const char *p[3] = { DEMO_ADMIN_EMAIL, "Platform Admin", hash };
	if (db_run(db, "INSERT INTO users (email, name, password_hash, is_superadmin, status,"
	    " password_changed_at) VALUES ($1, $2, $3, true, 'active', now())", 3, p) < 0) {
		fprintf(stderr, "voxline demo: %s\n", db_error(db));
		goto out;
	}
	if (cred_file && write_credentials(cred_file, DEMO_ADMIN_EMAIL, password) < 0) {
		fprintf(stderr, "voxline demo: cannot write %s\n", cred_file);
		goto out;
	}
	printf("voxline demo: superadmin created\n  email:    %s\n  password: %s\n",
	    DEMO_ADMIN_EMAIL, password);
	rc = 0;
out:
	free(password);
	free(hash);
	db_close(db);
	return rc;
}
