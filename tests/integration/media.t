#!/usr/bin/env perl
# Live calls end to end: `voxline simulate` plays the carrier through
# nginx to voxline-media, with voxline-web and PostgreSQL behind, and
# the results are read back from the database.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(sleep);
use POSIX ();
use Stack;
use Sim;
use FakeCarrier;

my $fixtures = "$Stack::ROOT/tests/fixtures/calls";
my $account = 'AC00000000000000000000000000000001';
my $carrier = FakeCarrier->new(twilio => [$account, 'carrier-secret']);
my $s = Stack->new(env => { VOXLINE_TWILIO_API_BASE => $carrier->url, VOXLINE_TWILIO_ACCOUNT_SID => $account,
                            VOXLINE_TWILIO_AUTH_TOKEN => 'carrier-secret' });
my ($rc, $out) = $s->voxline('demo');
is($rc, 0, 'demo data loaded') or diag $out;

subtest 'a question answered from the knowledge base is heard' => sub {
    my $caller = '+15555550177';
    my ($rc, $calls, $sum, $raw) = Sim::run($s, '--direct', '--from', $caller, "$fixtures/hours.call");
    is($rc, 0, 'simulator reports success') or diag $raw;
    my $c = $calls->[0];
    ok($c->{connected} && !$c->{refused}, 'stream accepted');
    ok($c->{greeting_ms} >= 0, 'greeting heard');
    my @expects = grep { exists $_->{expect_ok} } @{ $c->{turns} };
    is(scalar @expects, 2, 'two answers checked');
    ok($expects[0]{expect_ok}, 'opening hours answer heard') or diag $expects[0]{heard};
    ok($expects[1]{expect_ok}, 'parking answer from the knowledge base heard') or diag $expects[1]{heard};
    ok(defined $expects[$_]{v2v_ms}, "voice-to-voice measured for answer $_") for 0, 1;
    my $id = $c->{call_id};
    is(Sim::q($s, "SELECT status || ' ' || outcome FROM calls WHERE id = '$id'"), 'completed answered',
        'call completed with an outcome');
    like(Sim::q($s, "SELECT summary FROM calls WHERE id = '$id'"), qr/opening hours/, 'summary says what was asked');
    is(Sim::q($s, "SELECT string_agg(speaker, ',' ORDER BY seq) FROM call_turns WHERE call_id = '$id'"),
        'agent,caller,agent,caller,agent', 'turns recorded in order');
    like(Sim::q($s, "SELECT text FROM call_turns WHERE call_id = '$id' AND seq = 5"), qr/parking/i,
        'the parking answer came from the knowledge base');
    ok(Sim::q($s, "SELECT (latency_ms->>'voice_to_voice')::int > 0 AND latency_ms ? 'stt_final' "
        . "AND latency_ms ? 'llm_first_token' AND latency_ms ? 'tts_first_audio' AND latency_ms ? 'end_of_turn' "
        . "FROM call_turns WHERE call_id = '$id' AND seq = 3") eq 't', 'agent turn has its latency breakdown');
    ok(Sim::q($s, "SELECT latency ? 'voice_to_voice' FROM calls WHERE id = '$id'") eq 't', 'call latency summary stored');
    like(Sim::q($s, "SELECT transcript FROM calls WHERE id = '$id'"), qr/Harbor Dental/, 'transcript maintained from the turns');
    is(Sim::q($s, "SELECT provider_stt FROM call_turns WHERE call_id = '$id' AND seq = 2"), 'pocketsphinx', 'provider recorded');
    is(Sim::q($s, "SELECT count(*) FROM call_events WHERE call_id = '$id' AND type = 'greeting.first_frame'"), 1,
        'timeline has the greeting');
    # The ear can tell: words the agent did not say are not "heard".
    my ($rc2, $calls2) = Sim::run($s, '--direct', '--from', $caller, "$fixtures/mismatch.call");
    my ($t) = grep { exists $_->{expect_ok} } @{ $calls2->[0]{turns} };
    ok($t && !$t->{expect_ok}, 'an answer without the expected words fails the check');
    isnt($rc2, 0, 'and the simulator says so');
    # The same number again: the second call knows the first.
    my $reason = Sim::q($s, "SELECT reason FROM calls WHERE id = '$id'");
    ok($reason, 'the first call has a reason') or diag $reason;
    like(Sim::q($s, "SELECT summary FROM calls WHERE id = '$calls2->[0]{call_id}'"),
        qr/Returning caller \(1 earlier call, the last about \Q$reason\E\)/, 'a returning caller is known by the history');
};

subtest 'asking for a person transfers the call through the carrier API' => sub {
    my ($rc, $calls, $sum, $raw) = Sim::run($s, '--direct', "$fixtures/transfer.call");
    my $c = $calls->[0];
    ok($c->{closed_by_agent}, 'the stream ended after the transfer') or diag $raw;
    my @req = grep { $_->{path} =~ m{/Calls/} } @{ $carrier->requests };
    is(scalar @req, 1, 'one REST call to the carrier');
    like($req[0]{path}, qr{^/2010-04-01/Accounts/AC[0-9]+/Calls/CA[0-9a-f]+\.json$}, 'Twilio call update path');
    like($req[0]{authorization}, qr/^Basic /, 'basic auth');
    like($req[0]{body}, qr/Twiml=.*%3CDial.*%2B15555550100/, 'TwiML dials the transfer number');
    like($req[0]{body}, qr/%3CRecord/, 'voicemail when nobody answers');
    my $id = $c->{call_id};
    is(Sim::q($s, "SELECT outcome || ' ' || transfer_to || ' ' || transfer_status FROM calls WHERE id = '$id'"),
        'transferred +15555550100 initiated', 'call row says transferred');
};

subtest 'barge-in stops the agent at once' => sub {
    my ($rc, $calls, $sum, $raw) = Sim::run($s, '--direct', "$fixtures/barge.call");
    my $c = $calls->[0];
    ok($c->{barge} && $c->{barge}{clears} >= 1, 'the caller received clear') or diag $raw;
    is($c->{barge}{frames_after_clear}, 0, 'no agent frame after clear while the caller spoke');
    my $id = $c->{call_id};
    my ($decided, $sent) = split /\|/, Sim::q($s, "SELECT data->>'decided_at_ms', data->>'clear_sent_at_ms' "
        . "FROM call_events WHERE call_id = '$id' AND type = 'barge_in' LIMIT 1");
    ok(defined $sent && $sent - $decided < 100, 'clear sent within 100 ms of the decision');
    ok($c->{barge}{clear_at_ms} - $decided < 100, 'caller stopped hearing the agent within 100 ms of the decision');
    is(Sim::q($s, "SELECT count(*) FROM call_turns WHERE call_id = '$id' AND speaker = 'agent' AND interrupted"), 1,
        'the cut reply is marked interrupted');
};

subtest 'a bad stream token is refused before any audio' => sub {
    my ($rc, $calls, $sum, $raw) = Sim::run($s, '--direct', '--bad-token', 'eyJmb28iOiJiYXIifQ.c2ln', "$fixtures/short.call");
    my $c = $calls->[0];
    isnt($rc, 0, 'simulator reports failure');
    ok($c->{refused}, 'closed with policy violation') or diag $raw;
    is($c->{agent_frames}, 0, 'no audio sent');
    is(Sim::q($s, "SELECT status FROM calls WHERE id = '$c->{call_id}'"), 'ringing', 'call never went live');
    like(Sim::media_get($s, '/metrics')->{content}, qr/voxline_media_streams_refused_total\{reason="bad_token"\} [1-9]/,
        'refusal counted');
};

subtest 'PostgreSQL stopped mid-call: the call is stored once when it returns' => sub {
    my $h = Sim::start($s, '--direct', "$fixtures/long.call");
    my $id = Sim::wait_for($s, "SELECT id FROM calls WHERE status = 'in_progress' AND media_owner IS NOT NULL "
        . "AND media_finished_at IS NULL LIMIT 1", 30);
    ok($id, 'call in progress') or return;
    $s->sh('pg-stop');
    my ($rc, $calls) = Sim::finish($h);
    is($calls->[0]{call_id}, $id, 'the same call finished while the database was down');
    my $health;
    for (1 .. 50) { $health = Sim::media_get($s, '/health'); last if $health->{content} =~ /"spooled":[1-9]/; sleep 0.2 }
    like($health->{content}, qr/"spooled":[1-9]/, 'result waiting in the spool');
    $s->sh('pg-start');
    ok(Sim::wait_for($s, "SELECT media_finished_at IS NOT NULL FROM calls WHERE id = '$id'", 30), 'stored after the restart');
    is(Sim::q($s, "SELECT count(*) FROM call_events WHERE call_id = '$id' AND type = 'call.completed'"), 1, 'completed once');
    is(Sim::q($s, "SELECT count(*) = count(DISTINCT seq) AND count(*) >= 5 FROM call_turns WHERE call_id = '$id'"), 't',
        'every turn once');
    like(Sim::media_get($s, '/health')->{content}, qr/"spooled":0/, 'spool empty');
    # A restart replays nothing twice.
    $s->sh('media-stop');
    $s->sh('media-start');
    is(Sim::q($s, "SELECT count(*) FROM call_events WHERE call_id = '$id' AND type = 'call.completed'"), 1, 'still once');
};

subtest 'media daemon killed mid-call: the call is closed as failed, others unaffected' => sub {
    my $other = Sim::q($s, "INSERT INTO calls (tenant_id, agent_id, carrier, status, media_owner) "
        . "SELECT tenant_id, id, 'twilio', 'in_progress', 'another-node/1' FROM agents LIMIT 1 RETURNING id");
    my $done = Sim::q($s, "SELECT id FROM calls WHERE status = 'completed' LIMIT 1");
    my $h = Sim::start($s, '--direct', "$fixtures/long.call");
    my $id = Sim::wait_for($s, "SELECT id FROM calls WHERE status = 'in_progress' AND media_owner LIKE 'stack/%' "
        . "AND media_finished_at IS NULL LIMIT 1", 30);
    ok($id, 'call in progress') or return;
    $s->sh('media-kill');
    my ($rc, $calls) = Sim::finish($h);
    ok($calls->[0]{closed_by_agent}, 'the caller saw the stream drop');
    $s->sh('media-start');
    ok(Sim::wait_for($s, "SELECT status = 'failed' FROM calls WHERE id = '$id'", 20), 'closed as failed');
    like(Sim::q($s, "SELECT end_reason FROM calls WHERE id = '$id'"), qr/media daemon/, 'with a reason');
    is(Sim::q($s, "SELECT status FROM calls WHERE id = '$other'"), 'in_progress', "another node's call untouched");
    is(Sim::q($s, "SELECT status FROM calls WHERE id = '$done'"), 'completed', 'finished calls untouched');
    my ($rc2, $calls2, $sum2, $raw2) = Sim::run($s, '--direct', "$fixtures/short.call");
    is($rc2, 0, 'new calls work after the restart') or diag $raw2;
};

subtest 'the signed webhook answers TwiML that opens the stream' => sub {
    # The webhook follows the agent's opening hours; open it around the
    # clock for this subtest so the answer does not depend on when it runs.
    my $hours = Sim::q($s, "SELECT hours FROM agents WHERE id = (SELECT agent_id FROM phone_numbers WHERE e164 = '+15555550123')");
    my $always = '{' . join(',', map { qq("$_": [{"open": "00:00", "close": "24:00"}]) }
        qw(mon tue wed thu fri sat sun)) . '}';
    Sim::q($s, "UPDATE agents SET hours = '$always' WHERE id = (SELECT agent_id FROM phone_numbers WHERE e164 = '+15555550123')");
    my ($rc, $calls, $sum, $raw) = Sim::run($s, '--auth-token', 'carrier-secret', '--account-sid', $account,
        "$fixtures/parking.call");
    is($rc, 0, 'signed webhook, TwiML, stream, answers heard') or diag $raw;
    my $c = $calls->[0];
    like($c->{call_id}, qr/^[0-9a-f-]{36}$/, 'call id from the TwiML parameter');
    is($c->{record}{status}, 'completed', 'the call the webhook created was completed by the media daemon');
    my ($rc2, $calls2, $sum2, $raw2) = Sim::run($s, '--auth-token', 'wrong-token', '--account-sid', $account,
        "$fixtures/short.call");
    like($calls2->[0]{error} // '', qr/HTTP 40[13]/, 'a badly signed webhook is refused') or diag $raw2;
    Sim::q($s, "UPDATE agents SET hours = '$hours' WHERE id = (SELECT agent_id FROM phone_numbers WHERE e164 = '+15555550123')");
};

subtest 'a Telnyx stream is answered (caller frames through the reorder window)' => sub {
    my ($rc, $calls, $sum, $raw) = Sim::run($s, '--direct', '--carrier', 'telnyx', "$fixtures/hours.call");
    is($rc, 0, 'both answers heard over a Telnyx stream') or diag $raw;
    is($calls->[0]{record}{status}, 'completed', 'the call is completed');
    is(Sim::q($s, "SELECT count(*) FROM call_events WHERE call_id = '$calls->[0]{call_id}' AND type = 'media.reordered'"),
        0, 'frames sent in order: nothing dropped or missing');
};

# Last: it replaces the stack's daemon with one this test starts, to see
# its exit status.
subtest 'SIGTERM drains: no new calls, calls finish up to the limit, then end politely' => sub {
    my $drain = 12;     # the demo greeting alone is about 9 s
    $s->sh('media-stop');
    my $dir = $s->dir;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        exec('sh', '-c', $s->env_prefix . ' ' . $s->env_sh . ' export VOXLINE_MEDIA_ADDR=' . $s->media_addr
            . " VOXLINE_MEDIA_SPOOL_PATH=$dir/spool/media.spool VOXLINE_MEDIA_NODE_ID=stack"
            . " VOXLINE_MEDIA_DRAIN_SECONDS=$drain; exec $Stack::ROOT/voxline-media >>$dir/log/media.log 2>&1");
        exit 127;
    }
    my $up;
    for (1 .. 100) { $up = Sim::media_get($s, '/health')->{success}; last if $up; sleep 0.1 }
    ok($up, 'daemon up') or return;
    my $stays = Sim::start($s, '--direct', "$fixtures/drain.call");
    my $a = Sim::wait_for($s, "SELECT id FROM calls WHERE status = 'in_progress' AND media_owner LIKE 'stack/%' "
        . "AND media_finished_at IS NULL LIMIT 1", 30);
    ok($a, 'a call that stays on the line is in progress') or return;
    my $short = Sim::start($s, '--direct', "$fixtures/short.call");
    my $b = Sim::wait_for($s, "SELECT id FROM calls WHERE status = 'in_progress' AND media_owner LIKE 'stack/%' "
        . "AND media_finished_at IS NULL AND id <> '$a' LIMIT 1", 30);
    ok($b, 'and a short one') or return;
    kill 'TERM', $pid;
    my $term_at = Time::HiRes::time();
    # The signal is taken by the daemon's main thread; give it a moment.
    my $health;
    for (1 .. 20) { $health = Sim::media_get($s, '/health'); last if $health->{status} == 503; sleep 0.05 }
    is($health->{status}, 503, 'health says draining within a second of SIGTERM');
    like($health->{content}, qr/"status":"draining"/, 'in its body');
    my ($rc_new, $calls_new, $sum_new, $raw_new) = Sim::run($s, '--direct', "$fixtures/short.call");
    ok(!$calls_new->[0]{ok} && !$calls_new->[0]{connected}, 'a new call is not accepted') or diag $raw_new;

    my ($rc_b, $calls_b, $sum_b, $raw_b) = Sim::finish($short);
    is($rc_b, 0, 'the short call finished normally') or diag $raw_b;
    is(Sim::q($s, "SELECT status || ' / ' || end_reason FROM calls WHERE id = '$b'"), 'completed / caller hung up',
        'and is recorded as the caller ended it');

    my ($rc_a, $calls_a, $sum_a, $raw_a) = Sim::finish($stays);
    is($rc_a, 0, 'the call on the line was ended by the agent, as its script expects') or diag $raw_a;
    my $c = $calls_a->[0];
    ok($c->{closed_by_agent}, 'the agent closed the stream');
    my $greeting_frames = $c->{turns}[0]{agent_audio_ms} / 20;
    ok($c->{agent_frames} > $greeting_frames + 100, 'the caller heard more than the greeting (the goodbye line)')
        or diag "frames $c->{agent_frames}, greeting $greeting_frames";
    is(Sim::q($s, "SELECT status || ' / ' || end_reason FROM calls WHERE id = '$a'"), 'completed / service restarting',
        'the row is closed with the reason');
    ok(Sim::q($s, "SELECT extract(epoch FROM ended_at) FROM calls WHERE id = '$a'") >= $term_at + $drain - 0.5,
        'not before the drain limit');
    is(Sim::q($s, "SELECT count(*) FROM call_turns WHERE call_id = '$a' AND speaker = 'agent' "
        . "AND text LIKE '%have to end this call%Goodbye.' AND NOT interrupted"), 1, 'the goodbye was said in full');

    my ($exited, $status) = (0, -1);
    for (1 .. 300) { if (waitpid($pid, POSIX::WNOHANG()) == $pid) { ($exited, $status) = (1, $?); last } sleep 0.1 }
    ok($exited, 'the daemon exited once the calls were over') or kill 'KILL', $pid;
    is($status, 0, 'with status 0') if $exited;
    unlink "$dir/run/media.pid";
    $s->sh('media-start');
};

done_testing;
