/* What the sub-commands share: option lookup and the database connection
 * made from the configuration. */
#include "commands.h"
#include "cfg.h"
#include "db.h"
#include <string.h>

const char *
cli_opt(int argc, char **argv, const char *name)
{
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

int
cli_flag(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

struct db *
cli_db_open(void)
{
	return db_open(cfg_str(CFG_database_url), (int)cfg_int(CFG_database_connect_retries));
}
