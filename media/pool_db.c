#include "pool_db.h"
#include "cfg.h"
#include "db.h"

static _Thread_local struct db *thread_db;

struct db *
pool_db(void)
{
	if (thread_db == NULL)
		thread_db = db_open(cfg_str(CFG_database_url), 0);
	return thread_db;
}
