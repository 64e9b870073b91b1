#include "audit.h"
#include "db.h"
#include "log.h"
#include <stdlib.h>

static char *
json_or_null(json_t *v)
{
	return v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

int
audit_write(struct db *db, const struct audit_entry *e)
{
	char *before = json_or_null(e->before), *after = json_or_null(e->after);
	const char *corr = e->correlation_id ? e->correlation_id : log_correlation_id();
	const char *p[10] = { e->tenant_id, e->actor_user_id, e->actor_api_key_prefix, e->action,
		e->target_type, e->target_id, e->source_ip, corr && *corr ? corr : NULL, before, after };
	int own = PQtransactionStatus(db_conn(db)) == PQTRANS_IDLE;
	int rc = -1;
	if (own && db_begin_tenant(db, e->tenant_id) < 0)
		goto out;
	rc = db_run(db, "INSERT INTO audit_log (tenant_id, actor_user_id, actor_api_key_prefix, action,"
	    " target_type, target_id, source_ip, correlation_id, before, after)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7::inet, $8, $9::jsonb, $10::jsonb)", 10, p);
	if (own) {
		if (rc == 0)
			rc = db_commit(db);
		else
			db_rollback(db);
	}
	if (rc < 0)
		log_error("audit_write_failed", "{s:s,s:s}", "action", e->action, "error", db_error(db));
out:
	free(before);
	free(after);
	return rc;
}
