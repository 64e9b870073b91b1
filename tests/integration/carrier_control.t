#!/usr/bin/env perl
# The carrier REST client on live calls, for Twilio, SignalWire and Telnyx:
# place a call, give it new instructions (TwiML / TeXML, as a transfer or a
# fallback message does), hang it up — through `voxline call`, against a
# local carrier server that checks each carrier's authentication, paths
# and parameters.  Refusals come back as catalog codes.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use MIME::Base64 qw(encode_base64);
use Stack;
use FakeCarrier;

my $PUBLIC = 'https://voice.example.test';
my %cred = (twilio => ['ACcontrol00000000000000000000000000', 'twilio-secret'],
    signalwire => ['3f1c7a52-7e1b-4f4e-9b1a-2a0c6d5e8f90', 'PTsignalwire-secret'],
    telnyx => ['4b8d2c1e-telnyx-account', 'KEYtelnyx-secret', 'texml-app-1']);
my $carrier = FakeCarrier->new(public_url => $PUBLIC, %cred);
my $s = Stack->new(env => {
    VOXLINE_PUBLIC_URL => $PUBLIC,
    VOXLINE_TWILIO_ACCOUNT_SID => $cred{twilio}[0], VOXLINE_TWILIO_AUTH_TOKEN => $cred{twilio}[1],
    VOXLINE_TWILIO_API_BASE => $carrier->base,
    VOXLINE_SIGNALWIRE_PROJECT_ID => $cred{signalwire}[0], VOXLINE_SIGNALWIRE_API_TOKEN => $cred{signalwire}[1],
    VOXLINE_SIGNALWIRE_API_BASE => $carrier->base,
    VOXLINE_TELNYX_ACCOUNT_SID => $cred{telnyx}[0], VOXLINE_TELNYX_API_KEY => $cred{telnyx}[1],
    VOXLINE_TELNYX_APPLICATION_SID => $cred{telnyx}[2], VOXLINE_TELNYX_API_BASE => $carrier->base,
});
sub sql { my ($q) = @_; return $s->psql("SELECT set_config('voxline.tenant_id', '*', false); $q") =~ s/^\*\n?//r }

my $tenant = sql("INSERT INTO tenants (name, slug, max_concurrent_calls) VALUES ('Ctl', 'ctl', 10) RETURNING id");
my %calls_path = (twilio => "/2010-04-01/Accounts/$cred{twilio}[0]/Calls",
    signalwire => "/api/laml/2010-04-01/Accounts/$cred{signalwire}[0]/Calls",
    telnyx => "/v2/texml/Accounts/$cred{telnyx}[0]/Calls");
my %auth = (twilio => 'Basic ' . encode_base64("$cred{twilio}[0]:$cred{twilio}[1]", ''),
    signalwire => 'Basic ' . encode_base64("$cred{signalwire}[0]:$cred{signalwire}[1]", ''),
    telnyx => "Bearer $cred{telnyx}[1]");
my %form = (twilio => qr{^application/x-www-form-urlencoded}, signalwire => qr{^application/x-www-form-urlencoded},
    telnyx => qr{^application/json});
my %markup_field = (twilio => 'Twiml', signalwire => 'Twiml', telnyx => 'Texml');
my %wrong_env = (twilio => 'VOXLINE_TWILIO_AUTH_TOKEN', signalwire => 'VOXLINE_SIGNALWIRE_API_TOKEN',
    telnyx => 'VOXLINE_TELNYX_API_KEY');
my %refused = (twilio => qr/HTTP 401 20003 Authenticate/, signalwire => qr/HTTP 401 20003 Authenticate/,
    telnyx => qr/HTTP 401 10009 The API key is invalid/);

my $n = 0;
for my $c (qw(twilio signalwire telnyx)) {
    $n++;
    my $agent = sql("INSERT INTO agents (tenant_id, name, status) VALUES ('$tenant', 'Agent $c', 'live') RETURNING id");
    sql("INSERT INTO phone_numbers (tenant_id, agent_id, e164, carrier) VALUES ('$tenant', '$agent', '+1555000100$n', '$c')");
    $carrier->reset;

    my ($rc, $out) = $s->voxline('call', 'place', '--tenant', $tenant, '--agent', $agent, '--to', "+1555777000$n");
    my ($id) = $out =~ /^placed ([0-9a-f-]{36})$/m;
    ok($id, "$c: call placed") or diag $out;
    my ($create) = @{ $carrier->requests };
    is("$create->{method} $create->{path} $create->{status}", "POST $calls_path{$c}" . ($c eq 'telnyx' ? '' : '.json') . ' 201',
        "$c: created on the carrier's Calls resource");
    is($create->{authorization}, $auth{$c}, "$c: with the carrier's authentication");
    like($create->{content_type}, $form{$c}, "$c: in the carrier's body format");
    my $sid = sql("SELECT carrier_call_sid FROM calls WHERE id = '$id'");
    is($sid, $create->{sid}, "$c: the call row carries the carrier's call sid");

    # New instructions for the live call (what a transfer sends).
    my $markup = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Connecting you now &amp; thanks.</Say>'
        . '<Dial timeout="20">+15555550100</Dial></Response>';
    ($rc, $out) = $s->voxline('call', 'update', '--call', $id, '--markup', $markup);
    is($out, "updated $id\n", "$c: call updated");
    my $upd = $carrier->requests->[-1];
    is("$upd->{method} $upd->{path}", "POST $calls_path{$c}/$sid" . ($c eq 'telnyx' ? '' : '.json'), "$c: update goes to the call's resource");
    is($upd->{authorization}, $auth{$c}, "$c: update authenticated");
    like($upd->{content_type}, $form{$c}, "$c: update in the carrier's body format");
    is_deeply($upd->{params}, { $markup_field{$c} => $markup }, "$c: the markup, whole, as $markup_field{$c} and nothing else");
    is($upd->{status}, 200, "$c: the carrier accepted it");

    ($rc, $out) = $s->voxline('call', 'hangup', '--call', $id);
    is($out, "hung up $id\n", "$c: call hung up");
    my $hang = $carrier->requests->[-1];
    is("$hang->{path} $hang->{authorization}", "$calls_path{$c}/$sid" . ($c eq 'telnyx' ? '' : '.json') . " $auth{$c}",
        "$c: hang-up on the call's resource, authenticated");
    is_deeply($hang->{params}, { Status => 'completed' }, "$c: hang-up is Status=completed");

    ($rc, $out) = $s->voxline('call', 'update', '--call', $id, '--markup', $markup);
    like($out, qr/^error carrier_rejected: HTTP 400 21220 Call is not in-progress/m, "$c: a call that has ended cannot be updated");
    isnt($rc, 0, "$c: and the command says so");

    ($rc, $out) = $s->voxline_env({ $wrong_env{$c} => 'wrong' }, 'call', 'hangup', '--call', $id);
    like($out, qr/^error carrier_auth_failed: $refused{$c}/m, "$c: wrong credentials: carrier_auth_failed");
}

# A carrier answering with a sid another call already has: the call cannot
# be followed, so it is hung up and the placement fails loudly (before, the
# command said "placed" and the row kept no sid).
{
    my $agent = sql("SELECT id FROM agents WHERE name = 'Agent twilio'");
    $carrier->repeat_sids(1);
    my ($rc1, $o1) = $s->voxline('call', 'place', '--tenant', $tenant, '--agent', $agent, '--to', '+15557770101');
    like($o1, qr/^placed /m, 'faulty carrier: the first call with that sid is placed');
    $carrier->reset;
    my ($rc2, $o2) = $s->voxline('call', 'place', '--tenant', $tenant, '--agent', $agent, '--to', '+15557770102');
    $carrier->repeat_sids(0);
    like($o2, qr/^error database_unavailable: call CA0{32} hung up: its sid could not be recorded/m,
        'the second cannot record it: an error, not "placed"');
    isnt($rc2, 0, 'the command fails');
    my @req = @{ $carrier->requests };
    is(join(' ', map { $_->{action} } @req), 'create hangup', 'the carrier was told to hang up the call it placed');
    is(sql("SELECT status || ' ' || end_reason || ' ' || (carrier_call_sid IS NULL) FROM calls WHERE to_number = '+15557770102'"),
        'failed database_unavailable true', 'the row is failed, so it holds no slot');
}

my ($rc, $out) = $s->voxline('call', 'hangup', '--call', '00000000-0000-4000-8000-000000000000');
like($out, qr/^error not_found/m, 'an unknown call: not_found');
($rc, $out) = $s->voxline('call', 'update', '--call', '00000000-0000-4000-8000-000000000000');
is($rc, 2, 'update without markup: usage');

done_testing();
