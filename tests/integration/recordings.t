#!/usr/bin/env perl
# Call recordings with S3-compatible storage, end to end: the carrier's
# recording callback queues the download, the worker fetches the file
# from the carrier and uploads it to the bucket (SigV4, checked by a local
# S3 server on its own), and playback goes through nginx: voxline-web
# authorises the API key and hands nginx a presigned URL, nginx fetches
# the object (ranges included) without the bytes passing through
# voxline-web.  Another tenant is refused.  Downloads that cannot succeed
# end with the recording failed, the reason shown in the call detail and
# recorded as a system error.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::SHA qw(sha256_hex);
use Time::HiRes qw(sleep);
use JSON::PP;
use HTTP::Tiny;
use Stack;
use People;
use FakeCarrier;
use FakeS3;

my $PUBLIC = 'https://voice.example.test';
my ($SID, $TOKEN) = ('ACrecordings000000000000000000000', 'recordings-token');
my ($AK, $SK, $REGION, $BUCKET) = ('AKIDVOXLINETEST', 'test/secret+key', 'eu-west-3', 'voxline-recordings');

# 64 KiB of audio whose bytes differ everywhere, so a wrong range shows.
my $wav = "RIFF\x24\x00\x01\x00WAVEfmt " . ("\x00" x 28) . 'data' . join('', map { chr(($_ * 7 + ($_ >> 8)) % 256) } 1 .. 65536);
my ($OK, $GONE, $FLAKY) = map { 'RE' . ($_ x 32) } qw(a b c);
my $carrier = FakeCarrier->new(twilio => [$SID, $TOKEN], public_url => $PUBLIC,
    audio => { $OK => $wav }, fail => { $FLAKY => 1 });
my $s3 = FakeS3->new(access_key => $AK, secret_key => $SK, region => $REGION, bucket => $BUCKET);

my $s = Stack->new(env => {
    VOXLINE_PUBLIC_URL => $PUBLIC, VOXLINE_TWILIO_ACCOUNT_SID => $SID, VOXLINE_TWILIO_AUTH_TOKEN => $TOKEN,
    VOXLINE_TWILIO_API_BASE => $carrier->base,
    VOXLINE_STORAGE_S3_ENDPOINT => $s3->endpoint, VOXLINE_STORAGE_S3_BUCKET => $BUCKET,
    VOXLINE_STORAGE_S3_REGION => $REGION, VOXLINE_STORAGE_S3_ACCESS_KEY => $AK,
    VOXLINE_STORAGE_S3_SECRET_KEY => $SK,
});
my $people = People->new($s);
my $acme = $people->tenant('acme');
my $other = $people->tenant('other');
my $key = $people->api_key($acme, 'read');
my $other_key = $people->api_key($other, 'read');
sub sql { my ($q) = @_; return $people->platform($q) =~ s/^SET\n?//r }
sub api {
    my ($k, $path, %h) = @_;
    return $s->get($path, headers => { Authorization => $k->{bearer}, %h });
}

my $agent = sql("INSERT INTO agents (tenant_id, name, status) VALUES ('$acme', 'Desk', 'live') RETURNING id");
my %call;
for my $n (1 .. 3) {
    my $sid = 'CA' . ($n x 32);
    $call{$n} = sql("INSERT INTO calls (tenant_id, agent_id, carrier, carrier_call_sid, direction, status)"
        . " VALUES ('$acme', '$agent', 'twilio', '$sid', 'inbound', 'completed') RETURNING id");
}
sub recording_callback {
    my ($n, $rsid) = @_;
    return $carrier->twilio_webhook($s, '/webhooks/twilio/recording', AccountSid => $SID, CallSid => 'CA' . ($n x 32),
        RecordingSid => $rsid, RecordingUrl => $carrier->base . "/2010-04-01/Accounts/$SID/Recordings/$rsid",
        RecordingStatus => 'completed', RecordingDuration => 8, RecordingChannels => 1);
}
sub wait_status {
    my ($rsid, $want) = @_;
    my $got = '';
    for (1 .. 150) {
        $got = sql("SELECT status FROM recordings WHERE carrier_recording_sid = '$rsid'");
        return $got if $got eq $want;
        sleep 0.2;
    }
    return $got;
}

# --- The local S3 server checks signatures on its own ----------------------
{
    my $http = HTTP::Tiny->new;
    my $r = $http->get($s3->endpoint . "/$BUCKET/recordings/anything.wav");
    is($r->{status}, 403, 'S3: an unsigned request is refused');
    like($r->{content}, qr{<Error><Code>AccessDenied</Code>}, "S3: with S3's XML error");
    my $bad = `curl -s -w '\\n%{http_code}' --aws-sigv4 aws:amz:$REGION:s3 -u $AK:not-the-secret -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' @{[ $s3->endpoint ]}/$BUCKET/recordings/anything.wav`;
    like($bad, qr{<Code>SignatureDoesNotMatch</Code>.*\n403$}s, 'S3: a request signed with the wrong secret: 403 SignatureDoesNotMatch');
}

# --- Upload: callback -> download job -> object in the bucket --------------
my $r = recording_callback(1, $OK);
is($r->{status}, 204, 'recording callback accepted');
is(wait_status($OK, 'stored'), 'stored', 'the worker downloaded and stored the recording');
my ($rec, $size, $sha, $path, $storage) = split /\|/, sql("SELECT id, size_bytes, sha256, storage_path, storage FROM recordings"
    . " WHERE carrier_recording_sid = '$OK'");
is($storage, 's3', 'stored in S3');
is($path, "recordings/$acme/$rec.wav", 'under the tenant\'s prefix');
my ($object, $type) = $s3->object($path);
ok(defined $object && $object eq $wav, 'the object in the bucket has the recording\'s bytes');
is(sha256_hex($object // ''), sha256_hex($wav), 'its SHA-256 is the recording\'s');
is($sha, sha256_hex($wav), 'the SHA-256 recorded on the row matches');
is($size, length $wav, 'the size recorded matches');
is($type, 'audio/wav', 'uploaded with its content type');
my ($put) = grep { $_->{method} eq 'PUT' } @{ $s3->requests };
is($put->{auth} . ' ' . $put->{status}, 'header 200', 'the upload was signed (SigV4 header) and accepted');
ok(!-e $s->dir . "/storage/$path", 'no local copy is left behind');
my $head = `curl -s -I --aws-sigv4 aws:amz:$REGION:s3 -u $AK:$SK -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' @{[ $s3->endpoint ]}/$BUCKET/$path`;
like($head, qr{^HTTP/1.1 200 .*^Content-Length: @{[ length $wav ]}\r$}ms, 'S3: a signed HEAD gives the object\'s size');

# --- Playback through nginx ---------------------------------------------------
$r = api($key, "/api/v1/recordings/$rec/audio", Range => 'bytes=1000-1999');
is($r->{status}, 206, 'ranged GET through nginx: 206');
is($r->{headers}{'content-range'}, 'bytes 1000-1999/' . length($wav), 'Content-Range of the whole object');
ok($r->{content} eq substr($wav, 1000, 1000), 'the bytes of that range');
is($r->{headers}{'content-type'}, 'audio/wav', 'served as audio');
ok(!exists $r->{headers}{'x-amz-request-id'} && !exists $r->{headers}{'x-accel-redirect'},
    'no storage headers reach the client');
my ($get) = grep { $_->{method} eq 'GET' && $_->{path} eq "/$BUCKET/$path" } @{ $s3->requests };
is($get->{auth}, 'presigned', 'nginx fetched the object with a presigned URL');
like($get->{query}, qr/X-Amz-Expires=60&/, 'valid for storage_s3_url_seconds (60)');
is($get->{range}, 'bytes=1000-1999', 'the range went through to S3');
$r = api($key, "/api/v1/recordings/$rec/audio", Range => 'bytes=-100');
ok($r->{status} == 206 && $r->{content} eq substr($wav, -100), 'suffix range: the last 100 bytes');
$r = api($key, "/api/v1/recordings/$rec/audio");
ok($r->{status} == 200 && $r->{content} eq $wav, 'whole file without a range');
is(api($other_key, "/api/v1/recordings/$rec/audio")->{status}, 404, "another tenant's key: 404");
is(api($other_key, "/api/v1/recordings/$rec/audio", Range => 'bytes=0-9')->{status}, 404, "another tenant's key with a range: 404");
is($s->get("/api/v1/recordings/$rec/audio")->{status}, 401, 'no credentials: 401');
is($s->get("/_s3/$BUCKET/$path")->{status}, 404, 'the internal S3 location is not reachable from outside');

# --- Downloads that fail end failed, with the reason ---------------------------
$r = recording_callback(2, $GONE);
is(wait_status($GONE, 'failed'), 'failed', 'the carrier says 404: the recording ends failed at once');
like(sql("SELECT failure_reason FROM recordings WHERE carrier_recording_sid = '$GONE'"), qr/^download failed: HTTP 404/,
    'with the reason');
my $detail = api($people->api_key($acme, 'read'), "/api/v1/calls/$call{2}");
my ($ev) = grep { $_->{type} eq 'recording_failed' } @{ $detail->{json}{events} || [] };
ok($ev, 'the call detail shows the failed recording') or diag explain $detail->{json};
like(ref $ev->{data} ? $ev->{data}{reason} : decode_json($ev->{data})->{reason}, qr/HTTP 404/, 'with its reason');
is(sql("SELECT count(*) FROM system_error_occurrences WHERE code = 'recording_download_failed' AND call_id = '$call{2}'"), 1,
    'recorded as a system error for the call');

# Carrier unavailable: retried, and when the last attempt fails, failed.
$r = recording_callback(3, $FLAKY);
for (1 .. 100) { last if sql("SELECT attempts FROM jobs WHERE dedupe_key = 'recording:$FLAKY'") eq '1'
    && sql("SELECT status FROM jobs WHERE dedupe_key = 'recording:$FLAKY'") eq 'queued'; sleep 0.2 }
is(sql("SELECT status || ' ' || attempts FROM jobs WHERE dedupe_key = 'recording:$FLAKY'"), 'queued 1',
    'a 503 from the carrier is retried later');
is(sql("SELECT status FROM recordings WHERE carrier_recording_sid = '$FLAKY'"), 'downloading', 'meanwhile the recording is downloading');
sql("UPDATE jobs SET run_at = now(), max_attempts = 2 WHERE dedupe_key = 'recording:$FLAKY'");
is(wait_status($FLAKY, 'failed'), 'failed', 'the last attempt fails: the recording ends failed');
like(sql("SELECT failure_reason FROM recordings WHERE carrier_recording_sid = '$FLAKY'"), qr/^download failed: HTTP 503/,
    'with the last error as the reason');
is(api($key, "/api/v1/recordings/" . sql("SELECT id FROM recordings WHERE carrier_recording_sid = '$FLAKY'") . '/audio')->{json}{error}{code},
    'recording_not_ready', 'a failed recording is not playable');

# The carrier itself reports no recording: failed, saying so.
$r = $carrier->twilio_webhook($s, '/webhooks/twilio/recording', AccountSid => $SID, CallSid => 'CA' . ('1' x 32),
    RecordingSid => 'RE' . ('d' x 32), RecordingStatus => 'absent');
is($r->{status}, 204, 'an absent recording is acknowledged');
is(sql("SELECT status || ': ' || failure_reason FROM recordings WHERE carrier_recording_sid = 'RE" . ('d' x 32) . "'"),
    'failed: the carrier reported the recording absent', 'and recorded failed, with the carrier\'s word');

done_testing();
