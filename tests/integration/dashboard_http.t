#!/usr/bin/env perl
# The dashboard over HTTP through nginx, signed in: who may do what
# (viewer, operator, read and write API keys, nobody), and that every
# dashboard endpoint shows a tenant only its own calls.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP;
use Stack;
use People qw(fast_argon2_env);
use CallFixtures;

my $s = Stack->new(env => { fast_argon2_env() });
my $pp = People->new($s);
my $f = CallFixtures->new($s);
my ($acme, $bolt) = ($pp->tenant('acme', 'pro'), $pp->tenant('bolt', 'pro'));
my ($A, $B) = ($f->agent_for($acme), $f->agent_for($bolt));
my $viewer = $pp->session($pp->user('v@acme.test', tenant => 'acme', role => 'viewer'), $acme);
my $operator = $pp->session($pp->user('o@acme.test', tenant => 'acme', role => 'operator'), $acme);
my $bolt_op = $pp->session($pp->user('o@bolt.test', tenant => 'bolt', role => 'operator'), $bolt);
my $read_key = $pp->api_key($acme, 'read');
my $write_key = $pp->api_key($acme, 'write');

my $a1 = $f->call($A, reason => 'billing', summary => 'Acme only words', action => 1);
my $a2 = $f->call($A, reason => 'billing', summary => 'Acme second', action => 1);
my $b1 = $f->call($B, reason => 'billing', summary => 'Bolt only words', action => 1,
    turns => [['caller', 'secret bolt transcript', 0]]);
$f->sql("INSERT INTO recordings (tenant_id, call_id, status, storage_path, content_type)"
    . " VALUES ('$bolt', '$b1', 'stored', 'recordings/$b1.wav', 'audio/wav')");

sub call_as {
    my ($who, $method, $path, $body) = @_;
    my $h = People::headers($who, $method);
    $h->{'Content-Type'} = 'application/json' if defined $body;
    return $s->request($method, $path, headers => $h, defined $body ? (content => encode_json($body)) : ());
}

# ---- Nobody
for my $p ('/dashboard', '/calls', "/calls/$a1", '/action-required', '/calls/export.csv', '/calls/changes',
           '/api/v1/calls', "/api/v1/calls/$a1", '/api/v1/overview', '/api/v1/calls/export.csv') {
    my $r = call_as(undef, 'GET', $p);
    ok($r->{status} == 401 || ($r->{status} == 303 && ($r->{headers}{location} // '') =~ m{^/login}),
       "GET $p needs signing in ($r->{status})");
}
is(call_as(undef, 'POST', '/api/v1/calls/resolve', { ids => [$a1] })->{status}, 401, 'resolve needs signing in');

# ---- Viewer and read key: read everything, change nothing
for my $who ([viewer => $viewer], ['read key' => $read_key]) {
    my ($name, $p) = @$who;
    is(call_as($p, 'GET', '/api/v1/calls')->{status}, 200, "$name lists calls");
    for my $act (qw(resolve archive restore)) {
        is(call_as($p, 'POST', "/api/v1/calls/$act", { ids => [$a1] })->{status}, 403, "$name may not $act");
    }
}
my $page = call_as($viewer, 'GET', "/calls/$a1");
$page->{content} = $s->get("/calls/$a1", headers => { Cookie => $viewer->{cookie} })->{content};
unlike($page->{content}, qr{action="/calls/(archive|resolve)"}, 'a viewer sees no archive or resolve controls');
unlike($s->get('/action-required', headers => { Cookie => $viewer->{cookie} })->{content},
       qr/Resolve selected/, 'nor the bulk resolve');
like($s->get("/calls/$a1", headers => { Cookie => $operator->{cookie} })->{content},
     qr{action="/calls/archive"}, 'an operator does');

# ---- Operator and write key: act
my $r = call_as($write_key, 'POST', '/api/v1/calls/resolve', { ids => [$a1, $b1], note => 'by key' });
is($r->{status}, 200, 'a write key resolves');
is_deeply($r->{json}{changed}, [$a1], "only its tenant's call");
$r = call_as($operator, 'POST', '/api/v1/calls/archive', { ids => [$a2, $b1] });
is_deeply($r->{json}{changed}, [$a2], 'an operator archives its own call only');
my $form = $s->request('POST', '/calls/restore', headers => { Cookie => $operator->{cookie},
    'Content-Type' => 'application/x-www-form-urlencoded' }, content => "ids=$a2&csrf_token=$operator->{csrf}");
is($form->{status}, 303, 'the restore form works with its CSRF token');
$form = $s->request('POST', '/calls/archive', headers => { Cookie => $operator->{cookie},
    'Content-Type' => 'application/x-www-form-urlencoded' }, content => "ids=$a2");
is($form->{status}, 403, 'and not without it');
is($f->sql("SELECT count(*) FROM audit_log WHERE tenant_id = '$acme' AND action LIKE 'call.%'"), 3,
   'every change audited');

# ---- Isolation: acme's people never see bolt's call, anywhere
my $list = call_as($operator, 'GET', '/api/v1/calls?archived=include');
ok(!grep({ $_->{id} eq $b1 } @{ $list->{json}{calls} }), 'list');
is(scalar @{ call_as($operator, 'GET', '/api/v1/calls?q=bolt')->{json}{calls} }, 0, 'search (summary)');
is(scalar @{ call_as($operator, 'GET', '/api/v1/calls?q=secret+transcript')->{json}{calls} }, 0, 'search (transcript)');
is(call_as($operator, 'GET', "/api/v1/calls/$b1")->{status}, 404, 'detail (API)');
is($s->get("/calls/$b1", headers => { Cookie => $operator->{cookie} })->{status}, 404, 'detail (page)');
is($s->get("/calls/$b1/recording", headers => { Cookie => $operator->{cookie} })->{status}, 404, 'recording');
unlike(call_as($operator, 'GET', '/api/v1/calls/export.csv')->{content}, qr/Bolt/, 'export');
unlike($s->get('/calls/export.csv?archived=include', headers => { Cookie => $operator->{cookie} })->{content}, qr/Bolt/, 'export (page)');
unlike($s->get('/action-required', headers => { Cookie => $operator->{cookie} })->{content}, qr/Bolt only/, 'action required');
unlike($s->get('/calls?archived=include', headers => { Cookie => $operator->{cookie} })->{content}, qr/Bolt only/, 'call log page');
is(call_as($operator, 'GET', '/api/v1/overview')->{json}{totals}{calls}, 2, 'overview counts only its calls');
is(call_as($bolt_op, 'GET', '/api/v1/overview')->{json}{totals}{calls}, 1, '... on both sides');
my $card = sub { $s->get('/dashboard', headers => { Cookie => $_[0]{cookie} })->{content}
    =~ m{<span class="dash-card-label">Calls</span>\s*<span class="dash-card-value">(\d+)</span>} ? $1 : 'none' };
is($card->($operator), 2, 'overview page: the calls card counts only its calls');
is($card->($bolt_op), 1, '... on both sides');
my $tag = call_as($bolt_op, 'GET', '/api/v1/calls/changes')->{headers}{etag};
$f->call($A, reason => 'billing');
is($s->get('/api/v1/calls/changes', headers => { %{ People::headers($bolt_op, 'GET') }, 'If-None-Match' => $tag })->{status},
   304, "changes: acme's new call does not change bolt's ETag");
is(call_as($operator, 'GET', "/api/v1/calls?tenant_id=$bolt")->{status}, 400, 'no tenant can be chosen by query');

# Writes aimed at bolt's call from acme change nothing, through the API or
# the forms (bolt's call is archived by bolt first, so a restore would show).
is_deeply(call_as($bolt_op, 'POST', '/api/v1/calls/archive', { ids => [$b1] })->{json}{changed}, [$b1],
    "bolt's operator archives bolt's call");
is_deeply(call_as($operator, 'POST', '/api/v1/calls/restore', { ids => [$b1] })->{json}{changed}, [],
    "acme's operator cannot restore it (API)");
for my $act (qw(resolve archive restore)) {
    my $r = $s->request('POST', "/calls/$act", headers => { Cookie => $operator->{cookie},
        'Content-Type' => 'application/x-www-form-urlencoded' },
        content => "ids=$b1&csrf_token=$operator->{csrf}" . ($act eq 'resolve' ? '&note=acme' : ''));
    like($r->{headers}{location} // '', qr/[?&]n=0$/, "the $act form changes none of bolt's calls");
}
is($f->sql("SELECT concat_ws(' ', archived_by IS NOT NULL, resolved_at IS NULL, resolution_note IS NULL) FROM calls WHERE id = '$b1'"),
   't t t', "bolt's call is as bolt left it");
is($f->sql("SELECT count(*) FROM audit_log WHERE tenant_id = '$acme' AND action LIKE 'call.%'"), 3,
   'and acme audited nothing more');

done_testing;
