/* Invitations: an owner/admin (or a superadmin on the chosen tenant)
 * invites an address with a role; the email carries a single-use,
 * expiring link; accepting sets name and password and signs in.
 * The team page lists members with their status and open invitations. */
#include "../handlers.h"
#include "../auth.h"
#include "../login.h"
#include "../page.h"
#include "../tokens.h"
#include "team.h"
#include "cfg.h"
#include "crypto.h"
#include "db.h"
#include "email.h"
#include "password.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROLES "owner|admin|operator|analyst|viewer"

const struct field invite_fields[] = {
	{ "email", FT_EMAIL, FIELD_REQUIRED, 0, 0, NULL },
	{ "role", FT_ENUM, FIELD_REQUIRED, 0, 0, ROLES },
	{ NULL }
};
const struct field invite_accept_fields[] = {
	{ "token", FT_STRING, FIELD_REQUIRED, 1, 100, NULL },
	{ "name", FT_STRING, FIELD_REQUIRED, 1, 120, NULL },
	{ "password", FT_STRING, FIELD_REQUIRED, 1, 1000, NULL },
	{ NULL }
};
const struct field invite_accept_page_fields[] = {
	{ "token", FT_STRING, FIELD_REQUIRED, 1, 100, NULL },
	{ NULL }
};
const struct field team_page_fields[] = {
	{ "done", FT_ENUM, 0, 0, 0, "invited|resent|revoked|role|disabled|enabled" },
	{ NULL }
};

static const char *
in_str(struct req *rq, const char *name)
{
	return json_string_value(json_object_get(rq->in, name));
}

static const char *
path_id(struct req *rq)
{
	return json_string_value(json_object_get(rq->path_args, "id"));
}

/* Queues the invitation email (in the caller's transaction). */
static int
send_invitation(struct req *rq, const char *email, const char *role, const char *token)
{
	char *url = link_token_url("/invitations/accept", token);
	char subject[256], body[2048];
	snprintf(subject, sizeof subject, "You are invited to %s on Voxline", rq->auth->tenant_name);
	snprintf(body, sizeof body, "Hello,\n\n%s invited you to join %s on Voxline as %s.\n\n"
	    "Accept the invitation and choose your password here:\n%s\n\n"
	    "The link works once and expires in %ld days. If you did not expect this, ignore this email.\n",
	    rq->auth->user_name[0] ? rq->auth->user_name : "Someone", rq->auth->tenant_name, role, url,
	    cfg_int(CFG_invitation_ttl) / 86400 ? cfg_int(CFG_invitation_ttl) / 86400 : 1);
	free(url);
	return email_queue(rq->db, email, subject, body, "invitation", NULL);
}

/* ---- core */

static enum err_code
invite_create(struct req *rq, const char *email, const char *role, json_t **fields, char id[37])
{
	const struct auth *a = rq->auth;
	if (strcmp(role, "owner") == 0 && !a->superadmin && strcmp(a->role, "owner") != 0) {
		*fields = json_pack("{s:s}", "role", "Only an owner can invite another owner.");
		return ERR_validation_failed;
	}
	struct link_token t;
	link_token_new(&t);
	char ttl[16];
	snprintf(ttl, sizeof ttl, "%ld", cfg_int(CFG_invitation_ttl));
	enum err_code err = ERR_database_unavailable;
	if (db_begin_tenant(rq->db, a->tenant_id) < 0)
		goto out;
	const char *p[6] = { a->tenant_id, email, role, t.hash, a->user_id[0] ? a->user_id : NULL, ttl };
	PGresult *r = db_prep(rq->db, "invite_member", "SELECT 1 FROM memberships m JOIN users u"
	    " ON u.id = m.user_id WHERE m.tenant_id = $1 AND lower(u.email) = lower($2)", 2, p);
	if (r && PQntuples(r) > 0) {
		PQclear(r);
		db_rollback(rq->db);
		*fields = json_pack("{s:s}", "email", "This person is already a member of the tenant.");
		err = ERR_validation_failed;
		goto out;
	}
	PQclear(r);
	r = db_prep(rq->db, "invite_insert", "INSERT INTO invitations (tenant_id, email, role, token_hash,"
	    " invited_by, expires_at) VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6::int))"
	    " ON CONFLICT DO NOTHING RETURNING id", 6, p);
	if (r == NULL) {
		db_rollback(rq->db);
		goto out;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		db_rollback(rq->db);
		*fields = json_pack("{s:s}", "email", "An invitation to this address is already open; resend it instead.");
		err = ERR_validation_failed;
		goto out;
	}
	snprintf(id, 37, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	json_t *after = json_pack("{s:s,s:s}", "email", email, "role", role);
	if (send_invitation(rq, email, role, t.token) < 0 ||
	    auth_audit(rq, a->tenant_id, "invitation.created", "invitation", id, NULL, after) < 0 ||
	    db_commit(rq->db) < 0) {
		db_rollback(rq->db);
		json_decref(after);
		goto out;
	}
	json_decref(after);
	err = ERR_none;
out:
	link_token_free(&t);
	return err;
}

/* Resend (a new link; the old one stops working) or revoke an open invitation. */
static enum err_code
invite_change(struct req *rq, const char *id, int revoke)
{
	const struct auth *a = rq->auth;
	struct link_token t;
	link_token_new(&t);
	char ttl[16];
	snprintf(ttl, sizeof ttl, "%ld", cfg_int(CFG_invitation_ttl));
	enum err_code err = ERR_database_unavailable;
	if (db_begin_tenant(rq->db, a->tenant_id) < 0)
		goto out;
	const char *p[4] = { id, a->tenant_id, t.hash, ttl };
	PGresult *r = revoke
	    ? db_prep(rq->db, "invite_revoke", "UPDATE invitations SET revoked_at = now()"
	        " WHERE id = $1 AND tenant_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL"
	        " RETURNING email, role", 2, p)
	    : db_prep(rq->db, "invite_resend", "UPDATE invitations SET token_hash = $3, sent_at = now(),"
	        " expires_at = now() + make_interval(secs => $4::int) WHERE id = $1 AND tenant_id = $2"
	        " AND accepted_at IS NULL AND revoked_at IS NULL RETURNING email, role", 4, p);
	if (r == NULL || PQntuples(r) == 0) {
		err = r ? ERR_not_found : ERR_database_unavailable;
		PQclear(r);
		db_rollback(rq->db);
		goto out;
	}
	json_t *sum = json_pack("{s:s,s:s}", "email", PQgetvalue(r, 0, 0), "role", PQgetvalue(r, 0, 1));
	int rc = revoke ? 0 : send_invitation(rq, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), t.token);
	PQclear(r);
	if (rc == 0)
		rc = auth_audit(rq, a->tenant_id, revoke ? "invitation.revoked" : "invitation.resent",
		    "invitation", id, revoke ? sum : NULL, revoke ? NULL : sum);
	json_decref(sum);
	if (rc < 0 || db_commit(rq->db) < 0) {
		db_rollback(rq->db);
		goto out;
	}
	err = ERR_none;
out:
	link_token_free(&t);
	return err;
}

/* The open invitation a token names, in platform scope (the person
 * accepting has no tenant yet): its tenant, email and role. */
static int
invite_lookup(struct req *rq, const char *token, char tenant[37], char email[256], char role[16],
    char tenant_name[128], char id[37])
{
	char *hash = crypto_sha256_hex(token);
	const char *p[1] = { hash };
	PGresult *r = db_prep(rq->db, "invite_lookup", "SELECT i.id, i.tenant_id, i.email, i.role, t.name"
	    " FROM invitations i JOIN tenants t ON t.id = i.tenant_id WHERE i.token_hash = $1"
	    " AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()"
	    " FOR UPDATE OF i", 1, p);
	free(hash);
	if (r == NULL)
		return -1;
	int found = PQntuples(r) == 1;
	if (found) {
		snprintf(id, 37, "%s", PQgetvalue(r, 0, 0));
		snprintf(tenant, 37, "%s", PQgetvalue(r, 0, 1));
		snprintf(email, 256, "%s", PQgetvalue(r, 0, 2));
		snprintf(role, 16, "%s", PQgetvalue(r, 0, 3));
		snprintf(tenant_name, 128, "%s", PQgetvalue(r, 0, 4));
	}
	PQclear(r);
	return found;
}

/* New people set their name and password; someone who already has an
 * account proves it with their current password.  Then the membership
 * exists, the link is spent, and the person is signed in. */
static enum err_code
invite_accept(struct req *rq, struct resp *rs, const char *token, const char *name,
    const char *password, json_t **fields)
{
	char tenant[37], email[256], role[16], tname[128], id[37], user_id[37] = "";
	if (db_begin_tenant(rq->db, NULL) < 0)
		return ERR_database_unavailable;
	int found = invite_lookup(rq, token, tenant, email, role, tname, id);
	if (found <= 0) {
		db_rollback(rq->db);
		return found < 0 ? ERR_database_unavailable : ERR_token_invalid;
	}
	const char *pe[1] = { email };
	PGresult *r = db_prep(rq->db, "invite_user", "SELECT id, status, password_hash FROM users"
	    " WHERE lower(email) = lower($1) FOR UPDATE", 1, pe);
	if (r == NULL)
		goto fail;
	int exists = PQntuples(r) == 1, active = exists && strcmp(PQgetvalue(r, 0, 1), "active") == 0;
	if (exists && strcmp(PQgetvalue(r, 0, 1), "disabled") == 0) {
		PQclear(r);
		db_rollback(rq->db);
		return ERR_token_invalid;
	}
	if (exists)
		snprintf(user_id, sizeof user_id, "%s", PQgetvalue(r, 0, 0));
	int proven = active && password_verify_or_dummy(PQgetvalue(r, 0, 2), password);
	PQclear(r);
	const char *problem = active ? NULL : password_problem(password, email);
	if ((active && !proven) || problem) {
		db_rollback(rq->db);
		*fields = json_pack("{s:s}", "password", active ?
		    "You already have an account: enter its password to accept." : problem);
		return ERR_validation_failed;
	}
	if (!active) {
		char *hash = password_hash(password);
		const char *pu[3] = { email, name, hash };
		r = db_prep(rq->db, "invite_user_upsert", "INSERT INTO users (email, name, password_hash,"
		    " status, password_changed_at) VALUES ($1, $2, $3, 'active', now())"
		    " ON CONFLICT (lower(email)) DO UPDATE SET name = EXCLUDED.name,"
		    " password_hash = EXCLUDED.password_hash, status = 'active',"
		    " password_changed_at = now() RETURNING id", 3, pu);
		free(hash);
		if (r == NULL)
			goto fail;
		snprintf(user_id, sizeof user_id, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	const char *pm[3] = { tenant, user_id, role };
	if (db_run(rq->db, "INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, $3)"
	    " ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = EXCLUDED.role", 3, pm) < 0)
		goto fail;
	const char *pi[1] = { id };
	if (db_run(rq->db, "UPDATE invitations SET accepted_at = now() WHERE id = $1", 1, pi) < 0)
		goto fail;
	snprintf(rq->auth->user_id, sizeof rq->auth->user_id, "%s", user_id);
	json_t *after = json_pack("{s:s,s:s,s:s}", "email", email, "role", role, "user_id", user_id);
	int rc = auth_audit(rq, tenant, "invitation.accepted", "invitation", id, NULL, after);
	json_decref(after);
	if (rc < 0 || db_commit(rq->db) < 0)
		goto fail;
	enum err_code err = login_start(rq, rs, user_id, "invitation");
	if (err == ERR_none) {
		/* The session starts on the tenant that invited them. */
		const char *ps[2] = { rq->auth->session_id, tenant };
		db_run(rq->db, "UPDATE sessions SET current_tenant_id = $2 WHERE id = $1", 2, ps);
	}
	return err;
fail:
	db_rollback(rq->db);
	return ERR_database_unavailable;
}

/* Members of the current tenant with their status, and invitations. */
static json_t *
team_of(struct req *rq)
{
	const char *p[1] = { rq->auth->tenant_id };
	if (db_begin_tenant(rq->db, rq->auth->tenant_id) < 0)
		return NULL;
	json_t *members = members_of(rq);
	PGresult *i = db_prep(rq->db, "team_invitations", "SELECT id, email, role, " PAGE_TIME("sent_at") ","
	    " " PAGE_TIME("expires_at") ", CASE WHEN revoked_at IS NOT NULL THEN 'revoked'"
	    " WHEN accepted_at IS NOT NULL THEN 'accepted' WHEN expires_at <= now() THEN 'expired'"
	    " ELSE 'invited' END FROM invitations WHERE tenant_id = $1 AND accepted_at IS NULL"
	    " AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 200", 1, p);
	db_commit(rq->db);
	json_t *invites = json_array();
	for (int k = 0; i && k < PQntuples(i); k++)
		json_array_append_new(invites, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", PQgetvalue(i, k, 0),
		    "email", PQgetvalue(i, k, 1), "role", PQgetvalue(i, k, 2), "sent", PQgetvalue(i, k, 3),
		    "expires", PQgetvalue(i, k, 4), "status", PQgetvalue(i, k, 5)));
	json_t *out = members && i ? json_pack("{s:o,s:o}", "members", members, "invitations", invites) : NULL;
	if (out == NULL) {
		json_decref(members);
		json_decref(invites);
	}
	PQclear(i);
	return out;
}

/* ---- API */

void
api_invitations(struct req *rq, struct resp *rs)
{
	json_t *team = team_of(rq);
	if (team == NULL)
		resp_error(rq, rs, ERR_database_unavailable, NULL);
	else
		resp_json(rs, 200, team);
}

void
api_invite_create(struct req *rq, struct resp *rs)
{
	json_t *fields = NULL;
	char id[37] = "";
	enum err_code err = invite_create(rq, in_str(rq, "email"), in_str(rq, "role"), &fields, id);
	if (err)
		resp_error(rq, rs, err, fields);
	else
		resp_json(rs, 201, json_pack("{s:s,s:s,s:s,s:s}", "id", id, "email", in_str(rq, "email"),
		    "role", in_str(rq, "role"), "status", "invited"));
}

void
api_invite_resend(struct req *rq, struct resp *rs)
{
	enum err_code err = invite_change(rq, path_id(rq), 0);
	if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_json(rs, 200, json_pack("{s:s,s:s}", "id", path_id(rq), "status", "invited"));
}

void
api_invite_revoke(struct req *rq, struct resp *rs)
{
	enum err_code err = invite_change(rq, path_id(rq), 1);
	if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_json(rs, 200, json_pack("{s:s,s:s}", "id", path_id(rq), "status", "revoked"));
}

void
api_invite_accept(struct req *rq, struct resp *rs)
{
	json_t *fields = NULL;
	enum err_code err = invite_accept(rq, rs, in_str(rq, "token"), in_str(rq, "name"),
	    in_str(rq, "password"), &fields);
	if (err)
		resp_error(rq, rs, err, fields);
	else
		resp_json(rs, 200, json_pack("{s:{s:s},s:s,s:s}", "user", "id", rq->auth->user_id,
		    "session_id", rq->auth->session_id, "csrf_token", rq->auth->csrf_token));
}

/* ---- pages */

void
team_render(struct req *rq, struct resp *rs, int status, json_t *fields, const char *problem)
{
	json_t *ctx = page_context(rq, "Team", "/team");
	json_t *team = team_of(rq);
	if (team)
		json_object_update(ctx, team);
	json_decref(team);
	static const char *const done[][2] = {
		{ "invited", "The invitation is on its way." },
		{ "resent", "The invitation was sent again with a new link." },
		{ "revoked", "The invitation was revoked; its link no longer works." },
		{ "role", "The role was changed." },
		{ "disabled", "The member was disabled and signed out everywhere." },
		{ "enabled", "The member was enabled again and can sign in." },
	};
	const char *d = status == 200 ? in_str(rq, "done") : NULL;
	for (size_t k = 0; d && k < sizeof done / sizeof done[0]; k++)
		if (strcmp(d, done[k][0]) == 0)
			json_object_set_new(ctx, "notice", json_string(done[k][1]));
	if (problem)
		json_object_set_new(ctx, "problem", json_string(problem));
	if (fields) {
		json_object_set_new(ctx, "errors", fields);
		json_object_set(ctx, "form", rq->in);
	}
	json_object_set_new(ctx, "roles", members_role_options(rq->auth,
	    fields ? json_string_value(json_object_get(rq->in, "role")) : NULL));
	resp_page(rq, rs, status, "team", ctx);
	json_decref(ctx);
}

void
team_page(struct req *rq, struct resp *rs)
{
	team_render(rq, rs, 200, NULL, NULL);
}

void
invite_create_submit(struct req *rq, struct resp *rs)
{
	json_t *fields = NULL;
	char id[37];
	enum err_code err = invite_create(rq, in_str(rq, "email"), in_str(rq, "role"), &fields, id);
	if (err == ERR_validation_failed)
		team_render(rq, rs, 400, fields, NULL);
	else if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_redirect(rs, "/team?done=invited");
}

void
invite_resend_submit(struct req *rq, struct resp *rs)
{
	enum err_code err = invite_change(rq, path_id(rq), 0);
	if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_redirect(rs, "/team?done=resent");
}

void
invite_revoke_submit(struct req *rq, struct resp *rs)
{
	enum err_code err = invite_change(rq, path_id(rq), 1);
	if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_redirect(rs, "/team?done=revoked");
}

static void
accept_render(struct req *rq, struct resp *rs, int status, json_t *fields)
{
	char tenant[37], email[256], role[16], tname[128], id[37];
	int found = -1;
	if (db_begin_tenant(rq->db, NULL) == 0) {
		found = invite_lookup(rq, in_str(rq, "token"), tenant, email, role, tname, id);
		db_rollback(rq->db);
	}
	if (found < 0) {
		resp_error(rq, rs, ERR_database_unavailable, NULL);
		return;
	}
	json_t *ctx = json_pack("{s:s,s:b}", "title", "Accept invitation", "valid", found);
	if (found)
		json_object_update_new(ctx, json_pack("{s:s,s:s,s:s,s:s,s:O?}", "token", in_str(rq, "token"),
		    "email", email, "role", role, "tenant_name", tname, "name", json_object_get(rq->in, "name")));
	if (fields)
		json_object_set_new(ctx, "errors", fields);
	resp_page(rq, rs, found ? status : 400, "invitation", ctx);
	json_decref(ctx);
}

void
invite_accept_page(struct req *rq, struct resp *rs)
{
	accept_render(rq, rs, 200, NULL);
}

void
invite_accept_submit(struct req *rq, struct resp *rs)
{
	json_t *fields = NULL;
	enum err_code err = invite_accept(rq, rs, in_str(rq, "token"), in_str(rq, "name"),
	    in_str(rq, "password"), &fields);
	if (err == ERR_validation_failed || err == ERR_token_invalid)
		accept_render(rq, rs, 400, fields);
	else if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_redirect(rs, "/");
}
