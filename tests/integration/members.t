#!/usr/bin/env perl
# Members of a tenant through nginx: role changes limited by the role
# matrix (nobody above their own role, nobody on themselves, the last
# owner kept), disabling that ends a live session on its next request
# and refuses sign-in with a clear message, re-enabling, per-tenant
# scope, the team page's forms, and an audit row for every change.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP qw(decode_json);
use Stack;
use People qw(fast_argon2_env);

my $s = Stack->new(env => { fast_argon2_env(),
    VOXLINE_NGINX_RATE_LOGIN => '100000r/m', VOXLINE_NGINX_BURST_LOGIN => 10000 });
my $pp = People->new($s);
my $ta = $pp->tenant('acme', 'pro');
my $tb = $pp->tenant('bolt', 'pro');
my $pw = 'correct horse battery';
my %id = (
    olive => $pp->user('olive@acme.test', tenant => 'acme', role => 'owner'),
    adam  => $pp->user('adam@acme.test', tenant => 'acme', role => 'admin'),
    oscar => $pp->user('oscar@acme.test', tenant => 'acme', role => 'operator'),
    vera  => $pp->user('vera@acme.test', tenant => 'acme', role => 'viewer'),
    bob   => $pp->user('bob@bolt.test', tenant => 'bolt', role => 'owner'),
    root  => $pp->user('root@platform.test', superadmin => 1),
);
$pp->platform("INSERT INTO memberships (tenant_id, user_id, role) VALUES ('$tb', '$id{oscar}', 'viewer')");
my $olive = $pp->session($id{olive}, $ta);
my $adam = $pp->session($id{adam}, $ta);
my $root = $pp->session($id{root}, $ta);
my $bob = $pp->session($id{bob}, $tb);

sub as { my ($p) = @_; return { Cookie => $p->{cookie}, 'X-CSRF-Token' => $p->{csrf} } }
sub role_of { $pp->platform("SELECT role FROM memberships WHERE tenant_id = '$ta' AND user_id = '$id{$_[0]}'") }
sub audits {
    my ($action, $who) = @_;
    return $pp->platform("SELECT count(*) FROM audit_log WHERE action = '$action' AND target_id = '$id{$who}'"
        . " AND tenant_id = '$ta'");
}
sub change {
    my ($p, $who, $what, $body) = @_;
    return $s->post_json("/api/v1/members/$id{$who}/$what", $body || {}, headers => as($p));
}
sub login {
    my ($email) = @_;
    return $s->post_json('/api/v1/auth/login', { email => $email, password => $pw });
}

# ---- role changes
my $r = change($adam, 'oscar', 'role', { role => 'owner' });
is($r->{status}, 403, 'an admin cannot raise someone above their own role');
is($r->{json}{error}{code}, 'role_not_allowed', 'with a stable code');
is(role_of('oscar'), 'operator', 'and the role is unchanged');
$r = change($adam, 'olive', 'role', { role => 'viewer' });
is($r->{json}{error}{code}, 'role_not_allowed', 'an admin cannot demote an owner');
$r = change($adam, 'olive', 'disable');
is($r->{json}{error}{code}, 'role_not_allowed', 'nor disable one');
$r = change($adam, 'adam', 'role', { role => 'viewer' });
is($r->{status}, 409, 'nobody changes their own role');
is($r->{json}{error}{code}, 'own_membership', 'with a stable code');
is(change($olive, 'olive', 'disable')->{json}{error}{code}, 'own_membership', 'nor disables themselves');
$r = change($adam, 'oscar', 'role', { role => 'chief' });
is($r->{status}, 400, 'an unknown role is a validation error');
is(audits('member.role_changed', 'oscar'), 0, 'refusals change nothing and audit no change');

$r = change($adam, 'oscar', 'role', { role => 'admin' });
is($r->{status}, 200, 'an admin may give their own role');
is($r->{json}{role}, 'admin', 'the answer shows the new role');
is(role_of('oscar'), 'admin', 'stored');
my $row = $pp->platform("SELECT before->>'role', after->>'role', actor_user_id FROM audit_log"
    . " WHERE action = 'member.role_changed' AND target_id = '$id{oscar}'");
is($row, "operator|admin|$id{adam}", 'the change is audited with before, after and actor');
is(role_of('bob') // '', '', '(bob is not an Acme member)');

# ---- the last owner
$r = change($root, 'olive', 'role', { role => 'admin' });
is($r->{status}, 409, 'the last owner cannot be demoted, even by a superadmin');
is($r->{json}{error}{code}, 'last_owner', 'with a stable code');
is(change($root, 'olive', 'disable')->{json}{error}{code}, 'last_owner', 'nor disabled');
is(role_of('olive'), 'owner', 'olive is still the owner');
is(change($olive, 'adam', 'role', { role => 'owner' })->{status}, 200, 'an owner makes a second owner');
is(change($root, 'olive', 'role', { role => 'admin' })->{status}, 200, 'now the first owner can be demoted');
is(change($root, 'adam', 'disable')->{json}{error}{code}, 'last_owner', 'and the remaining one cannot be disabled');
is(change($root, 'olive', 'role', { role => 'owner' })->{status}, 200, 'a superadmin may give any role');
is(change($olive, 'adam', 'role', { role => 'admin' })->{status}, 200, 'an owner demotes another owner');

# ---- another tenant
$r = change($bob, 'vera', 'disable');
is($r->{status}, 404, "another tenant's member is not found");
is($pp->platform("SELECT disabled_at IS NULL FROM memberships WHERE user_id = '$id{vera}'"), 't', 'and not disabled');

# ---- disabling: the live session ends, sign-in is refused with a clear message
my $vera_cookie = do {
    my $l = login('vera@acme.test');
    is($l->{status}, 200, 'vera signs in');
    ($l->{headers}{'set-cookie'} // '') =~ /(voxline_session=[^;]+)/; $1;
};
is($s->get('/api/v1/auth/me', headers => { Cookie => $vera_cookie })->{status}, 200, 'her session works');
$r = change($olive, 'vera', 'disable');
is($r->{status}, 200, 'an owner disables a viewer');
is($r->{json}{status}, 'disabled', 'the answer shows the status');
is($s->get('/api/v1/auth/me', headers => { Cookie => $vera_cookie })->{status}, 401,
    "the disabled person's live session is refused on the next request");
$r = $s->get('/dashboard', headers => { Cookie => $vera_cookie });
is($r->{status}, 303, 'a page request from it goes to sign-in');
like($r->{headers}{location}, qr{^/login}, 'to the sign-in page');
is($pp->platform("SELECT count(*) FROM sessions WHERE user_id = '$id{vera}' AND revoked_at IS NULL"), 0,
    'every session of hers is revoked');
$r = login('vera@acme.test');
is($r->{status}, 403, 'sign-in is refused');
is($r->{json}{error}{code}, 'account_disabled', 'as disabled, not as a wrong password');
like($r->{json}{error}{message}, qr/disabled by an administrator/, 'with a clear message');
sub login_form {
    my ($password) = @_;
    my ($t) = ($s->get('/login')->{headers}{'set-cookie'} // '') =~ /voxline_login_csrf=([^;]+)/;
    return $s->request('POST', '/login', headers => { 'Content-Type' => 'application/x-www-form-urlencoded',
        Cookie => "voxline_login_csrf=$t" }, content => "email=vera%40acme.test&csrf_token=$t&password=$password");
}
$r = login_form(join('+', split / /, $pw));
is($r->{status}, 403, 'the sign-in form refuses too');
like($r->{content}, qr/disabled by an administrator/, 'and says why on the page');
$r = login_form('wrong+password+here');
is($r->{status}, 401, 'a wrong password is a plain failure');
unlike($r->{content}, qr/disabled by an administrator/, 'a wrong password does not reveal the status');
is(audits('member.disabled', 'vera'), 1, 'disabling is audited');
is($pp->platform("SELECT after->>'sessions_revoked' FROM audit_log WHERE action = 'member.disabled'"
    . " AND target_id = '$id{vera}'"), 1, 'with the number of sessions it ended');
my ($listed) = grep { $_->{id} eq $id{vera} } @{ $s->get('/api/v1/members', headers => as($olive))->{json}{members} };
is($listed->{status}, 'disabled', 'the member list shows her as disabled');

# re-enabling
$r = change($olive, 'vera', 'enable');
is($r->{status}, 200, 're-enable');
is($r->{json}{status}, 'active', 'active again');
is(login('vera@acme.test')->{status}, 200, 'she can sign in again');
is(audits('member.enabled', 'vera'), 1, 're-enabling is audited');

# disabling is per tenant: a member elsewhere keeps that tenant only
is(change($olive, 'oscar', 'disable')->{status}, 200, 'oscar is disabled in Acme');
$r = login('oscar@acme.test');
is($r->{status}, 200, 'he still signs in, being a member of Bolt');
my ($oc) = ($r->{headers}{'set-cookie'} // '') =~ /(voxline_session=[^;]+)/;
my $me = $s->get('/api/v1/auth/me', headers => { Cookie => $oc })->{json};
is($me->{tenant}{id}, $tb, 'landing on Bolt');
is_deeply([map { $_->{tenant_id} } @{ $me->{memberships} }], [$tb], 'Acme is not among his tenants');
$r = $s->post_json('/api/v1/auth/tenant', { tenant_id => $ta }, headers => { Cookie => $oc, 'X-CSRF-Token' => $me->{csrf_token} });
is($r->{status}, 404, 'and he cannot switch to it');

# ---- the team page
$r = $s->get('/team', headers => { Cookie => $olive->{cookie} });
is($r->{status}, 200, 'team page');
like($r->{content}, qr{data-member="oscar\@acme.test".*?badge-status-disabled}s, 'shows the disabled status');
like($r->{content}, qr{action="/team/members/$id{vera}/role"}, 'offers a role change for others');
unlike($r->{content}, qr{action="/team/members/$id{olive}/}, 'but no control on her own row');
$r = $s->get('/team', headers => { Cookie => $root->{cookie} });
like($r->{content}, qr{<option value="owner" selected>owner</option>}, 'the select shows the current role');
my $adm_page = $s->get('/team', headers => { Cookie => $pp->session($id{oscar}, $tb)->{cookie} });
is($adm_page->{status}, 403, 'a viewer of Bolt has no team page');

sub form {
    my ($p, $path, %f) = @_;
    my $body = join '&', map { "$_=$f{$_}" } sort keys %f;
    return $s->request('POST', $path, headers => { Cookie => $p->{cookie},
        'Content-Type' => 'application/x-www-form-urlencoded' }, content => $body);
}
$r = form($olive, "/team/members/$id{vera}/role", role => 'analyst', csrf_token => $olive->{csrf});
is($r->{status}, 303, 'the form changes a role');
like($r->{headers}{location}, qr{^/team\?done=role}, 'and returns to the team page');
is(role_of('vera'), 'analyst', 'stored');
like($s->get('/team?done=role', headers => { Cookie => $olive->{cookie} })->{content}, qr/The role was changed/, 'with a notice');
$r = form($olive, "/team/members/$id{vera}/disable");
is($r->{status}, 403, 'without the CSRF token the form is refused');
is($pp->platform("SELECT disabled_at IS NULL FROM memberships WHERE user_id = '$id{vera}' AND tenant_id = '$ta'"), 't',
    'and nothing changed');
$r = form($olive, "/team/members/$id{vera}/disable", csrf_token => $olive->{csrf});
is($r->{status}, 303, 'the form disables');
$r = form($olive, "/team/members/$id{vera}/enable", csrf_token => $olive->{csrf});
is($r->{status}, 303, 'and re-enables');
$r = form($adam, "/team/members/$id{olive}/role", role => 'viewer', csrf_token => $adam->{csrf});
is($r->{status}, 403, 'a refused change answers on the page');
like($r->{content}, qr/cannot give a role above your own/, 'saying why');
is(role_of('olive'), 'owner', 'and changes nothing');

# resend an invitation from the team page
$s->post_json('/api/v1/invitations', { email => 'nina@new.test', role => 'viewer' }, headers => as($olive));
my $inv = $pp->platform("SELECT id FROM invitations WHERE email = 'nina\@new.test'");
my $mails = $pp->platform("SELECT count(*) FROM email_outbox WHERE to_address = 'nina\@new.test'");
$r = form($olive, "/team/invitations/$inv/resend", csrf_token => $olive->{csrf});
is($r->{status}, 303, 'resend from the team page');
is($pp->platform("SELECT count(*) FROM email_outbox WHERE to_address = 'nina\@new.test'"), $mails + 1,
    'sends the invitation again');
like($s->get('/team', headers => { Cookie => $olive->{cookie} })->{content},
    qr{nina\@new.test.*?badge-status-invited}s, 'the invitation shows as invited');

done_testing();
