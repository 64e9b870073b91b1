#!/usr/bin/env perl
# The telephony API as integrators use it, with real API keys through
# nginx: placing a call (POST /api/v1/calls), campaigns (create, CSV
# targets with their validation report, start, pause, resume, cancel,
# progress), and recording playback with ranges.  Another tenant's key
# gets 404 on every one of these objects, and a read key cannot act.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(sleep);
use JSON::PP;
use Stack;
use People;
use FakeCarrier;

my $PUBLIC = 'https://voice.example.test';
my ($SID, $TOKEN) = ('ACapi00000000000000000000000000000', 'api-token');
my $wav = "RIFF\x24\x10\x00\x00WAVEfmt " . ("\x00" x 28) . 'data' . join('', map { chr($_ % 251) } 1 .. 4096);
my $RSID = 'RE' . ('f' x 32);
my $carrier = FakeCarrier->new(twilio => [$SID, $TOKEN], public_url => $PUBLIC, audio => { $RSID => $wav });
my $s = Stack->new(env => { VOXLINE_PUBLIC_URL => $PUBLIC, VOXLINE_TWILIO_ACCOUNT_SID => $SID,
    VOXLINE_TWILIO_AUTH_TOKEN => $TOKEN, VOXLINE_TWILIO_API_BASE => $carrier->base,
    VOXLINE_NGINX_RATE_API => '1000r/s', VOXLINE_NGINX_BURST_API => '1000' });
my $people = People->new($s);
sub sql { my ($q) = @_; return $people->platform($q) =~ s/^SET\n?//r }

my $acme = $people->tenant('acme');
my $other = $people->tenant('other');
my $write = $people->api_key($acme, 'write');
my $read = $people->api_key($acme, 'read');
my $intruder = $people->api_key($other, 'write');
my $agent = sql("INSERT INTO agents (tenant_id, name, status) VALUES ('$acme', 'Sales', 'live') RETURNING id");
sql("INSERT INTO phone_numbers (tenant_id, agent_id, e164, carrier) VALUES ('$acme', '$agent', '+15550009000', 'twilio')");

sub call_api {
    my ($key, $method, $path, $body) = @_;
    my %h = (Authorization => $key->{bearer}, Accept => 'application/json');
    return $s->request($method, $path, headers => \%h) unless defined $body;
    return $s->post_json($path, $body, headers => \%h);
}
sub code { $_[0]{json} ? $_[0]{json}{error}{code} // '' : "HTTP $_[0]{status}" }

# --- POST /api/v1/calls -------------------------------------------------------
my $r = call_api($write, 'POST', '/api/v1/calls', { agent_id => $agent, to => '+15557770001',
    variables => { name => 'Ann', order => 'A-17' } });
is($r->{status}, 201, 'POST /api/v1/calls with a write key: 201');
my $call = $r->{json}{call};
my ($placed) = $carrier->placed;
is($call->{carrier_call_sid}, $placed->{sid}, "the call carries the carrier's sid");
is("$call->{status} $call->{direction} $call->{to} $call->{from}", 'queued outbound +15557770001 +15550009000',
    'queued, outbound, to the destination, from the agent\'s number');
is_deeply($call->{variables}, { name => 'Ann', order => 'A-17' }, 'prompt variables kept');
is($r->{headers}{location}, "/api/v1/calls/$call->{id}", 'Location of the new call');
is($placed->{url}, "$PUBLIC/webhooks/twilio/voice?call_id=$call->{id}", 'the carrier fetches the answer for this call');
is(call_api($write, 'GET', "/api/v1/calls/$call->{id}")->{json}{call}{id}, $call->{id}, 'the call can be read back');

$r = call_api($read, 'POST', '/api/v1/calls', { agent_id => $agent, to => '+15557770002' });
is(code($r), 'forbidden', 'a read key cannot place calls');
$r = call_api($write, 'POST', '/api/v1/calls', { agent_id => $agent, to => '5557770002' });
is($r->{status} . ' ' . code($r), '400 validation_failed', 'a destination that is not E.164: 400');
ok($r->{json}{error}{fields}{to}, 'with the field named');
$r = call_api($intruder, 'POST', '/api/v1/calls', { agent_id => $agent, to => '+15557770003' });
is($r->{status} . ' ' . code($r), '404 agent_not_found', "another tenant's key cannot use this agent: 404");
is(call_api($intruder, 'GET', "/api/v1/calls/$call->{id}")->{status}, 404, "another tenant's key cannot see the call: 404");
is(scalar(() = $carrier->placed), 1, 'refused requests never reached the carrier');

# --- Campaigns ---------------------------------------------------------------
# A weekday three days from now: the worker will not dial during the test.
my $day = (((gmtime)[6] + 6) % 7 + 3) % 7 + 1;
$r = call_api($write, 'POST', '/api/v1/campaigns', { name => 'Spring renewals', agent_id => $agent,
    window_start => '09:00', window_end => '17:30', window_days => [$day], max_concurrency => 3,
    retry_on => ['busy', 'no_answer'], max_attempts => 2, retry_delay_seconds => 600 });
is($r->{status}, 201, 'campaign created: 201');
my $camp = $r->{json}{campaign};
is("$camp->{status} $camp->{window_start}-$camp->{window_end} $camp->{max_concurrency} $camp->{max_attempts} $camp->{retry_delay_seconds}",
    'draft 09:00-17:30 3 2 600', 'as asked: draft, window, concurrency, retry policy');
is_deeply($camp->{retry_on}, ['busy', 'no_answer'], 'retried on busy and no answer');
is($r->{headers}{location}, "/api/v1/campaigns/$camp->{id}", 'Location of the campaign');
my $cid = $camp->{id};

my $csv = "phone,name,plan\n+15558880001,Ann,gold\nnot-a-number,Bob,silver\n+15558880002,\"Smith, Jr\",\"say \"\"hi\"\"\"\n"
    . "+15558880001,Ann again,gold\n+15558880003,Cy\n+15558880004,Di,bronze\n";
$r = call_api($write, 'POST', "/api/v1/campaigns/$cid/targets", { csv => $csv });
is($r->{status}, 200, 'CSV targets uploaded');
my $rep = $r->{json}{report};
is("$rep->{accepted} $rep->{already_present} $rep->{rejected_count}", '3 0 3', 'report: 3 accepted, 3 rejected');
is_deeply([ map { "$_->{line}: $_->{reason}" } @{ $rep->{rejected} } ],
    ['3: phone is not an E.164 number (+15551234567).', '5: Duplicate phone number.', '6: Wrong number of columns.'],
    'each rejected row with its line and reason');
is(sql("SELECT variables->>'name' || '|' || (variables->>'plan') FROM campaign_targets WHERE campaign_id = '$cid' AND phone = '+15558880002'"),
    'Smith, Jr|say "hi"', 'quoted fields and columns become prompt variables');
$r = call_api($write, 'POST', "/api/v1/campaigns/$cid/targets", { csv => "phone\n+15558880001\n+15558880005\n" });
is("$r->{json}{report}{accepted} $r->{json}{report}{already_present}", '1 1', 'a second upload adds only new numbers');
$r = call_api($write, 'POST', "/api/v1/campaigns/$cid/targets", { csv => "name\nAnn\n" });
is($r->{status} . ' ' . code($r), '400 validation_failed', 'a file without a phone column: 400');

my $progress = sub { my $c = call_api($write, 'GET', "/api/v1/campaigns/$cid")->{json}{campaign}; ($c->{status}, $c->{progress}) };
my ($st, $p) = $progress->();
is("$st $p->{total} $p->{pending} $p->{calling} $p->{done} $p->{failed} $p->{cancelled}", 'draft 4 4 0 0 0 0',
    'progress: four targets pending');
is(code(call_api($read, 'GET', "/api/v1/campaigns/$cid")), 'forbidden', 'campaigns need a write key');

is(call_api($write, 'POST', "/api/v1/campaigns/$cid/start", {})->{json}{campaign}{status}, 'running', 'start: running');
is(call_api($write, 'POST', "/api/v1/campaigns/$cid/pause", {})->{json}{campaign}{status}, 'paused', 'pause: paused');
$r = call_api($write, 'POST', "/api/v1/campaigns/$cid/pause", {});
is($r->{status} . ' ' . code($r), '409 campaign_state', 'pausing a paused campaign: 409');
is(call_api($write, 'POST', "/api/v1/campaigns/$cid/resume", {})->{json}{campaign}{status}, 'running', 'resume: running');
is(code(call_api($read, 'POST', "/api/v1/campaigns/$cid/pause", {})), 'forbidden', 'a read key cannot pause');

# Another tenant: every campaign object is 404, and nothing changes.
for my $t (['GET', ''], ['POST', '/pause'], ['POST', '/resume'], ['POST', '/cancel'], ['POST', '/start'], ['POST', '/targets']) {
    my ($m, $suffix) = @$t;
    $r = call_api($intruder, $m, "/api/v1/campaigns/$cid$suffix", $m eq 'POST' ? ($suffix eq '/targets' ? { csv => "phone\n+15558880009\n" } : {}) : undef);
    is($r->{status} . ' ' . code($r), '404 campaign_not_found', "another tenant's key: $m /api/v1/campaigns/{id}$suffix is 404");
}
$r = call_api($intruder, 'POST', '/api/v1/campaigns', { name => 'Theirs', agent_id => $agent });
is($r->{status} . ' ' . code($r), '404 agent_not_found', "another tenant cannot make a campaign with this agent");
($st, $p) = $progress->();
is("$st $p->{total}", 'running 4', "the other tenant changed nothing");

$r = call_api($write, 'POST', "/api/v1/campaigns/$cid/cancel", {});
is($r->{json}{campaign}{status}, 'cancelled', 'cancel: cancelled');
is($r->{json}{campaign}{progress}{cancelled}, 4, 'pending targets are cancelled with it');
is(code(call_api($write, 'POST', "/api/v1/campaigns/$cid/resume", {})), 'campaign_state', 'a cancelled campaign cannot resume');
is(code(call_api($write, 'POST', "/api/v1/campaigns/$cid/targets", { csv => "phone\n+15558880010\n" })), 'campaign_not_found',
    'nor take new targets');
is(scalar(() = $carrier->placed), 1, 'the campaign outside its window dialled no one');

# --- Recording playback (local storage) -----------------------------------------
my $csid = $placed->{sid};
$r = $carrier->twilio_webhook($s, '/webhooks/twilio/recording', AccountSid => $SID, CallSid => $csid,
    RecordingSid => $RSID, RecordingUrl => $carrier->base . "/2010-04-01/Accounts/$SID/Recordings/$RSID",
    RecordingStatus => 'completed', RecordingDuration => 3, RecordingChannels => 1);
is($r->{status}, 204, 'recording callback for the placed call');
my $rec;
for (1 .. 100) { $rec = sql("SELECT id FROM recordings WHERE carrier_recording_sid = '$RSID' AND status = 'stored'"); last if $rec; sleep 0.2 }
ok($rec, 'recording stored');
$r = $s->get("/api/v1/recordings/$rec/audio", headers => { Authorization => $read->{bearer}, Range => 'bytes=100-199' });
is($r->{status}, 206, 'playback with an API key and a range: 206');
ok($r->{content} eq substr($wav, 100, 100), 'the bytes of the range');
is($r->{headers}{'content-range'}, 'bytes 100-199/' . length($wav), 'Content-Range');
$r = $s->get("/api/v1/recordings/$rec/audio", headers => { Authorization => $read->{bearer} });
ok($r->{status} == 200 && $r->{content} eq $wav, 'the whole recording');
is($s->get("/api/v1/recordings/$rec/audio", headers => { Authorization => $intruder->{bearer}, Range => 'bytes=0-9' })->{status},
    404, "another tenant's key: 404");
my $revoked = $people->api_key($acme, 'read', revoked => 1);
is($s->get("/api/v1/recordings/$rec/audio", headers => { Authorization => $revoked->{bearer} })->{status}, 401,
    'a revoked key: 401');

done_testing();
