#!/usr/bin/env perl
# A transfer whose carrier answers slowly does not stall the daemon: with
# one worker (one loop for every call), a second call is answered in full
# (greeting and both answers heard) while the first call's transfer
# request is still waiting on the carrier, and the transfer completes
# once the carrier answers.  Were the request sent in a way that blocks
# the loop, the second call would get no audio at all: its simulator
# gives up (--timeout) well before the carrier request would time out.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(sleep);
use Stack;
use Sim;
use FakeCarrier;

my $fixtures = "$Stack::ROOT/tests/fixtures/calls";
my $account = 'AC00000000000000000000000000000001';
my $carrier = FakeCarrier->new(twilio => [$account, 'carrier-secret']);
my $s = Stack->new(env => { VOXLINE_TWILIO_API_BASE => $carrier->url, VOXLINE_TWILIO_ACCOUNT_SID => $account,
                            VOXLINE_TWILIO_AUTH_TOKEN => 'carrier-secret', VOXLINE_MEDIA_WORKERS => 1,
                            VOXLINE_CARRIER_HTTP_TIMEOUT => 120, VOXLINE_MEDIA_SILENCE_TIMEOUT_SECONDS => 300 });
my ($rc, $out) = $s->voxline('demo');
is($rc, 0, 'demo data loaded') or diag $out;

$carrier->hold(1);
my $transfer = Sim::start($s, '--direct', '--timeout', 300, "$fixtures/transfer_slow.call");
my $waited = 0;
$waited += sleep 0.1 until $carrier->held || Sim::done($transfer) || $waited > 60;
ok($carrier->held, 'the transfer request reached the carrier, which holds its answer');

my ($rc2, $calls2, $sum2, $raw2) = Sim::run($s, '--direct', '--timeout', 90, "$fixtures/hours.call");
is($rc2, 0, 'the other call on the same worker succeeds meanwhile') or diag $raw2;
my $c2 = $calls2->[0];
my @expects = grep { exists $_->{expect_ok} } @{ $c2->{turns} };
is(scalar(grep { $_->{expect_ok} } @expects), 2, 'both of its answers were heard');
my $greeting_frames = ($c2->{turns}[0]{agent_audio_ms} // 0) / 20;
ok($c2->{agent_frames} > $greeting_frames, 'its frames kept flowing after the greeting')
    or diag "frames $c2->{agent_frames}, greeting $greeting_frames";
ok($carrier->held && !Sim::done($transfer), 'the transfer was still waiting on the carrier all along');

$carrier->hold(0);
my ($rc1, $calls1, $sum1, $raw1) = Sim::finish($transfer);
my $c1 = $calls1->[0];
ok($c1->{closed_by_agent}, 'the transfer call ended once the carrier answered') or diag $raw1;
my @req = grep { $_->{path} =~ m{/Calls/} } @{ $carrier->requests };
is(scalar @req, 1, 'one REST call to the carrier');
like($req[0]{body} // '', qr/Twiml=.*%3CDial.*%2B15555550100/, 'TwiML dials the transfer number');
my $id = $c1->{call_id} // '';
ok(Sim::wait_for($s, "SELECT media_finished_at IS NOT NULL FROM calls WHERE id = '$id'", 30), 'call stored');
is(Sim::q($s, "SELECT outcome || ' ' || transfer_status FROM calls WHERE id = '$id'"),
    'transferred initiated', 'call row says transferred');

done_testing;
