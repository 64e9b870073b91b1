/* The access layer: who is asking (session cookie or API key), whether
 * the route's permission is held (rbac.c), and CSRF for cookies. */
#include "auth.h"
#include "audit.h"
#include "cfg.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "rbac.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

/* Session lookup: valid token, open, neither idle too long nor past its
 * absolute expiry, user active.  The tenant counts only while the user
 * is still an enabled member of it (or a superadmin). */
static int
identify_session(struct req *rq, struct auth *a, const char *token)
{
	char *hash = crypto_sha256_hex(token), idle[16];
	snprintf(idle, sizeof idle, "%ld", cfg_int(CFG_session_idle_timeout));
	const char *p[2] = { hash, idle };
	PGresult *r = db_prep(rq->db, "auth_session",
	    "SELECT s.id, s.csrf_token, u.id, u.name, u.email, u.is_superadmin,"
	    " CASE WHEN u.is_superadmin OR m.role IS NOT NULL THEN t.id END,"
	    " coalesce(t.name, ''), coalesce(t.plan, ''), coalesce(m.role, ''),"
	    " s.last_seen_at < now() - interval '15 seconds'"
	    " FROM sessions s JOIN users u ON u.id = s.user_id"
	    " LEFT JOIN tenants t ON t.id = s.current_tenant_id"
	    " LEFT JOIN memberships m ON m.tenant_id = t.id AND m.user_id = u.id AND m.disabled_at IS NULL"
	    " WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()"
	    " AND s.last_seen_at > now() - make_interval(secs => $2::int) AND u.status = 'active'",
	    2, p);
	free(hash);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1) {
		a->authenticated = 1;
		COPY(a->session_id, PQgetvalue(r, 0, 0));
		COPY(a->csrf_token, PQgetvalue(r, 0, 1));
		COPY(a->user_id, PQgetvalue(r, 0, 2));
		COPY(a->user_name, PQgetvalue(r, 0, 3));
		COPY(a->user_email, PQgetvalue(r, 0, 4));
		a->superadmin = strcmp(PQgetvalue(r, 0, 5), "t") == 0;
		if (!PQgetisnull(r, 0, 6)) {
			COPY(a->tenant_id, PQgetvalue(r, 0, 6));
			COPY(a->tenant_name, PQgetvalue(r, 0, 7));
			COPY(a->plan, PQgetvalue(r, 0, 8));
			COPY(a->role, PQgetvalue(r, 0, 9));
		}
		if (strcmp(PQgetvalue(r, 0, 10), "t") == 0) {
			const char *q[1] = { a->session_id };
			PQclear(db_prep(rq->db, "auth_session_seen",
			    "UPDATE sessions SET last_seen_at = now() WHERE id = $1", 1, q));
		}
	}
	PQclear(r);
	return 0;
}

/* API keys: "Bearer vxk_<prefix>_<secret>", looked up by the hash of
 * the whole string; revoked keys and suspended tenants count as nothing. */
static int
identify_key(struct req *rq, struct auth *a, const char *token)
{
	if (strncmp(token, "vxk_", 4) != 0 || strlen(token) > 100)
		return 0;
	char *hash = crypto_sha256_hex(token);
	const char *p[1] = { hash };
	PGresult *r = db_prep(rq->db, "auth_key",
	    "SELECT k.id, k.prefix, k.scope, t.id, t.name, t.plan,"
	    " k.last_used_at IS NULL OR k.last_used_at < now() - interval '60 seconds'"
	    " FROM api_keys k JOIN tenants t ON t.id = k.tenant_id"
	    " WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND t.status = 'active'", 1, p);
	free(hash);
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 1) {
		a->authenticated = 1;
		COPY(a->api_key_id, PQgetvalue(r, 0, 0));
		COPY(a->api_key_prefix, PQgetvalue(r, 0, 1));
		a->api_key_write = strcmp(PQgetvalue(r, 0, 2), "write") == 0;
		COPY(a->tenant_id, PQgetvalue(r, 0, 3));
		COPY(a->tenant_name, PQgetvalue(r, 0, 4));
		COPY(a->plan, PQgetvalue(r, 0, 5));
		COPY(a->user_name, a->api_key_prefix);
		if (strcmp(PQgetvalue(r, 0, 6), "t") == 0) {
			const char *q[1] = { a->api_key_id };
			PQclear(db_prep(rq->db, "auth_key_used",
			    "UPDATE api_keys SET last_used_at = now() WHERE id = $1", 1, q));
		}
	}
	PQclear(r);
	return 0;
}

static const char *
bearer(const struct req *rq)
{
	const char *h = rq->authorization;
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	return h + 7 + strspn(h + 7, " ");
}

int
auth_identify(struct req *rq)
{
	static _Thread_local struct auth current;
	memset(&current, 0, sizeof current);
	rq->auth = &current;
	const char *key = strncmp(rq->path ? rq->path : "", "/api/v1/", 8) == 0 ? bearer(rq) : NULL;
	const char *cookie = NULL;
	json_t *cookies = json_object();
	if (key == NULL && rq->cookie_header && req_parse_cookies(rq->cookie_header, cookies) == 0)
		cookie = json_string_value(json_object_get(cookies, AUTH_SESSION_COOKIE));
	int rc = 0;
	if ((key || (cookie && *cookie)) && rq->db) {
		/* Memberships and API keys are tenant-owned: read them in platform scope. */
		if (db_begin_tenant(rq->db, NULL) < 0)
			rc = -1;
		else {
			rc = key ? identify_key(rq, &current, key) : identify_session(rq, &current, cookie);
			if (rc == 0)
				rc = db_commit(rq->db);
			else
				db_rollback(rq->db);
		}
		if (rc < 0)
			memset(&current, 0, sizeof current);
	}
	json_decref(cookies);
	return rc;
}

enum err_code
access_check(const struct req *rq, enum perm p)
{
	return rbac_decide(rq->auth, p);
}

void
access_deny(struct req *rq, struct resp *rs, enum err_code err)
{
	if (err == ERR_unauthenticated && !req_wants_json(rq) && strcmp(rq->method, "GET") == 0) {
		char next[1024];
		struct buf b;
		buf_init(&b, 4096);
		/* The path is ours (routed, decoded): re-encode it for the query. */
		for (const char *s = rq->path; *s; s++)
			if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./", *s))
				buf_putc(&b, *s);
			else
				buf_printf(&b, "%%%02X", (unsigned char)*s);
		snprintf(next, sizeof next, "/login?next=%s", b.data ? b.data : "/");
		buf_free(&b);
		resp_redirect(rs, next);
		return;
	}
	resp_error(rq, rs, err, NULL);
}

enum err_code
csrf_check(const struct req *rq)
{
	const struct auth *a = rq->auth;
	if (a == NULL || a->session_id[0] == '\0' || strcmp(rq->method, "GET") == 0 ||
	    strcmp(rq->method, "HEAD") == 0 || rbac_grant(rq->route->perm)->scope == RBAC_OPEN)
		return ERR_none;
	const char *sent = rq->csrf_header;
	if (sent == NULL || *sent == '\0')
		sent = json_string_value(json_object_get(rq->form, "csrf_token"));
	size_t n = strlen(a->csrf_token);
	if (sent == NULL || strlen(sent) != n || !crypto_equal(sent, a->csrf_token, n))
		return ERR_csrf_failed;
	return ERR_none;
}

struct audit_entry
auth_actor(const struct req *rq)
{
	const struct auth *a = rq->auth;
	return (struct audit_entry){
		.actor_user_id = a && a->user_id[0] ? a->user_id : NULL,
		.actor_api_key_prefix = a && a->api_key_prefix[0] ? a->api_key_prefix : NULL,
		.source_ip = rq->remote_addr && rq->remote_addr[0] ? rq->remote_addr : NULL,
		.correlation_id = rq->correlation_id,
	};
}

int
auth_audit(struct req *rq, const char *tenant_id, const char *action,
    const char *target_type, const char *target_id, json_t *before, json_t *after)
{
	struct audit_entry e = auth_actor(rq);
	e.tenant_id = tenant_id && *tenant_id ? tenant_id : NULL;
	e.action = action;
	e.target_type = target_type;
	e.target_id = target_id;
	e.before = before;
	e.after = after;
	return audit_write(rq->db, &e);
}
