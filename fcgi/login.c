#include "login.h"
#include "auth.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "password.h"
#include "session.h"
#include "xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct metric verifications = METRIC_INIT("voxline_auth_password_verifications_total",
    "Argon2id verifications run for sign-in attempts (unknown accounts included).", METRIC_COUNTER);
static struct metric logins = METRIC_INIT("voxline_auth_logins_total",
    "Sign-in attempts by result.", METRIC_COUNTER);

void
login_metrics_init(void)
{
	metrics_register(&verifications);
	metrics_register(&logins);
}

/* Seconds until the longest lock on either key ends; 0 when none. */
static long
locked_for(struct db *db, const char *account, const char *address)
{
	const char *p[2] = { account, address };
	PGresult *r = db_prep(db, "login_locked", "SELECT coalesce(ceil(EXTRACT(EPOCH FROM"
	    " max(locked_until) - now())), 0)::bigint FROM login_throttle"
	    " WHERE key IN ($1, $2) AND locked_until > now()", 2, p);
	long s = r ? atol(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return s;
}

/* Counts a failure on key; returns the failures in the window, or -1. */
static int
count_failure(struct req *rq, const char *key, long lock_after, int *locked)
{
	char window[16];
	snprintf(window, sizeof window, "%ld", cfg_int(CFG_auth_throttle_window));
	const char *p[2] = { key, window };
	PGresult *r = db_prep(rq->db, "login_fail", "INSERT INTO login_throttle (key, failures)"
	    " VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN"
	    " login_throttle.last_failure_at < now() - make_interval(secs => $2::int) THEN 1"
	    " ELSE login_throttle.failures + 1 END, last_failure_at = now() RETURNING failures", 2, p);
	if (r == NULL)
		return -1;
	int n = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	long backoff_after = cfg_int(CFG_auth_backoff_after), secs = 0;
	*locked = n >= lock_after;
	if (*locked)
		secs = cfg_int(CFG_auth_lock_seconds);
	else if (n >= backoff_after)
		secs = n - backoff_after >= 6 ? 60 : 1L << (n - backoff_after);
	if (secs > 0) {
		char s[24];
		snprintf(s, sizeof s, "%ld", secs);
		const char *q[2] = { key, s };
		PQclear(db_prep(rq->db, "login_lock", "UPDATE login_throttle SET locked_until ="
		    " now() + make_interval(secs => $2::int) WHERE key = $1", 2, q));
	}
	return n;
}

static void
record_failure(struct req *rq, const char *account, const char *address, const char *user_id,
    const char *email)
{
	int acc_locked = 0, addr_locked = 0;
	int acc = count_failure(rq, account, cfg_int(CFG_auth_lock_after), &acc_locked);
	int addr = address ? count_failure(rq, address, cfg_int(CFG_auth_address_lock_after),
	    &addr_locked) : 0;
	json_t *after = json_pack("{s:s,s:i,s:i}", "email", email, "account_failures", acc,
	    "address_failures", addr);
	auth_audit(rq, NULL, "auth.login_failed", user_id ? "user" : NULL, user_id, NULL, after);
	if (acc_locked && acc == cfg_int(CFG_auth_lock_after))
		auth_audit(rq, NULL, "auth.locked", "account", email, NULL, after);
	if (addr_locked && addr == cfg_int(CFG_auth_address_lock_after))
		auth_audit(rq, NULL, "auth.locked", "address", rq->remote_addr, NULL, after);
	json_decref(after);
}

enum err_code
login_start(struct req *rq, struct resp *rs, const char *user_id, const char *how)
{
	/* The first tenant the user joined (and is still enabled in) is the
	 * current one to begin with.  Someone whose memberships are all
	 * disabled, and who is no superadmin, has nowhere to sign in to. */
	const char *p[1] = { user_id };
	if (db_begin_tenant(rq->db, NULL) < 0)
		return ERR_database_unavailable;
	PGresult *r = db_prep(rq->db, "login_tenant", "SELECT m.tenant_id,"
	    " u.is_superadmin OR bool_or(m.disabled_at IS NULL) OVER ()"
	    " FROM users u LEFT JOIN memberships m ON m.user_id = u.id WHERE u.id = $1"
	    " ORDER BY m.disabled_at IS NOT NULL, m.created_at, m.tenant_id LIMIT 1", 1, p);
	char tenant[37] = "";
	int failed = r == NULL;
	int allowed = r && PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 1), "t") == 0;
	if (allowed && !PQgetisnull(r, 0, 0))
		snprintf(tenant, sizeof tenant, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	db_commit(rq->db);
	if (failed)
		return ERR_database_unavailable;
	if (!allowed) {
		auth_audit(rq, NULL, "auth.login_refused", "user", user_id, NULL, NULL);
		metrics_add(&logins, 1, "result", "disabled", NULL);
		return ERR_account_disabled;
	}
	if (sess_create(rq, rs, user_id, tenant) < 0)
		return ERR_internal;
	snprintf(rq->auth->user_id, sizeof rq->auth->user_id, "%s", user_id);
	PQclear(db_prep(rq->db, "login_seen", "UPDATE users SET last_login_at = now() WHERE id = $1", 1, p));
	json_t *after = json_pack("{s:s,s:s}", "session_id", rq->auth->session_id, "method", how);
	auth_audit(rq, NULL, "auth.login", "user", user_id, NULL, after);
	json_decref(after);
	metrics_add(&logins, 1, "result", "success", NULL);
	return ERR_none;
}

enum err_code
login_attempt(struct req *rq, struct resp *rs, const char *email, const char *password,
    long *retry_after)
{
	*retry_after = 0;
	char account[300], address[80];
	snprintf(account, sizeof account, "account:%s", email);
	for (char *c = account; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	snprintf(address, sizeof address, "address:%s", rq->remote_addr ? rq->remote_addr : "");
	const char *addr_key = rq->remote_addr ? address : NULL;

	if ((*retry_after = locked_for(rq->db, account, addr_key ? addr_key : account)) > 0) {
		metrics_add(&logins, 1, "result", "throttled", NULL);
		log_info("login_throttled", "{s:i}", "retry_after", (int)*retry_after);
		return ERR_login_throttled;
	}
	const char *p[1] = { email };
	PGresult *r = db_prep(rq->db, "login_user", "SELECT id, password_hash FROM users"
	    " WHERE lower(email) = lower($1) AND status = 'active'", 1, p);
	if (r == NULL)
		return ERR_database_unavailable;
	int found = PQntuples(r) == 1;
	char *user_id = found ? xstrdup(PQgetvalue(r, 0, 0)) : NULL;
	char *phc = found ? xstrdup(PQgetvalue(r, 0, 1)) : NULL;
	PQclear(r);
	/* Unknown, invited and disabled accounts run the same Argon2id work. */
	int ok = password_verify_or_dummy(phc, password);
	metrics_add(&verifications, 1, NULL);
	enum err_code err = ERR_none;
	if (!ok) {
		record_failure(rq, account, addr_key, user_id, email);
		metrics_add(&logins, 1, "result", "failure", NULL);
		log_info("login_failed", "{s:i}", "argon2_verifications", 1);
		err = ERR_login_failed;
		goto out;
	}
	const char *q[1] = { account };
	PQclear(db_prep(rq->db, "login_reset", "DELETE FROM login_throttle WHERE key = $1", 1, q));
	if (password_needs_rehash(phc)) {
		char *fresh = password_hash(password);
		const char *u[2] = { user_id, fresh };
		if (db_run(rq->db, "UPDATE users SET password_hash = $2 WHERE id = $1", 2, u) == 0)
			log_info("password_rehashed", "{s:s}", "user_id", user_id);
		free(fresh);
	}
	err = login_start(rq, rs, user_id, "password");
out:
	free(user_id);
	free(phc);
	return err;
}
