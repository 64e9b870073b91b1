#!/usr/bin/env perl
# Provider credentials in the portal (platform and per tenant) through
# nginx: stored sealed, never shown or logged again, isolated per tenant;
# "test connection" against the local provider server; the AssemblyAI
# post-call transcript round trip with its authenticated webhook; the
# Quality page's provider health panel.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Stack;
use People;
use ProviderServer;
use FakeCarrier;
use File::Temp qw(tempdir);

# A 3-second recording the carrier serves (8 kHz mu-law WAV).
my $tmp = tempdir(CLEANUP => 1);
system('sox', '-q', '-n', '-r', '8000', '-c', '1', '-e', 'mu-law', "$tmp/rec.wav", 'synth', '3', 'sine', '440') == 0
    or die 'sox';
my $wav = do { open(my $f, '<:raw', "$tmp/rec.wav") or die; local $/; <$f> };
my ($SID, $TOKEN) = ('ACtest0000000000000000000000000000', 'twilio-auth-token');
my $carrier = FakeCarrier->new(twilio => [$SID, $TOKEN], public_url => 'http://unused.test', audio => $wav);
my $s = Stack->new(env => { VOXLINE_MEDIA_PRICES => 'assemblyai:audio_second=0.0001',
    VOXLINE_TWILIO_ACCOUNT_SID => $SID, VOXLINE_TWILIO_AUTH_TOKEN => $TOKEN,
    VOXLINE_TWILIO_API_BASE => $carrier->base });
my $ps = ProviderServer->new;
my $pp = People->new($s);
my $sql = sub { $pp->platform($_[0]) };

my $super = $pp->user('ops@example.com', superadmin => 1);
my $acme = $pp->tenant('acme', 'pro');
my $other = $pp->tenant('other', 'pro');
my $basic = $pp->tenant('basic', 'base');
my $owner = $pp->user('owner@acme.test', tenant => 'acme', role => 'owner');
my $rival = $pp->user('owner@other.test', tenant => 'other', role => 'owner');
my $small = $pp->user('owner@basic.test', tenant => 'basic', role => 'owner');
my $ops = $pp->session($super, undef);
my $own = $pp->session($owner, $acme);
my $riv = $pp->session($rival, $other);
my $bas = $pp->session($small, $basic);

sub form {
    my (%f) = @_;
    return join '&', map { my $v = $f{$_}; $v =~ s/([^A-Za-z0-9_.~-])/sprintf '%%%02X', ord $1/ge; "$_=$v" } sort keys %f;
}
sub post {
    my ($sess, $path, %f) = @_;
    return $s->request('POST', $path, headers => { Cookie => $sess->{cookie},
        'Content-Type' => 'application/x-www-form-urlencoded' }, content => form(csrf_token => $sess->{csrf}, %f));
}
sub page { my ($sess, $path) = @_; return $s->get($path, headers => { Cookie => $sess->{cookie} }) }
sub audit_text { return $sql->("SELECT coalesce(string_agg(action || ' ' || coalesce(before::text, '') || ' '"
    . " || coalesce(after::text, ''), E'\\n'), '') FROM audit_log WHERE target_type = 'provider_credential'") }

# ---- Platform credentials ------------------------------------------------
my $secret = 'sk-platform-' . join('', map { ('a'..'z')[rand 26] } 1 .. 24) . 'WXYZ';
my $r = $s->request('POST', '/admin/providers', headers => { Cookie => $ops->{cookie},
    'Content-Type' => 'application/x-www-form-urlencoded' }, content => form(provider => 'openai', secret => $secret));
is($r->{status}, 403, 'a form without the CSRF token is refused');
is($sql->("SELECT count(*) FROM provider_credentials"), 0, 'and stores nothing');

$r = post($ops, '/admin/providers', provider => 'openai', secret => $secret, base_url => 'http://example.com/v1');
is($r->{status}, 400, 'a remote http:// base URL is refused');
like($r->{content}, qr/field-error[^>]*>[^<]*https:\/\//, 'with the reason next to the field');
unlike($r->{content}, qr/\Q$secret\E/, 'the form sent back does not hold the key');
$r = post($ops, '/admin/providers', provider => 'openai_compatible', secret => $secret);
is($r->{status}, 400, 'a self-hosted server needs its URL');
$r = post($ops, '/admin/providers', provider => 'espeak-ng', secret => $secret);
is($r->{status}, 400, 'local engines take no credentials');
$r = post($ops, '/admin/providers', provider => 'openai', secret => 'short');
is($r->{status}, 400, 'a key of fewer than 8 characters is refused');

$r = post($ops, '/admin/providers', provider => 'openai', secret => $secret);
is($r->{status}, 303, 'platform OpenAI key stored');
my ($pid) = ($r->{headers}{location} // '') =~ m{^/admin/providers/([0-9a-f-]{36})$};
ok($pid, 'and the browser goes to its page');
my $sealed = $sql->("SELECT secret_sealed FROM provider_credentials WHERE id = '$pid'");
like($sealed, qr/^v1:[A-Za-z0-9+\/]+=*$/, 'stored sealed (v1: base64)');
unlike($sealed, qr/\Q$secret\E|WXYZ/, 'the column does not hold the plaintext');
is($sql->("SELECT secret_hint || '|' || (tenant_id IS NULL)::text FROM provider_credentials WHERE id = '$pid'"),
   'WXYZ|true', 'hint is the last 4 characters; a platform row');

$r = page($ops, "/admin/providers/$pid");
is($r->{status}, 200, 'its page opens');
like($r->{content}, qr/WXYZ/, 'showing the last 4 characters');
like($r->{content}, qr{https://api\.openai\.com/v1}, 'and the default base URL');
unlike($r->{content}, qr/\Q$secret\E/, 'never the key');
$r = page($ops, '/admin/providers');
unlike($r->{content}, qr/\Q$secret\E/, 'nor the list');
$r = $s->get("/admin/providers/$pid", headers => { Cookie => $ops->{cookie}, Accept => 'application/json' });
unlike($r->{content} // '', qr/\Q$secret\E/, 'nor a JSON answer');

# The CLI sees it, by hint only, and lookup opens it (test connection below).
my ($rc, $out) = $s->voxline('provider', 'list');
like($out, qr/openai\s+\(platform\)\s+https:\/\/api\.openai\.com\/v1\s+\.\.\.WXYZ/, 'voxline provider list shows it');
unlike($out, qr/\Q$secret\E/, 'without the key');

# ---- Test connection -------------------------------------------------------
$r = post($ops, "/admin/providers/$pid", base_url => $ps->base_url('openai'), secret => $ps->key('openai'));
is($r->{status}, 303, 'key and base URL replaced (loopback http:// accepted)');
$r = post($ops, "/admin/providers/$pid/test");
is($r->{status}, 303, 'test connection runs');
is($sql->("SELECT last_test_ok::text || ' ' || last_test_detail FROM provider_credentials WHERE id = '$pid'"),
   'true HTTP 200', 'success recorded');
my $probe = (grep { $_->{path} eq '/models' } @{ $ps->requests('openai') })[-1];
is($probe->{auth}{authorization}, 'Bearer ' . $ps->key('openai'), 'the provider got its own bearer key');
like(page($ops, "/admin/providers/$pid")->{content}, qr/badge-ok/, 'the page shows the test passed');

$r = post($ops, "/admin/providers/$pid", base_url => $ps->base_url('openai'), secret => 'sk-wrong-key-0000');
$r = post($ops, "/admin/providers/$pid/test");
like($sql->("SELECT last_test_ok::text || ' ' || last_test_detail FROM provider_credentials WHERE id = '$pid'"),
     qr/^false provider_auth_failed: HTTP 401/, 'a refused key: provider_auth_failed');
my $html = page($ops, "/admin/providers/$pid")->{content};
like($html, qr/provider_auth_failed/, 'shown with its code');
like($html, qr/class="test-message">The provider refused the credentials\.</, 'led by what it means');
unlike($html, qr/sk-wrong-key-0000/, 'without the key');

$r = post($ops, "/admin/providers/$pid", base_url => 'http://127.0.0.1:1/v1', secret => '');
is($sql->("SELECT secret_hint FROM provider_credentials WHERE id = '$pid'"), '0000', 'an empty key field keeps the stored key');
$r = post($ops, "/admin/providers/$pid/test");
like($sql->("SELECT last_test_ok::text || ' ' || last_test_detail FROM provider_credentials WHERE id = '$pid'"),
     qr/^false provider_unreachable: /, 'nothing listening: provider_unreachable');

$ps->fault('openai', type => 'status', status => 500, count => 1);
post($ops, "/admin/providers/$pid", base_url => $ps->base_url('openai'), secret => $ps->key('openai'));
post($ops, "/admin/providers/$pid/test");
like($sql->("SELECT last_test_ok::text || ' ' || last_test_detail FROM provider_credentials WHERE id = '$pid'"),
     qr/^false provider_bad_response: HTTP 500/, 'a server error: provider_bad_response');

# ---- Tenant credentials ------------------------------------------------------
my $tsecret = 'tenant-key-' . join('', map { ('a'..'z')[rand 26] } 1 .. 20) . 'T9T9';
$r = post($bas, '/admin/provider-keys', provider => 'deepgram', secret => $tsecret);
is($r->{status}, 403, 'a base-plan tenant cannot store keys (plan gate)');
$r = post($own, '/admin/provider-keys', provider => 'deepgram', secret => $tsecret,
    base_url => $ps->base_url('deepgram'));
is($r->{status}, 303, 'a pro tenant owner stores a Deepgram key');
my ($tid) = ($r->{headers}{location} // '') =~ m{^/admin/provider-keys/([0-9a-f-]{36})$};
ok($tid, 'on its own page');
is($sql->("SELECT tenant_id FROM provider_credentials WHERE id = '$tid'"), $acme, 'owned by the tenant');
unlike(page($own, '/admin/provider-keys')->{content}, qr/sk-platform|WXYZ|\Q$ps->{port}\E\/openai/,
       'the tenant does not see the platform credentials');
is(page($riv, "/admin/provider-keys/$tid")->{status}, 404, "another tenant's owner gets 404 for the page");
is(post($riv, "/admin/provider-keys/$tid", secret => 'stolen-key-123456')->{status}, 404, '... for a change');
is(post($riv, "/admin/provider-keys/$tid/delete")->{status}, 404, '... for a delete');
is(post($riv, "/admin/provider-keys/$tid/test")->{status}, 404, '... and for a test');
is(page($ops, "/admin/providers/$tid")->{status}, 404, 'the platform pages do not reach tenant rows either');
is($sql->("SELECT secret_hint FROM provider_credentials WHERE id = '$tid'"), 'T9T9', 'the key is unchanged');

$ps->set_key('deepgram', $tsecret);
post($own, "/admin/provider-keys/$tid/test");
is($sql->("SELECT last_test_ok::text FROM provider_credentials WHERE id = '$tid'"), 'true',
   'tenant test connection (Deepgram Token auth) succeeds');

is(post($own, "/admin/provider-keys/$tid/delete")->{status}, 303, 'the owner deletes it');
is($sql->("SELECT count(*) FROM provider_credentials WHERE id = '$tid'"), 0, 'gone');

# ---- The same over the JSON API ---------------------------------------------------
my $key = $pp->api_key($acme, 'write');
my $rkey = $pp->api_key($other, 'write');
my $esecret = 'el-' . join('', map { ('a'..'z')[rand 26] } 1 .. 30) . 'E1E1';
$ps->set_key('elevenlabs', $esecret);
$r = $s->post_json('/api/v1/provider-credentials/elevenlabs', { secret => 'x' },
    headers => People::headers($key, 'POST'));
is($r->{status}, 400, 'API: a short key is refused');
is($r->{json}{error}{code}, 'validation_failed', 'with the standard error');
ok($r->{json}{error}{fields}{secret} // $r->{json}{error}{details}{secret} // ($r->{content} =~ /secret/),
   'naming the field');
$r = $s->post_json('/api/v1/provider-credentials/elevenlabs', { secret => $esecret, base_url => $ps->base_url('elevenlabs') },
    headers => People::headers($key, 'POST'));
is($r->{status}, 201, 'API: a tenant API key stores an ElevenLabs key');
is($r->{json}{secret_hint}, 'E1E1', 'the answer shows the last 4 characters');
unlike($r->{content}, qr/\Q$esecret\E/, 'and never the key');
$r = $s->post_json('/api/v1/provider-credentials/espeak-ng', { secret => $esecret }, headers => People::headers($key, 'POST'));
is($r->{status}, 404, 'API: local engines have no credentials');
$r = $s->post_json('/api/v1/provider-credentials/elevenlabs/test', {}, headers => People::headers($key, 'POST'));
ok($r->{status} == 200 && $r->{json}{ok}, 'API: test connection (xi-api-key) succeeds') or diag $r->{content};
$r = $s->get('/api/v1/provider-credentials', headers => People::headers($key, 'GET'));
is_deeply([ map { "$_->{provider} $_->{secret_hint}" } @{ $r->{json}{credentials} } ], ['elevenlabs E1E1'],
   "API: the tenant's list");
ok($r->{json}{credentials}[0]{last_test_ok}, 'with the test result');
unlike($r->{content}, qr/\Q$esecret\E|sealed|v1:/, 'holding neither the key nor its sealed form');
$r = $s->get('/api/v1/provider-credentials', headers => People::headers($rkey, 'GET'));
is_deeply($r->{json}{credentials}, [], "another tenant's key sees none of it");
$r = $s->request('DELETE', '/api/v1/provider-credentials/elevenlabs', headers => People::headers($rkey, 'DELETE'));
is($r->{status}, 404, "and cannot delete it");
$r = $s->post_json('/api/v1/provider-credentials/elevenlabs', { base_url => 'https://api.elevenlabs.io' },
    headers => People::headers($key, 'POST'));
is($r->{status}, 200, 'API: only the base URL changed, the key kept');
is($sql->("SELECT secret_hint || ' ' || base_url FROM provider_credentials WHERE tenant_id = '$acme' AND provider = 'elevenlabs'"),
   'E1E1 https://api.elevenlabs.io', 'stored so');
$r = $s->post_json('/api/v1/provider-credentials/cartesia', { base_url => 'https://api.cartesia.ai' },
    headers => People::headers($key, 'POST'));
is($r->{status}, 400, 'API: a new credential without a key is refused');
$r = $s->get('/api/v1/platform/provider-credentials', headers => People::headers($ops, 'GET'));
is_deeply([ map { $_->{provider} } @{ $r->{json}{credentials} } ], ['openai'], 'API: the platform list (superadmin)');
unlike($r->{content}, qr/\Q$secret\E|test-key-openai/, 'without keys');
is($s->get('/api/v1/platform/provider-credentials', headers => People::headers($key, 'GET'))->{status}, 403,
   'a tenant API key cannot read the platform credentials');
$r = $s->request('DELETE', '/api/v1/provider-credentials/elevenlabs', headers => People::headers($key, 'DELETE'));
is($r->{status}, 200, 'API: the tenant deletes its key');
unlike(audit_text(), qr/\Q$esecret\E/, 'the audit log never held it');

# A sealed value moved to another row does not open there.
$r = post($own, '/admin/provider-keys', provider => 'groq', secret => 'gsk-moved-row-0000', base_url => $ps->base_url('groq'));
my ($gid) = ($r->{headers}{location} // '') =~ m{([0-9a-f-]{36})$};
$sql->("UPDATE provider_credentials SET secret_sealed = (SELECT secret_sealed FROM provider_credentials WHERE id = '$pid')"
    . " WHERE id = '$gid'");
$r = $s->request('POST', "/admin/provider-keys/$gid/test", headers => { Cookie => $own->{cookie},
    'Content-Type' => 'application/x-www-form-urlencoded', Accept => 'application/json' },
    content => form(csrf_token => $own->{csrf}));
is($r->{status}, 500, "the platform's sealed key copied into a tenant row does not open");
is($r->{json}{error}{code}, 'provider_credential_unreadable', 'with its code');
is(scalar(grep { $_->{provider} eq 'groq' } @{ $ps->requests }), 0, 'and nothing was sent to the provider');
post($own, "/admin/provider-keys/$gid/delete");

my $audit = audit_text();
like($audit, qr/provider_credential\.created/, 'creation audited');
like($audit, qr/provider_credential\.updated/, 'changes audited');
like($audit, qr/provider_credential\.tested/, 'tests audited');
like($audit, qr/provider_credential\.deleted/, 'deletion audited');
unlike($audit, qr/\Q$secret\E|\Q$tsecret\E|sk-wrong-key|test-key-openai/, 'the audit log never holds a key');
unlike($s->log_text('web.log'), qr/\Q$secret\E|\Q$tsecret\E/, 'nor the web log');

# ---- AssemblyAI post-call transcript ----------------------------------------------
my $env = $s->env_sh;
my $ak = $ps->key('assemblyai');
my $base = $ps->base_url('assemblyai');
$out = `$env printf '%s\\n' '$ak' | "\$ROOT/voxline" provider set assemblyai --base-url '$base' 2>&1`;
is($?, 0, 'voxline provider set reads the AssemblyAI key from stdin') or diag $out;

my $agent = $sql->("INSERT INTO agents (tenant_id, name, modulations) VALUES ('$acme', 'Desk',"
    . " '{\"transcription\": true}') RETURNING id");
my $plain = $sql->("INSERT INTO agents (tenant_id, name) VALUES ('$acme', 'Plain') RETURNING id");
my $n = 0;
# A finished call of agent $a whose recording the worker downloads from the carrier.
sub recorded_call {
    my ($a) = @_;
    $n++;
    my $c = $sql->("INSERT INTO calls (tenant_id, agent_id, carrier, carrier_call_sid, status)"
        . " VALUES ('$acme', '$a', 'twilio', 'CAtranscript$n', 'completed') RETURNING id");
    my $rsid = 'RE' . ($n x 32);
    my $rec = $sql->("INSERT INTO recordings (tenant_id, call_id, carrier_recording_sid)"
        . " VALUES ('$acme', '$c', '$rsid') RETURNING id");
    my $url = $carrier->base . "/2010-04-01/Accounts/$SID/Recordings/$rsid";
    $sql->("INSERT INTO jobs (queue, payload) VALUES ('recording_download', '{\"tenant_id\": \"$acme\","
        . " \"recording_id\": \"$rec\", \"carrier\": \"twilio\", \"url\": \"$url\"}')");
    return ($c, $rec);
}
my ($quiet, $quiet_rec) = recorded_call($plain);
my ($call, $rec) = recorded_call($agent);

my $run = '';
for (1 .. 100) {
    $run = $sql->("SELECT status || ' ' || coalesce(audio_seconds::text, '') || ' ' || cost::text"
        . " FROM call_ai_runs WHERE call_id = '$call'");
    last if $run =~ /^(completed|failed)/;
    select(undef, undef, undef, 0.1);
}
is($run, 'completed 3.000 0.000300', 'the transcript is stored as an AI run with 3 audio seconds and their cost');
is($sql->("SELECT result->>'text' FROM call_ai_runs WHERE call_id = '$call'"),
   'Hello, I would like to book a cleaning next week.', 'with the text AssemblyAI returned');
is($sql->("SELECT cost_stt::text FROM calls WHERE id = '$call'"), '0.000300', "added to the call's speech-to-text cost");
is($sql->("SELECT status FROM recordings WHERE id = '$quiet_rec'"), 'stored', "the other agent's recording is stored too");
is($sql->("SELECT count(*) FROM call_ai_runs WHERE call_id = '$quiet'") . ' '
   . $sql->("SELECT count(*) FROM jobs WHERE queue = 'transcript_submit' AND payload->>'recording_id' = '$quiet_rec'"),
   '0 0', 'but an agent without the transcription modulation gets no transcript');
my @sub = grep { $_->{path} eq '/v2/transcript' && $_->{method} eq 'POST' } @{ $ps->requests('assemblyai') };
is(scalar @sub, 1, 'submitted once');
my $sb = $sub[0]{body};
is($sub[0]{auth}{authorization}, $ak, 'with the raw key as authorization');
my $run_id = $sql->("SELECT id FROM call_ai_runs WHERE call_id = '$call'");
is($sb->{webhook_url}, $s->url("/webhooks/assemblyai/$run_id"), 'webhook at our public URL for this run');
is($sb->{webhook_auth_header_name}, 'X-Voxline-Webhook-Secret', 'with the auth header name');
ok(length($sb->{webhook_auth_header_value} // '') >= 32, 'and a per-run secret value');
is_deeply([ map { $_->{status} } @{ $ps->webhook_deliveries } ], [200], 'the webhook was accepted');
unlike($sql->("SELECT row_to_json(r)::text FROM call_ai_runs r WHERE id = '$run_id'"),
       qr/\Q$sb->{webhook_auth_header_value}\E/, 'the webhook secret itself is not stored');

my $hook = "/webhooks/assemblyai/$run_id";
my $tr_id = $sql->("SELECT external_id FROM call_ai_runs WHERE id = '$run_id'");
my $body = qq({"transcript_id":"$tr_id","status":"completed"});
$r = $s->request('POST', $hook, headers => { 'Content-Type' => 'application/json',
    'X-Voxline-Webhook-Secret' => 'forged-secret-forged-secret-forged' }, content => $body);
is($r->{status}, 403, 'a forged webhook is refused');
is($r->{json}{error}{code}, 'provider_webhook_refused', 'with its code');
$r = $s->request('POST', $hook, headers => { 'Content-Type' => 'application/json' }, content => $body);
is($r->{status}, 403, 'a webhook without the header is refused');
$r = $s->request('POST', '/webhooks/assemblyai/00000000-0000-4000-8000-000000000000', headers => {
    'Content-Type' => 'application/json', 'X-Voxline-Webhook-Secret' => $sb->{webhook_auth_header_value} }, content => $body);
is($r->{status}, 403, "another run's id with this secret is refused");
$r = $s->request('POST', $hook, headers => { 'Content-Type' => 'application/json',
    'X-Voxline-Webhook-Secret' => $sb->{webhook_auth_header_value} }, content => $body);
is($r->{status}, 200, 'a repeated genuine delivery is accepted');
sleep 1;
is($sql->("SELECT cost_stt::text FROM calls WHERE id = '$call'"), '0.000300', 'and changes nothing (cost counted once)');
is(scalar(grep { $_->{method} eq 'GET' && $_->{path} =~ m{^/v2/transcript/} } @{ $ps->requests('assemblyai') }), 1,
   'the transcript was fetched once');

# An AssemblyAI error becomes a system error with the call id.
$ps->assemblyai_result(error => 'Audio file is too short.');
my ($call2) = recorded_call($agent);
for (1 .. 100) {
    $run = $sql->("SELECT status FROM call_ai_runs WHERE call_id = '$call2'");
    last if $run =~ /^(completed|failed)/;
    select(undef, undef, undef, 0.1);
}
is($run, 'failed', 'a transcript AssemblyAI could not make: the run fails');
like($sql->("SELECT detail FROM system_error_occurrences WHERE code = 'transcription_failed' AND call_id = '$call2'"),
     qr/Audio file is too short/, 'recorded as a system error with the call id and the reason');
# Quality links the occurrence to the call, in its tenant's dashboard.
my $call2_tenant = $sql->("SELECT tenant_id FROM calls WHERE id = '$call2'");
$html = page($ops, '/admin/quality/errors/transcription_failed')->{content};
my $opens = qr{<form class="call-open" method="post" action="/account/tenant">.*?name="tenant_id" value="$call2_tenant">\s*}s;
like($html, qr{$opens<input type="hidden" name="next" value="/calls/$call2">\s*<button type="submit" class="link-button"[^>]*>$call2</button>},
    "Quality's occurrence opens its call after switching to the call's tenant");
$r = post($ops, '/account/tenant', tenant_id => $call2_tenant, next => "/calls/$call2");
is($r->{status} . ' ' . ($r->{headers}{location} // ''), "303 /calls/$call2", 'the switch leads to the call');
like(page($ops, "/calls/$call2")->{content}, qr/<h1>Call from/, "which the operator sees in the tenant's dashboard");

# ---- Provider health on the Quality page ---------------------------------------------
$sql->("INSERT INTO provider_health (provider, instance, state, consecutive_failures, last_error)"
    . " VALUES ('elevenlabs', 'media1:4242:0', 'closed', 0, NULL), ('openai', 'media1:4242:1', 'closed', 0, NULL)");
$sql->("UPDATE provider_health SET state = 'open', consecutive_failures = 5, last_error = 'first byte after 2500 ms',"
    . " last_transition_at = now() WHERE provider = 'elevenlabs'");
$html = page($ops, '/admin/quality')->{content};
my ($panel) = $html =~ m{<section id="provider-health">(.*?)</section>}s;
ok($panel, 'the Quality page has a provider health panel');
like($panel, qr{<td>elevenlabs</td><td>media1:4242:0</td><td class="breaker-state">open</td><td class="num">5</td><td>first byte after 2500 ms</td>},
     'an open breaker with its failures and last error');
like($panel, qr{<td>openai</td><td>media1:4242:1</td><td class="breaker-state">closed</td>}, 'a closed one');
like($panel, qr{<td>elevenlabs</td><td>media1:4242:0</td><td>closed</td><td>open</td><td>first byte after 2500 ms</td>},
     'the transition closed -> open in the recent transitions');
is(page($own, '/admin/quality')->{status}, 403, 'a tenant owner cannot see the Quality page');

# The local servers stop here, not during global destruction (where
# their waitpid would replace the test's exit status).
undef $carrier;
undef $ps;
done_testing;
