#!/usr/bin/env perl
# Campaign dialling by `voxline worker`: within the campaign's concurrency,
# one call per target, the next target when a call ends, retries for busy
# per the policy, completion, and cancel.  The carrier's REST API is a
# local server that checks auth and parameters.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::SHA qw(hmac_sha1_base64);
use Time::HiRes qw(sleep);
use Stack;
use FakeCarrier;

my $PUBLIC = 'https://voice.example.test';
my ($SID, $TOKEN) = ('ACcampaign000000000000000000000000', 'campaign-token');
my $carrier = FakeCarrier->new(twilio => [$SID, $TOKEN], public_url => $PUBLIC);
my $s = Stack->new(env => { VOXLINE_PUBLIC_URL => $PUBLIC, VOXLINE_TWILIO_ACCOUNT_SID => $SID,
    VOXLINE_TWILIO_AUTH_TOKEN => $TOKEN, VOXLINE_TWILIO_API_BASE => $carrier->base });
sub sql { my ($q) = @_; return $s->psql("SELECT set_config('voxline.tenant_id', '*', false); $q") =~ s/^\*\n?//r }

my $tenant = sql("INSERT INTO tenants (name, slug, max_concurrent_calls) VALUES ('Dialer', 'dialer', 10) RETURNING id");
my $agent = sql("INSERT INTO agents (tenant_id, name, status) VALUES ('$tenant', 'Sales', 'live') RETURNING id");
sql("INSERT INTO phone_numbers (tenant_id, agent_id, e164, carrier) VALUES ('$tenant', '$agent', '+15558880000', 'twilio')");
my $camp = sql("INSERT INTO campaigns (tenant_id, agent_id, name, status, window_start, window_end, window_days,"
    . " max_concurrency, max_attempts, retry_delay_seconds) VALUES ('$tenant', '$agent', 'Spring', 'running',"
    . " '00:00', '23:59:59.999', '{1,2,3,4,5,6,7}', 2, 2, 60) RETURNING id");
sql("INSERT INTO campaign_targets (tenant_id, campaign_id, phone, variables) VALUES"
    . " ('$tenant', '$camp', '+15558880001', '{\"name\": \"Ann\"}'), ('$tenant', '$camp', '+15558880002', '{}'),"
    . " ('$tenant', '$camp', '+15558880003', '{}')");

sub wait_for {
    my ($q, $want) = @_;
    my $got;
    for (1 .. 100) { $got = sql($q); return $got if $got eq $want; sleep 0.2 }
    return $got;
}
sub placed { return $carrier->placed }
sub status_cb {
    my ($sid, $status, $seq) = @_;
    my %p = (CallSid => $sid, AccountSid => $SID, CallStatus => $status, SequenceNumber => $seq);
    my $body = join '&', map { "$_=$p{$_}" } sort keys %p;
    my ($id) = sql("SELECT id FROM calls WHERE carrier_call_sid = '$sid'");
    my $path = "/webhooks/twilio/status?call_id=$id";
    my $sig = hmac_sha1_base64("$PUBLIC$path" . join('', map { $_ . $p{$_} } sort keys %p), $TOKEN) . '=';
    return $s->request('POST', $path, content => $body, headers => {
        'Content-Type' => 'application/x-www-form-urlencoded', 'X-Twilio-Signature' => $sig })->{status};
}

# Which target each live call is for (targets are dialled in any order).
sub calling {
    my %t;
    for (split /\n/, sql("SELECT t.phone, c.carrier_call_sid FROM campaign_targets t JOIN calls c ON c.id = t.last_call_id"
        . " WHERE t.campaign_id = '$camp' AND t.status = 'calling' AND c.carrier_call_sid IS NOT NULL ORDER BY t.phone")) {
        my ($phone, $sid) = split /\|/;
        $t{$phone} = $sid;
    }
    return %t;
}
sub states { sql("SELECT string_agg(status || ':' || attempts, ',' ORDER BY status, attempts) FROM campaign_targets WHERE campaign_id = '$camp'") }
sub wait_calling { my $n = shift; my %t; for (1 .. 100) { %t = calling(); last if keys %t == $n; sleep 0.2 } return %t }

my %live = wait_calling(2);
is(scalar(keys %live), 2, 'the worker dials up to the campaign concurrency (2)');
sleep 6;
is(scalar(placed()), 2, 'no third call while two are live');
my ($a, $b) = sort keys %live;
is(status_cb($live{$a}, 'completed', 5), 204, 'one call completes');
is(status_cb($live{$b}, 'busy', 5), 204, 'the other is busy');
is(wait_for("SELECT count(*) FROM calls WHERE campaign_id = '$camp'", 3), 3, 'a freed slot dials the next target');
is(wait_for("SELECT string_agg(status || ':' || attempts, ',' ORDER BY status, attempts) FROM campaign_targets WHERE campaign_id = '$camp'",
    'calling:1,done:1,pending:1'), 'calling:1,done:1,pending:1', 'answered: done; busy: pending for a retry; next: calling');
is(sql("SELECT last_result FROM campaign_targets WHERE phone = '$b'"), 'busy', 'busy is recorded on the target');

# The retry comes due: dialled again, no answer, and after max_attempts (2) it has failed.
sql("UPDATE campaign_targets SET next_attempt_at = now() WHERE phone = '$b'");
%live = wait_calling(2);
ok($live{$b}, 'busy target retried');
status_cb($live{$_}, $_ eq $b ? 'no-answer' : 'completed', 5) for keys %live;
is(wait_for("SELECT status FROM campaigns WHERE id = '$camp'", 'completed'), 'completed', 'campaign completes when every target is settled');
is(states(), 'done:1,done:1,failed:2', 'no answer after the last attempt: failed; the others done');
is(scalar(placed()), 4, 'the carrier was asked exactly four times');
is(sql("SELECT prompt_variables->>'name' FROM calls WHERE to_number = '+15558880001' LIMIT 1"), 'Ann',
    'target columns reach the call as prompt variables');
is($s->post_json("/api/v1/campaigns/$camp/pause", {})->{status}, 401, 'campaign actions need authentication');

done_testing();
