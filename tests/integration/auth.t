#!/usr/bin/env perl
# Accounts and sessions through nginx: sign-in, cookie flags, fixation,
# CSRF, idle and absolute expiry, revoking one session, logout,
# throttling and lock, user enumeration, Argon2id parameters and rehash,
# tenant switch, API keys, and the audit rows each action leaves.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::SHA qw(sha256_hex);
use JSON::PP;
use Stack;
use People qw(fast_argon2_env);

my $s = Stack->new(env => { fast_argon2_env(),
    VOXLINE_AUTH_BACKOFF_AFTER => 3, VOXLINE_AUTH_LOCK_AFTER => 5, VOXLINE_SESSION_IDLE_TIMEOUT => 600,
    VOXLINE_NGINX_RATE_LOGIN => '100000r/m', VOXLINE_NGINX_BURST_LOGIN => 10000 });
my $pp = People->new($s);
my $ta = $pp->tenant('acme', 'pro');
my $tb = $pp->tenant('bolt', 'base');
my $owner = $pp->user('olive@acme.test', tenant => 'acme', role => 'owner', name => 'Olive');
$pp->platform("INSERT INTO memberships (tenant_id, user_id, role) VALUES ('$tb', '$owner', 'viewer')");
my $pw = 'correct horse battery';

sub login {
    my ($email, $password, %h) = @_;
    return $s->post_json('/api/v1/auth/login', { email => $email, password => $password }, headers => \%h);
}
sub cookie_of { my ($r) = @_; my ($t) = ($r->{headers}{'set-cookie'} // '') =~ /voxline_session=([^;]*)/; return $t }
sub as { my ($tok, $csrf) = @_; return { Cookie => "voxline_session=$tok", ($csrf ? ('X-CSRF-Token' => $csrf) : ()) } }
sub audit_count { my ($action) = @_; return $pp->platform("SELECT count(*) FROM audit_log WHERE action = '$action'") }

# ---- malformed body, in the standard error shape
my $r = $s->request('POST', '/api/v1/auth/login', headers => { 'Content-Type' => 'application/json' },
    content => '{"email": "olive@acme.test", "password": ');
is($r->{status}, 400, 'invalid JSON: 400');
is($r->{json}{error}{code}, 'malformed_body', 'code malformed_body');
like($r->{json}{error}{id} // '', qr/^ERR_\d{8}_[A-Z0-9]{6}$/, 'with an occurrence id');
ok($r->{json}{error}{correlation_id}, 'and the correlation id');

# ---- sign-in and the cookie
$r = login('olive@acme.test', $pw);
is($r->{status}, 200, 'sign-in succeeds');
my $set = $r->{headers}{'set-cookie'};
like($set, qr/HttpOnly/, 'cookie is HttpOnly');
like($set, qr/SameSite=Lax/, 'cookie is SameSite=Lax');
unlike($set, qr/Secure/, 'not Secure over plain HTTP');
my $tok = cookie_of($r);
my $csrf = $r->{json}{csrf_token};
is(length($tok), 43, 'token is 256 bits (43 base64url characters)');
is($pp->platform("SELECT count(*) FROM sessions WHERE token_hash = '" . sha256_hex($tok) . "'"), 1, 'only its SHA-256 is stored');
is($pp->platform("SELECT count(*) FROM sessions WHERE token_hash = '$tok'"), 0, 'never the token itself');

$r = $s->get('/api/v1/auth/me', headers => as($tok));
is($r->{status}, 200, '/me with the cookie');
is($r->{json}{user}{email}, 'olive@acme.test', '/me names the user');
is($r->{json}{tenant}{id}, $ta, 'current tenant is the first joined');
is($r->{json}{tenant}{role}, 'owner', 'with the role');
is(scalar @{ $r->{json}{memberships} }, 2, 'both memberships listed');
ok((grep { $_ eq 'users_manage' } @{ $r->{json}{permissions} }), 'permissions from the matrix');

# ---- fixation: a new token at every sign-in, whatever cookie came in
$r = login('olive@acme.test', $pw, Cookie => "voxline_session=$tok");
my $tok2 = cookie_of($r);
isnt($tok2, $tok, 'signing in with a cookie already set issues a new token');
is($s->get('/api/v1/auth/me', headers => as('attacker-chosen-token'))->{status}, 401, 'an unknown token is nobody');

# ---- CSRF
$r = $s->post_json('/api/v1/auth/refresh', {}, headers => as($tok));
is($r->{status}, 403, 'cookie POST without CSRF token: 403');
is($r->{json}{error}{code}, 'csrf_failed', 'code csrf_failed');
$r = $s->post_json('/api/v1/auth/refresh', {}, headers => as($tok, 'x' x 43));
is($r->{json}{error}{code}, 'csrf_failed', 'a wrong token is refused too');
$r = $s->request('POST', '/api/v1/auth/tenant', headers => { %{ as($tok) },
    'Content-Type' => 'application/x-www-form-urlencoded' }, content => "tenant_id=$tb&csrf_token=$csrf");
is($r->{status}, 200, 'form field csrf_token is accepted');
is($s->get('/api/v1/auth/me', headers => as($tok))->{json}{tenant}{id}, $tb, 'tenant switched');
is($s->get('/api/v1/auth/me', headers => as($tok))->{json}{tenant}{role}, 'viewer', 'with the role held there');
$r = $s->post_json('/api/v1/auth/tenant', { tenant_id => $ta }, headers => as($tok, $csrf));
is($r->{status}, 200, 'X-CSRF-Token header is accepted');
my $other_tenant = $pp->tenant('stranger', 'base');
$r = $s->post_json('/api/v1/auth/tenant', { tenant_id => $other_tenant }, headers => as($tok, $csrf));
is($r->{status}, 404, 'switching to a tenant you are not in: 404');

# ---- the sign-in form's own CSRF token: no session yet, so a cookie
# scoped to /login and the same value in the form (double submit)
{
    my $page = $s->get('/login');
    my ($cookie_tok) = ($page->{headers}{'set-cookie'} // '') =~ /voxline_login_csrf=([A-Za-z0-9_-]{43});/;
    ok($cookie_tok, 'the sign-in page sets its CSRF cookie');
    like($page->{headers}{'set-cookie'}, qr/voxline_login_csrf=[^;]+; Path=\/login;[^,]*HttpOnly; SameSite=Lax/,
        'scoped to /login, HttpOnly, SameSite=Lax');
    my ($field) = $page->{content} =~ /name="csrf_token" value="([^"]*)"/;
    is($field, $cookie_tok, 'and puts the same token in the form');
    my $again = $s->get('/login', headers => { Cookie => "voxline_login_csrf=$cookie_tok" });
    like($again->{content}, qr/value="\Q$cookie_tok\E"/, 'a second tab keeps the token the browser holds');
    $pp->user('lena@acme.test', tenant => 'acme', role => 'viewer');     # her own sessions: olive's stay as they are
    my $logins = audit_count('auth.login');
    my $failed = audit_count('auth.login_failed');
    my $form = sub {
        my ($cookie, $token) = @_;
        my $body = 'email=lena%40acme.test&password=correct+horse+battery' . (defined $token ? "&csrf_token=$token" : '');
        return $s->request('POST', '/login', content => $body, headers => {
            'Content-Type' => 'application/x-www-form-urlencoded',
            (defined $cookie ? (Cookie => "voxline_login_csrf=$cookie") : ()) });
    };
    my $r = $form->(undef, undef);
    is($r->{status}, 403, 'the sign-in form without its token: 403');
    like($r->{content}, qr/did not come from this site/, 'the page says why');
    unlike($r->{headers}{'set-cookie'} // '', qr/voxline_session=[^;]/, 'and no session is started');
    is($form->(undef, $cookie_tok)->{status}, 403, 'a token in the form without the cookie (another site) is refused');
    is($form->($cookie_tok, 'x' x 43)->{status}, 403, 'a token that differs from the cookie is refused');
    is(audit_count('auth.login'), $logins, 'refused forms sign nobody in');
    is(audit_count('auth.login_failed'), $failed, 'and count as no failed attempt');
    $r = $form->($cookie_tok, $cookie_tok);
    is($r->{status}, 303, 'with the cookie and the same token in the form, sign-in works');
    like($r->{headers}{'set-cookie'} // '', qr/voxline_session=[A-Za-z0-9_-]{43}/, 'and starts a session');
    $r = $s->request('POST', '/api/v1/auth/login', headers => { 'Content-Type' => 'text/plain' },
        content => '{"email":"olive@acme.test","password":"correct horse battery"}');
    isnt($r->{status}, 200, 'the API does not take a sign-in a foreign form could send (text/plain)');
}

# ---- sessions: list, revoke one (only your own), logout
$r = $s->get('/api/v1/auth/sessions', headers => as($tok));
my @sessions = @{ $r->{json}{sessions} };
is(scalar @sessions, 2, 'two sessions listed');
my ($current) = grep { $_->{current} } @sessions;
my ($other) = grep { !$_->{current} } @sessions;
ok($current && $other, 'the current one is marked');
ok($other->{device} && $other->{ip} && $other->{last_seen}, 'device, address and last seen shown');
$r = $s->request('DELETE', "/api/v1/auth/sessions/$other->{id}", headers => as($tok, $csrf));
is($r->{status}, 200, 'revoke the other session');
is($s->get('/api/v1/auth/me', headers => as($tok2))->{status}, 401, 'its cookie no longer works');
is($s->get('/api/v1/auth/me', headers => as($tok))->{status}, 200, 'this one still does');
my $mallory = $pp->user('mallory@acme.test', tenant => 'acme', role => 'admin');
my $ms = $pp->session($mallory, $ta);
$r = $s->request('DELETE', "/api/v1/auth/sessions/$current->{id}", headers => as($ms->{token}, $ms->{csrf}));
is($r->{status}, 404, "someone else's session: 404");
is($s->get('/api/v1/auth/me', headers => as($tok))->{status}, 200, 'and it was not revoked');

# ---- refresh rotates the token
$r = $s->post_json('/api/v1/auth/refresh', {}, headers => as($tok, $csrf));
my $tok3 = cookie_of($r);
ok($tok3 && $tok3 ne $tok, 'refresh issues a new token');
is($s->get('/api/v1/auth/me', headers => as($tok))->{status}, 401, 'the old token is dead');
$tok = $tok3;

# ---- idle and absolute expiry
my $sid = $s->get('/api/v1/auth/me', headers => as($tok))->{json}{session_id};
$pp->platform("UPDATE sessions SET last_seen_at = now() - interval '11 minutes' WHERE id = '$sid'");
is($s->get('/api/v1/auth/me', headers => as($tok))->{status}, 401, 'idle past session_idle_timeout: signed out');
$r = login('olive@acme.test', $pw);
$tok = cookie_of($r); $csrf = $r->{json}{csrf_token};
$sid = $r->{json}{session_id};
$pp->platform("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = '$sid'");
is($s->get('/api/v1/auth/me', headers => as($tok))->{status}, 401, 'past the absolute lifetime: signed out, however active');

# ---- logout
$r = login('olive@acme.test', $pw);
$tok = cookie_of($r); $csrf = $r->{json}{csrf_token};
$r = $s->post_json('/api/v1/auth/logout', {}, headers => as($tok, $csrf));
is($r->{status}, 200, 'logout');
like($r->{headers}{'set-cookie'}, qr/voxline_session=;.*Max-Age=0/, 'the cookie is cleared');
is($s->get('/api/v1/auth/me', headers => as($tok))->{status}, 401, 'and the session is revoked server-side');

# ---- user enumeration: same answer, same Argon2id work
sub verifications {
    my ($m) = $s->get('/metrics')->{content} =~ /^voxline_auth_password_verifications_total (\d+)/m;
    return $m // 0;
}
my $v0 = verifications();
my $unknown = login('nobody@acme.test', 'whatever password');
my $v1 = verifications();
my $wrong = login('mallory@acme.test', 'wrong password!!');
my $v2 = verifications();
is($unknown->{status}, 401, 'unknown address: 401');
is($wrong->{status}, 401, 'wrong password: 401');
is($unknown->{json}{error}{code}, $wrong->{json}{error}{code}, 'same error code');
is($unknown->{json}{error}{message}, $wrong->{json}{error}{message}, 'same message');
is($v1 - $v0, 1, 'unknown address ran one Argon2id verification');
is($v2 - $v1, 1, 'wrong password ran one Argon2id verification');

# ---- throttling: backoff, then a temporary lock (known and unknown accounts alike)
for my $email ('mallory@acme.test', 'ghost@acme.test') {
    $pp->platform("DELETE FROM login_throttle");
    my @st;
    push @st, login($email, 'bad password 1')->{status} for 1 .. 3;
    is_deeply(\@st, [401, 401, 401], "$email: first failures are plain failures");
    $r = login($email, $email eq 'ghost@acme.test' ? 'x' : $pw);
    is($r->{status}, 429, "$email: after 3 failures the next attempt must wait");
    is($r->{json}{error}{code}, 'login_throttled', 'code login_throttled');
    ok($r->{headers}{'retry-after'} >= 1, 'with Retry-After');
    for (4 .. 5) {
        $pp->platform("UPDATE login_throttle SET locked_until = now() - interval '1 second'");
        login($email, 'bad password 2');
    }
    $r = login($email, 'bad password 3');
    is($r->{status}, 429, "$email: locked after 5 failures");
    my $lock = $pp->platform("SELECT ceil(EXTRACT(EPOCH FROM locked_until - now())) FROM login_throttle"
        . " WHERE key = 'account:$email'");
    ok($lock > 800, "$email: the lock lasts auth_lock_seconds ($lock s left)");
}
$pp->platform("DELETE FROM login_throttle");
is(login('mallory@acme.test', $pw)->{status}, 200, 'once the lock is over, the right password works');
ok(audit_count('auth.locked') >= 2, 'locks are audited');
ok(audit_count('auth.login_failed') >= 10, 'failures are audited');

# ---- Argon2id parameters and upgrade at sign-in
like($pp->platform("SELECT password_hash FROM users WHERE id = '$owner'"), qr/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/,
    'hash is Argon2id with the configured parameters');
{
    local $ENV{VOXLINE_PASSWORD_ARGON2_T_COST} = 2;
    $pp->user('old@acme.test', tenant => 'acme', role => 'viewer');
}
like($pp->platform("SELECT password_hash FROM users WHERE email = 'old\@acme.test'"), qr/t=2,/, 'an old-parameter hash');
is(login('old@acme.test', $pw)->{status}, 200, 'signs in with it');
like($pp->platform("SELECT password_hash FROM users WHERE email = 'old\@acme.test'"), qr/m=8192,t=1,p=1\$/,
    'and it was rehashed with the current parameters');

# ---- API keys: shown once, stored hashed, scoped, revocable
$r = login('olive@acme.test', $pw);
$tok = cookie_of($r); $csrf = $r->{json}{csrf_token};
$r = $s->post_json('/api/v1/api-keys', { name => 'Reports', scope => 'read' }, headers => as($tok, $csrf));
is($r->{status}, 201, 'API key created');
my $key = $r->{json}{key};
like($key, qr/^vxk_[a-z0-9]{8}_/, 'the secret carries its visible prefix');
is($pp->platform("SELECT count(*) FROM api_keys WHERE key_hash = '" . sha256_hex($key) . "'"), 1, 'only a hash is stored');
ok(!grep({ exists $_->{key} } @{ $s->get('/api/v1/api-keys', headers => as($tok))->{json}{api_keys} }),
    'the list never shows the secret again');
$r = $s->get('/api/v1/audit', headers => { Authorization => "Bearer $key" });
is($r->{status}, 200, 'a read key reads the audit log');
is($s->post_json('/api/v1/auth/logout', {}, headers => { Authorization => "Bearer $key" })->{status}, 403,
    'a key cannot use account routes');
isnt($pp->platform("SELECT last_used_at IS NOT NULL FROM api_keys WHERE prefix = '" . substr($key, 4, 8) . "'"), 'f',
    'last use recorded');
my $kid = $pp->platform("SELECT id FROM api_keys WHERE prefix = '" . substr($key, 4, 8) . "'");
is($s->request('DELETE', "/api/v1/api-keys/$kid", headers => as($tok, $csrf))->{status}, 200, 'revoked');
is($s->get('/api/v1/audit', headers => { Authorization => "Bearer $key" })->{status}, 401, 'a revoked key is nobody');

# ---- audit log: filterable, tenant-scoped, with who/where/correlation, never editable
$r = $s->get('/api/v1/audit?action=api_key.', headers => as($tok));
my @e = @{ $r->{json}{entries} };
is_deeply([sort map { $_->{action} } @e], ['api_key.created', 'api_key.revoked'], 'filter by action prefix');
is($e[0]{actor}, 'olive@acme.test', 'actor named');
is($e[0]{source_ip}, '127.0.0.1', 'source address recorded');
ok($e[0]{correlation_id}, 'correlation id recorded');
is($e[0]{before}{scope}, 'read', 'before summary on revoke');
is($s->get('/api/v1/audit?scope=all', headers => as($tok))->{status}, 403, 'only a superadmin sees every tenant');
for my $action (qw(auth.login auth.logout auth.session_revoked auth.session_refreshed auth.tenant_switched
                   api_key.created api_key.revoked)) {
    ok(audit_count($action) >= 1, "audit row for $action");
}
is($pp->platform("SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND (source_ip IS NULL OR correlation_id IS NULL)"),
    0, 'every sign-in row has address and correlation id');
ok(!eval { $pp->platform("UPDATE audit_log SET action = 'x'"); 1 }, 'the audit log cannot be edited');

# ---- RLS: a query that forgot its tenant filter still sees one tenant
$pp->api_key($tb, 'read');
is($s->psql("SET voxline.tenant_id = '$ta'; SELECT count(DISTINCT tenant_id) FROM api_keys"), 1,
    'api_keys: only the scoped tenant is visible');
is($s->psql("SELECT count(*) FROM api_keys"), 0, 'no scope: nothing visible');

done_testing;
