/* Browser sessions: a 256-bit random token in an HttpOnly cookie, only
 * its SHA-256 in the database (sessions.token_hash).  A new token at
 * every sign-in (no fixation); idle timeout and absolute lifetime from
 * the configuration. */
#ifndef VOXLINE_SESSION_H
#define VOXLINE_SESSION_H
#include "request.h"

/* Creates a session for user_id (current tenant: tenant_id, may be NULL),
 * sets the cookie on rs and fills rq->auth's session id and CSRF token
 * so the response can carry them.  0 or -1. */
int sess_create(struct req *rq, struct resp *rs, const char *user_id, const char *tenant_id);
/* Replaces the current session's token (same session, same expiry). */
int sess_rotate(struct req *rq, struct resp *rs);
/* Revokes one session of user_id; 1 when revoked, 0 when no such open
 * session of that user, -1 on error. */
int sess_revoke(struct db *db, const char *user_id, const char *session_id);
/* Revokes every open session of user_id except keep_id (may be NULL). */
int sess_revoke_others(struct db *db, const char *user_id, const char *keep_id);
/* Tells the browser to drop the cookie. */
void sess_clear_cookie(struct req *rq, struct resp *rs);
/* A short device description from a User-Agent ("Firefox on Linux"). */
void sess_device(const char *user_agent, char *out, size_t outlen);

#endif
