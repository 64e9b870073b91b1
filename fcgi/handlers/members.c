/* Members of a tenant: change role, disable, re-enable.
 *
 * The rules, in one place for the team page and the API:
 *   - nobody changes their own membership;
 *   - nobody gives a role above their own, or touches someone whose role
 *     is above theirs (the rank is the column order of roles.def; a
 *     superadmin outranks every tenant role);
 *   - the tenant keeps at least one active owner;
 *   - disabling revokes the person's sessions at once;
 *   - every change is in the audit log with before and after. */
#include "../handlers.h"
#include "../auth.h"
#include "../page.h"
#include "../rbac.h"
#include "team.h"
#include "db.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum member_action { MEMBER_ROLE, MEMBER_DISABLE, MEMBER_ENABLE };

const struct field member_role_fields[] = {
	{ "role", FT_ENUM, FIELD_REQUIRED, 0, 0, "owner|admin|operator|analyst|viewer" },
	{ NULL }
};

/* The actor's rank: lower is higher (superadmin 0, owner 1 ... viewer 5). */
static int
actor_rank(const struct auth *a)
{
	int r = a->superadmin ? ROLE_superadmin : rbac_tenant_role(a->role);
	return r < 0 ? ROLE__COUNT : r;
}

json_t *
members_role_options(const struct auth *a, const char *current)
{
	json_t *out = json_array();
	for (int r = ROLE__COUNT - 1; r >= ROLE_owner && r >= actor_rank(a); r--)
		json_array_append_new(out, json_pack("{s:s,s:b}", "name", rbac_role_name(r),
		    "selected", current && strcmp(rbac_role_name(r), current) == 0));
	return out;
}

json_t *
members_of(struct req *rq)
{
	const struct auth *a = rq->auth;
	const char *p[1] = { a->tenant_id };
	PGresult *r = db_prep(rq->db, "team_members", "SELECT u.id, u.name, u.email, m.role,"
	    " CASE WHEN m.disabled_at IS NOT NULL THEN 'disabled' ELSE u.status END,"
	    " coalesce(" PAGE_TIME("u.last_login_at") ", '') FROM memberships m JOIN users u"
	    " ON u.id = m.user_id WHERE m.tenant_id = $1 ORDER BY lower(u.email)", 1, p);
	if (r == NULL)
		return NULL;
	int rank = actor_rank(a);
	json_t *out = json_array();
	for (int k = 0; k < PQntuples(r); k++) {
		int self = strcmp(PQgetvalue(r, k, 0), a->user_id) == 0;
		int manageable = !self && rbac_tenant_role(PQgetvalue(r, k, 3)) >= rank;
		json_t *m = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:b}",
		    "id", PQgetvalue(r, k, 0), "name", PQgetvalue(r, k, 1), "email", PQgetvalue(r, k, 2),
		    "role", PQgetvalue(r, k, 3), "status", PQgetvalue(r, k, 4),
		    "last_login", PQgetvalue(r, k, 5), "self", self, "manageable", manageable,
		    "disabled", strcmp(PQgetvalue(r, k, 4), "disabled") == 0);
		if (manageable && !req_wants_json(rq))
			json_object_set_new(m, "role_options", members_role_options(a, PQgetvalue(r, k, 3)));
		json_array_append_new(out, m);
	}
	PQclear(r);
	return out;
}

/* Checks the rules against the locked rows; ERR_none to go ahead. */
static enum err_code
member_rules(const struct auth *a, enum member_action act, const char *current, int disabled,
    const char *role, long other_owners)
{
	int rank = actor_rank(a);
	if (rbac_tenant_role(current) < rank || (act == MEMBER_ROLE && rbac_tenant_role(role) < rank))
		return ERR_role_not_allowed;
	int active_owner = strcmp(current, "owner") == 0 && !disabled;
	int loses_owner = act == MEMBER_DISABLE || (act == MEMBER_ROLE && strcmp(role, "owner") != 0);
	if (active_owner && loses_owner && other_owners == 0)
		return ERR_last_owner;
	return ERR_none;
}

/* The change itself; its audit row, and the session revocation when
 * disabling, are in the same transaction. */
static enum err_code
member_apply(struct req *rq, const char *user_id, enum member_action act, const char *current,
    int disabled, const char *role)
{
	const struct auth *a = rq->auth;
	const char *p[4] = { a->tenant_id, user_id, role, a->user_id[0] ? a->user_id : NULL };
	const char *action;
	json_t *before, *after;
	if (act == MEMBER_ROLE) {
		if (strcmp(current, role) == 0)
			return ERR_none;
		if (db_run(rq->db, "UPDATE memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2",
		    3, p) < 0)
			return ERR_database_unavailable;
		action = "member.role_changed";
		before = json_pack("{s:s}", "role", current);
		after = json_pack("{s:s}", "role", role);
	} else if (act == MEMBER_DISABLE) {
		if (disabled)
			return ERR_none;
		const char *q[3] = { a->tenant_id, user_id, p[3] };
		if (db_run(rq->db, "UPDATE memberships SET disabled_at = now(), disabled_by = $3"
		    " WHERE tenant_id = $1 AND user_id = $2", 3, q) < 0)
			return ERR_database_unavailable;
		/* Every session of the person ends now, not at its next expiry. */
		PGresult *r = db_exec(rq->db, "UPDATE sessions SET revoked_at = now() WHERE user_id = $1"
		    " AND revoked_at IS NULL RETURNING id", 1, &q[1]);
		if (r == NULL)
			return ERR_database_unavailable;
		action = "member.disabled";
		before = json_pack("{s:s,s:s}", "role", current, "status", "active");
		after = json_pack("{s:s,s:s,s:i}", "role", current, "status", "disabled",
		    "sessions_revoked", PQntuples(r));
		PQclear(r);
	} else {
		if (!disabled)
			return ERR_none;
		if (db_run(rq->db, "UPDATE memberships SET disabled_at = NULL, disabled_by = NULL"
		    " WHERE tenant_id = $1 AND user_id = $2", 2, p) < 0)
			return ERR_database_unavailable;
		action = "member.enabled";
		before = json_pack("{s:s,s:s}", "role", current, "status", "disabled");
		after = json_pack("{s:s,s:s}", "role", current, "status", "active");
	}
	int rc = auth_audit(rq, a->tenant_id, action, "user", user_id, before, after);
	json_decref(before);
	json_decref(after);
	return rc < 0 ? ERR_database_unavailable : ERR_none;
}

static enum err_code
member_change(struct req *rq, const char *user_id, enum member_action act, const char *role)
{
	const struct auth *a = rq->auth;
	if (a->user_id[0] && strcmp(user_id, a->user_id) == 0)
		return ERR_own_membership;
	if (db_begin_tenant(rq->db, a->tenant_id) < 0)
		return ERR_database_unavailable;
	/* Owner rows are locked first so that two changes cannot each leave
	 * the other as the last owner and then both go through. */
	const char *p[2] = { a->tenant_id, user_id };
	PGresult *r = db_prep(rq->db, "member_lock_owners", "SELECT user_id FROM memberships"
	    " WHERE tenant_id = $1 AND role = 'owner' ORDER BY user_id FOR UPDATE", 1, p);
	PQclear(r);
	if (r == NULL)
		goto fail;
	r = db_prep(rq->db, "member_current", "SELECT m.role, m.disabled_at IS NOT NULL,"
	    " (SELECT count(*) FROM memberships o WHERE o.tenant_id = $1 AND o.role = 'owner'"
	    " AND o.disabled_at IS NULL AND o.user_id <> $2) FROM memberships m"
	    " WHERE m.tenant_id = $1 AND m.user_id = $2 FOR UPDATE", 2, p);
	if (r == NULL)
		goto fail;
	if (PQntuples(r) == 0) {
		PQclear(r);
		db_rollback(rq->db);
		return ERR_not_found;
	}
	char current[16];
	snprintf(current, sizeof current, "%s", PQgetvalue(r, 0, 0));
	int disabled = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
	long others = atol(PQgetvalue(r, 0, 2));
	PQclear(r);
	enum err_code err = member_rules(a, act, current, disabled, role, others);
	if (err == ERR_none)
		err = member_apply(rq, user_id, act, current, disabled, role);
	if (err != ERR_none) {
		db_rollback(rq->db);
		return err;
	}
	return db_commit(rq->db) < 0 ? ERR_database_unavailable : ERR_none;
fail:
	db_rollback(rq->db);
	return ERR_database_unavailable;
}

static const char *
path_id(struct req *rq)
{
	return json_string_value(json_object_get(rq->path_args, "id"));
}

static const char *
in_role(struct req *rq)
{
	return json_string_value(json_object_get(rq->in, "role"));
}

/* ---- API */

void
api_members(struct req *rq, struct resp *rs)
{
	json_t *members = NULL;
	if (db_begin_tenant(rq->db, rq->auth->tenant_id) == 0) {
		members = members_of(rq);
		db_commit(rq->db);
	}
	if (members == NULL)
		resp_error(rq, rs, ERR_database_unavailable, NULL);
	else
		resp_json(rs, 200, json_pack("{s:o}", "members", members));
}

/* Answers with the member as it now is. */
static void
api_member_answer(struct req *rq, struct resp *rs, enum err_code err)
{
	if (err) {
		resp_error(rq, rs, err, NULL);
		return;
	}
	json_t *members = NULL, *found = NULL;
	if (db_begin_tenant(rq->db, rq->auth->tenant_id) == 0) {
		members = members_of(rq);
		db_commit(rq->db);
	}
	size_t i;
	json_t *m;
	json_array_foreach(members, i, m)
		if (strcmp(json_string_value(json_object_get(m, "id")), path_id(rq)) == 0)
			found = m;
	if (found)
		resp_json(rs, 200, json_incref(found));
	else
		resp_error(rq, rs, ERR_database_unavailable, NULL);
	json_decref(members);
}

void
api_member_role(struct req *rq, struct resp *rs)
{
	api_member_answer(rq, rs, member_change(rq, path_id(rq), MEMBER_ROLE, in_role(rq)));
}

void
api_member_disable(struct req *rq, struct resp *rs)
{
	api_member_answer(rq, rs, member_change(rq, path_id(rq), MEMBER_DISABLE, NULL));
}

void
api_member_enable(struct req *rq, struct resp *rs)
{
	api_member_answer(rq, rs, member_change(rq, path_id(rq), MEMBER_ENABLE, NULL));
}

/* ---- pages: refusals by a rule are shown on the team page itself */

static void
member_page_answer(struct req *rq, struct resp *rs, enum err_code err, const char *done)
{
	if (err == ERR_none) {
		char to[64];
		snprintf(to, sizeof to, "/team?done=%s", done);
		resp_redirect(rs, to);
	} else if (err == ERR_role_not_allowed || err == ERR_last_owner || err == ERR_own_membership)
		team_render(rq, rs, err_get(err)->status, NULL, err_get(err)->message);
	else
		resp_error(rq, rs, err, NULL);
}

void
member_role_submit(struct req *rq, struct resp *rs)
{
	member_page_answer(rq, rs, member_change(rq, path_id(rq), MEMBER_ROLE, in_role(rq)), "role");
}

void
member_disable_submit(struct req *rq, struct resp *rs)
{
	member_page_answer(rq, rs, member_change(rq, path_id(rq), MEMBER_DISABLE, NULL), "disabled");
}

void
member_enable_submit(struct req *rq, struct resp *rs)
{
	member_page_answer(rq, rs, member_change(rq, path_id(rq), MEMBER_ENABLE, NULL), "enabled");
}
