#!/usr/bin/env perl
# The voxline command: the demo data (idempotent, superadmin created once
# with a generated password kept only as a hash) and the job worker
# (picks queued jobs, gives up on what it cannot run, keeps partitions).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Stack;

my $s = Stack->new;
my $cred = $s->dir . '/admin.txt';

my ($rc, $out) = $s->voxline('demo', '--credentials-file', $cred);
is($rc, 0, 'demo loads');
like($out, qr/superadmin created/, 'first run creates the superadmin');
my ($password) = $out =~ /password:\s+(\S+)/;
ok(length($password // '') >= 16, 'with a generated password of 16 characters');
is((stat $cred)[2] & 0777, 0600, 'credentials file readable by its owner only');
open(my $f, '<', $cred) or die;
my $text = do { local $/; <$f> };
like($text, qr/^password=\Q$password\E$/m, 'credentials file holds the same password');

my $hash = $s->psql("SELECT password_hash FROM users WHERE is_superadmin");
like($hash, qr/^\$argon2id\$v=19\$m=65536,t=3,p=1\$/, 'only an Argon2id hash is stored');
unlike($hash, qr/\Q$password\E/, 'the password itself is not stored');

($rc, $out) = $s->voxline('demo', '--credentials-file', $cred);
is($rc, 0, 'second run succeeds');

# voxline tenant add: the same checks as the portal and the API.
my ($trc, $tout) = $s->voxline('tenant', 'add', 'north', '--name', 'North', '--time-zone', 'America/Chicago',
    '--max-concurrent-calls', '3');
is($trc, 0, 'tenant add with a time zone and a limit');
my ($north) = $tout =~ /([0-9a-f-]{36})/;
is($s->psql("SET voxline.tenant_id = '*'; SELECT concat_ws(',', plan, time_zone, max_concurrent_calls, retention_days)"
    . " FROM tenants WHERE id = '$north'"), 'base,America/Chicago,3,90', 'stored with the defaults for the rest');
is($s->psql("SET voxline.tenant_id = '*'; SELECT count(*) FROM audit_log WHERE action = 'tenant.create' AND target_id = '$north'"),
    1, 'and audited');
($trc, $tout) = $s->voxline('tenant', 'add', 'north');
ok($trc == 1 && $tout =~ /already uses this slug/, 'a taken slug is refused') or diag $tout;
($trc, $tout) = $s->voxline('tenant', 'add', 'south', '--time-zone', 'Mars/Olympus');
ok($trc == 1 && $tout =~ /unknown time zone/, 'an unknown time zone is refused') or diag $tout;
($trc, $tout) = $s->voxline('tenant', 'add', 'South_Side');
ok($trc == 1 && $tout =~ /lower-case letters/, 'a bad slug is refused') or diag $tout;
like($out, qr/already exists/, 'and creates no second superadmin');
my $scope = "SET voxline.tenant_id = '*';";
is($s->psql("SELECT count(*) FROM users WHERE is_superadmin"), 1, 'one superadmin');
is($s->psql($scope . "SELECT count(*) FROM tenants WHERE slug = 'harbor-dental'"), 1, 'one demo tenant');
is($s->psql($scope . "SELECT count(*) FROM phone_numbers WHERE e164 = '+15555550123'"), 1, 'one demo number');
is($s->psql($scope . "SELECT count(*) FROM knowledge_bases"), 1, 'one knowledge base');

# The worker (started by the stack) fails a job nobody can run, once.
$s->psql("INSERT INTO jobs (queue, payload, max_attempts) VALUES ('no-such-queue', '{}', 1)");
my $status = '';
for (1 .. 50) {
    $status = $s->psql("SELECT status || ' ' || attempts || ' ' || coalesce(last_error, '') FROM jobs WHERE queue = 'no-such-queue'");
    last if $status =~ /^failed/;
    select(undef, undef, undef, 0.1);
}
like($status, qr/^failed 1 no handler for queue no-such-queue$/, 'a job without a handler fails with the reason');

# A job that is not due yet stays queued.
$s->psql("INSERT INTO jobs (queue, payload, run_at) VALUES ('later', '{}', now() + interval '1 hour')");
sleep 1;
is($s->psql("SELECT status || ' ' || attempts FROM jobs WHERE queue = 'later'"), 'queued 0', 'future jobs wait');

# Periodic task: partitions for the coming months exist.
my $next = $s->psql("SELECT to_char(date_trunc('month', now()) + interval '2 months', 'YYYYMM')");
is($s->psql("SELECT count(*) FROM pg_tables WHERE tablename = 'call_events_$next'"), 1,
   'call_events partition two months ahead exists');

done_testing;
