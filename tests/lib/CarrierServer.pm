package CarrierServer;
# A local stand-in for the carrier's REST API: accepts any POST, answers
# like Twilio (200 with a call resource), and records each request
# (method, path, authorization, body) as a JSON line for the test to read.
# Other HTTP APIs: new(respond => sub { my ($request) = @_; ... return
# HTTP::Response }) answers in their place (the recording is the same).
use strict;
use warnings;
use HTTP::Daemon;
use HTTP::Response;
use JSON::PP;
use File::Temp qw(tempfile);

sub new {
    my ($class, %opt) = @_;
    my $d = HTTP::Daemon->new(LocalAddr => '127.0.0.1', LocalPort => 0, ReuseAddr => 1) or die "daemon: $!";
    my (undef, $log) = tempfile('carrier-XXXXXX', TMPDIR => 1, UNLINK => 1);
    my $port = $d->sockport;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        while (my $c = $d->accept) {
            while (my $r = $c->get_request) {
                open(my $f, '>>', $log) or die;
                print $f encode_json({ method => $r->method, path => $r->uri->path,
                    authorization => $r->header('Authorization') // '', body => $r->content }), "\n";
                close $f;
                my $res = $opt{respond} ? $opt{respond}->($r) : HTTP::Response->new(200);
                unless ($opt{respond}) {
                    $res->header('Content-Type' => 'application/json');
                    $res->content('{"sid":"CA0","status":"in-progress"}');
                }
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
