package FakeCarrier;
# A local stand-in for a carrier's REST API (Twilio's 2010-04-01 Calls and
# Recordings resources), on loopback only.  It checks HTTP Basic auth and
# the parameters the way the carrier documents them, answers like the
# carrier (201 with a call sid, 401 with code 20003, 400 with code 21201),
# serves recording media, and logs every accepted call to a file.
use strict;
use warnings;
use IO::Socket::INET;
use MIME::Base64 qw(encode_base64);
use POSIX qw(_exit);

sub new {
    my ($class, %opt) = @_;
    my $listen = IO::Socket::INET->new(Listen => 128, LocalAddr => '127.0.0.1', LocalPort => 0,
        Proto => 'tcp', ReuseAddr => 1) or die "fake carrier: $!";
    my $self = bless { port => $listen->sockport, sid => $opt{account_sid}, token => $opt{auth_token},
        public => $opt{public_url}, log => $opt{log}, audio => $opt{audio} }, $class;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        $SIG{CHLD} = 'IGNORE';
        while (my $c = $listen->accept) {
            my $k = fork;
            if (defined $k && $k == 0) { srand($$ ^ time); $self->serve($c); _exit(0) }
            close $c;
        }
        _exit(0);
    }
    close $listen;
    $self->{pid} = $pid;
    return $self;
}

sub port { $_[0]{port} }
sub base { "http://127.0.0.1:$_[0]{port}" }

sub url_decode { my $s = shift; $s =~ tr/+/ /; $s =~ s/%([0-9A-Fa-f]{2})/chr(hex $1)/ge; $s }

sub reply {
    my ($c, $status, $type, $body) = @_;
    print $c "HTTP/1.1 $status\r\nContent-Type: $type\r\nContent-Length: " . length($body) .
        "\r\nConnection: close\r\n\r\n$body";
    close $c;
}

sub serve {
    my ($self, $c) = @_;
    my $line = <$c> // return;
    my ($method, $path) = $line =~ m{^(\S+) (\S+) HTTP/1\.[01]\r?\n$} or return reply($c, '400 Bad Request', 'text/plain', '');
    my %h;
    while (my $l = <$c>) {
        last if $l =~ /^\r?\n$/;
        $h{lc $1} = $2 if $l =~ /^([^:]+):\s*(.*?)\r?\n$/;
    }
    my $body = '';
    read($c, $body, $h{'content-length'}) if $h{'content-length'};
    my $want = 'Basic ' . encode_base64("$self->{sid}:$self->{token}", '');
    if (($h{authorization} // '') ne $want) {
        return reply($c, '401 Unauthorized', 'application/json',
            '{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}');
    }
    my $calls = "/2010-04-01/Accounts/$self->{sid}/Calls.json";
    if ($method eq 'POST' && $path eq $calls) {
        return reply($c, '415 Unsupported Media Type', 'application/json', '{"code":0,"message":"form only"}')
            unless ($h{'content-type'} // '') =~ m{^application/x-www-form-urlencoded};
        my %p;
        for my $pair (split /&/, $body) {
            my ($k, $v) = map { url_decode($_) } split /=/, $pair, 2;
            push @{ $p{$k} }, $v // '';
        }
        my @problems;
        push @problems, 'To' unless ($p{To}[0] // '') =~ /^\+[1-9]\d{6,14}$/;
        push @problems, 'From' unless ($p{From}[0] // '') =~ /^\+[1-9]\d{6,14}$/;
        push @problems, 'Url' unless ($p{Url}[0] // '') =~ m{^\Q$self->{public}\E/webhooks/twilio/voice\?call_id=[0-9a-f-]{36}$};
        push @problems, 'StatusCallback' unless ($p{StatusCallback}[0] // '') =~ m{^\Q$self->{public}\E/webhooks/twilio/status\?call_id=[0-9a-f-]{36}$};
        push @problems, 'StatusCallbackEvent' unless join(' ', @{ $p{StatusCallbackEvent} || [] }) eq 'initiated ringing answered completed';
        push @problems, 'Method' unless ($p{Method}[0] // '') eq 'POST';
        push @problems, 'Timeout' unless ($p{Timeout}[0] // '') =~ /^\d+$/ && $p{Timeout}[0] <= 600;
        push @problems, 'Twiml' if exists $p{Twiml};
        if (@problems) {
            return reply($c, '400 Bad Request', 'application/json',
                '{"code":21201,"message":"Invalid parameters: ' . join(',', @problems) . '","status":400}');
        }
        my $sid = 'CA' . join('', map { sprintf '%02x', int rand 256 } 1 .. 16);
        if (open my $f, '>>', $self->{log}) {
            flock $f, 2;
            print $f "$sid $p{To}[0] $p{Url}[0]\n";
            close $f;
        }
        return reply($c, '201 Created', 'application/json',
            qq({"sid":"$sid","status":"queued","to":"$p{To}[0]","from":"$p{From}[0]"}));
    }
    if ($method eq 'GET' && $path =~ m{^/2010-04-01/Accounts/\Q$self->{sid}\E/Recordings/RE\w+\.wav$}) {
        return reply($c, '200 OK', 'audio/x-wav', $self->{audio});
    }
    return reply($c, '404 Not Found', 'application/json', '{"code":20404,"message":"Not found","status":404}');
}

sub DESTROY {
    my ($self) = @_;
    kill 'TERM', $self->{pid} if $self->{pid};
    waitpid($self->{pid}, 0) if $self->{pid};
}

1;
