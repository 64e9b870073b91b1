#!/usr/bin/env perl
# The admin portal in real Chromium against a running stack (admin.js):
# a superadmin creates a tenant and onboards a live agent; a signed
# inbound call reaches its number; an outbound call through an unreachable
# carrier is the forced failure; the owner sees only their tenant; the
# superadmin finds the call in Intelligence and resolves the failure.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Digest::SHA qw(hmac_sha1_base64);
use IO::Socket::INET;
use JSON::PP qw(encode_json);
use Test::More;
use Stack;
use People qw(fast_argon2_env);

my ($SID, $TOKEN) = ('ACadmin000000000000000000000000000', 'admin-test-token');
# A carrier API address where nothing listens: placing a call fails.
my $closed = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0) or die $!;
my $dead = 'http://127.0.0.1:' . $closed->sockport;
close $closed;
my $s = Stack->new(env => { fast_argon2_env(),
    VOXLINE_NGINX_RATE_LOGIN => '100000r/m', VOXLINE_NGINX_BURST_LOGIN => 10000,
    VOXLINE_TWILIO_ACCOUNT_SID => $SID, VOXLINE_TWILIO_AUTH_TOKEN => $TOKEN,
    VOXLINE_TWILIO_API_BASE => $dead, VOXLINE_TWILIO_ALLOWED_SOURCES => '127.0.0.0/8, ::1',
    VOXLINE_CARRIER_HTTP_TIMEOUT => 2 });
my $pp = People->new($s);
my $password = 'correct horse battery';
$pp->user('root@platform.test', name => 'Platform Operator', superadmin => 1);

sub browser {
    my ($phase, $email) = @_;
    my @out = `node $FindBin::Bin/admin.js $phase @{[ $s->url('') ]} $email '$password' 2>&1`;
    my $lines = 0;
    for (@out) {
        chomp;
        if (/^(not )?ok - (.*?)(?: # (.*))?$/) {
            $lines++;
            ok(!$1, "$phase: $2") or diag($3 // '');
        } else {
            diag($_);
        }
    }
    ok($lines > 0, "$phase: the browser reported its checks ($lines)");
}

browser('setup', 'root@platform.test');
my $tenant = $pp->platform("SELECT id FROM tenants WHERE slug = 'acme-dental'");
my $agent = $pp->platform("SELECT id FROM agents WHERE tenant_id = '$tenant' AND status = 'live'");
like($agent, qr/^[0-9a-f-]{36}$/, 'the wizard left a live agent');
is($pp->platform("SELECT version FROM agents WHERE id = '$agent'"), 3, 'at version 3 after the change and the roll back');

# A signed inbound call to the new number.
sub form { my %p = @_; join '&', map { my $v = $p{$_}; $v =~ s/([^A-Za-z0-9\-_.~])/sprintf '%%%02X', ord $1/ge; "$_=$v" } sort keys %p }
my %call = (CallSid => 'CAadmin0001', AccountSid => $SID, From => '+15557654321', To => '+15557770100',
    CallStatus => 'ringing', Direction => 'inbound', ApiVersion => '2010-04-01');
my $sig = hmac_sha1_base64($s->url('/webhooks/twilio/voice') . join('', map { $_ . $call{$_} } sort keys %call), $TOKEN);
$sig .= '=' x ((4 - length($sig) % 4) % 4);
my $r = $s->request('POST', '/webhooks/twilio/voice', content => form(%call),
    headers => { 'Content-Type' => 'application/x-www-form-urlencoded', 'X-Twilio-Signature' => $sig });
is($r->{status}, 200, 'the inbound call to the new number is answered');
is($pp->platform("SELECT agent_version FROM calls WHERE carrier_call_sid = 'CAadmin0001'"), 3,
    'the call records the agent version it ran with');
$r = $s->request('POST', '/webhooks/twilio/voice', content => form(%call, CallSid => 'CAforged'),
    headers => { 'Content-Type' => 'application/x-www-form-urlencoded', 'X-Twilio-Signature' => 'AAAA' });
is($r->{status}, 403, 'a forged webhook is refused (and logged)');

# The forced failure: the carrier cannot be reached.
my $key = $pp->api_key($tenant, 'write');
$r = $s->post_json('/api/v1/calls', { agent_id => $agent, to => '+15550009999' },
    headers => { Authorization => $key->{bearer}, Accept => 'application/json' });
is($r->{json}{error}{code}, 'carrier_unavailable', 'placing a call through an unreachable carrier fails');

$pp->user('olive@acme.test', name => 'Olive Owner', tenant => 'acme-dental', role => 'owner');
browser('owner', 'olive@acme.test');
browser('review', 'root@platform.test');

is($pp->platform("SELECT count(*) FROM audit_log WHERE action LIKE 'agent.%' AND tenant_id = '$tenant'"), 9,
    'every agent change of the run is in the audit log');

done_testing;
