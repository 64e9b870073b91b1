package Sim;
# Calls placed with `voxline simulate` against a test stack, and what
# the database and the media daemon say about them afterwards.
use strict;
use warnings;
use JSON::PP;
use HTTP::Tiny;
use Time::HiRes qw(sleep);
use File::Temp;
use POSIX ();

our $ROOT = $Stack::ROOT;

# Runs the simulator to the end; returns (exit code, [call reports], summary, raw output).
sub run {
    my ($stack, @args) = @_;
    my ($rc, $out) = $stack->voxline('simulate', @args);
    return ($rc, parse($out));
}

sub parse {
    my ($out) = @_;
    my (@calls, $summary);
    for my $line (split /\n/, $out) {
        next unless $line =~ /^\{/;
        my $j = eval { decode_json($line) } or next;
        if ($j->{summary}) { $summary = $j } elsif (exists $j->{call}) { push @calls, $j }
    }
    return (\@calls, $summary, $out);
}

# Starts the simulator in the background (output to a file, so a long
# report never blocks it); returns a handle for finish().
sub start {
    my ($stack, @args) = @_;
    my $cmd = join ' ', map { "'$_'" } @args;
    my $out = File::Temp->new(TEMPLATE => 'simulate-XXXXXX', TMPDIR => 1);
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        exec('sh', '-c', "@{[ $stack->env_sh ]} exec $ROOT/voxline simulate $cmd >'$out' 2>&1");
        exit 127;
    }
    return { pid => $pid, out => $out };
}

# True once the simulator has exited (reaps it; finish() still works).
sub done {
    my ($h) = @_;
    return 1 if defined $h->{rc};
    return 0 if waitpid($h->{pid}, POSIX::WNOHANG()) != $h->{pid};
    $h->{rc} = $? >> 8;
    return 1;
}

sub finish {
    my ($h) = @_;
    my $rc = $h->{rc};
    if (!defined $rc) {
        waitpid($h->{pid}, 0);
        $rc = $? >> 8;
    }
    open(my $f, '<', "$h->{out}") or die "simulate output: $!";
    local $/;
    my $out = <$f> // '';
    return ($rc, parse($out));
}

# Polls $sql (platform scope) until it returns something true; returns it.
sub wait_for {
    my ($stack, $sql, $seconds) = @_;
    my $until = time + ($seconds // 30);
    while (time < $until) {
        my $v = eval { $stack->psql("SET voxline.tenant_id = '*'; $sql") } // '';
        $v =~ s/^SET\n?//;
        return $v if length $v && $v ne 'f';
        sleep 0.2;
    }
    return '';
}

sub q {
    my ($stack, $sql) = @_;
    my $v = $stack->psql("SET voxline.tenant_id = '*'; $sql");
    $v =~ s/^SET\n?//;
    return $v;
}

# A calls row for the demo agent's number as the inbound webhook makes it
# (ringing, before any media); returns (call id, tenant id, agent id, sid).
sub new_call {
    my ($stack) = @_;
    my $sid = 'CA' . join '', map { sprintf '%02x', int rand 256 } 1 .. 16;
    my $row = Sim::q($stack, "INSERT INTO calls (tenant_id, agent_id, agent_version, phone_number_id, carrier, "
        . "carrier_call_sid, direction, from_number, to_number, status) "
        . "SELECT pn.tenant_id, pn.agent_id, a.version, pn.id, 'twilio', '$sid', 'inbound', '+15555550142', "
        . "pn.e164, 'ringing' FROM phone_numbers pn JOIN agents a ON a.tenant_id = pn.tenant_id "
        . "AND a.id = pn.agent_id WHERE pn.e164 = '+15555550123' RETURNING id, tenant_id, agent_id");
    return (split(/\|/, $row), $sid);
}

# The benchmarks' agent: a copy of the demo agent on the fixed-delay
# engines (stt, llm and tts each wait VOXLINE_MEDIA_FIXED_DELAY_MS), on
# its own number +15555550999.
sub bench_agent {
    my ($stack) = @_;
    Sim::q($stack, <<'SQL');
WITH a AS (
  INSERT INTO agents (tenant_id, name, business_name, status, greeting, hours, dashboard_signals,
                      stt_chain, llm_chain, tts_chain, transfer_number, max_duration_seconds)
  SELECT tenant_id, 'Bench desk', business_name, 'live', 'Thank you for calling. How can I help you?',
         hours, dashboard_signals, '["fixed-delay"]', '["fixed-delay"]', '["fixed-delay"]', NULL, 600
    FROM agents WHERE name = 'Front desk' RETURNING tenant_id, id)
INSERT INTO phone_numbers (tenant_id, agent_id, e164, carrier, label)
SELECT tenant_id, id, '+15555550999', 'twilio', 'Bench' FROM a
SQL
}

sub media_get {
    my ($stack, $path) = @_;
    return HTTP::Tiny->new(timeout => 10)->get('http://' . $stack->media_addr . $path);
}

1;
