#!/usr/bin/env perl
# The admin portal in real Chromium against a running stack (admin.js):
# a superadmin creates a tenant and onboards a live agent; a simulated
# call to its number hears its greeting and a knowledge-base answer.
# The forced failure, set up in the portal the way an operator would: the
# tenant's OpenAI key points at an address nothing listens on and OpenAI
# becomes the agent's only language model, so the next call's model stage
# fails as a whole -- the caller hears the fallback message and is
# transferred, and Quality shows the failure with the call and OpenAI's
# breaker.  The owner sees only their tenant; the superadmin finds the
# calls in Intelligence and resolves the failure.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use IO::Socket::INET;
use JSON::PP qw(encode_json);
use Test::More;
use Stack;
use People qw(fast_argon2_env);
use Sim;
use FakeCarrier;

my ($SID, $TOKEN) = ('ACadmin000000000000000000000000000', 'admin-test-token');
# A provider address where nothing listens.
my $closed = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0) or die $!;
my $dead = 'http://127.0.0.1:' . $closed->sockport;
close $closed;
# The carrier's REST API, for the transfer after the failed stage.
my $carrier = FakeCarrier->new(twilio => [$SID, $TOKEN]);
my $s = Stack->new(env => { fast_argon2_env(),
    VOXLINE_NGINX_RATE_LOGIN => '100000r/m', VOXLINE_NGINX_BURST_LOGIN => 10000,
    VOXLINE_TWILIO_ACCOUNT_SID => $SID, VOXLINE_TWILIO_AUTH_TOKEN => $TOKEN,
    VOXLINE_TWILIO_API_BASE => $carrier->url, VOXLINE_TWILIO_ALLOWED_SOURCES => '127.0.0.0/8, ::1',
    # One refused request opens a provider's breaker (one failing call is
    # enough to see it on the Quality page).
    VOXLINE_PROVIDER_FAILURE_THRESHOLD => 1,
    # voxline-media answers a call with the agent as it last read it and
    # reads it again once this is over; 0 makes each call read it anew.
    VOXLINE_MEDIA_AGENT_CACHE_SECONDS => 0,
    # The local engines cost nothing by default; priced here so that the
    # call's cost has something to carry through to Intelligence.
    VOXLINE_MEDIA_PRICES => 'pocketsphinx:audio_second=0.0002,local:token=0.00001,espeak-ng:character=0.00003' });
my $pp = People->new($s);
my $password = 'correct horse battery';
$pp->user('root@platform.test', name => 'Platform Operator', superadmin => 1);

sub browser {
    my ($phase, $email) = @_;
    local $ENV{ADMIN_DEAD_URL} = $dead;
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

# A call to the new number, placed by the simulator the way the carrier
# does (signed webhook, TwiML, media stream through nginx): the caller
# must hear the greeting the agent was rolled back to, then the answer
# from the knowledge base the wizard uploaded.  The ear knows every word
# the agent could say, so another greeting or answer fails the check.
sub script {
    my ($name, @lines) = @_;
    my $file = $s->dir . "/$name.call";
    open(my $f, '>', $file) or die "$file: $!";
    print $f map { "$_\n" } @lines;
    close $f;
    return $file;
}
my @to = ('--auth-token', $TOKEN, '--account-sid', $SID, '--from', '+15557654321', '--to', '+15557770100');
my ($rc, $calls, undef, $raw) = Sim::run($s, @to, script('acme',
    'expect thank calling help today',
    'say is there free parking',
    'expect parking lot behind building',
    'hangup'));
is($rc, 0, 'the simulated call to the new number succeeds') or diag $raw;
my $c = $calls->[0] // {};
my @heard = grep { exists $_->{expect_ok} } @{ $c->{turns} || [] };
is(scalar @heard, 2, 'two things the caller should hear were checked');
ok($heard[0] && $heard[0]{expect_ok}, 'the caller hears the greeting of version 3 (rolled back)') or diag $heard[0]{heard};
ok($heard[1] && $heard[1]{expect_ok}, 'and the parking answer from the knowledge base')
    or diag $heard[1]{heard}, "\n", $pp->platform("SELECT string_agg(speaker || ': ' || text, E'\\n' ORDER BY seq)"
        . " FROM call_turns WHERE call_id = '" . ($c->{call_id} // '') . "'");
my $call = $c->{call_id} // '';
like($call, qr/^[0-9a-f-]{36}$/, 'the webhook created the call');
ok(Sim::wait_for($s, "SELECT media_finished_at IS NOT NULL FROM calls WHERE id = '$call'", 30), 'and the media daemon finished it');
is($pp->platform("SELECT agent_version FROM calls WHERE id = '$call'"), 3,
    'the call records the agent version it ran with');
like($pp->platform("SELECT text FROM call_turns WHERE call_id = '$call' AND speaker = 'agent' ORDER BY seq LIMIT 1"),
    qr/^Thank you for calling Acme Dental/, 'the greeting spoken is the one rolled back to');

# The forced failure, set up in the portal: OpenAI, unreachable, becomes
# the agent's only language model (version 4).
browser('providers', 'root@platform.test');
is($pp->platform("SELECT llm_chain::text FROM agents WHERE id = '$agent'"), '["openai"]', 'OpenAI is the only language model');

# The negative control: the greeting of version 2 is not what was said.
# (This call still runs on the configuration read for the one before, and
# makes voxline-media read version 4 for the next.)
my ($rc2, $calls2, undef, $raw2) = Sim::run($s, @to, script('wrong-greeting', 'expect hello here what', 'hangup'));
my ($wrong) = grep { exists $_->{expect_ok} } @{ $calls2->[0]{turns} || [] };
ok($wrong && !$wrong->{expect_ok}, "expecting version 2's greeting fails the check") or diag $raw2;
isnt($rc2, 0, 'and the simulator says so');
sub form { my %p = @_; join '&', map { my $v = $p{$_}; $v =~ s/([^A-Za-z0-9\-_.~])/sprintf '%%%02X', ord $1/ge; "$_=$v" } sort keys %p }
my %call = (CallSid => 'CAforged', AccountSid => $SID, From => '+15557654321', To => '+15557770100',
    CallStatus => 'ringing', Direction => 'inbound', ApiVersion => '2010-04-01');
my $r = $s->request('POST', '/webhooks/twilio/voice', content => form(%call),
    headers => { 'Content-Type' => 'application/x-www-form-urlencoded', 'X-Twilio-Signature' => 'AAAA' });
is($r->{status}, 403, 'a forged webhook is refused (and logged)');

# OpenAI cannot be reached and nothing follows it: the caller still hears
# something, the fallback message, then the transfer to the agent's
# transfer number.
my $transfers = grep { $_->{path} =~ m{/Calls/} } @{ $carrier->requests };
my ($rc3, $calls3, undef, $raw3) = Sim::run($s, @to, script('provider-down',
    'expect thank calling help today',
    'say is there free parking',
    'expect technical difficulties connect member team',
    'hangup'));
my $down = $calls3->[0] // {};
my ($fallback) = grep { exists $_->{expect_ok} } reverse @{ $down->{turns} || [] };
ok($fallback && $fallback->{expect_ok}, 'with the model unreachable the caller hears the fallback message') or diag $raw3;
my $failed = $down->{call_id} // '';
ok(Sim::wait_for($s, "SELECT media_finished_at IS NOT NULL FROM calls WHERE id = '$failed'", 30), 'the failed call is finished');
is($pp->platform("SELECT status || ' | ' || outcome || ' | ' || end_reason FROM calls WHERE id = '$failed'"),
    'failed | transferred | language model providers unavailable', 'marked failed with the reason, and transferred');
my @moved = grep { $_->{path} =~ m{/Calls/} } @{ $carrier->requests };
is(scalar @moved - $transfers, 1, 'one transfer through the carrier API');
like($moved[-1]{body} // '', qr/%2B15550001111/, "to the agent's transfer number");
is($pp->platform("SELECT count(*) FROM system_error_occurrences WHERE code = 'provider_stage_failed' AND call_id = '$failed'"),
    1, 'a system error is recorded with the call');

$pp->user('olive@acme.test', name => 'Olive Owner', tenant => 'acme-dental', role => 'owner');
browser('owner', 'olive@acme.test');
# What Intelligence must show for the tenant: the figures of its calls.
my ($ncalls, $cost, $v2v) = split /\|/, $pp->platform("SELECT count(*), round(coalesce(sum(cost_total), 0), 4),"
    . " count(*) FILTER (WHERE latency ? 'voice_to_voice') FROM calls WHERE tenant_id = '$tenant'"
    . " AND started_at >= now() - interval '7 days'");
ok($cost > 0, "the simulated call has a cost ($cost USD)");
ok($v2v >= 1, 'and its voice-to-voice latency');
local @ENV{qw(ADMIN_TENANT ADMIN_CALLS ADMIN_COST ADMIN_FAILED_CALL)} = ($tenant, $ncalls, $cost, $failed);
browser('review', 'root@platform.test');

is($pp->platform("SELECT count(*) FROM audit_log WHERE action LIKE 'agent.%' AND tenant_id = '$tenant'"), 10,
    'every agent change of the run is in the audit log');
is($pp->platform("SELECT string_agg(action, ' ' ORDER BY id) FROM audit_log WHERE action LIKE 'provider_credential.%'"
    . " AND tenant_id = '$tenant'"), 'provider_credential.created provider_credential.tested',
    "and the tenant's provider key, stored and tested");
is($pp->platform("SELECT count(*) FROM audit_log WHERE action = 'system_error.resolve'"), 1, 'and the resolution');

done_testing;
