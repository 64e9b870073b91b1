#!/usr/bin/env perl
# The media daemon's writer (media/writer.c) against the stack's
# PostgreSQL, through tests/integration/drivers/writer_batch: records
# that arrive together are stored in one transaction; a record the
# database refuses is dropped alone, the others stored; a record stored
# twice (a replay) leaves no duplicate; the transcript written with the
# outcome is the one the turns make.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP;
use Stack;
use Sim;

my $s = Stack->new;
my ($rc, $out) = $s->voxline('demo');
is($rc, 0, 'demo data loaded') or diag $out;
my $json = JSON::PP->new->canonical;
my $spool = $s->dir . '/spool/writer-test.spool';

# Runs the writer over these records; returns its log.
sub write_records {
    my (@records) = @_;
    my $in = join '', map { $json->encode($_) . "\n" } @records;
    my $file = $s->dir . '/writer-input.jsonl';
    open(my $f, '>', $file) or die "$file: $!";
    print $f $in;
    close $f;
    my $log = `@{[ $s->env_sh ]} cd "\$ROOT" && tests/integration/drivers/writer_batch '$spool' 'test-node/1' <'$file' 2>&1`;
    is($?, 0, 'writer ran') or diag $log;
    like($log, qr/^queued @{[ scalar @records ]}$/m, 'every record queued');
    return $log;
}

sub start_record { my ($id, $tenant) = @_;
    return { op => 'call_start', call_id => $id, tenant_id => $tenant, owner => 'test-node/1',
             at => '2026-11-20T10:00:00.000Z' } }

sub end_record {
    my ($id, $tenant, $words) = @_;
    return { op => 'call_end', call_id => $id, tenant_id => $tenant, status => 'completed',
        outcome => 'answered', reason => 'hours', summary => "Asked about $words.", end_reason => 'caller hung up',
        answered_at => '2026-11-20T10:00:00.000Z', ended_at => '2026-11-20T10:00:30.000Z', duration_seconds => 30,
        cost_stt => 0.001, cost_llm => 0, cost_tts => 0.002, captured_data => {}, requires_action => JSON::PP::false,
        priority => 'normal', latency => { voice_to_voice => { p50 => 700, p95 => 800, n => 1 } },
        turns => [
            { seq => 1, speaker => 'agent', text => 'Thanks for calling.', started_at => '2026-11-20T10:00:00.100Z',
              ended_at => '2026-11-20T10:00:02.000Z', offset_ms => 100 },
            { seq => 2, speaker => 'caller', text => "what about $words", started_at => '2026-11-20T10:00:03.000Z',
              ended_at => '2026-11-20T10:00:05.000Z', offset_ms => 3000 },
            { seq => 3, speaker => 'caller', text => '', started_at => '2026-11-20T10:00:06.000Z',
              ended_at => '2026-11-20T10:00:06.500Z', offset_ms => 6000 },
            { seq => 4, speaker => 'agent', text => "Here is what I know about $words.",
              started_at => '2026-11-20T10:00:06.000Z', ended_at => '2026-11-20T10:00:08.000Z', offset_ms => 6000,
              latency_ms => { voice_to_voice => 700 } },
        ],
        events => [ { occurred_at => '2026-11-20T10:00:00.100Z', type => 'greeting.first_frame', data => {} } ] };
}

my @a = Sim::new_call($s);
my @b = Sim::new_call($s);
my @c = Sim::new_call($s);
my @d = Sim::new_call($s);
my $in = sub { join ',', map { "'$_'" } @_ };

# Row versions written to calls so far (the statistics of a backend are
# in once it has exited, which follows the writer's exit closely).
sub calls_updated {
    my ($at_least) = @_;
    my $n;
    for (1 .. 50) {
        $n = Sim::q($s, "SELECT pg_stat_clear_snapshot(); SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'calls'");
        $n = (split /\n/, $n)[-1];
        last if $n >= $at_least;
        select(undef, undef, undef, 0.1);
    }
    return $n;
}

subtest 'records that arrive together are one transaction' => sub {
    my $updated = calls_updated(0);
    write_records(start_record(@a[0, 1]), start_record(@b[0, 1]), end_record(@a[0, 1], 'parking'),
        end_record(@b[0, 1], 'hours'));
    is(Sim::q($s, "SELECT string_agg(status || ' ' || outcome, ',' ORDER BY carrier_call_sid = '$a[3]' DESC) "
        . "FROM calls WHERE id IN (@{[ $in->($a[0], $b[0]) ]})"), 'completed answered,completed answered',
        'both calls stored with their outcome');
    is(Sim::q($s, "SELECT count(DISTINCT xmin::text) FROM calls WHERE id IN (@{[ $in->($a[0], $b[0]) ]})"), 1,
        'by one transaction');
    is(Sim::q($s, "SELECT transcript FROM calls WHERE id = '$a[0]'"),
        "Thanks for calling.\nwhat about parking\nHere is what I know about parking.",
        'transcript: the turns with text, in order');
    is(Sim::q($s, "SELECT transcript = (SELECT string_agg(text, E'\\n' ORDER BY seq) FROM call_turns t "
        . "WHERE t.call_id = c.id AND text <> '') FROM calls c WHERE id = '$b[0]'"), 't',
        'the same as the turns make it');
    is(Sim::q($s, "SELECT count(*) FROM calls WHERE id = '$a[0]' AND search @@ to_tsquery('simple', 'parking')"), 1,
        'and searchable');
    is(Sim::q($s, "SELECT count(*) FROM call_turns WHERE call_id IN (@{[ $in->($a[0], $b[0]) ]})"), 8, 'turns stored');
    is(calls_updated($updated + 4) - $updated, 4,
        'each call row updated once at its start and once at its end (the turns left the transcript as it was)');
};

subtest 'a record refused by the database does not take the others with it' => sub {
    my $bad = end_record('not-a-call-id', $c[1], 'nothing');
    my $log = write_records(end_record(@c[0, 1], 'billing'), $bad, end_record(@d[0, 1], 'insurance'));
    like($log, qr/"event":"media_record_rejected".*"op":"call_end"/, 'the refused record is logged');
    is(Sim::q($s, "SELECT count(*) FROM calls WHERE id IN (@{[ $in->($c[0], $d[0]) ]}) AND status = 'completed'"), 2,
        'the records before and after it are stored');
    is(Sim::q($s, "SELECT count(*) FROM call_turns WHERE call_id IN (@{[ $in->($c[0], $d[0]) ]})"), 8,
        'with their turns');
};

subtest 'a record stored again (a replay) leaves no duplicate' => sub {
    my $before = Sim::q($s, "SELECT xmin FROM calls WHERE id = '$a[0]'");
    write_records(end_record(@a[0, 1], 'parking'), start_record(@a[0, 1]));
    is(Sim::q($s, "SELECT count(*) FROM call_turns WHERE call_id = '$a[0]'"), 4, 'turns once');
    is(Sim::q($s, "SELECT count(*) FROM call_events WHERE call_id = '$a[0]' AND type = 'greeting.first_frame'"), 1,
        'events once');
    is(Sim::q($s, "SELECT xmin FROM calls WHERE id = '$a[0]'"), $before, 'the finished call is left alone');
};

$s->stop;
done_testing();
