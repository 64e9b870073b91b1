/* The sign-in form's CSRF guard, before any session exists: a random
 * token in a cookie scoped to /login and the same token in the form
 * (double submit).  Another site can make a browser post the form, but
 * cannot read or set the cookie, so it cannot sign a victim in to an
 * account of its choosing. */
#include "login.h"
#include "crypto.h"
#include "xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOGIN_CSRF_COOKIE "voxline_login_csrf"
#define LOGIN_CSRF_LEN 43          /* crypto_token(): 256 bits, base64url */

/* The token the browser already holds, if well formed; else NULL. */
static char *
cookie_token(const struct req *rq)
{
	if (rq->cookie_header == NULL)
		return NULL;
	json_t *cookies = json_object();
	char *out = NULL;
	if (req_parse_cookies(rq->cookie_header, cookies) == 0) {
		const char *v = json_string_value(json_object_get(cookies, LOGIN_CSRF_COOKIE));
		if (v && strlen(v) == LOGIN_CSRF_LEN && strspn(v,
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == LOGIN_CSRF_LEN)
			out = xstrdup(v);
	}
	json_decref(cookies);
	return out;
}

char *
login_csrf_issue(struct req *rq, struct resp *rs)
{
	char *token = cookie_token(rq);
	if (token == NULL)
		token = crypto_token();
	int tls = rq->scheme && strcmp(rq->scheme, "https") == 0;
	resp_header(rs, "Set-Cookie", "%s=%s; Path=/login; Max-Age=7200; HttpOnly; SameSite=Lax%s",
	    LOGIN_CSRF_COOKIE, token, tls ? "; Secure" : "");
	return token;
}

int
login_csrf_ok(const struct req *rq)
{
	char *held = cookie_token(rq);
	const char *sent = json_string_value(json_object_get(rq->form, "csrf_token"));
	int ok = held && sent && strlen(sent) == LOGIN_CSRF_LEN && crypto_equal(held, sent, LOGIN_CSRF_LEN);
	free(held);
	return ok;
}
