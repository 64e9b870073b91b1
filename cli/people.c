/* voxline tenant add / voxline user add: managing people from the
 * command line (operators, scripts, tests).  Every change is audited
 * with no actor (the system) like the portal's are with theirs. */
#include "audit.h"
#include "commands.h"
#include "db.h"
#include "password.h"
#include "tenants.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>




/* voxline tenant add SLUG [--name NAME] [--plan PLAN] [--time-zone TZ]
 *     [--max-concurrent-calls N] [--monthly-minutes N] [--retention-days N] */
int
cmd_tenant(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[1], "add") != 0 || argv[2][0] == '-') {
		fprintf(stderr, "usage: voxline tenant add SLUG [--name NAME] [--plan base|pro|insights|global]"
		    " [--time-zone TZ] [--max-concurrent-calls N] [--monthly-minutes N] [--retention-days N]\n");
		return 2;
	}
	const char *name = cli_opt(argc, argv, "--name");
	const struct tenant_new t = {
		.slug = argv[2], .name = name ? name : argv[2], .plan = cli_opt(argc, argv, "--plan"),
		.time_zone = cli_opt(argc, argv, "--time-zone"),
		.max_concurrent_calls = cli_opt(argc, argv, "--max-concurrent-calls"),
		.monthly_minutes = cli_opt(argc, argv, "--monthly-minutes"),
		.retention_days = cli_opt(argc, argv, "--retention-days"),
	};
	static const char *const refused[] = {
		[TENANT_SLUG_INVALID] = "the slug takes lower-case letters, digits and dashes, not at either end",
		[TENANT_SLUG_TAKEN] = "another tenant already uses this slug",
		[TENANT_ZONE_UNKNOWN] = "unknown time zone (use an IANA name like Europe/Berlin)",
	};
	struct db *db = cli_db_open();
	const struct audit_entry nobody = { 0 };
	char id[37];
	enum tenant_new_result res = TENANT_NEW_FAILED;
	if (db_begin_tenant(db, NULL) == 0)
		res = tenant_new(db, &t, &nobody, id);
	if (res == TENANT_CREATED && db_commit(db) == 0) {
		printf("%s\n", id);
		db_close(db);
		return 0;
	}
	if (res == TENANT_CREATED)
		res = TENANT_NEW_FAILED;
	fprintf(stderr, "voxline tenant add: %s\n", res == TENANT_NEW_FAILED ? db_error(db) : refused[res]);
	db_rollback(db);
	db_close(db);
	return 1;
}

static char *
read_password(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (f == NULL)
		return NULL;
	char line[1024];
	char *s = fgets(line, sizeof line, f) ? strdup(line) : NULL;
	if (f != stdin)
		fclose(f);
	if (s)
		s[strcspn(s, "\r\n")] = '\0';
	return s;
}

/* voxline user add EMAIL [--name N] [--tenant SLUG --role ROLE] [--superadmin] [--password-file F|-] */
int
cmd_user(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[1], "add") != 0 || argv[2][0] == '-') {
		fprintf(stderr, "usage: voxline user add EMAIL [--name NAME] [--tenant SLUG --role ROLE]"
		    " [--superadmin] [--password-file FILE|-]\n"
		    "  Without --password-file a password is generated and printed once.\n");
		return 2;
	}
	const char *email = argv[2], *name = cli_opt(argc, argv, "--name"), *slug = cli_opt(argc, argv, "--tenant");
	const char *role = cli_opt(argc, argv, "--role"), *pwfile = cli_opt(argc, argv, "--password-file");
	int super = cli_flag(argc, argv, "--superadmin");
	if ((slug == NULL) != (role == NULL)) {
		fprintf(stderr, "voxline user add: --tenant and --role go together\n");
		return 2;
	}
	char *password = pwfile ? read_password(pwfile) : password_generate(16);
	if (password == NULL) {
		fprintf(stderr, "voxline user add: cannot read %s\n", pwfile);
		return 1;
	}
	const char *problem = password_problem(password, email);
	if (problem) {
		fprintf(stderr, "voxline user add: %s\n", problem);
		free(password);
		return 1;
	}
	char *hash = password_hash(password);
	struct db *db = cli_db_open();
	int rc = 1;
	char user_id[37], tenant_id[37] = "";
	if (db_begin_tenant(db, NULL) < 0)
		goto out;
	const char *p[4] = { email, name ? name : "", hash, super ? "t" : "f" };
	PGresult *r = db_exec(db, "INSERT INTO users (email, name, password_hash, is_superadmin, status,"
	    " password_changed_at) VALUES ($1, $2, $3, $4, 'active', now()) RETURNING id", 4, p);
	if (r == NULL)
		goto fail;
	snprintf(user_id, sizeof user_id, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	json_t *after = json_pack("{s:s,s:b}", "email", email, "superadmin", super);
	struct audit_entry e = { .action = "user.created", .target_type = "user", .target_id = user_id,
		.after = after };
	int arc = audit_write(db, &e);
	json_decref(after);
	if (arc < 0)
		goto fail;
	if (slug) {
		const char *q[3] = { slug, user_id, role };
		r = db_exec(db, "INSERT INTO memberships (tenant_id, user_id, role) SELECT id, $2, $3"
		    " FROM tenants WHERE slug = $1 RETURNING tenant_id", 3, q);
		if (r == NULL || PQntuples(r) == 0) {
			if (r)
				fprintf(stderr, "voxline user add: no tenant with slug %s\n", slug);
			PQclear(r);
			goto fail;
		}
		snprintf(tenant_id, sizeof tenant_id, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		after = json_pack("{s:s,s:s}", "user_id", user_id, "role", role);
		struct audit_entry m = { .tenant_id = tenant_id, .action = "membership.created",
			.target_type = "user", .target_id = user_id, .after = after };
		arc = audit_write(db, &m);
		json_decref(after);
		if (arc < 0)
			goto fail;
	}
	if (db_commit(db) < 0)
		goto fail;
	printf("%s\n", user_id);
	if (!pwfile)
		printf("password: %s\n", password);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "voxline user add: %s\n", db_error(db));
	db_rollback(db);
out:
	db_close(db);
	free(hash);
	free(password);
	return rc;
}
