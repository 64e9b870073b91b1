/* Signing in, shared by the sign-in form and POST /api/v1/auth/login:
 * throttling per account and per source address (backoff, then a
 * temporary lock), one generic failure for unknown user and wrong
 * password with the same Argon2id work on both paths, hash upgrade,
 * a fresh session, and the audit trail. */
#ifndef VOXLINE_LOGIN_H
#define VOXLINE_LOGIN_H
#include "request.h"

/* ERR_none (session created, cookie set on rs), ERR_login_failed,
 * ERR_login_throttled (*retry_after seconds), or a server error. */
enum err_code login_attempt(struct req *rq, struct resp *rs, const char *email,
    const char *password, long *retry_after);
/* Signs in a user whose identity was just proven another way
 * (invitation accepted, password reset): session + audit. */
enum err_code login_start(struct req *rq, struct resp *rs, const char *user_id, const char *how);
void login_metrics_init(void);

/* The sign-in form's CSRF token (login_csrf.c): issue sets the cookie
 * on rs (reusing the browser's token when it has one) and returns the
 * value for the form (free it); ok compares the form's csrf_token with
 * the cookie. */
char *login_csrf_issue(struct req *rq, struct resp *rs);
int login_csrf_ok(const struct req *rq);

#endif
