package FakeS3;
# A local S3-compatible server on loopback, for tests of recording storage.
# Path-style requests (/<bucket>/<key>): PUT object, GET object (with a
# single Range: 206 and Content-Range, 416 when unsatisfiable) and HEAD.
# Every request must carry a valid AWS Signature Version 4, which this
# server checks on its own with Digest::SHA: in the Authorization header
# (x-amz-content-sha256 must also match the body) or in the query string
# (presigned URL, X-Amz-Expires honoured).  Refusals are S3's XML errors:
# AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch (403),
# XAmzContentSHA256Mismatch (400), NoSuchBucket/NoSuchKey (404).
# Objects live in a temporary directory; every request is logged (method,
# path, query, auth kind, range, status) for the test to read.
use strict;
use warnings;
use Loopback;
use Digest::SHA qw(sha256_hex hmac_sha256 hmac_sha256_hex);
use File::Temp qw(tempdir tempfile);
use JSON::PP;
use POSIX qw(strftime);
use Time::Local qw(timegm);
use Fcntl qw(:flock);

# new(access_key => ..., secret_key => ..., region => ..., bucket => ...)
sub new {
    my ($class, %opt) = @_;
    my (undef, $log) = tempfile('s3-XXXXXX', TMPDIR => 1, UNLINK => 1);
    my $self = bless { dir => tempdir('s3-objects-XXXXXX', TMPDIR => 1, CLEANUP => 1),
        access => $opt{access_key}, secret => $opt{secret_key}, region => $opt{region} || 'us-east-1',
        bucket => $opt{bucket}, log => $log, owner => $$ }, $class;
    Loopback::serve('fake s3', $self, sub { $self->serve($_[0]) });
    return $self;
}

sub endpoint { "http://127.0.0.1:$_[0]{port}" }

# The stored object (bytes) and its content type, or () when absent.
sub object {
    my ($self, $key) = @_;
    my $f = $self->file($key);
    open(my $in, '<:raw', $f) or return ();
    local $/;
    my $bytes = <$in>;
    open(my $t, '<', "$f.type");
    my $type = $t ? <$t> : '';
    return ($bytes, $type);
}

sub requests {
    my ($self) = @_;
    open(my $f, '<', $self->{log}) or return [];
    flock $f, LOCK_SH;
    return [ map { decode_json($_) } grep { /\S/ } <$f> ];
}

sub file { my ($self, $key) = @_; (my $k = $key) =~ s{[^A-Za-z0-9._-]}{_}g; "$self->{dir}/$k" }

sub uri_encode {
    my ($s, $keep_slash) = @_;
    $s =~ s{([^A-Za-z0-9\-_.~/])}{sprintf '%%%02X', ord $1}ge;
    $s =~ s{/}{%2F}g unless $keep_slash;
    return $s;
}
sub uri_decode { my $s = shift; $s =~ s/%([0-9A-Fa-f]{2})/chr(hex $1)/ge; $s }

sub error_xml {
    my ($code, $msg) = @_;
    return qq(<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>$code</Code><Message>$msg</Message></Error>);
}

sub amz_time {
    my ($s) = @_;
    my ($y, $m, $d, $H, $M, $S) = $s =~ /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/ or return undef;
    return timegm($S, $M, $H, $d, $m - 1, $y);
}

# Checks the request's SigV4; returns (kind) or (undef, status, code, message).
sub check_signature {
    my ($self, $method, $path, $query, $h, $body) = @_;
    my %q;
    for my $pair (grep { length } split /&/, $query) {
        my ($k, $v) = split /=/, $pair, 2;
        $q{ uri_decode($k) } = uri_decode($v // '');
    }
    my ($kind, $cred, $signed, $sig, $stamp, $payload);
    if (($h->{authorization} // '') =~ /^AWS4-HMAC-SHA256 Credential=([^,]+),\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/) {
        ($kind, $cred, $signed, $sig) = ('header', $1, $2, $3);
        $stamp = $h->{'x-amz-date'} // '';
        $payload = $h->{'x-amz-content-sha256'} // '';
        return (undef, 400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256') unless $payload;
        if ($payload ne 'UNSIGNED-PAYLOAD' && $payload ne sha256_hex($body)) {
            return (undef, 400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }
        my $t = amz_time($stamp);
        return (undef, 403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.')
            unless defined $t && abs(time - $t) <= 900;
    } elsif (($q{'X-Amz-Algorithm'} // '') eq 'AWS4-HMAC-SHA256') {
        ($kind, $cred, $signed, $sig, $stamp) = ('presigned', $q{'X-Amz-Credential'} // '', $q{'X-Amz-SignedHeaders'} // '',
            $q{'X-Amz-Signature'} // '', $q{'X-Amz-Date'} // '');
        $payload = 'UNSIGNED-PAYLOAD';
        my $t = amz_time($stamp);
        my $exp = $q{'X-Amz-Expires'} // '';
        return (undef, 403, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be 1..604800.')
            unless $exp =~ /^\d+$/ && $exp >= 1 && $exp <= 604800 && defined $t;
        return (undef, 403, 'AccessDenied', 'Request has expired') if time > $t + $exp;
        delete $q{'X-Amz-Signature'};
    } else {
        return (undef, 403, 'AccessDenied', 'Access Denied');
    }
    my ($akid, $date, $region, $service, $term) = split m{/}, $cred;
    return (undef, 403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.')
        unless defined $akid && $akid eq $self->{access};
    return (undef, 403, 'SignatureDoesNotMatch', 'Bad credential scope.')
        unless ($date // '') eq substr($stamp, 0, 8) && ($region // '') eq $self->{region} && ($service // '') eq 's3' && ($term // '') eq 'aws4_request';
    my @signed = split /;/, $signed;
    return (undef, 403, 'SignatureDoesNotMatch', 'The host header must be signed.') unless grep { $_ eq 'host' } @signed;
    my $canon_query = join '&', map { uri_encode($_) . '=' . uri_encode($q{$_}) } sort keys %q;
    my $canon_headers = join '', map { my $v = $h->{$_} // ''; $v =~ s/^\s+|\s+$//g; $v =~ s/\s+/ /g; "$_:$v\n" } @signed;
    my $creq = join "\n", $method, $path, $canon_query, $canon_headers, $signed, $payload;
    my $scope = "$date/$region/s3/aws4_request";
    my $sts = join "\n", 'AWS4-HMAC-SHA256', $stamp, $scope, sha256_hex($creq);
    my $k = hmac_sha256($date, "AWS4$self->{secret}");
    $k = hmac_sha256($region, $k);
    $k = hmac_sha256('s3', $k);
    $k = hmac_sha256('aws4_request', $k);
    return (undef, 403, 'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.')
        unless hmac_sha256_hex($sts, $k) eq $sig;
    return ($kind);
}

sub respond {
    my ($c, $status, $headers, $body, $head_only) = @_;
    my %reason = (200 => 'OK', 206 => 'Partial Content', 400 => 'Bad Request', 403 => 'Forbidden',
        404 => 'Not Found', 405 => 'Method Not Allowed', 416 => 'Requested Range Not Satisfiable');
    my $out = "HTTP/1.1 $status $reason{$status}\r\n";
    $out .= "$_: $headers->{$_}\r\n" for sort keys %$headers;
    $out .= 'Content-Length: ' . ($headers->{'Content-Length'} // length $body) . "\r\n" unless exists $headers->{'Content-Length'};
    $out .= "x-amz-request-id: FAKE" . int(rand 1e9) . "\r\nConnection: close\r\n\r\n";
    print $c $out, ($head_only ? '' : $body);
    close $c;
}

sub serve {
    my ($self, $c) = @_;
    binmode $c;
    my $line = <$c> // return;
    my ($method, $target) = $line =~ m{^(\S+) (\S+) HTTP/1\.[01]\r?\n$} or return;
    my %h;
    while (my $l = <$c>) {
        last if $l =~ /^\r?\n$/;
        $h{lc $1} = $2 if $l =~ /^([^:]+):\s*(.*?)\r?\n$/;
    }
    my ($path, $query) = split /\?/, $target, 2;
    $query //= '';
    print $c "HTTP/1.1 100 Continue\r\n\r\n" if lc($h{expect} // '') eq '100-continue';
    my $body = '';
    read($c, $body, $h{'content-length'}) if $h{'content-length'};
    my %entry = (method => $method, path => $path, query => $query, range => $h{range} // '',
        authorization => $h{authorization} ? 'header' : '');
    my $answer = sub {
        my ($status, $headers, $out) = @_;
        $entry{status} = $status;
        if (open my $f, '>>', $self->{log}) { flock $f, LOCK_EX; print $f encode_json(\%entry), "\n"; close $f }
        respond($c, $status, $headers, $out, $method eq 'HEAD');
    };
    my $xml = sub { $answer->($_[0], { 'Content-Type' => 'application/xml' }, error_xml($_[1], $_[2])) };
    my ($kind, @refusal) = $self->check_signature($method, $path, $query, \%h, $body);
    $entry{auth} = $kind // 'refused';
    return $xml->(@refusal) unless $kind;
    my ($bucket, $key) = $path =~ m{^/([^/]+)/(.+)$} or return $xml->(400, 'InvalidRequest', 'Path-style /bucket/key only.');
    $key = uri_decode($key);
    return $xml->(404, 'NoSuchBucket', 'The specified bucket does not exist') unless $bucket eq $self->{bucket};
    my $f = $self->file($key);
    if ($method eq 'PUT') {
        open(my $o, '>:raw', "$f.part") or die $!;
        print $o $body;
        close $o;
        open(my $t, '>', "$f.type") or die $!;
        print $t $h{'content-type'} // 'binary/octet-stream';
        close $t;
        rename "$f.part", $f or die $!;
        return $answer->(200, { ETag => '"' . Digest::SHA::sha1_hex($body) . '"' }, '');
    }
    return $xml->(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.')
        unless $method eq 'GET' || $method eq 'HEAD';
    my ($bytes, $type) = $self->object($key);
    return $xml->(404, 'NoSuchKey', 'The specified key does not exist.') unless defined $bytes;
    my $size = length $bytes;
    my %hd = ('Content-Type' => $type, 'Accept-Ranges' => 'bytes', ETag => '"' . Digest::SHA::sha1_hex($bytes) . '"',
        'Last-Modified' => strftime('%a, %d %b %Y %H:%M:%S GMT', gmtime((stat $f)[9])));
    if (my $r = $h{range}) {
        my ($from, $to);
        if ($r =~ /^bytes=(\d+)-(\d*)$/) { ($from, $to) = ($1, length $2 ? $2 : $size - 1) }
        elsif ($r =~ /^bytes=-(\d+)$/) { ($from, $to) = ($1 >= $size ? 0 : $size - $1, $size - 1) }
        if (defined $from && $from < $size) {
            $to = $size - 1 if $to >= $size;
            return $answer->(206, { %hd, 'Content-Range' => "bytes $from-$to/$size" }, substr($bytes, $from, $to - $from + 1))
                if $to >= $from;
        }
        return $answer->(416, { 'Content-Type' => 'application/xml', 'Content-Range' => "bytes */$size" },
            error_xml('InvalidRange', 'The requested range is not satisfiable'));
    }
    return $answer->(200, \%hd, $bytes);
}

sub DESTROY {
    my ($self) = @_;
    Loopback::stop($self->{pid}, $self->{owner});
}

1;
