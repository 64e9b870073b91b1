#!/usr/bin/env perl
# Liveness, readiness (including PostgreSQL going away and coming back
# without restarting voxline-web) and the Prometheus exposition.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Stack;

my $s = Stack->new;

my $r = $s->get('/health');
is($r->{status}, 200, 'liveness answers 200');
is($r->{json}{status}, 'alive', 'liveness says alive');
like($r->{headers}{'x-correlation-id'} // '', qr/^[0-9a-f]{32}$/, 'response carries a correlation id from nginx');

$r = $s->get('/health/ready');
is($r->{status}, 200, 'ready answers 200 with the database up');
is($r->{json}{status}, 'healthy', 'overall healthy');
is($r->{json}{checks}{database}{status}, 'healthy', 'database check healthy');
is($r->{json}{checks}{migrations}{status}, 'healthy', 'migrations applied');
ok(defined $r->{json}{checks}{database}{latency_ms}, 'database latency reported');

my $pid = $s->web_pid;
$s->sh('pg-stop');
$r = $s->get('/health/ready');
is($r->{status}, 503, 'ready answers 503 while PostgreSQL is down');
is($r->{json}{status}, 'critical', 'overall critical');
is($r->{json}{checks}{database}{status}, 'critical', 'database check critical');
is($s->get('/health')->{status}, 200, 'liveness still 200: the process is alive');

$s->sh('pg-start');
my $back;
for (1 .. 50) {
    $r = $s->get('/health/ready');
    last if ($back = $r->{status} == 200);
    select(undef, undef, undef, 0.2);
}
ok($back, 'ready recovers once PostgreSQL is back');
is($r->{json}{status}, 'healthy', 'healthy again');
is($s->web_pid, $pid, 'voxline-web was not restarted');
ok(kill(0, $pid), 'the same voxline-web process still runs');

# Metrics: parse the exposition format and check what we just did is counted.
$s->get('/health') for 1 .. 3;
$r = $s->get('/metrics');
is($r->{status}, 200, 'metrics served to loopback');
like($r->{headers}{'content-type'}, qr{^text/plain; version=0\.0\.4}, 'Prometheus text format');
my (%types, %samples, $bad);
for my $line (split /\n/, $r->{content}) {
    if ($line =~ /^# TYPE (\S+) (counter|gauge|histogram)$/) { $types{$1} = $2; next }
    next if $line =~ /^# HELP \S+ .+$/;
    if ($line =~ /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/) {
        $samples{$1 . ($2 // '')} = $3;
        $bad++ unless $3 =~ /^[-+]?(\d+(\.\d*)?([eE][-+]?\d+)?|\+Inf|NaN)$/;
        next;
    }
    $bad++;
    diag("unparseable metrics line: $line");
}
ok(!$bad, 'every line of the exposition parses');
is($types{voxline_http_requests_total}, 'counter', 'request counter declared');
is($types{voxline_http_request_duration_seconds}, 'histogram', 'latency histogram declared');
cmp_ok($samples{'voxline_http_requests_total{route="/health",method="GET",status="200"}'} // 0, '>=', 5,
    'requests to /health counted by route, method and status');
my $count = $samples{'voxline_http_request_duration_seconds_count{route="/health"}'};
is($samples{'voxline_http_request_duration_seconds_bucket{route="/health",le="+Inf"}'}, $count,
    'histogram +Inf bucket equals its count');
my @buckets = map { $samples{$_} } sort { ($a =~ /le="([^"]+)"/)[0] <=> ($b =~ /le="([^"]+)"/)[0] }
    grep { /^voxline_http_request_duration_seconds_bucket\{route="\/health",le="[0-9.e-]+"\}$/ } keys %samples;
ok(@buckets > 5 && !grep({ $buckets[$_] < $buckets[$_ - 1] } 1 .. $#buckets), 'buckets are cumulative');
is($samples{'voxline_web_db_connections{state="up"}'} + $samples{'voxline_web_db_connections{state="down"}'},
   $samples{'voxline_web_threads'}, 'database pool gauges add up to the thread count');

done_testing;
