/* POST /api/v1/calls: place an outbound call for the caller's tenant.
 * Every cap is checked atomically (lib/call_caps.c) before the carrier is
 * asked; carrier errors come back as their catalog codes. */
#include "../handlers.h"
#include "../auth.h"
#include "db.h"
#include "outbound.h"
#include <string.h>

const struct field call_place_fields[] = {
	{ "agent_id", FT_UUID, FIELD_REQUIRED, 0, 0, NULL },
	{ "to", FT_E164, FIELD_REQUIRED, 0, 0, NULL },
	{ "variables", FT_JSON, 0, 0, 0, NULL },
	{ NULL }
};

/* The call as the API shows it. */
static json_t *
call_json(struct db *db, const char *tenant_id, const char *id)
{
	if (db_begin_tenant(db, tenant_id) < 0)
		return NULL;
	const char *p[1] = { id };
	PGresult *r = db_prep(db, "call_api_get",
	    "SELECT json_build_object('id', id, 'agent_id', agent_id, 'direction', direction,"
	    " 'status', status, 'from', from_number, 'to', to_number, 'carrier', carrier,"
	    " 'carrier_call_sid', carrier_call_sid, 'campaign_id', campaign_id,"
	    " 'variables', prompt_variables, 'started_at', started_at, 'end_reason', end_reason)"
	    " FROM calls WHERE id = $1", 1, p);
	db_rollback(db);
	json_t *j = r && PQntuples(r) ? json_loads(PQgetvalue(r, 0, 0), 0, NULL) : NULL;
	PQclear(r);
	return j;
}

void
call_place(struct req *rq, struct resp *rs)
{
	if (*rq->auth->api_key_id && !rq->auth->api_key_write) {
		resp_error(rq, rs, ERR_forbidden, NULL);
		return;
	}
	json_t *vars = json_object_get(rq->in, "variables");
	if (vars && !json_is_object(vars)) {
		resp_error(rq, rs, ERR_validation_failed, json_pack("{s:s}", "variables",
		    "Must be an object of names to values."));
		return;
	}
	struct outbound_request o = { .tenant_id = rq->auth->tenant_id,
		.agent_id = json_string_value(json_object_get(rq->in, "agent_id")),
		.to = json_string_value(json_object_get(rq->in, "to")), .variables = vars };
	struct outbound_result out;
	if (outbound_place(rq->db, &o, &out) < 0) {
		if (err_is_recorded(out.err))
			resp_fail(rq, rs, out.err, out.detail);
		else
			resp_error(rq, rs, out.err, NULL);
		return;
	}
	json_t *call = call_json(rq->db, rq->auth->tenant_id, out.call_id);
	if (call == NULL) {
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		return;
	}
	resp_header(rs, "Location", "/api/v1/calls/%s", out.call_id);
	resp_json(rs, 201, json_pack("{s:o}", "call", call));
}
