#!/usr/bin/env perl
# A transfer the carrier does not take: it answers 5xx or 4xx, never
# answers (timeout), or refuses the connection.  Each time the caller is
# told and offered to leave a message instead, the call's timeline says
# transfer.failed with the catalog code of the carrier's answer, the
# platform records media_transfer_failed for the call, and the call is
# still finished and stored with transfer_status "failed".
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Socket::INET;
use JSON::PP;
use Stack;
use Sim;
use FakeCarrier;

my $fixtures = "$Stack::ROOT/tests/fixtures/calls";
my $account = 'AC00000000000000000000000000000001';
my $carrier = FakeCarrier->new(twilio => [$account, 'carrier-secret']);
# Telnyx: a carrier that takes the connection and never answers.
my $silent = IO::Socket::INET->new(Listen => 16, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp')
    or die "listen: $!";
# SignalWire: a port nobody listens on.
my $closed = do {
    my $sock = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp') or die;
    my $port = $sock->sockport;
    close $sock;
    $port;
};
my $timeout = 3;
my $s = Stack->new(env => {
    VOXLINE_TWILIO_API_BASE => $carrier->url, VOXLINE_TWILIO_ACCOUNT_SID => $account,
    VOXLINE_TWILIO_AUTH_TOKEN => 'carrier-secret',
    VOXLINE_SIGNALWIRE_API_BASE => "http://127.0.0.1:$closed", VOXLINE_SIGNALWIRE_PROJECT_ID => 'project-1',
    VOXLINE_SIGNALWIRE_API_TOKEN => 'token-1',
    VOXLINE_TELNYX_API_BASE => 'http://127.0.0.1:' . $silent->sockport, VOXLINE_TELNYX_API_KEY => 'KEY-1',
    VOXLINE_TELNYX_ACCOUNT_SID => 'account-1',
    VOXLINE_CARRIER_HTTP_TIMEOUT => $timeout, VOXLINE_MEDIA_SILENCE_TIMEOUT_SECONDS => 120 });
my ($rc, $out) = $s->voxline('demo');
is($rc, 0, 'demo data loaded') or diag $out;

# What the call left behind: the stored row, its transfer.failed events
# and the platform's error occurrences.
sub check_call {
    my ($name, $run, $code, $detail) = @_;
    my ($rc, $calls, $sum, $raw) = Sim::finish($run);
    my $c = $calls->[0] // {};
    my $id = $c->{call_id} // '';
    ok($c->{connected} && !$c->{closed_by_agent}, "$name: the agent kept the call after the failed transfer") or diag $raw;
    ok(Sim::wait_for($s, "SELECT media_finished_at IS NOT NULL FROM calls WHERE id = '$id'", 30), "$name: call stored");
    is(Sim::q($s, "SELECT status || ' ' || transfer_to || ' ' || transfer_status FROM calls WHERE id = '$id'"),
        'completed +15555550100 failed', "$name: the row says the transfer failed");
    my @ev = map { decode_json($_) } grep { length } split /\n/,
        Sim::q($s, "SELECT data FROM call_events WHERE call_id = '$id' AND type = 'transfer.failed' ORDER BY id");
    is(scalar @ev, 1, "$name: transfer.failed on the timeline");
    is($ev[0]{code}, $code, "$name: with the code $code");
    like($ev[0]{error} // '', $detail, "$name: and the carrier's detail");
    is($ev[0]{to}, '+15555550100', "$name: and the number");
    like(Sim::q($s, "SELECT detail FROM system_error_occurrences WHERE code = 'media_transfer_failed' AND call_id = '$id'"),
        qr/^\Q$code\E: /, "$name: media_transfer_failed recorded for the call");
    like(Sim::q($s, "SELECT string_agg(text, ' | ' ORDER BY seq) FROM call_turns WHERE call_id = '$id' AND speaker = 'agent'"),
        qr/couldn't connect you\. I can take a message/, "$name: the caller was told and offered to leave a message");
}

# Three carriers at once, each failing its own way.
$carrier->refuse_updates(503);
my %run = (
    twilio => Sim::start($s, '--direct', "$fixtures/transfer_fails.call"),
    signalwire => Sim::start($s, '--direct', '--carrier', 'signalwire', "$fixtures/transfer_fails.call"),
    telnyx => Sim::start($s, '--direct', '--carrier', 'telnyx', "$fixtures/transfer_fails.call"),
);
check_call('carrier answers 503', $run{twilio}, 'carrier_unavailable', qr/^HTTP 503 20500 An internal server error/);
check_call('connection refused', $run{signalwire}, 'carrier_unavailable', qr/connect/i);
check_call("no answer within $timeout s", $run{telnyx}, 'carrier_unavailable', qr/timed out/i);
my @updates = grep { $_->{path} =~ m{/Calls/} } @{ $carrier->requests };
is(scalar @updates, 1, 'the carrier that answered 503 was asked once (no retry of a live-call update)');

$carrier->refuse_updates(400);
check_call('carrier answers 400', Sim::start($s, '--direct', "$fixtures/transfer_fails.call"), 'carrier_rejected',
    qr/^HTTP 400 21220 Call is not in-progress/);
$carrier->refuse_updates(0);

done_testing;
