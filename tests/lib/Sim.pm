package Sim;
# Calls placed with `voxline simulate` against a test stack, and what
# the database and the media daemon say about them afterwards.
use strict;
use warnings;
use JSON::PP;
use HTTP::Tiny;
use Time::HiRes qw(sleep);

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

# Starts the simulator in the background; returns a handle for finish().
sub start {
    my ($stack, @args) = @_;
    my $cmd = join ' ', map { "'$_'" } @args;
    my $pid = open(my $fh, '-|', 'sh', '-c', "@{[ $stack->env_sh ]} exec $ROOT/voxline simulate $cmd 2>&1")
        or die "simulate: $!";
    return { pid => $pid, fh => $fh };
}

sub finish {
    my ($h) = @_;
    local $/;
    my $fh = $h->{fh};
    my $out = <$fh> // '';
    close $fh;
    return ($? >> 8, parse($out));
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

sub media_get {
    my ($stack, $path) = @_;
    return HTTP::Tiny->new(timeout => 10)->get('http://' . $stack->media_addr . $path);
}

1;
