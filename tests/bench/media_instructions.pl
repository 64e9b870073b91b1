#!/usr/bin/env perl
# Instructions per call-minute of voxline-media and of `voxline simulate`,
# counted by valgrind's callgrind: repeatable, and unaffected by whatever
# else runs on the machine (unlike CPU seconds).  Two runs with different
# numbers of calls; the difference divided by the difference in
# call-minutes leaves out start-up and fixed costs.  Fixed-delay engines,
# tests/bench/turns.call, as `make bench`.  Run from an optimised build:
#   perl -I tests/lib tests/bench/media_instructions.pl [CALLS1 CALLS2]
use strict;
use warnings;
use Stack;
use Sim;
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep);

my ($N1, $N2) = @ARGV ? @ARGV : (2, 12);
my $out = tempdir('callgrind-XXXXXX', TMPDIR => 1, CLEANUP => 1);

sub total {
    my ($file) = @_;
    open(my $f, '<', $file) or die "$file: $!";
    while (<$f>) { return $1 if /^(?:summary|totals):\s+(\d+)/ }
    die "no total in $file";
}

sub one_run {
    my ($n) = @_;
    my $s = Stack->new(env => { VOXLINE_MEDIA_FIXED_DELAY_MS => 200, VOXLINE_MEDIA_END_OF_TURN_MS => 600 });
    $s->voxline('demo');
    Sim::bench_agent($s);
    my $dir = $s->dir;
    $s->sh('media-stop');
    my $pid = fork // die;
    if (!$pid) {
        exec('sh', '-c', $s->env_prefix . ' ' . $s->env_sh . ' export VOXLINE_MEDIA_ADDR=' . $s->media_addr
            . " VOXLINE_MEDIA_SPOOL_PATH=$dir/spool/media.spool VOXLINE_MEDIA_DRAIN_SECONDS=5;"
            . " exec valgrind --tool=callgrind --callgrind-out-file=$out/media.$n $Stack::ROOT/voxline-media"
            . " >>$dir/log/media.log 2>&1");
        exit 127;
    }
    for (1 .. 300) { last if Sim::media_get($s, '/health')->{success}; sleep 0.2 }
    Sim::run($s, '--direct', '--to', '+15555550999', '--url', 'http://' . $s->media_addr,
        "$Stack::ROOT/tests/bench/warmup.call");
    my $args = join ' ', map { "'$_'" } ('--direct', '--to', '+15555550999', '--calls', $n, '--stagger', 500,
        '--url', 'http://' . $s->media_addr, '--timeout', 240, "$Stack::ROOT/tests/bench/turns.call");
    my $text = `@{[ $s->env_sh ]} valgrind --tool=callgrind --callgrind-out-file=$out/sim.$n $Stack::ROOT/voxline simulate $args 2>/dev/null`;
    my ($calls) = Sim::parse($text);
    my @ids = map { "'$_->{call_id}'" } grep { $_->{ok} } @$calls;
    die "only " . scalar(@ids) . " of $n calls ok under callgrind\n" if @ids != $n;
    my $secs = Sim::q($s, "SELECT sum(extract(epoch FROM ended_at - answered_at)) FROM calls WHERE id IN ("
        . join(',', @ids) . ")");
    kill 'TERM', $pid;
    waitpid($pid, 0);
    $s->stop;
    return { minutes => $secs / 60, media => total("$out/media.$n"), sim => total("$out/sim.$n") };
}

my $a = one_run($N1);
my $b = one_run($N2);
my $dm = $b->{minutes} - $a->{minutes};
printf "calls %d and %d: %.2f call-minutes apart\n", $N1, $N2, $dm;
printf "voxline-media: %.1f million instructions per call-minute\n", ($b->{media} - $a->{media}) / $dm / 1e6;
printf "voxline simulate: %.1f million instructions per call-minute\n", ($b->{sim} - $a->{sim}) / $dm / 1e6;
