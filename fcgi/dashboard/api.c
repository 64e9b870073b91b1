/* /api/v1 for the dashboard: the same data functions as the pages, as
 * JSON.  The tenant comes from the API key or session (rq->auth). */
#include "../handlers.h"
#include "web.h"
#include <stdlib.h>
#include <string.h>

const struct field dash_api_calls_fields[] = {
	DASH_FILTER_FIELDS,
	DASH_PAGING_FIELDS,
	{ NULL }
};

const struct field dash_api_overview_fields[] = {
	{ "period", FT_ENUM, 0, 0, 0, "7|30|90" },
	{ NULL }
};

const struct field dash_api_act_fields[] = {
	{ "ids", FT_UUID, FIELD_REQUIRED | FIELD_MULTI, 0, 0, NULL },
	{ NULL }
};

const struct field dash_api_resolve_fields[] = {
	{ "ids", FT_UUID, FIELD_REQUIRED | FIELD_MULTI, 0, 0, NULL },
	{ "note", FT_TEXT, 0, 0, 1000, NULL },
	{ NULL }
};

/* Ends the read transaction and answers v, or the error when v is NULL. */
static void
answer(struct req *rq, struct resp *rs, json_t *v, const char *what)
{
	if (v == NULL) {
		dashw_fail(rq, rs, what);
		return;
	}
	db_rollback(rq->db);
	resp_json(rs, 200, v);
}

void
dash_api_calls(struct req *rq, struct resp *rs)
{
	struct dash_filter f;
	if (dashw_filter(rq, rs, &f))
		return;
	const char *tenant = dashw_begin(rq, rs);
	if (tenant == NULL)
		return;
	json_t *list = dash_calls_list(rq->db, tenant, &f);
	if (list)
		json_object_set_new(list, "filters", dash_filter_json(&f));
	answer(rq, rs, list, "list calls");
}

void
dash_api_call(struct req *rq, struct resp *rs)
{
	const char *tenant = dashw_begin(rq, rs);
	if (tenant == NULL)
		return;
	int missing;
	json_t *call = dash_call_get(rq->db, tenant,
	    json_string_value(json_object_get(rq->path_args, "id")), &missing);
	if (missing) {
		db_rollback(rq->db);
		resp_error(rq, rs, ERR_not_found, NULL);
		return;
	}
	answer(rq, rs, call, "get call");
}

int
dash_period(struct req *rq)
{
	const char *p = json_string_value(json_object_get(rq->in, "period"));
	return p ? atoi(p) : 7;
}

void
dash_api_overview(struct req *rq, struct resp *rs)
{
	const char *tenant = dashw_begin(rq, rs);
	if (tenant == NULL)
		return;
	answer(rq, rs, dash_overview(rq->db, tenant, dash_period(rq)), "overview");
}

/* Resolve, archive, restore: the ids that changed and those that did
 * not qualify (unknown, another tenant's, already done). */
json_t *
dash_act_request(struct req *rq, struct resp *rs, enum dash_act act)
{
	size_t n = json_array_size(json_object_get(rq->in, "ids"));
	if (n == 0 || n > DASH_MAX_IDS) {
		resp_error(rq, rs, ERR_validation_failed, json_pack("{s:s}", "ids", n ? 
		    "Too many calls at once (at most 200)." : "Choose at least one call."));
		return NULL;
	}
	const char *tenant = dashw_begin(rq, rs);
	if (tenant == NULL)
		return NULL;
	const char *note = json_string_value(json_object_get(rq->in, "note"));
	json_t *changed = dash_act(rq->db, tenant, rq->auth->user_id, act,
	    json_object_get(rq->in, "ids"), note);
	/* One audit row per call changed, in the same transaction. */
	json_t *after = act == DASH_RESOLVE ? json_pack("{s:s?}", "note", note && *note ? note : NULL)
	    : json_pack("{s:b}", "archived", act == DASH_ARCHIVE);
	size_t i;
	json_t *id;
	int failed = changed == NULL;
	json_array_foreach(changed, i, id)
		if (!failed && auth_audit(rq, tenant, dash_act_name(act), "call",
		    json_string_value(id), NULL, after) < 0)
			failed = 1;
	json_decref(after);
	if (failed || db_commit(rq->db) < 0) {
		json_decref(changed);
		dashw_fail(rq, rs, "act");
		return NULL;
	}
	return changed;
}

static void
act_api(struct req *rq, struct resp *rs, enum dash_act act)
{
	json_t *changed = dash_act_request(rq, rs, act);
	if (changed == NULL)
		return;
	json_t *unchanged = json_array();
	size_t i, j;
	json_t *id, *c;
	json_array_foreach(json_object_get(rq->in, "ids"), i, id) {
		int found = 0;
		json_array_foreach(changed, j, c)
			found |= strcmp(json_string_value(c), json_string_value(id)) == 0;
		if (!found)
			json_array_append(unchanged, id);
	}
	resp_json(rs, 200, json_pack("{s:o,s:o}", "changed", changed, "unchanged", unchanged));
}

void
dash_api_resolve(struct req *rq, struct resp *rs)
{
	act_api(rq, rs, DASH_RESOLVE);
}

void
dash_api_archive(struct req *rq, struct resp *rs)
{
	act_api(rq, rs, DASH_ARCHIVE);
}

void
dash_api_restore(struct req *rq, struct resp *rs)
{
	act_api(rq, rs, DASH_RESTORE);
}
