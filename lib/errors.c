#include "errors.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include <string.h>
#include <time.h>

static const struct err_def catalog[ERR__COUNT] = {
	{ "none", "server", "info", 200, "" },
#define ERR(code, cat, sev, status, msg) { #code, #cat, #sev, status, msg },
#include "errors.def"
#undef ERR
};

const struct err_def *
err_get(enum err_code code)
{
	return &catalog[code < ERR__COUNT ? code : ERR_internal];
}

int
err_find(const char *code)
{
	for (int i = 1; i < ERR__COUNT; i++)
		if (strcmp(catalog[i].code, code) == 0)
			return i;
	return -1;
}

int
err_is_recorded(enum err_code code)
{
	const char *s = err_get(code)->severity;
	return strcmp(s, "error") == 0 || strcmp(s, "critical") == 0;
}

void
err_new_id(char id[ERR_ID_LEN])
{
	/* Crockford-style alphabet: no I, L, O, U to avoid misreading. */
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	unsigned char r[6];
	crypto_random(r, sizeof r);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char date[9];
	strftime(date, sizeof date, "%Y%m%d", &tm);
	snprintf(id, ERR_ID_LEN, "ERR_%s_%c%c%c%c%c%c", date,
	    alphabet[r[0] & 31], alphabet[r[1] & 31], alphabet[r[2] & 31],
	    alphabet[r[3] & 31], alphabet[r[4] & 31], alphabet[r[5] & 31]);
}

int
err_record(struct db *db, enum err_code code, const char *id,
    const char *correlation_id, const char *call_id, const char *tenant_id,
    const char *detail)
{
	const struct err_def *e = err_get(code);
	const char *p[9] = { id, e->code, e->category, e->severity, e->message,
	    correlation_id && *correlation_id ? correlation_id : NULL,
	    call_id, tenant_id, detail };
	/* One statement: group row upserted, occurrence appended. */
	PGresult *r = db_prep(db, "err_record",
	    "WITH g AS ("
	    "  INSERT INTO system_errors (code, category, severity, message)"
	    "  VALUES ($2, $3, $4, $5)"
	    "  ON CONFLICT (code) DO UPDATE SET last_seen = now(),"
	    "    occurrences = system_errors.occurrences + 1, resolved_at = NULL, resolved_by = NULL"
	    "  RETURNING code)"
	    " INSERT INTO system_error_occurrences"
	    "  (id, code, correlation_id, call_id, tenant_id, detail)"
	    " SELECT $1, g.code, $6, $7::uuid, $8::uuid, $9 FROM g",
	    9, p);
	if (r == NULL)
		log_warn("error_record_failed", "{s:s,s:s}", "error_id", id, "error", db_error(db));
	PQclear(r);
	return r ? 0 : -1;
}

void
err_write_doc(FILE *out)
{
	fprintf(out, "| code | HTTP | category | severity | message |\n|---|---|---|---|---|\n");
	for (int i = 1; i < ERR__COUNT; i++)
		fprintf(out, "| `%s` | %d | %s | %s | %s |\n", catalog[i].code,
		    catalog[i].status, catalog[i].category, catalog[i].severity,
		    catalog[i].message);
}
