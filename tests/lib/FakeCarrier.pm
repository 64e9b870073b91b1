package FakeCarrier;
# A local stand-in for the carriers' REST APIs, on loopback only: Twilio's
# 2010-04-01 Calls and Recordings resources, SignalWire's LaML copy of it
# (/api/laml/...) and Telnyx's TeXML Calls API (/v2/texml/...).  It checks
# each carrier's authentication (HTTP Basic with the account's sid and
# token; Telnyx: Bearer API key) and the parameters the way the carrier
# documents them, and answers like the carrier:
#   create a call    201 with a fresh call sid (400 code 21201 on bad parameters)
#   update a call    200 with new TwiML/TeXML (Twiml / Texml) or Status=completed
#                    (hang-up); 400 code 21220 once the call has been hung up
#   recording media  200 with the configured bytes; 404 for others
#   bad credentials  401 code 20003
# hold(1) makes it a slow carrier: call updates are received but not
# answered until hold(0); held() says whether one is waiting.
# refuse_updates(STATUS) answers every call update with that error (400:
# code 21220, call not in progress; 5xx: code 20500, internal error)
# until refuse_updates(0).
# Every request (accepted or not) is logged as a JSON line: requests()
# returns them, placed() the calls it created.
use strict;
use warnings;
use Loopback;
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use Digest::SHA qw(hmac_sha1_base64);
use File::Temp qw(tempfile);
use Fcntl qw(:flock);
use Time::HiRes ();

# new(public_url => URL, audio => BYTES | { 'RE...' => BYTES }, fail => { 'RE...' => 1 } (503),
#     twilio => [account_sid, auth_token], signalwire => [project_id, api_token],
#     telnyx => [account_sid, api_key, application_sid])
sub new {
    my ($class, %opt) = @_;
    my (undef, $log) = tempfile('carrier-XXXXXX', TMPDIR => 1, UNLINK => 1);
    my $self = bless { public => $opt{public_url} // '', log => $log,
        audio => $opt{audio} // '', fail => $opt{fail} || {}, owner => $$,
        twilio => $opt{twilio}, signalwire => $opt{signalwire}, telnyx => $opt{telnyx} }, $class;
    Loopback::serve('fake carrier', $self, sub { $self->serve($_[0]) });
    return $self;
}

sub port { $_[0]{port} }
sub base { "http://127.0.0.1:$_[0]{port}" }
sub url { $_[0]->base }

# Every request so far: { carrier, method, path, authorization, content_type,
# body, params, status, sid }.
sub requests {
    my ($self) = @_;
    open(my $f, '<', $self->{log}) or return [];
    flock $f, LOCK_SH;
    return [ map { decode_json($_) } grep { /\S/ } <$f> ];
}

# The calls created, oldest first: { sid, to, from, url, carrier }.
sub placed {
    my ($self) = @_;
    return map { { sid => $_->{sid}, to => $_->{params}{To}, from => $_->{params}{From},
        url => $_->{params}{Url}, carrier => $_->{carrier} } }
        grep { $_->{action} eq 'create' && $_->{status} == 201 } @{ $self->requests };
}

# From now on (1) or no longer (0), every call created gets the same
# sid, as a faulty carrier would: tests of what Voxline does then.
sub repeat_sids { my ($self, $on) = @_; $on ? do { open(my $f, '>', "$self->{log}.repeat") or die } : unlink "$self->{log}.repeat" }

sub hold {
    my ($self, $on) = @_;
    if ($on) { open(my $f, '>', "$self->{log}.hold") or die } else { unlink "$self->{log}.hold" }
}
sub held { -e "$_[0]{log}.held" }

sub refuse_updates {
    my ($self, $status) = @_;
    if ($status) { open(my $f, '>', "$self->{log}.refuse") or die; print $f $status } else { unlink "$self->{log}.refuse" }
}

# Forgets the requests so far.
sub reset { open(my $f, '>', $_[0]{log}) or die; close $f }

# POSTs a webhook to the stack as Twilio does: form body, and
# X-Twilio-Signature over the public URL and the sorted parameters.
sub twilio_webhook {
    my ($self, $stack, $path, %p) = @_;
    my $sig = hmac_sha1_base64("$self->{public}$path" . join('', map { $_ . $p{$_} } sort keys %p), $self->{twilio}[1]);
    $sig .= '=' x ((4 - length($sig) % 4) % 4);
    my $enc = sub { my $v = shift; $v =~ s/([^A-Za-z0-9\-_.~])/sprintf '%%%02X', ord $1/ge; $v };
    return $stack->request('POST', $path, content => join('&', map { "$_=" . $enc->($p{$_}) } sort keys %p),
        headers => { 'Content-Type' => 'application/x-www-form-urlencoded', 'X-Twilio-Signature' => $sig });
}

sub url_decode { my $s = shift; $s =~ tr/+/ /; $s =~ s/%([0-9A-Fa-f]{2})/chr(hex $1)/ge; $s }

# A carrier call sid: 16 bytes from the kernel's generator, so that
# concurrent connections (one process each) never hand out the same one.
sub new_sid {
    my ($carrier) = @_;
    open(my $r, '<:raw', '/dev/urandom') or die "urandom: $!";
    read($r, my $bytes, 16) == 16 or die 'urandom: short read';
    my $hex = unpack 'H*', $bytes;
    return $carrier eq 'telnyx' ? "v3:$hex" :
        $carrier eq 'signalwire' ? join('-', unpack 'A8 A4 A4 A4 A12', $hex) : "CA$hex";
}

my %SID_RE = (twilio => qr/CA[0-9a-f]{32}/, signalwire => qr/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/,
    telnyx => qr/v3:[0-9A-Za-z_-]{8,128}/);

sub reply {
    my ($c, $status, $body) = @_;
    my $type = $status =~ /^200 OK$/ && $body !~ /^[{\[]/ ? 'audio/x-wav' : 'application/json';
    print $c "HTTP/1.1 $status\r\nContent-Type: $type\r\nContent-Length: " . length($body) .
        "\r\nConnection: close\r\n\r\n$body";
    close $c;
}

sub twilio_error { my ($code, $msg, $status) = @_; encode_json({ code => $code, message => $msg, status => $status + 0 }) }
sub telnyx_error { my ($code, $title, $detail) = @_; encode_json({ errors => [{ code => "$code", title => $title, detail => $detail }] }) }

sub log_request {
    my ($self, $entry) = @_;
    open(my $f, '>>', $self->{log}) or return;
    flock $f, LOCK_EX;
    print $f encode_json($entry), "\n";
    close $f;
}

# Which carrier a path belongs to, the account in it, and the rest.
sub route {
    my ($path) = @_;
    return ('signalwire', $1, $2) if $path =~ m{^/api/laml/2010-04-01/Accounts/([^/]+)(/.*)$};
    return ('twilio', $1, $2) if $path =~ m{^/2010-04-01/Accounts/([^/]+)(/.*)$};
    return ('telnyx', $1, $2) if $path =~ m{^/v2/texml/Accounts/([^/]+)(/.*)$};
    return ();
}

sub authorised {
    my ($self, $carrier, $account, $auth) = @_;
    my $cred = $self->{$carrier} or return 0;
    return 0 unless $account eq $cred->[0];
    my $want = $carrier eq 'telnyx' ? "Bearer $cred->[1]" : 'Basic ' . encode_base64("$cred->[0]:$cred->[1]", '');
    return $auth eq $want;
}

sub params {
    my ($carrier, $type, $body) = @_;
    my %p;
    if ($carrier eq 'telnyx') {
        return undef unless $type =~ m{^application/json};
        my $j = eval { decode_json($body) };
        return undef unless ref $j eq 'HASH';
        $p{$_} = [ $j->{$_} ] for keys %$j;
        $p{StatusCallbackEvent} = [ split / /, $j->{StatusCallbackEvent} ] if defined $j->{StatusCallbackEvent};
        return \%p;
    }
    return undef unless $type =~ m{^application/x-www-form-urlencoded};
    for my $pair (split /&/, $body) {
        my ($k, $v) = map { url_decode($_) } split /=/, $pair, 2;
        push @{ $p{$k} }, $v // '';
    }
    return \%p;
}

sub ended {
    my ($self, $sid) = @_;
    return grep { $_->{action} eq 'hangup' && $_->{status} == 200 && $_->{sid} eq $sid } @{ $self->requests };
}

# The problems with a call creation's parameters (empty when fine).
sub create_problems {
    my ($self, $carrier, $p) = @_;
    my $v = sub { $p->{$_[0]} ? $p->{$_[0]}[0] // '' : '' };
    my @problems;
    push @problems, 'To' unless $v->('To') =~ /^\+[1-9]\d{6,14}$/;
    push @problems, 'From' unless $v->('From') =~ /^\+[1-9]\d{6,14}$/;
    push @problems, 'Url' unless $v->('Url') =~ m{^\Q$self->{public}\E/webhooks/$carrier/voice\?call_id=[0-9a-f-]{36}$};
    push @problems, 'StatusCallback' unless $v->('StatusCallback') =~ m{^\Q$self->{public}\E/webhooks/$carrier/status\?call_id=[0-9a-f-]{36}$};
    push @problems, 'StatusCallbackEvent' unless join(' ', @{ $p->{StatusCallbackEvent} || [] }) eq 'initiated ringing answered completed';
    push @problems, 'Method' unless $v->('Method') eq 'POST';
    push @problems, 'Timeout' unless $v->('Timeout') =~ /^\d+$/ && $v->('Timeout') <= 600;
    push @problems, 'Twiml' if exists $p->{Twiml} || exists $p->{Texml};
    push @problems, 'ApplicationSid' if $carrier eq 'telnyx' && $v->('ApplicationSid') ne ($self->{telnyx}[2] // '');
    return @problems;
}

# The problems with an update: exactly one of new markup (a whole
# <Response> document) or Status=completed.
sub update_problems {
    my ($carrier, $p) = @_;
    my $field = $carrier eq 'telnyx' ? 'Texml' : 'Twiml';
    my @given = grep { exists $p->{$_} } ($field, 'Status', 'Url');
    return ('one of ' . join('/', $field, 'Status', 'Url')) unless @given == 1;
    return ('more than one value') if @{ $p->{ $given[0] } } != 1;
    my $v = $p->{ $given[0] }[0];
    return ('Status') if $given[0] eq 'Status' && $v ne 'completed' && $v ne 'canceled';
    return ($field) if $given[0] eq $field && $v !~ m{^(<\?xml[^>]*\?>)?\s*<Response>.*</Response>\s*$}s;
    return ();
}

sub serve {
    my ($self, $c) = @_;
    my $line = <$c> // return;
    my ($method, $path) = $line =~ m{^(\S+) (\S+) HTTP/1\.[01]\r?\n$} or return reply($c, '400 Bad Request', '{}');
    my %h;
    while (my $l = <$c>) {
        last if $l =~ /^\r?\n$/;
        $h{lc $1} = $2 if $l =~ /^([^:]+):\s*(.*?)\r?\n$/;
    }
    my $body = '';
    read($c, $body, $h{'content-length'}) if $h{'content-length'};
    my ($carrier, $account, $rest) = route($path);
    my %entry = (method => $method, path => $path, authorization => $h{authorization} // '',
        content_type => $h{'content-type'} // '', body => $body, carrier => $carrier // '',
        action => 'other', sid => '');
    my $answer = sub {
        my ($status, $out) = @_;
        $entry{status} = ($status =~ /^(\d+)/)[0];
        $self->log_request(\%entry);
        reply($c, $status, $out);
    };
    return $answer->('404 Not Found', twilio_error(20404, 'Not found', 404)) unless $carrier;
    if (!$self->authorised($carrier, $account, $entry{authorization})) {
        return $answer->('401 Unauthorized', $carrier eq 'telnyx' ?
            telnyx_error(10009, 'Authentication failed', 'The API key is invalid.') :
            twilio_error(20003, 'Authenticate', 401));
    }
    my $suffix = $carrier eq 'telnyx' ? '' : '.json';
    if ($method eq 'GET' && $rest =~ m{^/Recordings/(RE\w+)\.wav$}) {
        my $audio = ref $self->{audio} ? $self->{audio}{$1} : $self->{audio};
        return $answer->('503 Service Unavailable', twilio_error(20503, 'Service unavailable', 503)) if $self->{fail}{$1};
        return $answer->('404 Not Found', twilio_error(20404, 'The requested resource was not found', 404)) unless defined $audio;
        return $answer->('200 OK', $audio);
    }
    return $answer->('404 Not Found', twilio_error(20404, 'Not found', 404))
        unless $method eq 'POST' && $rest =~ m{^/Calls(?:/([^/]+?))?\Q$suffix\E$};
    my $sid = $1;
    my $p = params($carrier, $entry{content_type}, $body);
    return $answer->('415 Unsupported Media Type', twilio_error(0, 'Unsupported content type', 415)) unless $p;
    $entry{params} = { map { $_ => (@{ $p->{$_} } == 1 ? $p->{$_}[0] : $p->{$_}) } keys %$p };
    if (!defined $sid) {
        $entry{action} = 'create';
        if (my @problems = $self->create_problems($carrier, $p)) {
            return $answer->('400 Bad Request', twilio_error(21201, 'Invalid parameters: ' . join(',', @problems), 400));
        }
        $entry{sid} = -e "$self->{log}.repeat" ? 'CA' . ('0' x 32) : new_sid($carrier);
        return $answer->('201 Created', encode_json({ sid => $entry{sid}, status => 'queued',
            to => $p->{To}[0], from => $p->{From}[0] }));
    }
    $entry{sid} = $sid;
    $entry{action} = exists $p->{Status} ? 'hangup' : 'update';
    if (-e "$self->{log}.hold") {
        open(my $f, '>', "$self->{log}.held") or die;
        close $f;
        Time::HiRes::sleep(0.05) while -e "$self->{log}.hold";
        unlink "$self->{log}.held";
    }
    if (open(my $f, '<', "$self->{log}.refuse")) {
        my $status = <$f> + 0;
        return $answer->("$status Refused", $status == 400 ?
            twilio_error(21220, 'Call is not in-progress. Cannot redirect.', 400) :
            twilio_error(20500, 'An internal server error has occurred', $status));
    }
    return $answer->('404 Not Found', twilio_error(20404, "Call $sid not found", 404)) unless $sid =~ /^$SID_RE{$carrier}$/;
    if (my @problems = update_problems($carrier, $p)) {
        return $answer->('400 Bad Request', twilio_error(21201, 'Invalid parameters: ' . join(',', @problems), 400));
    }
    return $answer->('400 Bad Request', twilio_error(21220, 'Call is not in-progress. Cannot redirect.', 400)) if $self->ended($sid);
    return $answer->('200 OK', encode_json({ sid => $sid, status => $entry{action} eq 'hangup' ? 'completed' : 'in-progress' }));
}

sub DESTROY {
    my ($self) = @_;
    Loopback::stop($self->{pid}, $self->{owner});
    unlink map { "$self->{log}.$_" } qw(repeat hold held refuse);
}

1;
