#!/usr/bin/env perl
# Invitations and password reset through nginx and the worker: the
# email lands in the outbox (held with no transport configured), the
# link is single-use and expires, accepting signs the new person in,
# the reset answers the same for unknown addresses and signs out every
# other session.  Also the SMTP delivery path against a local server.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Socket::INET;
use POSIX ();
use Stack;
use LocalHttp;
use JSON::PP qw(decode_json encode_json);
use People qw(fast_argon2_env);

my $smtp = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp', ReuseAddr => 1)
    or die "smtp listen: $!";
my $s = Stack->new(env => { fast_argon2_env(),
    VOXLINE_NGINX_RATE_LOGIN => '100000r/m', VOXLINE_NGINX_BURST_LOGIN => 10000 });
my $pp = People->new($s);
my $ta = $pp->tenant('acme', 'pro');
my $owner = $pp->user('olive@acme.test', tenant => 'acme', role => 'owner');
my $admin = $pp->user('adam@acme.test', tenant => 'acme', role => 'admin');
my $os = $pp->session($owner, $ta);
my $as = $pp->session($admin, $ta);
sub as { my ($p) = @_; return { Cookie => $p->{cookie}, 'X-CSRF-Token' => $p->{csrf} } }
sub audit_count { $pp->platform("SELECT count(*) FROM audit_log WHERE action = '$_[0]'") }

# The worker delivers (here: holds) queued mail; wait for it, bounded.
sub outbox_body {
    my ($to, $kind) = @_;
    for (1 .. 100) {
        my $row = $pp->platform("SELECT status || '|' || body_text FROM email_outbox WHERE to_address = '$to'"
            . " AND kind = '$kind' AND status <> 'queued' ORDER BY created_at DESC LIMIT 1");
        return $row if $row;
        select(undef, undef, undef, 0.1);
    }
    return '';
}

# ---- invitation
my $r = $s->post_json('/api/v1/invitations', { email => 'nina@new.test', role => 'owner' }, headers => as($as));
is($r->{status}, 400, 'an admin cannot invite an owner');
$r = $s->post_json('/api/v1/invitations', { email => 'nina@new.test', role => 'operator' }, headers => as($as));
is($r->{status}, 201, 'admin invites an operator');
my $inv = $r->{json}{id};
$r = $s->post_json('/api/v1/invitations', { email => 'NINA@new.test', role => 'viewer' }, headers => as($as));
is($r->{status}, 400, 'a second open invitation to the same address is refused');
my $mail = outbox_body('nina@new.test', 'invitation');
like($mail, qr/^held\|/, 'with no transport configured the message is held in the outbox');
my ($token) = $mail =~ m{/invitations/accept\?token=([A-Za-z0-9_-]{43})};
ok($token, 'the email carries the link');
is($pp->platform("SELECT count(*) FROM invitations WHERE token_hash = '$token'"), 0, 'the token is not stored');

$r = $s->post_json('/api/v1/invitations/' . $inv . '/resend', {}, headers => as($as));
is($r->{status}, 200, 'resend');
my ($token2) = $pp->platform("SELECT body_text FROM email_outbox WHERE to_address = 'nina\@new.test' ORDER BY created_at DESC LIMIT 1")
    =~ m{token=([A-Za-z0-9_-]{43})};
isnt($token2, $token, 'a resend carries a new link');
$r = $s->post_json('/api/v1/invitations/accept', { token => $token, name => 'Nina', password => 'a good long password' });
is($r->{json}{error}{code}, 'token_invalid', 'the old link stopped working');

$r = $s->get("/invitations/accept?token=$token2");
is($r->{status}, 200, 'the accept page opens');
like($r->{content}, qr/Join Acme/, 'it names the tenant');
$r = $s->post_json('/api/v1/invitations/accept', { token => $token2, name => 'Nina', password => 'short' });
is($r->{status}, 400, 'a too-short password is refused');
like($r->{json}{error}{fields}{password}, qr/at least 10 characters/, 'with a rule a person understands');
$r = $s->post_json('/api/v1/invitations/accept', { token => $token2, name => 'Nina', password => 'a good long password' });
is($r->{status}, 200, 'accepting signs in');
my ($cookie) = $r->{headers}{'set-cookie'} =~ /(voxline_session=[^;]+)/;
$r = $s->get('/api/v1/auth/me', headers => { Cookie => $cookie });
is($r->{json}{tenant}{role}, 'operator', 'the new person is an operator of Acme');
$r = $s->post_json('/api/v1/invitations/accept', { token => $token2, name => 'Eve', password => 'another good password' });
is($r->{json}{error}{code}, 'token_invalid', 'the link is single-use');
is($pp->platform("SELECT status FROM users WHERE email = 'nina\@new.test'"), 'active', 'user status active');

$r = $s->post_json('/api/v1/invitations', { email => 'late@new.test', role => 'viewer' }, headers => as($os));
my $late_mail = outbox_body('late@new.test', 'invitation');
my ($late) = $late_mail =~ m{token=([A-Za-z0-9_-]{43})};
$pp->platform("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE email = 'late\@new.test'");
$r = $s->post_json('/api/v1/invitations/accept', { token => $late, name => 'Late', password => 'a good long password' });
is($r->{json}{error}{code}, 'token_invalid', 'an expired invitation cannot be used');
my $team = $s->get('/api/v1/invitations', headers => as($os))->{json};
my ($late_row) = grep { $_->{email} eq 'late@new.test' } @{ $team->{invitations} };
is($late_row->{status}, 'expired', 'the team list shows it as expired');
ok((grep { $_->{email} eq 'nina@new.test' && $_->{status} eq 'active' } @{ $team->{members} }), 'and Nina as an active member');
is($s->request('DELETE', "/api/v1/invitations/$late_row->{id}", headers => as($os))->{status}, 200, 'revoke');

my $tb = $pp->tenant('bolt', 'pro');
my $bs = $pp->session($pp->user('bob@bolt.test', tenant => 'bolt', role => 'owner'), $tb);
is($s->request('DELETE', "/api/v1/invitations/$inv", headers => as($bs))->{status}, 404,
    "another tenant's invitation is not found");

# ---- password reset
my $before = login_cookie('adam@acme.test', 'correct horse battery');
my $known = $s->post_json('/api/v1/auth/password-reset', { email => 'adam@acme.test' });
my $unknown = $s->post_json('/api/v1/auth/password-reset', { email => 'nobody@acme.test' });
is($known->{status}, 202, 'reset request accepted');
is($unknown->{status}, $known->{status}, 'unknown address: same status');
is($unknown->{content}, $known->{content}, 'and the same body');
is($pp->platform("SELECT count(*) FROM email_outbox WHERE to_address = 'nobody\@acme.test'"), 0, 'nothing sent to nobody');
my ($rt) = outbox_body('adam@acme.test', 'password_reset') =~ m{/password/reset/confirm\?token=([A-Za-z0-9_-]{43})};
ok($rt, 'the reset email carries the link');
is($s->get("/password/reset/confirm?token=$rt")->{status}, 200, 'the reset page opens');
$r = $s->post_json('/api/v1/auth/password-reset/confirm', { token => $rt, password => 'a brand new password' });
is($r->{status}, 200, 'new password set');
is($s->get('/api/v1/auth/me', headers => { Cookie => $before })->{status}, 401, 'the other sessions were signed out');
is($s->get('/api/v1/auth/me', headers => { Cookie => $as->{cookie} })->{status}, 401, 'all of them');
ok(login_cookie('adam@acme.test', 'a brand new password'), 'the new password works');
$r = $s->post_json('/api/v1/auth/password-reset/confirm', { token => $rt, password => 'yet another password' });
is($r->{json}{error}{code}, 'token_invalid', 'the reset link is single-use');
$s->post_json('/api/v1/auth/password-reset', { email => 'adam@acme.test' });
my @links = $pp->platform("SELECT body_text FROM email_outbox WHERE to_address = 'adam\@acme.test' ORDER BY created_at DESC LIMIT 1")
    =~ m{token=([A-Za-z0-9_-]{43})};
$pp->platform("UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE used_at IS NULL");
$r = $s->post_json('/api/v1/auth/password-reset/confirm', { token => $links[0], password => 'yet another password' });
is($r->{json}{error}{code}, 'token_invalid', 'an expired reset link cannot be used');

for my $action (qw(invitation.created invitation.resent invitation.accepted invitation.revoked
                   auth.password_reset_requested auth.password_reset auth.login)) {
    ok(audit_count($action) >= 1, "audit row for $action");
}

sub login_cookie {
    my ($email, $pw) = @_;
    my $res = $s->post_json('/api/v1/auth/login', { email => $email, password => $pw });
    my ($c) = ($res->{headers}{'set-cookie'} // '') =~ /(voxline_session=[^;]+)/;
    return $res->{status} == 200 ? $c : undef;
}

# ---- a message held without a transport: invited, then resent (both held)
$s->post_json('/api/v1/invitations', { email => 'held@new.test', role => 'viewer' }, headers => as($os));
outbox_body('held@new.test', 'invitation');
my ($held_inv) = grep { $_->{email} eq 'held@new.test' } @{ $s->get('/api/v1/invitations', headers => as($os))->{json}{invitations} };
$s->post_json("/api/v1/invitations/$held_inv->{id}/resend", {}, headers => as($os));
my $held_ids = sub { $pp->platform("SELECT string_agg(id::text, ',' ORDER BY created_at) FROM email_outbox"
    . " WHERE to_address = 'held\@new.test'") };
my ($first_held, $newest_held) = split /,/, $held_ids->();
ok(wait_until(sub { $pp->platform("SELECT count(*) FROM email_outbox WHERE to_address = 'held\@new.test' AND status = 'held'") == 2 }),
    'with no transport both messages are held');
my ($newest_token) = $pp->platform("SELECT body_text FROM email_outbox WHERE id = '$newest_held'") =~ m{token=([A-Za-z0-9_-]{43})};
my $stale_held = $pp->platform("SELECT count(*) FROM email_outbox WHERE status = 'held' AND to_address <> 'held\@new.test'");
ok($stale_held >= 3, "messages whose link no longer works are held too ($stale_held: accepted, revoked, used or expired)");

# ---- delivery by SMTP: the worker's email job against a local server,
# and the held messages still worth sending released once it has one
$s->sh('worker-stop');      # this one runs with the SMTP configuration instead
my $port = $smtp->sockport;
my $pid = fork // die;
if ($pid == 0) {
    alarm 60;
    open(my $f, '>', $s->dir . '/smtp.txt');
    $f->autoflush(1);
    while (my $c = $smtp->accept) {
        my $data = "--- connection\r\n";
        print $c "220 test ESMTP\r\n";
        while (my $line = <$c>) {
            if ($line =~ /^(EHLO|HELO)/i) { print $c "250 test\r\n" }
            elsif ($line =~ /^(MAIL|RCPT)/i) { $data .= $line; print $c "250 ok\r\n" }
            elsif ($line =~ /^DATA/i) {
                print $c "354 go\r\n";
                while (my $l = <$c>) { last if $l eq ".\r\n"; $data .= $l }
                print $c "250 queued\r\n";
            }
            elsif ($line =~ /^QUIT/i) { print $c "221 bye\r\n"; last }
            else { print $c "250 ok\r\n" }
        }
        print $f $data;
    }
    POSIX::_exit(0);    # not exit: the stack belongs to the parent
}
$pp->platform("INSERT INTO email_outbox (to_address, subject, body_text, kind) VALUES"
    . " ('smtp\@acme.test', 'Hello over SMTP', E'Line one\\nLine two', 'test')");
my $eid = $pp->platform("SELECT id FROM email_outbox WHERE to_address = 'smtp\@acme.test'");
$pp->platform("INSERT INTO jobs (queue, payload) VALUES ('email', '{\"email_id\": \"$eid\"}')");
my ($rc, $out) = $s->voxline_env({ VOXLINE_SMTP_URL => "smtp://127.0.0.1:$port" }, 'worker', '--once');
kill 'TERM', $pid;
waitpid($pid, 0);
is($pp->platform("SELECT status || ',' || transport FROM email_outbox WHERE id = '$eid'"), 'sent,smtp', 'sent by SMTP');
open(my $f, '<', $s->dir . '/smtp.txt');
my $got = do { local $/; <$f> } // '';
like($got, qr/RCPT TO:<smtp\@acme\.test>/, 'to the right recipient');
like($got, qr/Subject: Hello over SMTP\r\n/, 'with the subject');
like($got, qr/Line one\r\nLine two/, 'and the body, CRLF line ends');

is($pp->platform("SELECT status || ',' || transport FROM email_outbox WHERE id = '$newest_held'"), 'sent,smtp',
    'the held invitation went out once a transport was configured');
is($pp->platform("SELECT status FROM email_outbox WHERE id = '$first_held'"), 'held',
    'the message its resend replaced did not');
my @to_held = $got =~ /RCPT TO:<held\@new\.test>/g;
is(scalar @to_held, 1, 'the person received one invitation');
like($got, qr/token=\Q$newest_token\E/, 'carrying the link that works');
is($pp->platform("SELECT count(*) FROM email_outbox WHERE status = 'held' AND to_address <> 'held\@new.test'"), $stale_held,
    'messages whose link no longer works stay held');
my @connections = $got =~ /^--- connection/mg;
is(scalar @connections, 2, 'nothing else was sent');
$r = $s->post_json('/api/v1/invitations/accept', { token => $newest_token, name => 'Held', password => 'a good long password' });
is($r->{status}, 200, 'and the link it carried is accepted');

# ---- delivery by the Resend API, against a local server speaking it:
# POST /emails with "Authorization: Bearer <key>" and a JSON message
my $resend = LocalHttp->new(respond => sub {
    my ($req) = @_;
    my ($code, $body) = (200, { id => '49a3999c-0ce1-4ea6-ab68-afcd6dc2e794' });
    my $msg = eval { decode_json($req->content) };
    if ($req->method ne 'POST' || $req->uri->path ne '/emails') { ($code, $body) = (404, { statusCode => 404, name => 'not_found', message => 'Not found' }) }
    elsif (($req->header('Authorization') // '') ne 'Bearer re_test_key') {
        ($code, $body) = (403, { statusCode => 403, name => 'invalid_api_key', message => 'API key is invalid' });
    } elsif (($req->header('Content-Type') // '') !~ m{^application/json} || !$msg || !$msg->{from}
        || ref $msg->{to} ne 'ARRAY' || !$msg->{subject} || !defined $msg->{text}) {
        ($code, $body) = (422, { statusCode => 422, name => 'validation_error', message => 'Invalid message' });
    }
    my $res = HTTP::Response->new($code);
    $res->header('Content-Type' => 'application/json');
    $res->content(encode_json($body));
    return $res;
});
sub resend_message {
    my ($to, $key) = @_;
    $pp->platform("INSERT INTO email_outbox (to_address, subject, body_text, kind) VALUES"
        . " ('$to', 'Hello over Resend', E'Line one\\nLine two', 'test')");
    my $id = $pp->platform("SELECT id FROM email_outbox WHERE to_address = '$to'");
    $pp->platform("INSERT INTO jobs (queue, payload) VALUES ('email', '{\"email_id\": \"$id\"}')");
    $s->voxline_env({ VOXLINE_RESEND_API_KEY => $key, VOXLINE_RESEND_API_URL => $resend->url . '/emails' },
        'worker', '--once');
    return $id;
}
my $rid = resend_message('resend@acme.test', 're_test_key');
is($pp->platform("SELECT status || ',' || transport FROM email_outbox WHERE id = '$rid'"), 'sent,resend',
    'sent through the Resend API');
my ($sent) = grep { $_->{body} =~ /resend\@acme/ } @{ $resend->requests };
is($sent->{method} . ' ' . $sent->{path}, 'POST /emails', 'POST /emails');
is($sent->{authorization}, 'Bearer re_test_key', 'with the API key as a bearer token');
my $sent_msg = decode_json($sent->{body});
is_deeply($sent_msg->{to}, ['resend@acme.test'], 'to the recipient (a list, as the API takes it)');
is($sent_msg->{subject}, 'Hello over Resend', 'with the subject');
is($sent_msg->{text}, "Line one\nLine two", 'the text body');
like($sent_msg->{from}, qr/<noreply\@voxline\.local>$/, 'and the configured sender');
my $bad = resend_message('badkey@acme.test', 're_wrong_key');
is($pp->platform("SELECT status FROM email_outbox WHERE id = '$bad'"), 'failed', 'a refused key: the message is not sent');
like($pp->platform("SELECT last_error FROM email_outbox WHERE id = '$bad'"), qr/HTTP 403.*invalid_api_key/,
    "the outbox says why, in Resend's words");
is($pp->platform("SELECT status FROM jobs WHERE payload->>'email_id' = '$bad'"), 'queued', 'and it will be tried again');

sub wait_until {
    my ($cond) = @_;
    for (1 .. 100) { return 1 if $cond->(); select(undef, undef, undef, 0.1) }
    return 0;
}

done_testing;
