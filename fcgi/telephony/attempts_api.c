/* GET /api/v1/platform/webhook-attempts: the carrier webhook log for the
 * platform operator, newest first, keyset-paginated by id. */
#include "../handlers.h"
#include "db.h"
#include <stdio.h>

const struct field webhook_attempts_fields[] = {
	{ "before", FT_INT, 0, 1, 9007199254740991L, NULL },
	{ "carrier", FT_ENUM, 0, 0, 0, "twilio|signalwire|telnyx" },
	{ "limit", FT_INT, 0, 1, 500, NULL },
	{ NULL }
};

void
webhook_attempts_list(struct req *rq, struct resp *rs)
{
	char before[24] = "", limit[8] = "100";
	json_t *b = json_object_get(rq->in, "before"), *l = json_object_get(rq->in, "limit");
	if (b)
		snprintf(before, sizeof before, "%lld", (long long)json_integer_value(b));
	if (l)
		snprintf(limit, sizeof limit, "%lld", (long long)json_integer_value(l));
	const char *p[3] = { *before ? before : NULL,
		json_string_value(json_object_get(rq->in, "carrier")), limit };
	PGresult *r = db_prep(rq->db, "webhook_attempts_list",
	    "SELECT coalesce(json_agg(x ORDER BY x.id DESC), '[]') FROM (SELECT id, carrier, endpoint,"
	    " host(source_addr) AS source_addr, signature_valid, result, http_status, duration_ms::float8"
	    " AS duration_ms, carrier_call_sid, correlation_id, created_at FROM webhook_attempts"
	    " WHERE ($1::bigint IS NULL OR id < $1::bigint) AND ($2::text IS NULL OR carrier = $2)"
	    " ORDER BY id DESC LIMIT $3::int) x", 3, p);
	if (r == NULL) {
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		return;
	}
	json_t *items = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
	PQclear(r);
	resp_json(rs, 200, json_pack("{s:o}", "attempts", items ? items : json_array()));
}
