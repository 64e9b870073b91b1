/* Audit rows for dashboard writes (who, what, which call, from where),
 * written in the same transaction as the change itself. */
#include "dash.h"
#include <stdlib.h>

int
dash_audit_calls(struct db *db, const struct dash_actor *who, const char *action,
    const char *ids_array, json_t *after)
{
	char *after_text = json_dumps(after, JSON_COMPACT);
	const char *p[] = { who->tenant, who->user_id ? who->user_id : "",
		who->api_key_id ? who->api_key_id : "", action,
		who->remote_addr ? who->remote_addr : "", who->correlation_id ? who->correlation_id : "",
		after_text ? after_text : "{}", ids_array };
	int rc = db_run(db,
	    "INSERT INTO audit_log (tenant_id, actor_user_id, actor_api_key_prefix, action, "
	    "target_type, target_id, source_ip, correlation_id, after) "
	    "SELECT $1, nullif($2, '')::uuid, nullif($3, ''), $4, 'call', id::text, "
	    "nullif($5, '')::inet, nullif($6, ''), $7::jsonb FROM unnest($8::uuid[]) AS id", 8, p);
	free(after_text);
	return rc;
}
