#!/usr/bin/env perl
# Every route of the route table (voxline-web --routes, so new routes are
# covered without touching this file), for every kind of principal,
# through nginx: the status must be the one the permission matrix
# predicts.  401 for nobody, 403 for a role, key scope or plan without
# the permission, 404 for another tenant's (or another user's) object,
# and a non-error answer for everyone allowed.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP;
use Stack;
use People qw(fast_argon2_env);

my $table = decode_json(scalar `$Stack::ROOT/voxline-web --routes`);
ok(@{ $table->{routes} } > 20, 'voxline-web --routes lists the route table');

my $s = Stack->new(env => { fast_argon2_env(),
    VOXLINE_NGINX_RATE_LOGIN => '100000r/m', VOXLINE_NGINX_BURST_LOGIN => 10000,
    VOXLINE_NGINX_RATE_API => '10000r/s', VOXLINE_NGINX_BURST_API => 10000 });
my $pp = People->new($s);
my %tenant = (a => $pp->tenant('walk-a', 'pro'), b => $pp->tenant('walk-b', 'pro'));
my $plan = 'pro';
my %user;
$user{$_} = $pp->user("$_\@a.test", tenant => 'walk-a', role => $_) for qw(owner admin operator analyst viewer);
$user{owner_b} = $pp->user('owner@b.test', tenant => 'walk-b', role => 'owner');
$user{superadmin} = $pp->user('root@platform.test', superadmin => 1);

# name => { kind, role (matrix column), tenant (the one it acts on), make => fresh credentials }
my %principal = (
    anonymous => { kind => 'none' },
    (map { my $r = $_; ($r => { kind => 'session', role => $r, tenant => 'a',
        make => sub { $pp->session($user{$r}, $tenant{a}) } }) } qw(owner admin operator analyst viewer)),
    owner_b => { kind => 'session', role => 'owner', tenant => 'b',
        make => sub { $pp->session($user{owner_b}, $tenant{b}) } },
    superadmin => { kind => 'session', role => 'superadmin', tenant => 'a',
        make => sub { $pp->session($user{superadmin}, $tenant{a}) } },
    read_key => { kind => 'key', scope => 'read', tenant => 'a', make => sub { $pp->api_key($tenant{a}, 'read') } },
    write_key => { kind => 'key', scope => 'write', tenant => 'a', make => sub { $pp->api_key($tenant{a}, 'write') } },
    revoked_key => { kind => 'revoked', make => sub { $pp->api_key($tenant{a}, 'write', revoked => 1) } },
);

# Objects for path placeholders, made fresh for each request: a tenant
# object of tenant A, or a user object of A's owner.  Other placeholders
# get an id that exists nowhere (a 404 for everyone allowed).
my %fixture = (
    session => sub { ($pp->session($user{owner})->{id}, 'user') },
    invitation => sub {
        my $id = $pp->platform("INSERT INTO invitations (tenant_id, email, role, token_hash, expires_at)"
            . " VALUES ('$tenant{a}', 'x' || md5(random()::text) || '\@a.test', 'viewer', md5(random()::text) || md5(random()::text),"
            . " now() + interval '1 day') RETURNING id");
        (($id =~ /([0-9a-f-]{36})/)[0], 'tenant');
    },
    api_key => sub { ($pp->api_key($tenant{a}, 'read')->{id}, 'tenant') },
);
sub fixture_for {
    my ($pattern) = @_;
    return $fixture{session}->() if $pattern =~ m{/sessions/\{};
    return $fixture{invitation}->() if $pattern =~ m{/invitations/\{};
    return $fixture{api_key}->() if $pattern =~ m{/api-keys/\{};
    return ('00000000-0000-4000-8000-' . sprintf('%012d', int rand 1e9), 'none');
}

# What the matrix predicts before objects: 401, 403 or 'allowed'.
sub decide {
    my ($route, $p) = @_;
    my $g = $table->{permissions}{ $route->{permission} } or return 403;
    return 'allowed' if $g->{scope} eq 'open';
    my $api = $route->{pattern} =~ m{^/api/v1/};
    return 401 if $p->{kind} eq 'none' || $p->{kind} eq 'revoked' || ($p->{kind} eq 'key' && !$api);
    my $feature_ok = !$g->{feature} || grep { $_ eq $g->{feature} } @{ $table->{plans}{$plan} };
    if ($p->{kind} eq 'key') {
        return 403 if $g->{scope} ne 'tenant' || $g->{api_key} eq 'none'
            || ($g->{api_key} eq 'write' && $p->{scope} ne 'write');
        return $feature_ok ? 'allowed' : 403;
    }
    return 'allowed' if $g->{scope} eq 'user';
    my $has = grep { $_ eq $p->{role} } @{ $g->{roles} };
    return 403 unless $has;
    return 'allowed' if $g->{scope} eq 'platform';
    return $feature_ok ? 'allowed' : 403;
}

my $checked = 0;
for my $route (@{ $table->{routes} }) {
    my %first;
    for my $name (sort keys %principal) {
        my $p = $principal{$name};
        my $cred = $p->{make} ? $p->{make}->() : undef;
        my $path = $route->{pattern};
        my ($id, $scope) = $path =~ /\{/ ? fixture_for($path) : ();
        $path =~ s/\{[^}:]+:int\}/1/g;    # whole-number placeholders take a number
        $path =~ s/\{[^}]+\}/$id/g;
        my $headers = People::headers($cred, $route->{method});
        my $res = $route->{method} eq 'GET' ? $s->request('GET', $path, headers => $headers)
            : $s->request($route->{method}, $path, headers => { %$headers, 'Content-Type' => 'application/json' },
                content => '{}');
        my $st = $res->{status};
        my $what = "$route->{method} $route->{pattern} as $name";
        $checked++;
        if ($route->{permission} eq 'carrier_webhook' || $route->{permission} eq 'metrics') {
            # Authenticated by their own means: a session or key changes nothing.
            $first{status} //= $st;
            is($st, $first{status}, "$what: same answer as for anyone ($st)");
            next;
        }
        my $want = decide($route, $p);
        if ($want ne 'allowed') {
            is($st, $want, "$what: $want") or diag($res->{content});
            next;
        }
        if (defined $scope) {
            my $mine = $scope eq 'tenant' ? ($p->{tenant} // '') eq 'a'
                : $scope eq 'user' ? $name eq 'owner' : 0;
            # An id that exists nowhere may be refused for its (empty) body
            # first: validation runs before any lookup, alike for every
            # id, so it confirms nothing.
            my $body_refused = $scope eq 'none' && $st == 400
                && ($res->{json}{error}{code} // '') eq 'validation_failed';
            unless ($mine || $body_refused) {
                is($st, 404, "$what: someone else's object is not found") or diag($res->{content});
                next;
            }
        }
        # Allowed: an answer, or a complaint about the (empty) input only.
        # (JSON error for the API; the form again with its field errors for pages.)
        my $ok = ($st >= 200 && $st < 400)
            || ($st == 400 && ($res->{json}{error}{code} // '') =~ /^(validation_failed|token_invalid)$/)
            || ($st == 400 && ($res->{content} // '') =~ /class="field-error"/);
        ok($ok, "$what: allowed ($st)") or diag($res->{content});
    }
}
ok($checked >= 11 * 40, "walked $checked route × principal pairs");

done_testing;
