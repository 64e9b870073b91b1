#!/usr/bin/env perl
# The carrier edge through nginx, as carriers drive it: signed inbound
# calls and their answers, retries, forgeries and replays, refusals,
# out-of-order status callbacks, recordings into storage, the webhook
# log, and outbound calls under concurrent load against every cap, with
# the carrier's REST API played by a local server that checks auth and
# parameters.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::SHA qw(hmac_sha1_base64 sha256_hex);
use MIME::Base64 qw(encode_base64 decode_base64);
use File::Temp qw(tempdir);
use Time::HiRes qw(sleep);
use JSON::PP;
use Stack;
use FakeCarrier;

my $PUBLIC = 'https://voice.example.test';
my ($SID, $TOKEN, $SWKEY) = ('ACtest0000000000000000000000000000', 'twilio-auth-token', 'PSKsignalwire');
my $tmp = tempdir(CLEANUP => 1);

# Telnyx: an Ed25519 key pair made with the openssl command.
system("openssl genpkey -algorithm ed25519 -out $tmp/telnyx.pem 2>/dev/null") == 0 or die 'openssl';
my $der = `openssl pkey -in $tmp/telnyx.pem -pubout -outform DER 2>/dev/null`;
my $telnyx_pub = encode_base64(substr($der, -32), '');

my $wav = "RIFF\x24\x00\x00\x00WAVEfmt " . ("\x00" x 28) . "data" . ("\x7f" x 4000);
my $carrier = FakeCarrier->new(twilio => [$SID, $TOKEN], public_url => $PUBLIC, audio => $wav);

my $s = Stack->new(env => {
    VOXLINE_PUBLIC_URL => $PUBLIC,
    VOXLINE_TWILIO_ACCOUNT_SID => $SID, VOXLINE_TWILIO_AUTH_TOKEN => $TOKEN,
    VOXLINE_TWILIO_API_BASE => $carrier->base, VOXLINE_TWILIO_ALLOWED_SOURCES => '127.0.0.0/8, ::1',
    VOXLINE_SIGNALWIRE_SIGNING_KEY => $SWKEY, VOXLINE_SIGNALWIRE_ALLOWED_SOURCES => '203.0.113.0/24',
    VOXLINE_TELNYX_PUBLIC_KEY => $telnyx_pub,
    VOXLINE_NGINX_RATE_WEBHOOKS => '1000r/s', VOXLINE_NGINX_BURST_WEBHOOKS => '1000',
});

# Platform-scope SQL for set-up and checks.
sub sql { my ($q) = @_; return $s->psql("SELECT set_config('voxline.tenant_id', '*', false); $q") =~ s/^\*\n?//r }

my $tenant = sql("INSERT INTO tenants (name, slug, max_concurrent_calls) VALUES ('Acme', 'acme', 50) RETURNING id");
my $other = sql("INSERT INTO tenants (name, slug) VALUES ('Other', 'other') RETURNING id");
my $agent = sql("INSERT INTO agents (tenant_id, name, status, recording_enabled, recording_channels,"
    . " max_duration_seconds, language) VALUES ('$tenant', 'Desk', 'live', true, 'dual', 900, 'en-GB') RETURNING id");
my $closed = sql("INSERT INTO agents (tenant_id, name, status, voicemail_enabled, hours)"
    . " VALUES ('$tenant', 'Closed', 'live', true, '{\"mon\": []}') RETURNING id");
my $off = sql("INSERT INTO agents (tenant_id, name, status) VALUES ('$tenant', 'Off', 'disabled') RETURNING id");
sql("INSERT INTO phone_numbers (tenant_id, agent_id, e164, carrier) VALUES"
    . " ('$tenant', '$agent', '+15550001111', 'twilio'), ('$tenant', '$closed', '+15550004444', 'twilio'),"
    . " ('$tenant', '$off', '+15550005555', 'twilio'), ('$tenant', '$agent', '+15550002222', 'telnyx'),"
    . " ('$tenant', '$agent', '+15550003333', 'signalwire')");

sub form { my %p = @_; join '&', map { "$_=" . uri($p{$_}) } sort keys %p }
sub uri { my $v = shift; $v =~ s/([^A-Za-z0-9\-_.~])/sprintf '%%%02X', ord $1/ge; $v }
sub twilio_sig {
    my ($url, %p) = @_;
    my $sig = hmac_sha1_base64($url . join('', map { $_ . $p{$_} } sort keys %p), $TOKEN);
    return $sig . '=' x ((4 - length($sig) % 4) % 4);
}
sub twilio_post {
    my ($path, $params, %opt) = @_;
    my $sig = $opt{sig} // twilio_sig(($opt{signed_url} // "$PUBLIC$path"), %$params);
    return $s->request('POST', $path, content => form(%$params), headers => {
        'Content-Type' => 'application/x-www-form-urlencoded',
        ($opt{unsigned} ? () : ('X-Twilio-Signature' => $sig)) });
}
sub call_params {
    my ($sid, $to, %extra) = @_;
    return { CallSid => $sid, AccountSid => $SID, From => '+15557654321', To => $to,
        CallStatus => 'ringing', Direction => 'inbound', ApiVersion => '2010-04-01',
        CallerCity => "St. John's", %extra };
}
sub token_claims {
    my ($tok) = @_;
    my ($p) = split /\./, $tok;
    $p =~ tr{-_}{+/};
    $p .= '=' x ((4 - length($p) % 4) % 4);
    return decode_json(decode_base64($p));
}

# --- Inbound: a signed call is answered with a stream ---------------------
my $sid1 = 'CA' . ('1' x 32);
my $r = twilio_post('/webhooks/twilio/voice', call_params($sid1, '+15550001111'));
is($r->{status}, 200, 'signed inbound call: 200');
like($r->{headers}{'content-type'}, qr{^text/xml}, 'answered with XML');
my $xml = $r->{content};
like($xml, qr{<Connect><Stream url="wss://voice\.example\.test/media/twilio">}, 'bidirectional stream to the public wss URL');
my ($token) = $xml =~ /<Parameter name="token" value="([^"]+)"/;
my ($call_id) = $xml =~ /<Parameter name="call_id" value="([0-9a-f-]{36})"/;
ok($token && $call_id, 'stream token and call id are stream parameters');
my $claims = token_claims($token);
is($claims->{call_id}, $call_id, 'token is bound to the call');
is($claims->{tenant_id}, $tenant, 'token names the tenant');
ok($claims->{exp} > time && $claims->{exp} <= time + 310, 'token is short-lived');
like($xml, qr{<Start><Recording recordingStatusCallback="https://voice\.example\.test/webhooks/twilio/recording"[^>]*recordingChannels="dual"/></Start>},
    "agent's recording setting (dual channels) applied");
like($xml, qr{<Parameter name="max_duration_seconds" value="900"/>}, "agent's maximum duration passed on");
like($xml, qr{</Stream></Connect><Hangup/></Response>}, 'hang-up when the stream ends');
is(sql("SELECT status || ' ' || direction || ' ' || agent_id || ' ' || answer || ' ' || from_number FROM calls WHERE id = '$call_id'"),
    "in_progress inbound $agent stream +15557654321", 'calls row: in progress, routed to the agent');

# The same webhook again (carrier retry): same answer, no new row.
$r = twilio_post('/webhooks/twilio/voice', call_params($sid1, '+15550001111'));
is($r->{status}, 200, 'retried webhook: 200');
like($r->{content}, qr/name="call_id" value="\Q$call_id\E"/, 'retried webhook: the same call');
is(sql("SELECT count(*) FROM calls WHERE carrier_call_sid = '$sid1'"), 1, 'retried webhook: one call row');

# Port variant: Twilio signed the URL with the default port.
my $sid2 = 'CA' . ('2' x 32);
$r = twilio_post('/webhooks/twilio/voice', call_params($sid2, '+15550001111'),
    signed_url => 'https://voice.example.test:443/webhooks/twilio/voice');
is($r->{status}, 200, 'signature over the URL with :443 accepted');

# --- Forged, unsigned, replayed: 403 and nothing touched ------------------
my $sid3 = 'CA' . ('3' x 32);
$r = twilio_post('/webhooks/twilio/voice', call_params($sid3, '+15550001111'), sig => 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
is($r->{status}, 403, 'forged signature: 403');
is($r->{json}{error}{code}, 'webhook_signature_invalid', 'forged signature: error code');
$r = twilio_post('/webhooks/twilio/voice', call_params($sid3, '+15550001111'), unsigned => 1);
is($r->{status}, 403, 'unsigned request: 403');
my %tampered = %{ call_params($sid3, '+15550001111') };
my $good = twilio_sig("$PUBLIC/webhooks/twilio/voice", %tampered);
$tampered{From} = '+15550000000';
$r = twilio_post('/webhooks/twilio/voice', \%tampered, sig => $good);
is($r->{status}, 403, 'parameter changed after signing: 403');
$r = twilio_post('/webhooks/twilio/voice', call_params($sid3, '+15550001111'),
    signed_url => "http://127.0.0.1:$s->{port}/webhooks/twilio/voice");
is($r->{status}, 403, 'signed over the internal URL instead of the public one: 403');
is(sql("SELECT count(*) FROM calls WHERE carrier_call_sid = '$sid3'"), 0, 'refused requests created nothing');

# --- Telnyx (Ed25519, timestamp window) -----------------------------------
sub telnyx_post {
    my ($path, $body, $ts) = @_;
    open my $m, '>', "$tmp/msg" or die;
    print $m "$ts|$body";
    close $m;
    my $sig = encode_base64(`openssl pkeyutl -sign -rawin -inkey $tmp/telnyx.pem -in $tmp/msg`, '');
    return $s->request('POST', $path, content => $body, headers => {
        'Content-Type' => 'application/x-www-form-urlencoded',
        'telnyx-signature-ed25519' => $sig, 'telnyx-timestamp' => $ts });
}
my $tbody = form(%{ call_params('v3:telnyx-call-1', '+15550002222') });
$r = telnyx_post('/webhooks/telnyx/voice', $tbody, time);
is($r->{status}, 200, 'Telnyx signed call: 200');
like($r->{content}, qr{<Connect><Stream url="wss://voice\.example\.test/media/telnyx" bidirectionalMode="rtp"[^>]*><Parameter name="token"},
    'Telnyx: TeXML stream to /media/telnyx with the token');
$r = telnyx_post('/webhooks/telnyx/voice', form(%{ call_params('v3:telnyx-call-2', '+15550002222') }), time - 400);
is($r->{status}, 403, 'Telnyx: replay with a stale timestamp refused');
is(sql("SELECT count(*) FROM calls WHERE carrier_call_sid = 'v3:telnyx-call-2'"), 0, 'stale replay created nothing');

# --- Source allow-list (SignalWire limited to 203.0.113.0/24) --------------
my %swp = %{ call_params('sw-uuid-1', '+15550003333') };
my $swsig = hmac_sha1_base64("$PUBLIC/webhooks/signalwire/voice" . join('', map { $_ . $swp{$_} } sort keys %swp), $SWKEY) . '=';
$r = $s->request('POST', '/webhooks/signalwire/voice', content => form(%swp), headers => {
    'Content-Type' => 'application/x-www-form-urlencoded', 'X-SignalWire-Signature' => $swsig });
is($r->{status}, 403, 'validly signed request from outside the allow-list: 403');
is($r->{json}{error}{code}, 'webhook_source_forbidden', 'allow-list error code');

# --- Refusals: unknown number, outside hours (voicemail), disabled, caps ---
$r = twilio_post('/webhooks/twilio/voice', call_params('CA' . ('4' x 32), '+15559999999'));
like($r->{content}, qr{<Say language="en-US">Sorry, this number is not in service\. Goodbye\.</Say><Hangup/>}, 'unknown number: polite message and hang-up');
$r = twilio_post('/webhooks/twilio/voice', call_params('CA' . ('5' x 32), '+15550004444'));
like($r->{content}, qr{We are closed right now.*<Record maxLength="120" playBeep="true" recordingStatusCallback="https://voice\.example\.test/webhooks/twilio/recording"},
    'outside hours with voicemail: message and recording');
is(sql("SELECT answer || ' ' || end_reason FROM calls WHERE carrier_call_sid = 'CA" . ('5' x 32) . "'"),
    'voicemail outside_hours', 'outside hours recorded on the call');
$r = twilio_post('/webhooks/twilio/voice', call_params('CA' . ('6' x 32), '+15550005555'));
like($r->{content}, qr{No one is available.*<Hangup/>}, 'disabled agent: message and hang-up');
is(sql("SELECT answer || ' ' || end_reason FROM calls WHERE carrier_call_sid = 'CA" . ('6' x 32) . "'"),
    'message agent_disabled', 'disabled agent recorded on the call');
my $live = sql("SELECT count(*) FROM calls WHERE tenant_id = '$tenant' AND status = 'in_progress' AND answer <> 'message'");
sql("UPDATE tenants SET max_concurrent_calls = $live WHERE id = '$tenant'");
$r = twilio_post('/webhooks/twilio/voice', call_params('CA' . ('7' x 32), '+15550001111'));
like($r->{content}, qr{All our lines are busy}, 'tenant at its cap: busy message');
is(sql("SELECT end_reason FROM calls WHERE carrier_call_sid = 'CA" . ('7' x 32) . "'"), 'over_capacity', 'over capacity recorded');
sql("UPDATE tenants SET max_concurrent_calls = 50 WHERE id = '$tenant'");

# --- Status callbacks out of order -----------------------------------------
my %st = (CallSid => $sid1, AccountSid => $SID, From => '+15557654321', To => '+15550001111', Direction => 'inbound');
my @events = ([3, 'completed', CallDuration => 42, Timestamp => 'Tue, 31 Aug 2010 20:37:10 +0000'],
              [1, 'ringing', Timestamp => 'Tue, 31 Aug 2010 20:36:20 +0000'],
              [2, 'in-progress', Timestamp => 'Tue, 31 Aug 2010 20:36:28 +0000']);
for my $e (@events) {
    my ($seq, $status, %more) = @$e;
    $r = twilio_post('/webhooks/twilio/status', { %st, CallStatus => $status, SequenceNumber => $seq,
        CallbackSource => 'call-progress-events', %more });
    is($r->{status}, 204, "status callback $status (sequence $seq): accepted");
}
is(sql("SELECT status || ' ' || status_sequence || ' ' || duration_seconds || ' ' || (ended_at = '2010-08-31 20:37:10+00') FROM calls WHERE id = '$call_id'"),
    'completed 3 42 true', 'out-of-order callbacks end completed, with duration and end time');
is(sql("SELECT result FROM webhook_attempts WHERE endpoint = 'status' ORDER BY id"), "updated\nstale\nstale",
    'older events were recognised as stale');

# --- Recording: callback, download job, storage ------------------------------
my $rurl = $carrier->base . "/2010-04-01/Accounts/$SID/Recordings/RE" . ('a' x 32);
$r = twilio_post('/webhooks/twilio/recording', { AccountSid => $SID, CallSid => $sid1, RecordingSid => 'RE' . ('a' x 32),
    RecordingUrl => $rurl, RecordingStatus => 'completed', RecordingDuration => 41, RecordingChannels => 2,
    RecordingSource => 'StartCallRecordingAPI' });
is($r->{status}, 204, 'recording callback accepted');
my $rec;
for (1 .. 100) {
    $rec = sql("SELECT id || ' ' || status || ' ' || coalesce(size_bytes, 0) || ' ' || coalesce(sha256, '') || ' ' || coalesce(storage_path, '') FROM recordings WHERE call_id = '$call_id'");
    last if $rec =~ / stored /;
    sleep 0.2;
}
my ($rec_id, $rstatus, $size, $sha, $path) = split / /, $rec;
is($rstatus, 'stored', 'recording downloaded into storage by the worker');
is($size, length $wav, 'size recorded');
is($sha, sha256_hex($wav), 'SHA-256 recorded');
ok(-f $s->dir . "/storage/$path", 'file is in the storage directory');
is(sql("SELECT channels || ' ' || duration_seconds FROM recordings WHERE id = '$rec_id'"), '2 41', 'channels and duration recorded');
$r = twilio_post('/webhooks/twilio/recording', { AccountSid => $SID, CallSid => $sid1, RecordingSid => 'RE' . ('a' x 32),
    RecordingUrl => $rurl, RecordingStatus => 'completed', RecordingDuration => 41, RecordingChannels => 2 });
is(sql("SELECT count(*) FROM recordings WHERE call_id = '$call_id'"), 1, 'a repeated recording callback adds nothing');
$r = $s->get("/api/v1/recordings/$rec_id/audio");
is($r->{status}, 401, 'playback needs a signed-in user');

# --- Webhook log -------------------------------------------------------------
is(sql("SELECT count(*) FROM webhook_attempts WHERE signature_valid = false AND result = 'bad_signature' AND http_status = 403"), 5,
    'refused attempts are logged as bad signatures');
is(sql("SELECT count(*) FROM webhook_attempts WHERE result = 'forbidden_source' AND carrier = 'signalwire'"), 1, 'allow-list refusal logged');
is(sql("SELECT carrier || ' ' || endpoint || ' ' || host(source_addr) || ' ' || signature_valid || ' ' || result || ' ' || (duration_ms >= 0) FROM webhook_attempts WHERE carrier_call_sid = '$sid1' AND endpoint = 'voice' ORDER BY id LIMIT 1"),
    'twilio voice 127.0.0.1 true answered true', 'attempt log: carrier, endpoint, source, signature, result, time');
is($s->get('/api/v1/platform/webhook-attempts')->{status}, 401, 'webhook log API is not public');

# --- Outbound: 50 concurrent placements for 10 slots --------------------------
sql("UPDATE calls SET status = 'completed' WHERE tenant_id = '$tenant'");
sql("UPDATE tenants SET max_concurrent_calls = 10 WHERE id = '$tenant'");
$carrier->reset;
my @pids;
for my $i (1 .. 50) {
    my $pid = fork // die;
    if ($pid == 0) {
        my (undef, $out) = $s->voxline('call', 'place', '--tenant', $tenant, '--agent', $agent, '--to', sprintf('+1555700%04d', $i));
        open my $f, '>', "$tmp/out.$i";
        print $f $out;
        close $f;
        POSIX::_exit(0);
    }
    push @pids, $pid;
}
waitpid $_, 0 for @pids;
my %outcome;
for my $i (1 .. 50) {
    open my $f, '<', "$tmp/out.$i";
    my $o = do { local $/; <$f> } // '';
    $outcome{ $o =~ /^placed /m ? 'placed' : $o =~ /^error (\w+)/m ? $1 : "other: $o" }++;
}
diag(join ',', %outcome) unless ($outcome{placed} // 0) == 10;
is($outcome{placed}, 10, '50 concurrent placements for 10 slots: exactly 10 placed');
is($outcome{tenant_call_cap}, 40, 'the other 40 refused with tenant_call_cap');
my @placed = $carrier->placed;
is(scalar @placed, 10, 'the carrier was asked exactly 10 times, with valid auth and parameters');
is(sql("SELECT count(*) FROM calls WHERE direction = 'outbound' AND status = 'queued' AND carrier_call_sid LIKE 'CA%'"), 10,
    'ten queued outbound rows carry the carrier call sid');

# Outbound answer: the carrier fetches the answer URL with our call id.
my ($osid, $ourl) = @{ $placed[0] }{qw(sid url)};
my ($opath) = $ourl =~ m{^\Q$PUBLIC\E(/.*)$};
$r = twilio_post($opath, call_params($osid, '+15557000001', Direction => 'outbound-api'));
like($r->{content}, qr{<Connect><Stream url="wss://voice\.example\.test/media/twilio">}, 'answered outbound call connects the stream');
my ($oid) = $opath =~ /call_id=([0-9a-f-]+)/;
is(sql("SELECT status || ' ' || answer FROM calls WHERE id = '$oid'"), 'in_progress stream', 'outbound call in progress');

# Platform cap (calls_max_concurrent) and carrier errors.
sql("UPDATE tenants SET max_concurrent_calls = 100 WHERE id = '$tenant'");
{
    local $s->{env}{VOXLINE_CALLS_MAX_CONCURRENT} = 11;
    my ($rc1, $o1) = $s->voxline('call', 'place', '--tenant', $tenant, '--agent', $agent, '--to', '+15557100001');
    my ($rc2, $o2) = $s->voxline('call', 'place', '--tenant', $tenant, '--agent', $agent, '--to', '+15557100002');
    like($o1, qr/^placed /m, 'platform cap: one slot left is taken');
    like($o2, qr/^error platform_call_cap/m, 'platform cap: then refused');
}
{
    local $s->{env}{VOXLINE_TWILIO_AUTH_TOKEN} = 'wrong';
    my ($rc, $o) = $s->voxline('call', 'place', '--tenant', $tenant, '--agent', $agent, '--to', '+15557200001');
    like($o, qr/^error carrier_auth_failed: HTTP 401 20003 Authenticate/m, 'carrier refusing our credentials: carrier_auth_failed');
    is(sql("SELECT status || ' ' || end_reason FROM calls WHERE to_number = '+15557200001'"), 'failed carrier_auth_failed',
        'the failed placement frees its slot (row marked failed)');
}
my ($rc, $o) = $s->voxline('call', 'place', '--tenant', $other, '--agent', $agent, '--to', '+15557300001');
like($o, qr/^error agent_not_found/m, "another tenant cannot place calls with this tenant's agent");
$r = $s->post_json('/api/v1/calls', { agent_id => $agent, to => '+15557300002' });
is($r->{status}, 401, 'POST /api/v1/calls needs authentication');

done_testing();
