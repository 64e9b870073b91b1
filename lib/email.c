#include "email.h"
#include "db.h"
#include "jobs.h"
#include <stdio.h>

int
email_queue(struct db *db, const char *to, const char *subject, const char *body,
    const char *kind, char *id_out)
{
	const char *p[4] = { to, subject, body, kind };
	PGresult *r = db_exec(db, "INSERT INTO email_outbox (to_address, subject, body_text, kind)"
	    " VALUES ($1, $2, $3, $4) RETURNING id", 4, p);
	if (r == NULL)
		return -1;
	json_t *payload = json_pack("{s:s}", "email_id", PQgetvalue(r, 0, 0));
	if (id_out)
		snprintf(id_out, 37, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	int rc = jobs_enqueue(db, "email", payload, NULL, 0, 8);
	json_decref(payload);
	return rc;
}
