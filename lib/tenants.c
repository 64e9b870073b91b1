#include "tenants.h"
#include "audit.h"
#include "buf.h"
#include "db.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>

int
tenant_slug_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

int
tenant_zone_known(struct db *db, const char *tz)
{
	const char *p[1] = { tz };
	PGresult *r = db_exec(db, "SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)", 1, p);
	if (r == NULL)
		return -1;
	int ok = strcmp(db_value(r, 0, 0) ? db_value(r, 0, 0) : "f", "t") == 0;
	PQclear(r);
	return ok;
}

enum tenant_new_result
tenant_new(struct db *db, const struct tenant_new *t, const struct audit_entry *who, char id[37])
{
	if (!tenant_slug_ok(t->slug))
		return TENANT_SLUG_INVALID;
	if (t->time_zone) {
		int known = tenant_zone_known(db, t->time_zone);
		if (known <= 0)
			return known < 0 ? TENANT_NEW_FAILED : TENANT_ZONE_UNKNOWN;
	}
	/* Only the columns given, so the schema's defaults stay the only ones. */
	const struct { const char *column, *value, *cast; } col[] = {
		{ "name", t->name, "" }, { "slug", t->slug, "" }, { "plan", t->plan, "" },
		{ "time_zone", t->time_zone, "" },
		{ "max_concurrent_calls", t->max_concurrent_calls, "::int" },
		{ "monthly_minutes", t->monthly_minutes, "::int" },
		{ "retention_days", t->retention_days, "::int" },
	};
	enum { NCOL = sizeof col / sizeof col[0] };
	const char *params[NCOL];
	int n = 0;
	json_t *after = json_object();
	struct buf sql;
	buf_init(&sql, 1024);
	buf_puts(&sql, "INSERT INTO tenants (");
	for (int i = 0; i < NCOL; i++)
		if (col[i].value) {
			buf_printf(&sql, "%s%s", n ? ", " : "", col[i].column);
			params[n++] = col[i].value;
			json_object_set_new(after, col[i].column, json_string(col[i].value));
		}
	buf_puts(&sql, ") VALUES (");
	for (int i = 0, k = 0; i < NCOL; i++)
		if (col[i].value) {
			k++;
			buf_printf(&sql, "%s$%d%s", k > 1 ? ", " : "", k, col[i].cast);
		}
	buf_puts(&sql, ") ON CONFLICT (slug) DO NOTHING RETURNING id");
	PGresult *r = db_exec(db, sql.data, n, params);
	buf_free(&sql);
	enum tenant_new_result res = TENANT_NEW_FAILED;
	if (r != NULL && PQntuples(r) == 0)
		res = TENANT_SLUG_TAKEN;
	else if (r != NULL) {
		snprintf(id, 37, "%s", PQgetvalue(r, 0, 0));
		struct audit_entry e = *who;
		e.tenant_id = id;
		e.action = "tenant.create";
		e.target_type = "tenant";
		e.target_id = id;
		e.after = after;
		res = audit_write(db, &e) == 0 ? TENANT_CREATED : TENANT_NEW_FAILED;
	}
	PQclear(r);
	json_decref(after);
	return res;
}
