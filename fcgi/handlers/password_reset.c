/* Password reset: the request answers the same whether or not the
 * address has an account; the emailed link is single-use and expires
 * soon; setting the new password signs out every other session and
 * signs the person in. */
#include "../handlers.h"
#include "../auth.h"
#include "../login.h"
#include "../session.h"
#include "../tokens.h"
#include "cfg.h"
#include "crypto.h"
#include "db.h"
#include "email.h"
#include "log.h"
#include "password.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct field reset_request_fields[] = {
	{ "email", FT_STRING, FIELD_REQUIRED, 1, 254, NULL },
	{ NULL }
};
const struct field reset_confirm_fields[] = {
	{ "token", FT_STRING, FIELD_REQUIRED, 1, 100, NULL },
	{ "password", FT_STRING, FIELD_REQUIRED, 1, 1000, NULL },
	{ NULL }
};
const struct field reset_token_fields[] = {
	{ "token", FT_STRING, FIELD_REQUIRED, 1, 100, NULL },
	{ NULL }
};

#define RESET_SENT "If an account exists for that address, we have sent it a link to choose a new password."

static const char *
in_str(struct req *rq, const char *name)
{
	return json_string_value(json_object_get(rq->in, name));
}

/* ---- core */

static enum err_code
reset_request(struct req *rq, const char *email)
{
	const char *p[1] = { email };
	PGresult *r = db_prep(rq->db, "reset_user", "SELECT id, email FROM users"
	    " WHERE lower(email) = lower($1) AND status = 'active'", 1, p);
	if (r == NULL)
		return ERR_database_unavailable;
	if (PQntuples(r) == 0) {
		PQclear(r);
		log_info("password_reset_unknown", NULL);
		return ERR_none;
	}
	char user_id[37], to[256];
	snprintf(user_id, sizeof user_id, "%s", PQgetvalue(r, 0, 0));
	snprintf(to, sizeof to, "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	struct link_token t;
	link_token_new(&t);
	char ttl[16];
	snprintf(ttl, sizeof ttl, "%ld", cfg_int(CFG_password_reset_ttl));
	char *url = link_token_url("/password/reset/confirm", t.token);
	char body[2048];
	snprintf(body, sizeof body, "Hello,\n\nSomeone (hopefully you) asked to reset the password of your"
	    " Voxline account.\nChoose a new password here:\n%s\n\nThe link works once and expires in"
	    " %ld minutes. If you did not ask for this, ignore this email: your password stays as it is.\n",
	    url, cfg_int(CFG_password_reset_ttl) / 60);
	free(url);
	const char *q[4] = { user_id, t.hash, ttl, rq->remote_addr };
	enum err_code err = ERR_database_unavailable;
	if (db_begin(rq->db) < 0)
		goto out;
	if (db_run(rq->db, "INSERT INTO password_resets (user_id, token_hash, expires_at, ip)"
	    " VALUES ($1, $2, now() + make_interval(secs => $3::int), $4::inet)", 4, q) < 0 ||
	    email_queue(rq->db, to, "Reset your Voxline password", body, "password_reset", NULL) < 0 ||
	    db_commit(rq->db) < 0) {
		db_rollback(rq->db);
		goto out;
	}
	auth_audit(rq, NULL, "auth.password_reset_requested", "user", user_id, NULL, NULL);
	err = ERR_none;
out:
	link_token_free(&t);
	return err;
}

/* The user a valid, unused, unexpired token names ("" when none). */
static int
reset_lookup(struct req *rq, const char *token, char user_id[37], char email[256], int lock)
{
	char *hash = crypto_sha256_hex(token);
	const char *p[1] = { hash };
	PGresult *r = lock
	    ? db_prep(rq->db, "reset_lookup_lock", "SELECT u.id, u.email FROM password_resets r JOIN users u"
	        " ON u.id = r.user_id WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now()"
	        " AND u.status = 'active' FOR UPDATE OF r", 1, p)
	    : db_prep(rq->db, "reset_lookup", "SELECT u.id, u.email FROM password_resets r JOIN users u"
	        " ON u.id = r.user_id WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now()"
	        " AND u.status = 'active'", 1, p);
	free(hash);
	if (r == NULL)
		return -1;
	int found = PQntuples(r) == 1;
	if (found) {
		snprintf(user_id, 37, "%s", PQgetvalue(r, 0, 0));
		snprintf(email, 256, "%s", PQgetvalue(r, 0, 1));
	}
	PQclear(r);
	return found;
}

static enum err_code
reset_confirm(struct req *rq, struct resp *rs, const char *token, const char *password, json_t **fields)
{
	char user_id[37], email[256];
	if (db_begin(rq->db) < 0)
		return ERR_database_unavailable;
	int found = reset_lookup(rq, token, user_id, email, 1);
	if (found <= 0) {
		db_rollback(rq->db);
		return found < 0 ? ERR_database_unavailable : ERR_token_invalid;
	}
	const char *problem = password_problem(password, email);
	if (problem) {
		db_rollback(rq->db);
		*fields = json_pack("{s:s}", "password", problem);
		return ERR_validation_failed;
	}
	char *hash = password_hash(password);
	const char *p[2] = { user_id, hash };
	int rc = db_run(rq->db, "UPDATE users SET password_hash = $2, password_changed_at = now()"
	    " WHERE id = $1", 2, p);
	free(hash);
	/* Every link of this user is spent, not only this one. */
	if (rc < 0 || db_run(rq->db, "UPDATE password_resets SET used_at = now() WHERE user_id = $1"
	    " AND used_at IS NULL", 1, p) < 0 || sess_revoke_others(rq->db, user_id, NULL) < 0 ||
	    db_commit(rq->db) < 0) {
		db_rollback(rq->db);
		return ERR_database_unavailable;
	}
	snprintf(rq->auth->user_id, sizeof rq->auth->user_id, "%s", user_id);
	json_t *after = json_pack("{s:s}", "sessions", "all revoked");
	auth_audit(rq, NULL, "auth.password_reset", "user", user_id, NULL, after);
	json_decref(after);
	return login_start(rq, rs, user_id, "password_reset");
}

/* ---- API */

void
api_reset_request(struct req *rq, struct resp *rs)
{
	enum err_code err = reset_request(rq, in_str(rq, "email"));
	if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_json(rs, 202, json_pack("{s:s}", "message", RESET_SENT));
}

void
api_reset_confirm(struct req *rq, struct resp *rs)
{
	json_t *fields = NULL;
	enum err_code err = reset_confirm(rq, rs, in_str(rq, "token"), in_str(rq, "password"), &fields);
	if (err)
		resp_error(rq, rs, err, fields);
	else
		resp_json(rs, 200, json_pack("{s:{s:s},s:s,s:s}", "user", "id", rq->auth->user_id,
		    "session_id", rq->auth->session_id, "csrf_token", rq->auth->csrf_token));
}

/* ---- pages */

void
reset_request_page(struct req *rq, struct resp *rs)
{
	json_t *ctx = json_pack("{s:s}", "title", "Reset your password");
	resp_page(rq, rs, 200, "password_reset", ctx);
	json_decref(ctx);
}

void
reset_request_submit(struct req *rq, struct resp *rs)
{
	enum err_code err = reset_request(rq, in_str(rq, "email"));
	if (err) {
		resp_error(rq, rs, err, NULL);
		return;
	}
	json_t *ctx = json_pack("{s:s,s:s}", "title", "Reset your password", "notice", RESET_SENT);
	resp_page(rq, rs, 200, "password_reset", ctx);
	json_decref(ctx);
}

static void
confirm_render(struct req *rq, struct resp *rs, int status, json_t *fields)
{
	char user_id[37], email[256];
	int found = reset_lookup(rq, in_str(rq, "token"), user_id, email, 0);
	if (found < 0) {
		resp_error(rq, rs, ERR_database_unavailable, NULL);
		return;
	}
	json_t *ctx = json_pack("{s:s,s:b,s:s}", "title", "Choose a new password", "valid", found,
	    "token", in_str(rq, "token"));
	if (found)
		json_object_set_new(ctx, "email", json_string(email));
	if (fields)
		json_object_set_new(ctx, "errors", fields);
	resp_page(rq, rs, found ? status : 400, "password_reset_confirm", ctx);
	json_decref(ctx);
}

void
reset_confirm_page(struct req *rq, struct resp *rs)
{
	confirm_render(rq, rs, 200, NULL);
}

void
reset_confirm_submit(struct req *rq, struct resp *rs)
{
	json_t *fields = NULL;
	enum err_code err = reset_confirm(rq, rs, in_str(rq, "token"), in_str(rq, "password"), &fields);
	if (err == ERR_validation_failed || err == ERR_token_invalid)
		confirm_render(rq, rs, 400, fields);
	else if (err)
		resp_error(rq, rs, err, NULL);
	else
		resp_redirect(rs, "/");
}
