#!/usr/bin/env perl
# The customer dashboard in real Chromium against a running stack (see
# dashboard.js): a viewer reads the overview, filters and searches the
# log, reads a transcript and exports CSV; an operator resolves two items
# at once and archives a call.  Calls are written the way the media
# daemon writes them (CallFixtures).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Stack;
use People qw(fast_argon2_env);
use CallFixtures;

my $s = Stack->new(env => { fast_argon2_env(),
    VOXLINE_NGINX_RATE_LOGIN => '100000r/m', VOXLINE_NGINX_BURST_LOGIN => 10000 });
my $pp = People->new($s);
my $f = CallFixtures->new($s);
my $acme = $pp->tenant('acme', 'pro');
my $T = $f->agent_for($acme);
$pp->user('vera@acme.test', name => 'Vera Viewer', tenant => 'acme', role => 'viewer');
$pp->user('oscar@acme.test', name => 'Oscar Operator', tenant => 'acme', role => 'operator');

my $today = "date_trunc('hour', now()) - interval '1 hour'";
$f->call($T, started => "$today - interval '$_ hours'", reason => 'billing', outcome => 'answered',
    summary => "Question about invoice $_", from => sprintf('+1203555%04d', $_)) for 1 .. 6;
$f->call($T, started => "$today - interval '2 days'", reason => 'emergency', outcome => 'message_taken',
    summary => 'Severe tooth pain, asked for a call back', action => 1, priority => 'urgent', from => '+12035550199',
    turns => [['agent', 'Thank you for calling Acme Dental.', 0], ['caller', 'My molar is throbbing since last night', 2500],
              ['agent', 'I am sorry to hear that, let me take a message', 6000, 1]],
    events => [['call.answered'], ['message.taken']]);
$f->call($T, started => "$today - interval '3 days'", reason => 'appointment', outcome => 'appointment_requested',
    summary => 'Wants a cleaning next week', action => 1, priority => 'high', from => '+12035550188');
$f->call($T, started => "$today - interval '4 days'", reason => 'billing', outcome => 'message_taken',
    summary => '=SUM(A1:A9) please call back', action => 1, from => '+12035550177');

my @out = `node $FindBin::Bin/dashboard.js @{[ $s->url('') ]} vera\@acme.test oscar\@acme.test 'correct horse battery' 2>&1`;
my $lines = 0;
for (@out) {
    chomp;
    if (/^(not )?ok - (.*?)(?: # (.*))?$/) {
        $lines++;
        ok(!$1, $2) or diag($3 // '');
    } else {
        diag($_);
    }
}
ok($lines >= 25, "the browser reported its checks ($lines)");
is($f->sql("SELECT count(*) FROM calls WHERE tenant_id = '$acme' AND requires_action AND resolved_at IS NULL"), 1,
   'two of the three action items were resolved in the browser');
is($f->sql("SELECT count(*) FROM audit_log WHERE tenant_id = '$acme' AND action IN ('call.resolve', 'call.archive')"), 3,
   'and audited with the archive');

done_testing;
