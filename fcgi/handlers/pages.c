/* Page shells that need no signed-in user. */
#include "../handlers.h"
#include "../auth.h"
#include "../login.h"
#include <stdlib.h>

const struct field login_page_fields[] = {
	{ "next", FT_STRING, 0, 1, 500, NULL },
	{ NULL }
};

void
home_page(struct req *rq, struct resp *rs)
{
	resp_redirect(rs, rq->auth && rq->auth->authenticated ? "/account" : "/login");
}

void
login_page(struct req *rq, struct resp *rs)
{
	char *csrf = login_csrf_issue(rq, rs);
	json_t *ctx = json_pack("{s:s,s:O?,s:s}", "title", "Sign in", "next",
	    json_object_get(rq->in, "next"), "csrf_token", csrf);
	free(csrf);
	resp_page(rq, rs, 200, "login", ctx);
	json_decref(ctx);
}
