package Loopback;
# The process model of the local stand-ins for third-party services
# (FakeCarrier, FakeS3, ProviderServer): a listener on a free loopback
# port, served by a forked process that forks again per connection, so a
# slow or stalled connection never holds up the next one.  stop() ends
# the listener and every connection it is still serving (they share its
# process group).
use strict;
use warnings;
use IO::Socket::INET;
use POSIX ();

# serve(NAME, OBJECT, sub { my ($socket) = @_; ... }) sets OBJECT's port
# (before the fork, so the handler sees it too) and pid.
sub serve {
    my ($name, $obj, $handle) = @_;
    my $listen = IO::Socket::INET->new(Listen => 128, LocalAddr => '127.0.0.1', LocalPort => 0,
        Proto => 'tcp', ReuseAddr => 1) or die "$name: $!";
    $obj->{port} = $listen->sockport;
    my $pid = fork // die "$name: fork: $!";
    if ($pid == 0) {
        $SIG{CHLD} = 'IGNORE';
        $SIG{TERM} = sub { kill 'TERM', -$$; POSIX::_exit(0) };
        setpgrp(0, 0);
        while (1) {
            my $c = $listen->accept or next;
            my $child = fork;
            if (defined $child && $child == 0) {
                $SIG{TERM} = 'DEFAULT';
                close $listen;
                eval { $handle->($c) };
                POSIX::_exit(0);
            }
            close $c;
        }
    }
    close $listen;
    $obj->{pid} = $pid;
}

# Ends the server started by serve() in this process (a forked test
# process leaves its parent's servers alone).
sub stop {
    my ($pid, $owner) = @_;
    return unless $pid && (!defined $owner || $owner == $$);
    local $?;
    kill 'TERM', $pid;
    waitpid($pid, 0);
}

1;
