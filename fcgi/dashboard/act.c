/* Resolving, archiving and restoring calls: one UPDATE per request over
 * the ids that qualify. */
#include "dash.h"
#include <string.h>

static const struct {
	const char *action, *stmt, *sql;
	int nparams;                    /* $1 tenant, $2 ids, $3 user, $4 note */
} acts[] = {
	[DASH_RESOLVE] = { "call.resolve", "dash_resolve",
	    "UPDATE calls SET resolved_at = now(), resolved_by = nullif($3, '')::uuid, "
	    "resolution_note = nullif($4, '') WHERE tenant_id = $1 AND id = ANY ($2::uuid[]) "
	    "AND requires_action AND resolved_at IS NULL RETURNING id", 4 },
	[DASH_ARCHIVE] = { "call.archive", "dash_archive",
	    "UPDATE calls SET archived_at = now(), archived_by = nullif($3, '')::uuid "
	    "WHERE tenant_id = $1 AND id = ANY ($2::uuid[]) AND archived_at IS NULL RETURNING id", 3 },
	[DASH_RESTORE] = { "call.restore", "dash_restore",
	    "UPDATE calls SET archived_at = NULL, archived_by = NULL "
	    "WHERE tenant_id = $1 AND id = ANY ($2::uuid[]) AND archived_at IS NOT NULL "
	    "AND $3::text IS NOT NULL RETURNING id", 3 },
};

/* {a,b,c} from an array of validated uuids. */
static void
uuid_array(json_t *ids, struct buf *out)
{
	size_t i;
	json_t *v;
	buf_putc(out, '{');
	json_array_foreach(ids, i, v) {
		if (i)
			buf_putc(out, ',');
		buf_puts(out, json_string_value(v));
	}
	buf_putc(out, '}');
}

const char *
dash_act_name(enum dash_act act)
{
	return acts[act].action;
}

json_t *
dash_act(struct db *db, const char *tenant, const char *user_id, enum dash_act act,
    json_t *ids, const char *note)
{
	struct buf arr;
	buf_init(&arr, 64 * 1024);
	uuid_array(ids, &arr);
	const char *p[] = { tenant, arr.data, user_id ? user_id : "", note ? note : "" };
	PGresult *r = db_prep(db, acts[act].stmt, acts[act].sql, acts[act].nparams, p);
	buf_free(&arr);
	if (r == NULL)
		return NULL;
	json_t *changed = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(changed, json_string(PQgetvalue(r, i, 0)));
	PQclear(r);
	return changed;
}
