#!/usr/bin/env perl
# voxline-media under load, with fixed-delay engines so that what is
# measured is the daemon (and its loop, pacing and writer), not speech
# engines.  Writes a Markdown report to $ARGV[0].
use strict;
use warnings;
use Stack;
use Sim;
use POSIX qw(ceil);
use Time::HiRes qw(time sleep);

my ($out_path, $command) = @ARGV;
my $DELAY_MS = 200;
my $EOT_MS = 600;
my $LOAD0 = (split ' ', `cat /proc/loadavg`)[0];
my @LEVELS = $ENV{BENCH_LEVELS} ? split(/,/, $ENV{BENCH_LEVELS}) : (1, 50, 200, 500, 1000);
my $LEVEL_TIMEOUT = 240;

my $s = Stack->new(env => { VOXLINE_MEDIA_FIXED_DELAY_MS => $DELAY_MS, VOXLINE_MEDIA_END_OF_TURN_MS => $EOT_MS,
                            VOXLINE_MEDIA_MAX_CALLS => 5000 });
$s->voxline('demo');
Sim::bench_agent($s);

my $script = "$Stack::ROOT/tests/bench/turns.call";
my $media_pid = do { open(my $f, '<', $s->dir . '/run/media.pid') or die; local $/; <$f> };
chomp $media_pid;
my $ticks = POSIX::sysconf(POSIX::_SC_CLK_TCK());

sub cpu_seconds {
    open(my $f, '<', "/proc/$media_pid/stat") or return 0;
    my @f = split ' ', <$f>;
    return ($f[13] + $f[14]) / $ticks;
}
sub rss_kib {
    open(my $f, '<', "/proc/$media_pid/status") or return 0;
    while (<$f>) { return $1 if /^VmRSS:\s+(\d+)/ }
    return 0;
}
sub pct {
    my ($p, @v) = @_;
    return undef unless @v;
    @v = sort { $a <=> $b } @v;
    return $v[ceil($p * @v) - 1 < 0 ? 0 : ceil($p * @v) - 1];
}

# The first call of an agent loads it and synthesises its greeting; the
# levels measure the steady state, as a running daemon serves it.
Sim::run($s, '--direct', '--to', '+15555550999', '--url', 'http://' . $s->media_addr,
    "$Stack::ROOT/tests/bench/warmup.call");
my $idle_rss = rss_kib();

# The daemon's loop lag histogram (/metrics): ticks seen, and ticks that
# fired 50 ms or more late.
sub loop_lag {
    my $text = Sim::media_get($s, '/metrics')->{content} // '';
    my ($count) = $text =~ /^voxline_media_loop_lag_ms_count (\d+)/m;
    my ($le50) = $text =~ /^voxline_media_loop_lag_ms_bucket\{le="50"\} (\d+)/m;
    return ($count // 0, ($count // 0) - ($le50 // 0));
}

# The machine's CPU counters (/proc/stat): total and stolen (time the
# host gave this virtual machine's cores to others), in ticks.
sub cpu_ticks {
    my @f = split ' ', `head -1 /proc/stat`;
    shift @f;
    my $total = 0;
    $total += $_ for @f[0 .. 7];
    return ($total, $f[7] // 0);
}
my (@rows, $base, $greeting_frames, $call_len);
for my $n (@LEVELS) {
    my $stagger = $n > 1 ? int(5000 / $n) || 1 : 0;
    my $cpu0 = cpu_seconds();
    my @ticks0 = cpu_ticks();
    my @lag0 = loop_lag();
    my @kids0 = (times)[2, 3];
    my $t0 = time;
    my $h = Sim::start($s, '--direct', '--to', '+15555550999', '--calls', $n, '--stagger', $stagger,
        '--url', 'http://' . $s->media_addr, '--timeout', $LEVEL_TIMEOUT, $script);
    my $peak = 0;
    # Sample memory while the calls run (the simulator exits at the end).
    until (Sim::done($h)) {
        my $r = rss_kib();
        $peak = $r if $r > $peak;
        sleep 0.5;
        last if time - $t0 > $LEVEL_TIMEOUT + 60;
    }
    my ($rc, $calls, $sum) = Sim::finish($h);
    my $wall = time - $t0;
    my $cpu = cpu_seconds() - $cpu0;
    my @ticks1 = cpu_ticks();
    my @lag1 = loop_lag();
    my $stolen = $ticks1[0] > $ticks0[0] ? 100 * ($ticks1[1] - $ticks0[1]) / ($ticks1[0] - $ticks0[0]) : 0;
    # The simulator's own CPU (it is a child, reaped by now; the only one
    # that ran during the level).
    my @kids1 = (times)[2, 3];
    my $sim_cpu = $kids1[0] + $kids1[1] - $kids0[0] - $kids0[1];
    my @ok = grep { $_->{ok} } @$calls;
    my @late = map { $_->{frame_late_p99_ms} // () } @$calls;
    my @lmax = map { $_->{frame_late_max_ms} // () } @$calls;
    my @greet = map { $_->{greeting_ms} // () } @$calls;
    # Frames: every call hears the same greeting and two replies of two one-second tones.
    $greeting_frames //= $calls->[0]{turns}[0]{agent_audio_ms} / 20 if @$calls;
    my $expected = $greeting_frames + 2 * 100;
    my $lost = 0;
    $lost += ($expected - $_->{agent_frames}) > 0 ? $expected - $_->{agent_frames} : 0 for @$calls;
    my @ids = map { "'$_->{call_id}'" } grep { $_->{call_id} } @$calls;
    my (@share, $send_late, $daemon_greet);
    if (@ids) {
        my $in = join(',', @ids);
        # The daemon's own view: the worst frame of each call at the moment
        # it was sent, and the greeting's first frame after `start`.
        $send_late = Sim::q($s, "SELECT percentile_disc(0.99) WITHIN GROUP "
            . "(ORDER BY (latency->>'frame_lateness_max_ms')::float) FROM calls WHERE id IN ($in)");
        $daemon_greet = Sim::q($s, "SELECT percentile_disc(0.95) WITHIN GROUP "
            . "(ORDER BY (data->>'ms_since_start')::float) FROM call_events "
            . "WHERE type = 'greeting.first_frame' AND call_id IN ($in)");
        my $v = Sim::q($s, "SELECT string_agg(((latency_ms->>'voice_to_voice')::int - (latency_ms->>'end_of_turn')::int "
            . "- 3 * $DELAY_MS)::text, ',') FROM call_turns WHERE call_id IN (" . join(',', @ids) . ") "
            . "AND latency_ms ? 'voice_to_voice'");
        @share = split /,/, $v;
    }
    my $row = { n => $n, ok => scalar @ok, late_p99 => pct(0.99, @late), late_max => pct(1, @lmax),
        lost => $lost, greet_p50 => pct(0.5, @greet), greet_p95 => pct(0.95, @greet),
        share_p50 => pct(0.5, @share), share_p95 => pct(0.95, @share),
        send_late => length($send_late // '') ? $send_late : undef,
        daemon_greet => length($daemon_greet // '') ? $daemon_greet : undef,
        cpu => $cpu, sim_cpu => $sim_cpu, stolen => $stolen,
        lag_ticks => $lag1[0] - $lag0[0], lag_late => $lag1[1] - $lag0[1], wall => $wall, mem_per_call => $n ? ($peak - $idle_rss) / $n : 0,
        v2v_p50 => $sum->{v2v_p50_ms}, v2v_p95 => $sum->{v2v_p95_ms} };
    # CPU per call-minute: daemon CPU over the minutes the calls lasted.
    my $call_secs = @ids ? Sim::q($s, "SELECT coalesce(sum(extract(epoch FROM ended_at - answered_at)), 0) "
        . "FROM calls WHERE id IN (" . join(',', @ids) . ")") : 0;
    $row->{cpu_per_call_min} = $call_secs ? $cpu / ($call_secs / 60) : undef;
    $call_len = $call_secs / @ids if @ids;
    push @rows, $row;
    $base //= $row;
    printf STDERR "bench: %d calls: ok %d, frame lateness p99 %.1f ms, lost %d, greeting p95 %.1f ms, share p95 %s ms, "
        . "worst at send p99 %s ms, loop ticks 50 ms late %d of %d, CPU stolen %.1f%%\n", $n, $row->{ok},
        $row->{late_p99} // -1, $lost, $row->{greet_p95} // -1, $row->{share_p95} // "-", f($row->{send_late}),
        $row->{lag_late}, $row->{lag_ticks}, $stolen;
    last if !$ENV{BENCH_ALL_LEVELS} && ($row->{ok} < $n || ($row->{late_p99} // 0) > 10 || $lost > 0);
}

sub f { defined $_[0] ? sprintf($_[1] // '%.1f', $_[0]) : '–' }
sub ratio { my ($v, $b) = @_; return '–' unless defined $v && defined $b && $b > 0; sprintf('%.2f×', $v / $b) }

my $cpu_model = `grep -m1 'model name' /proc/cpuinfo` =~ s/.*:\s*//r =~ s/\s+$//r;
my $cores = `nproc` =~ s/\s+//gr;
my $mem = `grep MemTotal /proc/meminfo` =~ s/.*:\s*//r =~ s/\s+$//r;
my $kernel = `uname -r` =~ s/\s+$//r;
my $date = `date -u +%Y-%m-%dT%H:%MZ` =~ s/\s+$//r;
# Whether the machine was quiet: the load average when the run began and
# ended (this benchmark itself adds about one).
my $load = sprintf('load average %s at the start, %s at the end of the run', $LOAD0,
    (split ' ', `cat /proc/loadavg`)[0]);
my $held = 0;
$held = $_->{n} for grep { $_->{ok} == $_->{n} && ($_->{late_p99} // 0) <= 10 && !$_->{lost} } @rows;

open(my $o, '>', $out_path) or die "$out_path: $!";
print $o <<"MD";
# Benchmarks

Generated by `$command` ($date). Numbers are from one run on the machine
below; they move with the machine and what else runs on it.

- Machine: $cpu_model, $cores cores, $mem RAM, Linux $kernel
- Setup: voxline-media (optimised build, default workers = cores) with the
  fixed-delay engines ($DELAY_MS ms per stage; the wait is a timer on the
  call's loop, as for a provider reached over the network, so no thread is
  held), end of turn after $EOT_MS ms of silence; `voxline simulate` on the
  same machine plays every caller (one libuv loop, connects straight to the
  daemon's address, 20 ms μ-law frames in real time, a playout model of the
  agent's audio). The simulator shares the cores with the daemon, so the
  figures are a lower bound for the daemon; its own CPU is in the table.
  The daemon's event loops run at nice @{[ $ENV{VOXLINE_MEDIA_LOOP_NICE} // -10 ]} (`media_loop_nice`), ahead of
  its writer and engine threads, PostgreSQL and the simulator (nice 0).
- Load: $load
- Script: `tests/bench/turns.call` (greeting, two caller turns, each
  answered with two one-second sentences; @{[ sprintf('%.0f', $call_len // 0) ]} s per call on average,
  start of media to hang-up).

## Calls held with every frame on time

Levels stop escalating at the first level with a late (p99 > 10 ms) or
lost frame (unless BENCH_ALL_LEVELS is set). Highest level held: **$held concurrent call@{[ $held == 1 ? '' : 's' ]}**
(target: 1,000 calls on 2 cores).

| concurrent calls | calls ok | frame lateness p99 (ms) | worst frame (ms) | worst frame at send, p99 of calls (ms) | lost frames | daemon CPU (s) | CPU per call-minute (s) | simulator CPU (s) | memory per call (KiB) | loop ticks ≥ 50 ms late | CPU stolen by the host (%) |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
MD
for my $r (@rows) {
    printf $o "| %d | %d | %s | %s | %s | %d | %s | %s | %s | %s | %d of %d | %s |\n", $r->{n}, $r->{ok}, f($r->{late_p99}),
        f($r->{late_max}), f($r->{send_late}), $r->{lost}, f($r->{cpu}, '%.2f'), f($r->{cpu_per_call_min}, '%.3f'), f($r->{sim_cpu}, '%.2f'),
        f($r->{mem_per_call}, '%.0f'), $r->{lag_late}, $r->{lag_ticks}, f($r->{stolen});
}
print $o <<"MD";

*Loop ticks late*: of the daemon's loop ticks (every 10 ms on each
worker) during the level, those that fired 50 ms or more late
(`voxline_media_loop_lag_ms`): the loop was held, by its own work or by
waiting for a core. *CPU stolen by the host*: of the machine's CPU time during the level,
the share the hypervisor gave to other guests (`steal` in /proc/stat);
runs with several percent stolen are slower throughout.

Frame lateness is measured at the caller: how far past its play time
each agent frame arrived (0 when the carrier's buffer never ran dry).
*At send* is the daemon's own record of each call's worst frame: how far
past its play time it was written (0 while the daemon kept its lead of
`media_outbound_lead_ms`); the difference from the caller's figure is
the kernel and the simulator, which share the cores.

## Latency

Ratios compare each level with the single-call baseline of the same run.

| concurrent calls | start → first greeting frame p50 / p95 (ms) | vs. baseline (p95) | at the daemon p95 (ms) | daemon's share of voice-to-voice p50 / p95 (ms) | vs. baseline (p95) | voice-to-voice at the caller p50 / p95 (ms) |
|---:|---:|---:|---:|---:|---:|---:|
MD
for my $r (@rows) {
    printf $o "| %d | %s / %s | %s | %s | %s / %s | %s | %s / %s |\n", $r->{n}, f($r->{greet_p50}), f($r->{greet_p95}),
        ratio($r->{greet_p95}, $base->{greet_p95}), f($r->{daemon_greet}), f($r->{share_p50}, '%.0f'), f($r->{share_p95}, '%.0f'),
        ratio($r->{share_p95}, $base->{share_p95}), f($r->{v2v_p50}, '%.0f'), f($r->{v2v_p95}, '%.0f');
}
print $o <<"MD";

- *Start → first greeting frame*: from the simulator sending `start` to the
  first agent media frame arriving (target under 50 ms); the greeting is
  synthesised once per agent and cached. *At the daemon*: from `start`
  read to the first frame written, as the daemon records it.
- *Daemon's share of voice-to-voice*: the daemon's own voice-to-voice
  (end of caller speech to first agent frame sent) minus the end-of-turn
  silence it measured and the three engine delays ($DELAY_MS ms each) — queueing,
  scheduling, pacing and the loop (target under 5 ms at p95).
- *Voice-to-voice at the caller* includes the end-of-turn silence ($EOT_MS ms)
  and the engines.
MD
close $o;
print STDERR "bench: wrote $out_path\n";
