#include "cfg.h"
#include "commands.h"
#include "db.h"
#include "migrations.h"
#include <stdio.h>

int
cmd_migrate(int argc, char **argv)
{
	struct db *db = cli_db_open();
	char err[1024];
	int applied = 0;
	int rc = migrations_apply(db, cfg_str(CFG_sql_dir), &applied, err, sizeof err);
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "voxline migrate: %s\n", err);
		return 1;
	}
	printf("voxline migrate: %d migration%s applied, schema up to date\n", applied,
	    applied == 1 ? "" : "s");
	return 0;
}
