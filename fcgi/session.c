#include "session.h"
#include "auth.h"
#include "cfg.h"
#include "crypto.h"
#include "db.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
set_cookie(struct req *rq, struct resp *rs, const char *token, long max_age)
{
	int tls = rq->scheme && strcmp(rq->scheme, "https") == 0;
	resp_header(rs, "Set-Cookie", "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s",
	    AUTH_SESSION_COOKIE, token, max_age, tls ? "; Secure" : "");
}

void
sess_clear_cookie(struct req *rq, struct resp *rs)
{
	set_cookie(rq, rs, "", 0);
}

int
sess_create(struct req *rq, struct resp *rs, const char *user_id, const char *tenant_id)
{
	char *token = crypto_token(), *hash = crypto_sha256_hex(token), *csrf = crypto_token();
	char lifetime[16];
	snprintf(lifetime, sizeof lifetime, "%ld", cfg_int(CFG_session_lifetime));
	const char *ua = rq->user_agent;
	char ua_short[512];
	snprintf(ua_short, sizeof ua_short, "%s", ua ? ua : "");
	const char *p[7] = { hash, user_id, tenant_id && *tenant_id ? tenant_id : NULL, csrf,
		lifetime, rq->remote_addr, ua_short };
	PGresult *r = db_exec(rq->db, "INSERT INTO sessions (token_hash, user_id, current_tenant_id,"
	    " csrf_token, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4,"
	    " now() + make_interval(secs => $5::int), $6::inet, $7) RETURNING id", 7, p);
	int rc = -1;
	if (r) {
		set_cookie(rq, rs, token, cfg_int(CFG_session_lifetime));
		snprintf(rq->auth->session_id, sizeof rq->auth->session_id, "%s", PQgetvalue(r, 0, 0));
		snprintf(rq->auth->csrf_token, sizeof rq->auth->csrf_token, "%s", csrf);
		PQclear(r);
		rc = 0;
	}
	free(token);
	free(hash);
	free(csrf);
	return rc;
}

int
sess_rotate(struct req *rq, struct resp *rs)
{
	char *token = crypto_token(), *hash = crypto_sha256_hex(token);
	const char *p[2] = { rq->auth->session_id, hash };
	PGresult *r = db_exec(rq->db, "UPDATE sessions SET token_hash = $2, last_seen_at = now()"
	    " WHERE id = $1 AND revoked_at IS NULL RETURNING"
	    " GREATEST(0, EXTRACT(EPOCH FROM expires_at - now()))::bigint", 2, p);
	int rc = -1;
	if (r && PQntuples(r) == 1) {
		set_cookie(rq, rs, token, atol(PQgetvalue(r, 0, 0)));
		rc = 0;
	}
	PQclear(r);
	free(token);
	free(hash);
	return rc;
}

int
sess_revoke(struct db *db, const char *user_id, const char *session_id)
{
	const char *p[2] = { user_id, session_id };
	PGresult *r = db_exec(db, "UPDATE sessions SET revoked_at = now() WHERE id = $2"
	    " AND user_id = $1 AND revoked_at IS NULL RETURNING id", 2, p);
	if (r == NULL)
		return -1;
	int n = PQntuples(r);
	PQclear(r);
	return n > 0;
}

int
sess_revoke_others(struct db *db, const char *user_id, const char *keep_id)
{
	const char *p[2] = { user_id, keep_id && *keep_id ? keep_id : NULL };
	return db_run(db, "UPDATE sessions SET revoked_at = now() WHERE user_id = $1"
	    " AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2::uuid)", 2, p);
}

void
sess_device(const char *ua, char *out, size_t outlen)
{
	static const struct { const char *needle, *name; } browsers[] = {
		{ "Edg/", "Edge" }, { "OPR/", "Opera" }, { "Firefox/", "Firefox" },
		{ "HeadlessChrome/", "Chromium (headless)" }, { "Chromium/", "Chromium" },
		{ "Chrome/", "Chrome" }, { "Safari/", "Safari" }, { "curl/", "curl" },
	}, systems[] = {
		{ "Android", "Android" }, { "iPhone", "iPhone" }, { "iPad", "iPad" },
		{ "Windows", "Windows" }, { "Mac OS X", "macOS" }, { "CrOS", "ChromeOS" },
		{ "Linux", "Linux" },
	};
	const char *b = NULL, *s = NULL;
	for (size_t i = 0; ua && !b && i < sizeof browsers / sizeof browsers[0]; i++)
		if (strstr(ua, browsers[i].needle))
			b = browsers[i].name;
	for (size_t i = 0; ua && !s && i < sizeof systems / sizeof systems[0]; i++)
		if (strstr(ua, systems[i].needle))
			s = systems[i].name;
	if (b && s)
		snprintf(out, outlen, "%s on %s", b, s);
	else
		snprintf(out, outlen, "%s", b ? b : s ? s : "Unknown device");
}
