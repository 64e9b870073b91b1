package LocalHttp;
# A local HTTP stand-in for a third-party API the tests have no dedicated
# server for (e.g. Resend): new(respond => sub { my ($request) = @_; ...
# return HTTP::Response }) answers each request, and every request
# (method, path, authorization, body) is recorded as a JSON line for the
# test to read.  The carriers have tests/lib/FakeCarrier.pm, the AI
# providers tests/lib/ProviderServer.pm.
use strict;
use warnings;
use HTTP::Daemon;
use HTTP::Response;
use JSON::PP;
use File::Temp qw(tempfile);

sub new {
    my ($class, %opt) = @_;
    die "LocalHttp: respond is required" unless $opt{respond};
    my $d = HTTP::Daemon->new(LocalAddr => '127.0.0.1', LocalPort => 0, ReuseAddr => 1) or die "daemon: $!";
    my (undef, $log) = tempfile('http-XXXXXX', TMPDIR => 1, UNLINK => 1);
    my $port = $d->sockport;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        while (my $c = $d->accept) {
            while (my $r = $c->get_request) {
                open(my $f, '>>', $log) or die;
                print $f encode_json({ method => $r->method, path => $r->uri->path,
                    authorization => $r->header('Authorization') // '', body => $r->content }), "\n";
                close $f;
                my $res = $opt{respond}->($r);
                $c->send_response($res);
            }
            $c->close;
        }
        exit 0;
    }
    return bless { pid => $pid, port => $port, log => $log }, $class;
}

sub url { 'http://127.0.0.1:' . $_[0]{port} }

sub requests {
    my ($self) = @_;
    open(my $f, '<', $self->{log}) or return [];
    return [ map { decode_json($_) } grep { /\S/ } <$f> ];
}

sub DESTROY {
    my ($self) = @_;
    return unless $self->{pid};
    local $?;       # reaping the server must not become the test's exit status
    kill 'TERM', $self->{pid};
    waitpid $self->{pid}, 0;
}

1;
