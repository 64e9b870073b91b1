/* Signing in and out, who am I, sessions, tenant switch, password
 * change: the API (/api/v1/auth/...) and the pages (/login, /account)
 * share one core per action. */
#include "../handlers.h"
#include "../auth.h"
#include "../login.h"
#include "../page.h"
#include "../rbac.h"
#include "../session.h"
#include "cfg.h"
#include "db.h"
#include "password.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct field login_fields[] = {
	{ "email", FT_STRING, FIELD_REQUIRED, 1, 254, NULL },
	{ "password", FT_STRING, FIELD_REQUIRED, 1, 1000, NULL },
	{ "next", FT_STRING, 0, 1, 500, NULL },
	{ NULL }
};
const struct field tenant_switch_fields[] = {
	{ "tenant_id", FT_UUID, FIELD_REQUIRED, 0, 0, NULL },
	{ "next", FT_STRING, 0, 1, 500, NULL },
	{ NULL }
};
const struct field password_change_fields[] = {
	{ "current_password", FT_STRING, FIELD_REQUIRED, 1, 1000, NULL },
	{ "new_password", FT_STRING, FIELD_REQUIRED, 1, 1000, NULL },
	{ NULL }
};
const struct field account_page_fields[] = {
	{ "done", FT_ENUM, 0, 0, 0, "password|session|tenant" },
	{ NULL }
};

static const char *
in_str(struct req *rq, const char *name)
{
	return json_string_value(json_object_get(rq->in, name));
}

/* Only paths on this site: "/x", never "//host" or "/\host". */
static const char *
safe_next(const char *next, const char *fallback)
{
	if (next && next[0] == '/' && next[1] != '/' && next[1] != '\\' && !strpbrk(next, "\r\n"))
		return next;
	return fallback;
}

/* ---- core */

static json_t *
sessions_of(struct req *rq)
{
	char idle[16];
	snprintf(idle, sizeof idle, "%ld", cfg_int(CFG_session_idle_timeout));
	const char *p[2] = { rq->auth->user_id, idle };
	PGresult *r = db_prep(rq->db, "sessions_list", "SELECT id, " PAGE_TIME("created_at") ","
	    " " PAGE_TIME("last_seen_at") ", coalesce(host(ip), ''), coalesce(user_agent, ''),"
	    " created_at, last_seen_at FROM sessions WHERE user_id = $1 AND revoked_at IS NULL"
	    " AND expires_at > now() AND last_seen_at > now() - make_interval(secs => $2::int)"
	    " ORDER BY last_seen_at DESC, id", 2, p);
	if (r == NULL)
		return NULL;
	json_t *out = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		char device[64];
		sess_device(PQgetvalue(r, i, 4), device, sizeof device);
		json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}",
		    "id", PQgetvalue(r, i, 0), "created", PQgetvalue(r, i, 1),
		    "last_seen", PQgetvalue(r, i, 2), "ip", PQgetvalue(r, i, 3), "device", device,
		    "user_agent", PQgetvalue(r, i, 4),
		    "current", strcmp(PQgetvalue(r, i, 0), rq->auth->session_id) == 0));
	}
	PQclear(r);
	return out;
}

static enum err_code
session_revoke(struct req *rq, struct resp *rs, const char *id)
{
	int rc = sess_revoke(rq->db, rq->auth->user_id, id);
	if (rc < 0)
		return ERR_database_unavailable;
	if (rc == 0)
		return ERR_not_found;
	if (strcmp(id, rq->auth->session_id) == 0)
		sess_clear_cookie(rq, rs);
	auth_audit(rq, NULL, "auth.session_revoked", "session", id, NULL, NULL);
	return ERR_none;
}

static enum err_code
logout(struct req *rq, struct resp *rs)
{
	if (sess_revoke(rq->db, rq->auth->user_id, rq->auth->session_id) < 0)
		return ERR_database_unavailable;
	sess_clear_cookie(rq, rs);
	auth_audit(rq, NULL, "auth.logout", "session", rq->auth->session_id, NULL, NULL);
	return ERR_none;
}

/* A member of the tenant, or a superadmin; anything else is a 404 so
 * that tenant ids are not confirmed. */
static enum err_code
tenant_switch(struct req *rq, const char *tenant_id)
{
	const struct auth *a = rq->auth;
	const char *p[3] = { tenant_id, a->superadmin ? "t" : "f", a->user_id };
	if (db_begin_tenant(rq->db, NULL) < 0)
		return ERR_database_unavailable;
	PGresult *r = db_prep(rq->db, "tenant_switch_check", "SELECT t.id FROM tenants t"
	    " WHERE t.id = $1 AND ($2::boolean OR EXISTS (SELECT 1 FROM memberships m"
	    " WHERE m.tenant_id = t.id AND m.user_id = $3 AND m.disabled_at IS NULL))", 3, p);
	int ok = r && PQntuples(r) == 1;
	PQclear(r);
	db_commit(rq->db);
	if (r == NULL)
		return ERR_database_unavailable;
	if (!ok)
		return ERR_not_found;
	const char *q[2] = { a->session_id, tenant_id };
	if (db_run(rq->db, "UPDATE sessions SET current_tenant_id = $2 WHERE id = $1", 2, q) < 0)
		return ERR_database_unavailable;
	json_t *before = json_pack("{s:s?}", "tenant_id", a->tenant_id[0] ? a->tenant_id : NULL);
	json_t *after = json_pack("{s:s}", "tenant_id", tenant_id);
	auth_audit(rq, tenant_id, "auth.tenant_switched", "session", a->session_id, before, after);
	json_decref(before);
	json_decref(after);
	return ERR_none;
}

static enum err_code
password_change(struct req *rq, const char *current, const char *fresh, json_t **fields)
{
	const struct auth *a = rq->auth;
	const char *p[1] = { a->user_id };
	PGresult *r = db_prep(rq->db, "password_current", "SELECT password_hash FROM users WHERE id = $1", 1, p);
	if (r == NULL)
		return ERR_database_unavailable;
	int ok = PQntuples(r) == 1 && password_verify_or_dummy(PQgetvalue(r, 0, 0), current);
	PQclear(r);
	const char *problem = password_problem(fresh, a->user_email);
	if (!ok || problem) {
		*fields = json_object();
		if (!ok)
			json_object_set_new(*fields, "current_password", json_string("This is not your current password."));
		if (problem)
			json_object_set_new(*fields, "new_password", json_string(problem));
		return ERR_validation_failed;
	}
	char *hash = password_hash(fresh);
	const char *q[2] = { a->user_id, hash };
	int rc = db_run(rq->db, "UPDATE users SET password_hash = $2, password_changed_at = now()"
	    " WHERE id = $1", 2, q);
	free(hash);
	if (rc < 0 || sess_revoke_others(rq->db, a->user_id, a->session_id) < 0)
		return ERR_database_unavailable;
	json_t *after = json_pack("{s:s}", "other_sessions", "revoked");
	auth_audit(rq, NULL, "user.password_changed", "user", a->user_id, NULL, after);
	json_decref(after);
	return ERR_none;
}

/* ---- API */

static void
send_result(struct req *rq, struct resp *rs, enum err_code err, json_t *ok_body)
{
	if (err == ERR_none)
		resp_json(rs, 200, ok_body);
	else {
		json_decref(ok_body);
		resp_error(rq, rs, err, NULL);
	}
}

void
api_login(struct req *rq, struct resp *rs)
{
	long retry = 0;
	enum err_code err = login_attempt(rq, rs, in_str(rq, "email"), in_str(rq, "password"), &retry);
	if (err == ERR_login_throttled)
		resp_header(rs, "Retry-After", "%ld", retry);
	if (err != ERR_none) {
		resp_error(rq, rs, err, NULL);
		return;
	}
	resp_json(rs, 200, json_pack("{s:{s:s},s:s,s:s}", "user", "id", rq->auth->user_id,
	    "session_id", rq->auth->session_id, "csrf_token", rq->auth->csrf_token));
}

void
api_logout(struct req *rq, struct resp *rs)
{
	send_result(rq, rs, logout(rq, rs), json_pack("{s:b}", "signed_out", 1));
}

void
api_me(struct req *rq, struct resp *rs)
{
	const struct auth *a = rq->auth;
	const char *p[1] = { a->user_id };
	if (db_begin_tenant(rq->db, NULL) < 0) {
		resp_error(rq, rs, ERR_database_unavailable, NULL);
		return;
	}
	PGresult *r = db_prep(rq->db, "me_memberships", "SELECT t.id, t.name, m.role, t.plan"
	    " FROM memberships m JOIN tenants t ON t.id = m.tenant_id WHERE m.user_id = $1"
	    " AND m.disabled_at IS NULL ORDER BY t.name, t.id", 1, p);
	db_commit(rq->db);
	if (r == NULL) {
		resp_error(rq, rs, ERR_database_unavailable, NULL);
		return;
	}
	json_t *ms = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(ms, json_pack("{s:s,s:s,s:s,s:s}", "tenant_id", PQgetvalue(r, i, 0),
		    "tenant_name", PQgetvalue(r, i, 1), "role", PQgetvalue(r, i, 2), "plan", PQgetvalue(r, i, 3)));
	PQclear(r);
	json_t *tenant = a->tenant_id[0] ? json_pack("{s:s,s:s,s:s,s:s}", "id", a->tenant_id,
	    "name", a->tenant_name, "role", a->superadmin ? "superadmin" : a->role, "plan", a->plan)
	    : json_null();
	resp_json(rs, 200, json_pack("{s:{s:s,s:s,s:s,s:b},s:o,s:o,s:o,s:s,s:s}",
	    "user", "id", a->user_id, "name", a->user_name, "email", a->user_email,
	    "superadmin", a->superadmin, "tenant", tenant, "memberships", ms,
	    "permissions", rbac_permissions_of(a), "session_id", a->session_id,
	    "csrf_token", a->csrf_token));
}

void
api_refresh(struct req *rq, struct resp *rs)
{
	enum err_code err = sess_rotate(rq, rs) == 0 ? ERR_none : ERR_unauthenticated;
	if (err == ERR_none)
		auth_audit(rq, NULL, "auth.session_refreshed", "session", rq->auth->session_id, NULL, NULL);
	send_result(rq, rs, err, json_pack("{s:s,s:s}", "session_id", rq->auth->session_id,
	    "csrf_token", rq->auth->csrf_token));
}

void
api_tenant_switch(struct req *rq, struct resp *rs)
{
	const char *t = in_str(rq, "tenant_id");
	send_result(rq, rs, tenant_switch(rq, t), json_pack("{s:s}", "tenant_id", t));
}

void
api_sessions(struct req *rq, struct resp *rs)
{
	json_t *list = sessions_of(rq);
	if (list == NULL)
		resp_error(rq, rs, ERR_database_unavailable, NULL);
	else
		resp_json(rs, 200, json_pack("{s:o}", "sessions", list));
}

void
api_session_delete(struct req *rq, struct resp *rs)
{
	const char *id = json_string_value(json_object_get(rq->path_args, "id"));
	send_result(rq, rs, session_revoke(rq, rs, id), json_pack("{s:s}", "revoked", id));
}

/* ---- pages */

static void
login_form(struct req *rq, struct resp *rs, int status, const char *error)
{
	char *csrf = login_csrf_issue(rq, rs);
	json_t *ctx = json_pack("{s:s,s:s?,s:O?,s:O?,s:s}", "title", "Sign in", "error", error,
	    "email", json_object_get(rq->in, "email"), "next", json_object_get(rq->in, "next"),
	    "csrf_token", csrf);
	free(csrf);
	resp_page(rq, rs, status, "login", ctx);
	json_decref(ctx);
}

void
login_submit(struct req *rq, struct resp *rs)
{
	long retry = 0;
	if (!login_csrf_ok(rq)) {
		/* Not an attempt: no password is checked and nothing is counted. */
		login_form(rq, rs, err_get(ERR_csrf_failed)->status, err_get(ERR_csrf_failed)->message);
		return;
	}
	enum err_code err = login_attempt(rq, rs, in_str(rq, "email"), in_str(rq, "password"), &retry);
	if (err == ERR_none) {
		resp_redirect(rs, safe_next(in_str(rq, "next"), "/"));
		return;
	}
	if (err == ERR_login_throttled)
		resp_header(rs, "Retry-After", "%ld", retry);
	if (err != ERR_login_failed && err != ERR_login_throttled && err != ERR_account_disabled) {
		resp_error(rq, rs, err, NULL);
		return;
	}
	login_form(rq, rs, err_get(err)->status, err_get(err)->message);
}

void
logout_submit(struct req *rq, struct resp *rs)
{
	enum err_code err = logout(rq, rs);
	if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_redirect(rs, "/login");
}

static void
account_render(struct req *rq, struct resp *rs, int status, json_t *fields)
{
	json_t *ctx = page_context(rq, "Your account", "/account");
	json_t *list = sessions_of(rq);
	json_object_set_new(ctx, "sessions", list ? list : json_array());
	static const char *const done[][2] = {
		{ "password", "Your password was changed; your other sessions were signed out." },
		{ "session", "The session was signed out." },
		{ "tenant", "Switched tenant." },
	};
	const char *d = in_str(rq, "done");
	for (size_t i = 0; d && i < sizeof done / sizeof done[0]; i++)
		if (strcmp(d, done[i][0]) == 0)
			json_object_set_new(ctx, "notice", json_string(done[i][1]));
	if (fields)
		json_object_set_new(ctx, "errors", fields);
	resp_page(rq, rs, status, "account", ctx);
	json_decref(ctx);
}

void
account_page(struct req *rq, struct resp *rs)
{
	account_render(rq, rs, 200, NULL);
}

void
tenant_switch_submit(struct req *rq, struct resp *rs)
{
	enum err_code err = tenant_switch(rq, in_str(rq, "tenant_id"));
	if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_redirect(rs, safe_next(in_str(rq, "next"), "/account?done=tenant"));
}

void
session_revoke_submit(struct req *rq, struct resp *rs)
{
	const char *id = json_string_value(json_object_get(rq->path_args, "id"));
	enum err_code err = session_revoke(rq, rs, id);
	if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_redirect(rs, strcmp(id, rq->auth->session_id) == 0 ? "/login" : "/account?done=session");
}

void
password_change_submit(struct req *rq, struct resp *rs)
{
	json_t *fields = NULL;
	enum err_code err = password_change(rq, in_str(rq, "current_password"),
	    in_str(rq, "new_password"), &fields);
	if (err == ERR_validation_failed)
		account_render(rq, rs, 400, fields);
	else if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_redirect(rs, "/account?done=password");
}

/* The API twin of the password form. */
void
api_password_change(struct req *rq, struct resp *rs)
{
	json_t *fields = NULL;
	enum err_code err = password_change(rq, in_str(rq, "current_password"),
	    in_str(rq, "new_password"), &fields);
	if (err)
		resp_error(rq, rs, err, fields);
	else
		resp_json(rs, 200, json_pack("{s:b}", "changed", 1));
}
