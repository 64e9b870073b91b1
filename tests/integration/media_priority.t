#!/usr/bin/env perl
# voxline-media's event loops (one per worker, named media-loop-N) run at
# media_loop_nice, ahead of its other threads and of other programs at
# nice 0; the other threads keep the process's priority.  Tests run as
# root (CI), which may raise a priority; the configured value is used.
# Each loop's tick reports its lag (voxline_media_loop_lag_ms).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Stack;
use Sim;

plan skip_all => 'raising a priority needs root' if $> != 0;
my $s = Stack->new(env => { VOXLINE_MEDIA_WORKERS => 3, VOXLINE_MEDIA_LOOP_NICE => -7,
                            VOXLINE_MEDIA_ENGINE_THREADS => 5 });
open(my $f, '<', $s->dir . '/run/media.pid') or die "media.pid: $!";
chomp(my $pid = <$f>);

my (%nice, %count);
for my $task (glob "/proc/$pid/task/*") {
    open(my $c, '<', "$task/comm") or next;
    chomp(my $name = <$c>);
    open(my $st, '<', "$task/stat") or next;
    my $stat = <$st>;
    $stat =~ s/^.*\) //;                   # past "pid (comm) "
    my $n = (split / /, $stat)[16];         # field 19 of stat: nice
    my $kind = $name =~ /^media-loop-\d+$/ ? 'loop' : 'other';
    $count{$kind}++;
    $nice{$kind}{$n}++;
}
is($count{loop}, 3, 'one named loop thread per worker');
is_deeply([keys %{ $nice{loop} }], [-7], 'every loop runs at media_loop_nice');
is_deeply([keys %{ $nice{other} }], [0], 'the other threads keep the process priority');
# Threads start with their creator's priority: the engine threads (libuv's
# pool) must not have been started from a loop.
ok($count{other} >= 5 + 2, 'the engine threads, the main thread and the writer are there from the start')
    or diag explain \%count;

# Each loop's tick reports how late it fired.
select(undef, undef, undef, 0.3);
my $metrics = Sim::media_get($s, '/metrics')->{content} // '';
my ($ticks) = $metrics =~ /^voxline_media_loop_lag_ms_count (\d+)$/m;
ok(($ticks // 0) >= 3 * 10, 'loop lag observed at every tick of every loop') or diag $ticks;
like($metrics, qr/^voxline_media_loop_lag_ms_bucket\{le="\+Inf"\} \Q$ticks\E$/m, 'as a histogram');

$s->stop;
done_testing();
