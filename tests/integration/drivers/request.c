/* Runs one request through voxline-web's routing, parsing, declared
 * validation and handler, as a given signed-in identity, against the
 * database in VOXLINE_DATABASE_URL, and prints the response:
 *
 *     status line, header lines, a blank line, the body
 *
 * Usage: request METHOD PATH QUERY|BODY TENANT USER_ID [CONTENT_TYPE]
 * (TENANT may be "" for a user without a tenant).  Integration tests use
 * it to check handlers and their SQL on a real PostgreSQL with rows the
 * tests insert; the access layer itself is tested over HTTP. */
#include "fcgi/auth.h"
#include "fcgi/request.h"
#include "fcgi/router.h"
#include "fcgi/tpl.h"
#include "fcgi/validate.h"
#include "cfg.h"
#include "db.h"
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: request METHOD PATH QUERY|BODY TENANT USER_ID [CONTENT_TYPE]\n");
		return 2;
	}
	char err[512];
	if (cfg_load(NULL, err, sizeof err) < 0) {
		fprintf(stderr, "config: %s\n", err);
		return 2;
	}
	struct tpl_set *tpl = tpl_load(cfg_str(CFG_web_templates_dir), err, sizeof err);
	struct db *db = db_open(cfg_str(CFG_database_url), 0);
	if (tpl == NULL || db == NULL || db_ensure(db) < 0) {
		fprintf(stderr, "setup: %s\n", tpl ? "database" : err);
		return 2;
	}
	struct auth a = { .authenticated = 1 };
	snprintf(a.tenant_id, sizeof a.tenant_id, "%s", argv[4]);
	snprintf(a.user_id, sizeof a.user_id, "%s", argv[5]);
	snprintf(a.user_name, sizeof a.user_name, "Test user");
	snprintf(a.role, sizeof a.role, "operator");
	snprintf(a.csrf_token, sizeof a.csrf_token, "test-csrf");

	struct req rq;
	struct resp rs;
	req_init(&rq);
	resp_init(&rs);
	rq.method = argv[1];
	rq.path = strdup(argv[2]);
	int get = strcmp(argv[1], "GET") == 0;
	rq.query_string = get ? argv[3] : "";
	rq.body = get ? NULL : argv[3];
	rq.body_len = get ? 0 : strlen(argv[3]);
	rq.content_type = argc > 6 ? argv[6] : get ? NULL : "application/x-www-form-urlencoded";
	rq.if_none_match = getenv("IF_NONE_MATCH");
	rq.remote_addr = "127.0.0.1";
	rq.db = db;
	rq.tpl = tpl;
	rq.auth = &a;
	snprintf(rq.correlation_id, sizeof rq.correlation_id, "driver-0001");

	const struct route *route;
	char allow[128];
	enum err_code e;
	json_t *errors;
	if ((e = router_match(&rq, &route, allow, sizeof allow)) != 0) {
		resp_error(&rq, &rs, e, NULL);
	} else if ((rq.route = route, req_parse(&rq, &e)) < 0) {
		resp_error(&rq, &rs, e, NULL);
	} else if ((errors = validate(route->fields, get ? rq.query : rq.form, &rq.in)) != NULL) {
		resp_error(&rq, &rs, ERR_validation_failed, errors);
	} else {
		route->handler(&rq, &rs);
	}
	printf("%d\n", rs.status);
	if (rs.content_type)
		printf("Content-Type: %s\r\n", rs.content_type);
	fwrite(rs.headers.data ? rs.headers.data : "", 1, rs.headers.len, stdout);
	printf("\r\n");
	fwrite(rs.body.data ? rs.body.data : "", 1, rs.body.len, stdout);
	req_free(&rq);
	resp_free(&rs);
	db_close(db);
	tpl_free(tpl);
	return 0;
}
