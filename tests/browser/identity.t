#!/usr/bin/env perl
# Identity in real Chromium against a running stack (see identity.js).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Stack;
use People qw(fast_argon2_env);

my $s = Stack->new(env => { fast_argon2_env(),
    VOXLINE_NGINX_RATE_LOGIN => '100000r/m', VOXLINE_NGINX_BURST_LOGIN => 10000 });
my $pp = People->new($s);
my $acme = $pp->tenant('acme', 'pro');
my $bolt = $pp->tenant('bolt', 'base');
my $olive = $pp->user('olive@acme.test', name => 'Olive Owner', tenant => 'acme', role => 'owner');
$pp->platform("INSERT INTO memberships (tenant_id, user_id, role) VALUES ('$bolt', '$olive', 'viewer')");
$pp->user('root@platform.test', name => 'Platform Admin', superadmin => 1);
$pp->session($olive, $acme);     # another device, to be revoked

my @out = `node $FindBin::Bin/identity.js @{[ $s->url('') ]} olive\@acme.test root\@platform.test 'correct horse battery' 2>&1`;
my $lines = 0;
for (@out) {
    chomp;
    if (/^(not )?ok - (.*?)(?: # (.*))?$/) {
        $lines++;
        ok(!$1, $2) or diag($3 // '');
    } else {
        diag($_);
    }
}
ok($lines >= 15, "the browser reported its checks ($lines)");

done_testing;
