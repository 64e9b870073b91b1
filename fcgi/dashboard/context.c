/* Request plumbing shared by the dashboard's pages and API. */
#include "web.h"
#include "../page.h"
#include "../router.h"
#include <string.h>

const char *
dashw_begin(struct req *rq, struct resp *rs)
{
	const char *tenant = rq->auth ? rq->auth->tenant_id : "";
	if (*tenant == '\0') {
		/* Signed in without a tenant (e.g. a platform user): nothing to show. */
		resp_error(rq, rs, ERR_forbidden, NULL);
		return NULL;
	}
	/* Short interactive queries: parallel workers only add start-up time
	 * and compete with the other requests for the cores (benchmarks.md). */
	if (db_begin_tenant(rq->db, tenant) < 0 ||
	    db_run(rq->db, "SET LOCAL max_parallel_workers_per_gather = 0", 0, NULL) < 0) {
		resp_fail(rq, rs, ERR_database_unavailable, db_error(rq->db));
		return NULL;
	}
	return tenant;
}

void
dashw_fail(struct req *rq, struct resp *rs, const char *detail)
{
	char msg[512];
	snprintf(msg, sizeof msg, "%s: %s", detail, db_error(rq->db));
	db_rollback(rq->db);
	resp_fail(rq, rs, ERR_database_unavailable, msg);
}

int
dashw_can_act(const struct req *rq)
{
	return access_check(rq, PERM_calls_act) == ERR_none;
}

json_t *
dashw_page_ctx(struct req *rq, const char *title, const char *nav_href)
{
	json_t *ctx = page_context(rq, title, nav_href);
	json_object_set_new(ctx, "can_act", json_boolean(dashw_can_act(rq)));
	return ctx;
}

int
dashw_filter(struct req *rq, struct resp *rs, struct dash_filter *f)
{
	json_t *errors = dash_filter_read(rq->in, f);
	if (errors == NULL)
		return 0;
	resp_error(rq, rs, ERR_validation_failed, errors);
	return 1;
}
