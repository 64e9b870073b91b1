/* Tenants: the one way a tenant is created (the CLI, the API and the
 * portal all come here) and the checks on its fields. */
#ifndef VOXLINE_TENANTS_H
#define VOXLINE_TENANTS_H

struct db;
struct audit_entry;

/* A new tenant; a NULL field takes the column's default (plan base,
 * time zone UTC, 5 concurrent calls, 1000 minutes, 90 days). */
struct tenant_new {
	const char *name, *slug, *plan, *time_zone;
	const char *max_concurrent_calls, *monthly_minutes, *retention_days;   /* decimal */
};

enum tenant_new_result {
	TENANT_CREATED,
	TENANT_SLUG_INVALID,     /* not lower-case letters, digits and inner dashes, ≤ 63 */
	TENANT_SLUG_TAKEN,
	TENANT_ZONE_UNKNOWN,     /* not an IANA time zone PostgreSQL knows */
	TENANT_NEW_FAILED,       /* database error; the transaction is spoiled */
};

/* Inserts the tenant and its audit entry (action tenant.create; `who`
 * says who acted, its tenant, action and target are filled in) inside
 * the caller's platform-scoped transaction.  id receives the new id. */
enum tenant_new_result tenant_new(struct db *db, const struct tenant_new *t,
    const struct audit_entry *who, char id[37]);

/* 1 when slug is a valid tenant short name. */
int tenant_slug_ok(const char *slug);

/* 1 when tz is a time zone name PostgreSQL knows, 0 if not, -1 on error. */
int tenant_zone_known(struct db *db, const char *tz);

#endif
