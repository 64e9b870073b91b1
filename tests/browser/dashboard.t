#!/usr/bin/env perl
# The customer dashboard in real Chromium against a running stack (see
# dashboard.js), on calls placed by `voxline simulate` through nginx to
# voxline-media (tests/browser/calls/*.call, all at once): a viewer reads
# the overview, filters and searches the log, reads a transcript and
# exports CSV; an operator resolves two items at once and archives a call;
# the viewer has no such controls and the API refuses them.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Stack;
use Sim;
use FakeCarrier;
use People qw(fast_argon2_env);

# The carrier's REST API for the transfer (the demo agent transfers to
# +15555550100 through it).
my $carrier = FakeCarrier->new(twilio => ['AC00000000000000000000000000000001', 'carrier-secret']);
my $s = Stack->new(env => { fast_argon2_env(),
    VOXLINE_NGINX_RATE_LOGIN => '100000r/m', VOXLINE_NGINX_BURST_LOGIN => 10000,
    VOXLINE_TWILIO_API_BASE => $carrier->url, VOXLINE_TWILIO_ACCOUNT_SID => 'AC00000000000000000000000000000001',
    VOXLINE_TWILIO_AUTH_TOKEN => 'carrier-secret' });
my $pp = People->new($s);
my ($rc, $out) = $s->voxline('demo');
is($rc, 0, 'demo tenant loaded (Harbor Dental, its agent, number and knowledge base)') or diag $out;
$pp->user('vera@harbor.test', name => 'Vera Viewer', tenant => 'harbor-dental', role => 'viewer');
$pp->user('oscar@harbor.test', name => 'Oscar Operator', tenant => 'harbor-dental', role => 'operator');

# Six calls at once, one per script, each from its own number.  What the
# agent made of each (the daemon's classification) is checked first, so a
# change there is reported as such rather than as a dashboard failure.
my @scripts = sort glob "$FindBin::Bin/calls/*.call";
my @running = map { Sim::start($s, '--direct', '--from', sprintf('+1203555010%d', $_ + 1), $scripts[$_]) } 0 .. $#scripts;
for my $i (0 .. $#running) {
    my ($rc, $calls, $sum, $raw) = Sim::finish($running[$i]);
    my $c = $calls->[0] // {};
    ok(!$rc && $c->{connected} && !$c->{refused}, 'simulated call ' . ($scripts[$i] =~ s{.*/}{}r) . ' ran to its end')
        or diag $raw;
}
my $n = scalar @scripts;
ok(Sim::wait_for($s, "SELECT count(*) = $n FROM calls WHERE media_finished_at IS NOT NULL", 30),
   'the media daemon stored every call');
my %want = (
    '+12035550101' => 'answered other f normal',                  # knowledge-base answer
    '+12035550102' => 'answered hours f normal',
    '+12035550103' => 'answered emergency t urgent',
    '+12035550104' => 'message_taken other t normal',
    '+12035550105' => 'appointment_requested appointment t high',
    '+12035550106' => 'transferred other f normal',
);
my %got = map { split /\|/ } split /\n/, Sim::q($s, "SELECT from_number, concat_ws(' ', outcome, reason, "
    . "requires_action, priority) FROM calls WHERE status = 'completed'");
is_deeply(\%got, \%want, 'the agent classified the calls as their scripts intend')
    or diag(Sim::q($s, "SELECT c.from_number, t.speaker, t.text FROM call_turns t JOIN calls c ON c.id = t.call_id "
        . "ORDER BY c.from_number, t.seq"));
is(Sim::q($s, "SELECT count(*) FROM call_turns t JOIN calls c ON c.id = t.call_id "
    . "WHERE c.from_number = '+12035550106' AND t.speaker = 'agent' AND t.interrupted"), 1,
   'the transfer call has an interrupted agent turn');

my @out = `node $FindBin::Bin/dashboard.js @{[ $s->url('') ]} vera\@harbor.test oscar\@harbor.test 'correct horse battery' 2>&1`;
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
ok($lines >= 40, "the browser reported its checks ($lines)");
is(Sim::q($s, "SELECT string_agg(from_number, ',') FROM calls WHERE requires_action AND resolved_at IS NULL"),
   '+12035550104', 'the urgent and the high-priority items were resolved in the browser, the message is left');
is(Sim::q($s, "SELECT string_agg(u.email, ',') FROM calls c JOIN users u ON u.id = c.resolved_by "
    . "WHERE c.resolution_note = 'Called back'"), 'oscar@harbor.test,oscar@harbor.test',
   'both keep who resolved them, with the note');
is(Sim::q($s, "SELECT string_agg(from_number, ',') FROM calls WHERE archived_at IS NOT NULL"), '+12035550101',
   'the knowledge-base call was archived');
is(Sim::q($s, "SELECT string_agg(action, ',' ORDER BY action) FROM audit_log WHERE action IN ('call.resolve', 'call.archive')"),
   'call.archive,call.resolve,call.resolve', 'and audited; the refused viewer left no trace');

done_testing;
