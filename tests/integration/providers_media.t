#!/usr/bin/env perl
# Live calls on cloud providers, played by tests/lib/ProviderServer.pm:
# the whole call on Deepgram + OpenAI + ElevenLabs with usage and cost
# (one Deepgram session streaming the whole call); the session dropped
# mid-call, the rest of the call heard by the fallback recogniser;
# a language model failing mid-call and the fallback carrying on with
# the conversation; a stalling TTS opening its breaker for the next
# calls, then closing after probes; every language model down, where
# the caller hears the fallback message and is transferred (or, when the
# carrier refuses the transfer, hears goodbye).  Then the
# media daemon's own simulator scripts, unchanged, on the cloud chain.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(sleep);
use Stack;
use Sim;
use FakeCarrier;
use ProviderServer;

my $fixtures = "$Stack::ROOT/tests/fixtures/calls";
my $ps = ProviderServer->new;
my $account = 'AC00000000000000000000000000000001';
my $carrier = FakeCarrier->new(twilio => [$account, 'carrier-secret']);
my %price = (deepgram => 0.0001, openai => 0.000002, groq => 0.000001, elevenlabs => 0.00005, cartesia => 0.00004);
my $s = Stack->new(env => {
    VOXLINE_TWILIO_API_BASE => $carrier->url, VOXLINE_TWILIO_ACCOUNT_SID => $account,
    VOXLINE_TWILIO_AUTH_TOKEN => 'carrier-secret',
    # One worker, so every call shares the same breakers.
    VOXLINE_MEDIA_WORKERS => 1,
    VOXLINE_PROVIDER_FAILURE_THRESHOLD => 2, VOXLINE_PROVIDER_SUCCESS_THRESHOLD => 2,
    VOXLINE_PROVIDER_OPEN_MS => 40000, VOXLINE_PROVIDER_STALL_MS => 800,
    # provider_health follows every recorded failure, not only transitions.
    VOXLINE_PROVIDER_HEALTH_REFRESH_SECONDS => 1,
    VOXLINE_MEDIA_PRICES => join(',', 'pocketsphinx:audio_second=0,local:token=0,espeak-ng:character=0',
        'deepgram:audio_second=' . $price{deepgram}, 'openai:token=' . $price{openai}, 'groq:token=' . $price{groq},
        'elevenlabs:character=' . $price{elevenlabs}, 'cartesia:character=' . $price{cartesia}),
});
my ($rc, $out) = $s->voxline('demo');
is($rc, 0, 'demo data loaded') or diag $out;

# Credentials the way an operator sets them: key on stdin, base URL of
# the local provider server.
for my $p (qw(deepgram openai groq elevenlabs cartesia)) {
    local @ENV{ keys %{ $s->{env} } } = values %{ $s->{env} };
    open(my $cli, '|-', 'sh', '-c', $s->env_sh . ' exec "$0" provider set "$1" --base-url "$2" >/dev/null',
         "$Stack::ROOT/voxline", $p, $ps->base_url($p)) or die;
    print $cli $ps->key($p), "\n";
    close $cli;
    is($?, 0, "credential for $p stored");
}
Sim::q($s, q{UPDATE agents SET stt_chain = '["deepgram", "pocketsphinx"]', llm_chain = '["openai", "groq"]',
    tts_chain = '["elevenlabs", "cartesia", "espeak-ng"]'});

my %answer = (
    hours => 'We are open Monday to Friday, and closed on Saturday and Sunday.',
    parking => 'Yes, there is a free parking lot behind the building, and metered street parking in front.',
    transfer => 'Of course. Let me transfer you to a member of our team now.',
);
# ('opening': what the local recogniser makes of the question when it is the fallback.)
$ps->llm_rules({ match => 'hours|opening', content => $answer{hours} },
               { match => 'parking', content => $answer{parking} },
               { match => 'human|person', content => $answer{transfer}, tool_calls => [ { name => 'transfer_call', arguments => {} } ] });

sub metrics { Sim::media_get($s, '/metrics')->{content} // '' }
sub metric {
    my ($name, $labels) = @_;
    my ($v) = metrics() =~ /^\Q$name\E\{\Q$labels\E\} (\S+)$/m;
    return $v // 0;
}
sub call_requests {
    my ($provider) = @_;
    return [ grep { ($_->{status} // 0) != 401 } @{ $ps->requests($provider) } ];
}

# The greeting is synthesised once per agent (ElevenLabs) when the agent
# is first loaded: a short call does that before the log is read.
my ($rc0, $c0, $s0, $raw0) = Sim::run($s, '--direct', "$fixtures/short.call");
is($rc0, 0, 'a first call loads the agent on the cloud chain') or diag $raw0;
ok(scalar @{ $ps->requests('elevenlabs') } >= 1, 'greeting synthesised by ElevenLabs');

subtest 'a normal call runs entirely on the cloud chain with usage and cost' => sub {
    $ps->clear_log;
    $ps->stt_script('opening hours', 'is there free parking');
    my ($rc, $calls, $sum, $raw) = Sim::run($s, '--direct', "$fixtures/hours.call");
    is($rc, 0, 'both answers heard by the caller') or diag $raw;
    my $id = $calls->[0]{call_id};
    my $dg = call_requests('deepgram');
    is(scalar @$dg, 1, 'one Deepgram session for the whole call');
    my $m = join ' ', @{ $dg->[0]{messages} };
    like($m, qr/^audio Finalize (?:KeepAlive )*audio Finalize (?:KeepAlive )*CloseStream$/,
        'audio, Finalize per turn, CloseStream at the end') or diag $m;
    ok(($m =~ tr/K//) >= 1 && $m =~ /Finalize KeepAlive/, 'KeepAlive while the agent spoke') or diag $m;
    my @seg = grep { $_->{words} } @{ $dg->[0]{segments} };
    is(join(',', map { $_->{by} // '' } @seg), 'speech_final,speech_final',
        "each caller turn's words finalized by Deepgram's endpointing") or diag explain $dg->[0]{segments};
    is(Sim::q($s, "SELECT count(*) FROM call_events WHERE call_id = '$id' AND type = 'caller.endpoint' AND data->>'by' = 'deepgram'"),
        2, 'and that endpoint ended the turns');
    ok($dg->[0]{audio_frames} >= 40, "audio sent frame by frame ($dg->[0]{audio_frames} frames)");
    for my $i (0 .. $#seg) {
        my ($spread, $dur) = ($seg[$i]{flushed_at} - $seg[$i]{first_audio}, $seg[$i]{bytes} / 8000);
        ok($spread >= 0.6 * $dur, sprintf('turn %d streamed while spoken: %.2f s of audio over %.2f s', $i + 1, $dur, $spread));
    }
    is($dg->[0]{interim_results}, 2, 'interim results came back during speech');
    is_deeply($dg->[0]{transcripts}, [ 'opening hours', 'is there free parking' ], 'transcripts from the final results');
    is($dg->[0]{auth}{authorization}, 'Token ' . $ps->key('deepgram'), 'Deepgram: Token auth');
    is($dg->[0]{query}{encoding} . '/' . $dg->[0]{query}{sample_rate}, 'mulaw/8000', 'Deepgram: mu-law at 8 kHz');
    is($dg->[0]{query}{interim_results}, 'true', 'interim results asked for');
    ok($dg->[0]{query}{endpointing}, 'endpointing set');
    is($dg->[0]{query}{utterance_end_ms}, 1000, 'UtteranceEnd asked for');
    my $llm = call_requests('openai');
    is(scalar @$llm, 2, 'two chat completions');
    is($llm->[0]{auth}{authorization}, 'Bearer ' . $ps->key('openai'), 'OpenAI: Bearer auth');
    ok($llm->[0]{body}{stream} && $llm->[0]{body}{stream_options}{include_usage}, 'streamed with usage');
    ok((grep { $_->{function}{name} eq 'transfer_call' } @{ $llm->[0]{body}{tools} }), 'transfer tool offered');
    my @roles = map { $_->{role} } @{ $llm->[1]{body}{messages} };
    is("@roles", 'system user assistant user', 'second request carries the first exchange');
    is($llm->[1]{body}{messages}[2]{content}, $answer{hours}, 'with the reply the caller heard');
    my $tts = call_requests('elevenlabs');
    ok(scalar @$tts >= 2, 'replies spoken by ElevenLabs');
    is($tts->[0]{auth}{'xi-api-key'}, $ps->key('elevenlabs'), 'ElevenLabs: xi-api-key');
    is($tts->[0]{query}{output_format}, 'ulaw_8000', 'mu-law 8 kHz asked for');
    is(scalar @{ call_requests('cartesia') } + scalar @{ call_requests('groq') }, 0, 'no fallback used');
    is(Sim::q($s, "SELECT string_agg(DISTINCT coalesce(provider_stt, provider_llm || '+' || provider_tts), ',') "
        . "FROM call_turns WHERE call_id = '$id' AND seq > 1"), 'deepgram,openai+elevenlabs', 'turns name the providers');
    # Cost from the providers' own numbers.
    my $secs = 0; $secs += $_->{audio_bytes} / 8000 for @$dg;
    my $tokens = 0; $tokens += $_->{usage}{total_tokens} for @$llm;
    my $chars = 0; $chars += length $_->{body}{text} for @$tts;
    my ($cs, $cl, $ct) = split /\|/, Sim::q($s, "SELECT cost_stt, cost_llm, cost_tts FROM calls WHERE id = '$id'");
    ok(abs($cs - $secs * $price{deepgram}) < 1e-5, "STT cost: $secs s from Deepgram's Metadata") or diag "$cs";
    ok(abs($cl - $tokens * $price{openai}) < 1e-5, "LLM cost: $tokens tokens from the final chunks") or diag "$cl";
    ok(abs($ct - $chars * $price{elevenlabs}) < 1e-5, "TTS cost: $chars characters") or diag "$ct";
    is(Sim::q($s, "SELECT status FROM calls WHERE id = '$id'"), 'completed', 'call completed');
};

subtest 'the Deepgram session drops mid-call: the rest of the call on the fallback recogniser' => sub {
    $ps->clear_log;
    $ps->fault('deepgram', type => 'drop', count => 1);
    $ps->stt_script('opening hours', 'is there free parking');
    my $errors = metric('voxline_media_provider_requests_total', 'provider="deepgram",result="error"');
    my ($rc, $calls, $sum, $raw) = Sim::run($s, '--direct', "$fixtures/hours.call");
    is($rc, 0, 'both answers heard by the caller') or diag $raw;
    my $id = $calls->[0]{call_id};
    my $dg = call_requests('deepgram');
    is(scalar @$dg, 1, 'one session, not reopened');
    is($dg->[0]{fault}, 'drop', 'dropped by the server');
    is($dg->[0]{messages}[-1], 'dropped', 'in the middle of the first turn') or diag join ' ', @{ $dg->[0]{messages} };
    is(Sim::q($s, "SELECT string_agg(provider_stt, ',' ORDER BY seq) FROM call_turns WHERE call_id = '$id' AND speaker = 'caller'"),
        'pocketsphinx,pocketsphinx', 'both turns heard by the fallback');
    like(Sim::q($s, "SELECT string_agg(text, ' | ' ORDER BY seq) FROM call_turns WHERE call_id = '$id' AND speaker = 'caller'"),
        qr/opening.* \| .*parking/, 'with the words of the questions');
    is(Sim::q($s, "SELECT count(*) FROM call_events WHERE call_id = '$id' AND type = 'provider.failed' AND data->>'stage' = 'stt'"),
        1, 'the failure once on the timeline');
    is(Sim::q($s, "SELECT count(*) FROM call_events WHERE call_id = '$id' AND type = 'caller.endpoint'"), 0,
        'the turns ended by our own silence wait');
    is(metric('voxline_media_provider_requests_total', 'provider="deepgram",result="error"'), $errors + 1,
        'and once for the breaker');
    is(Sim::q($s, "SELECT consecutive_failures FROM provider_health WHERE provider = 'deepgram'"), 1,
        'provider health counts the failure');
    like(Sim::q($s, "SELECT last_error FROM provider_health WHERE provider = 'deepgram'"), qr/closed|sending/,
        'with the reason');
    ok(abs(Sim::q($s, "SELECT cost_stt FROM calls WHERE id = '$id'") - $dg->[0]{audio_bytes} / 8000 * $price{deepgram}) < 1e-5,
        'the dropped session billed by the audio sent');
    is(Sim::q($s, "SELECT status FROM calls WHERE id = '$id'"), 'completed', 'call completed');
    $ps->fault('deepgram');
};

subtest 'the primary LLM fails mid-call: the fallback finishes it with the conversation' => sub {
    $ps->clear_log;
    $ps->stt_script('opening hours', 'is there free parking');
    my $h = Sim::start($s, '--direct', "$fixtures/hours.call");
    for (1 .. 150) { last if @{ call_requests('openai') } >= 1; sleep 0.1 }
    is(scalar @{ call_requests('openai') }, 1, 'first turn answered by OpenAI');
    $ps->fault('openai', type => 'status', status => 500);
    my ($rc, $calls, $sum, $raw) = Sim::finish($h);
    is($rc, 0, 'the caller heard both answers') or diag $raw;
    my @failed = grep { ($_->{status} // 0) == 500 } @{ $ps->requests('openai') };
    ok(@failed >= 1, 'OpenAI answered 500');
    my $groq = call_requests('groq');
    is(scalar @$groq, 1, 'Groq answered the second turn');
    is($groq->[0]{auth}{authorization}, 'Bearer ' . $ps->key('groq'), 'with its own key');
    my @m = @{ $groq->[0]{body}{messages} };
    is($m[1]{content}, 'opening hours', "Groq saw the caller's first turn");
    is($m[2]{content}, $answer{hours}, "and OpenAI's answer to it");
    like($m[-1]{content}, qr/parking/, 'and answered the turn in progress');
    my $id = $calls->[0]{call_id};
    is(Sim::q($s, "SELECT provider_llm FROM call_turns WHERE call_id = '$id' AND speaker = 'agent' ORDER BY seq DESC LIMIT 1"),
        'groq', 'the last turn names the fallback');
    is(Sim::q($s, "SELECT count(*) FROM call_events WHERE call_id = '$id' AND type = 'provider.switched'"), 1, 'switch on the timeline');
    ok(abs(Sim::q($s, "SELECT cost_llm FROM calls WHERE id = '$id'")
        - ($groq->[0]{usage}{total_tokens} * $price{groq} + call_requests('openai')->[0]{usage}{total_tokens} * $price{openai})) < 1e-5,
        'LLM cost: each provider at its own price');
    $ps->fault('openai');
};

subtest 'a stalling TTS opens its breaker for the next calls, probes close it' => sub {
    $ps->clear_log;
    $ps->fault('elevenlabs', type => 'stall', delay_ms => 20000);
    $ps->stt_script('opening hours', 'is there free parking');
    my ($rc, $calls, $sum, $raw) = Sim::run($s, '--direct', "$fixtures/hours.call");
    is($rc, 0, 'answers still heard (Cartesia)') or diag $raw;
    my $el = scalar @{ $ps->requests('elevenlabs') };
    is($el, 2, 'ElevenLabs tried until the breaker opened (threshold 2)');
    ok(scalar @{ call_requests('cartesia') } >= 2, 'Cartesia spoke instead');
    is(call_requests('cartesia')->[0]{auth}{'cartesia-version'} ? 1 : 0, 1, 'Cartesia-Version sent');
    is(metric('voxline_media_provider_breaker_state', 'provider="elevenlabs"'), 2, 'breaker open in /metrics');
    is(Sim::q($s, "SELECT state FROM provider_health WHERE provider = 'elevenlabs'"), 'open', 'and in provider_health');
    like(Sim::q($s, "SELECT last_error FROM provider_health WHERE provider = 'elevenlabs'"), qr/stall/, 'with the reason');
    $ps->stt_script('opening hours');
    my ($rc2, $calls2, $sum2, $raw2) = Sim::run($s, '--direct', "$fixtures/one_question.call");
    is($rc2, 0, 'the next call works') or diag $raw2;
    is(scalar @{ $ps->requests('elevenlabs') }, $el, 'without waiting on ElevenLabs: its breaker is still open')
        or diag explain [ map { [ $_->{body}{text}, $_->{fault} ] } @{ $ps->requests('elevenlabs') } ];
    $ps->fault('elevenlabs');
    sleep 40.5;          # the open time
    $ps->clear_log;
    $ps->stt_script('opening hours', 'is there free parking');
    my ($rc3, $calls3, $sum3, $raw3) = Sim::run($s, '--direct', "$fixtures/hours.call");
    is($rc3, 0, 'a call after the open time') or diag $raw3;
    ok(scalar @{ call_requests('elevenlabs') } >= 2, 'probes went to ElevenLabs');
    is(metric('voxline_media_provider_breaker_state', 'provider="elevenlabs"'), 0, 'breaker closed again');
    ok(metric('voxline_media_provider_transitions_total', 'provider="elevenlabs",to="open"') >= 1, 'open transition counted');
    ok(metric('voxline_media_provider_transitions_total', 'provider="elevenlabs",to="closed"') >= 1, 'closed transition counted');
    is(Sim::q($s, "SELECT string_agg(coalesce(from_state, '-') || '>' || to_state, ' ' ORDER BY id) FROM provider_transitions "
        . "WHERE provider = 'elevenlabs'"), '->closed closed>open open>half_open half_open>closed', 'history of the breaker');
    ok(metric('voxline_media_provider_requests_total', 'provider="elevenlabs",result="error"') >= 2, 'failed requests counted');
};

subtest 'every language model down: fallback message, transfer, failed call with a system error' => sub {
    $ps->clear_log;
    $ps->fault('openai', type => 'status', status => 500);
    $ps->fault('groq', type => 'status', status => 429);
    $ps->stt_script('opening hours');
    my $before = scalar grep { $_->{path} =~ m{/Calls/} } @{ $carrier->requests };
    my ($rc, $calls, $sum, $raw) = Sim::run($s, '--direct', "$fixtures/provider_down.call");
    my $c = $calls->[0];
    my ($t) = grep { $_->{line} == 6 } @{ $c->{turns} };
    # The fallback message is local speech (no provider log to read): its
    # turn says what was played, the caller's side counts the audio.
    ok($t && $t->{agent_audio_ms} >= 4500, 'the caller received the whole fallback message') or diag $raw;
    ok($c->{closed_by_agent}, 'and the stream ended with the transfer');
    my $fallback = 'technical difficulties. Let me connect you with a member of our team';
    like(Sim::q($s, "SELECT string_agg(text, ' | ' ORDER BY seq) FROM call_turns WHERE call_id = '$c->{call_id}' "
        . "AND speaker = 'agent' AND NOT interrupted AND seq > 1"), qr/\Q$fallback\E/, 'the agent turn is the fallback message');
    is(scalar(grep { $_->{status} == 200 } @{ $ps->requests('openai') }, @{ $ps->requests('groq') }), 0,
        'no model answered');
    my @req = grep { $_->{path} =~ m{/Calls/} } @{ $carrier->requests };
    is(scalar @req - $before, 1, 'one transfer through the carrier API');
    like($req[-1]{body}, qr/%2B15555550100/, 'to the agent\'s transfer number');
    my $id = $c->{call_id};
    is(Sim::q($s, "SELECT status || ' | ' || outcome || ' | ' || end_reason FROM calls WHERE id = '$id'"),
        'failed | transferred | language model providers unavailable', 'call failed with the reason, outcome transferred');
    is(Sim::q($s, "SELECT count(*) FROM system_error_occurrences WHERE code = 'provider_stage_failed' AND call_id = '$id'"),
        1, 'system error recorded with the call id');
    is(Sim::q($s, "SELECT count(*) FROM call_events WHERE call_id = '$id' AND type = 'provider.stage_failed'"), 1,
        'on the timeline');
    is(Sim::q($s, "SELECT count(*) FROM call_turns WHERE call_id = '$id' AND speaker = 'agent' AND text = ''"), 0,
        'no empty agent turn where the models failed');
    like(Sim::q($s, "SELECT summary FROM calls WHERE id = '$id'"), qr/^Caller asked about/,
        'the summary knows the caller spoke');
    ok(metric('voxline_media_provider_requests_total', 'provider="groq",result="error"') >= 1, 'Groq failures counted');
    $ps->fault('openai');
    $ps->fault('groq');
};

subtest 'every language model down and the carrier refuses the transfer: the call ends politely, both errors recorded' => sub {
    $ps->fault('openai', type => 'status', status => 500);
    $ps->fault('groq', type => 'status', status => 429);
    $ps->stt_script('opening hours');
    $carrier->refuse_updates(503);
    my ($rc, $calls, $sum, $raw) = Sim::run($s, '--direct', "$fixtures/provider_down.call");
    $carrier->refuse_updates(0);
    my $c = $calls->[0];
    ok($c->{closed_by_agent}, 'the agent ended the call') or diag $raw;
    my $id = $c->{call_id};
    ok(Sim::wait_for($s, "SELECT media_finished_at IS NOT NULL FROM calls WHERE id = '$id'", 30), 'call stored');
    like(Sim::q($s, "SELECT string_agg(text, ' | ' ORDER BY seq) FROM call_turns WHERE call_id = '$id' AND speaker = 'agent'"),
        qr/Let me connect you with a member of our team\..*cannot continue this call\. Please call back a little later\. Goodbye\./,
        'the caller heard the fallback message, then the goodbye');
    is(Sim::q($s, "SELECT status || ' | ' || end_reason || ' | ' || transfer_status FROM calls WHERE id = '$id'"),
        'failed | language model providers unavailable | failed', 'call failed with the reason, transfer failed');
    is(Sim::q($s, "SELECT data->>'code' FROM call_events WHERE call_id = '$id' AND type = 'transfer.failed'"),
        'carrier_unavailable', 'transfer.failed on the timeline with the carrier code');
    is(Sim::q($s, "SELECT string_agg(code, ' ' ORDER BY code) FROM system_error_occurrences WHERE call_id = '$id'"),
        'media_transfer_failed provider_stage_failed', 'both failures recorded with the call id');
    $ps->fault('openai');
    $ps->fault('groq');
};

subtest "the media daemon's simulator scripts, unchanged, on the cloud chain" => sub {
    sleep 40.5;          # the language models' breakers probe again after the open time
    $ps->stt_script('opening hours', 'is there free parking');
    my ($rc, $calls, $sum, $raw) = Sim::run($s, '--direct', "$fixtures/hours.call");
    is($rc, 0, 'hours.call') or diag $raw;
    $ps->stt_script('put me through to a human');
    # As media.t checks it: the stream ends with the transfer.
    ($rc, $calls, $sum, $raw) = Sim::run($s, '--direct', "$fixtures/transfer.call");
    ok($calls->[0]{closed_by_agent}, 'transfer.call: the stream ended after the transfer') or diag $raw;
    is(Sim::q($s, "SELECT outcome || ' ' || transfer_status FROM calls WHERE id = '$calls->[0]{call_id}'"),
        'transferred initiated', 'transferred by the model\'s tool call');
    $ps->stt_script('is there free parking', 'put me through to a human');
    ($rc, $calls, $sum, $raw) = Sim::run($s, '--direct', "$fixtures/barge.call");
    my $c = $calls->[0];
    ok($c->{barge} && $c->{barge}{clears} >= 1, 'barge.call: clear received') or diag $raw;
    is($c->{barge}{frames_after_clear}, 0, 'no agent frame after clear');
    ($rc, $calls, $sum, $raw) = Sim::run($s, '--direct', "$fixtures/short.call");
    is($rc, 0, 'short.call') or diag $raw;
};

done_testing;
