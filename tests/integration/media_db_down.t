#!/usr/bin/env perl
# A call that starts while PostgreSQL is down: the media daemon reads the
# call's row on its worker's loop connection (media/loop_db.c), which
# fails, and the call is hung up at once instead of waiting; once
# PostgreSQL is back the loop connection comes back by itself and calls
# work again, without restarting the daemon.  The stream is opened here
# with a token minted as voxline-web would (the simulator needs the
# database to set a call up).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(sleep time);
use IO::Socket::INET;
use IO::Select;
use JSON::PP;
use MIME::Base64 qw(encode_base64url encode_base64);
use Digest::SHA qw(hmac_sha256);
use Stack;
use Sim;

my $fixtures = "$Stack::ROOT/tests/fixtures/calls";
my $s = Stack->new;
my ($rc, $out) = $s->voxline('demo');
is($rc, 0, 'demo data loaded') or diag $out;

sub secret {
    open(my $f, '<', $s->dir . '/secrets.env') or die "secrets.env: $!";
    while (<$f>) { return $1 if /^VOXLINE_STREAM_TOKEN_SECRET=(.*)$/ }
    die 'no stream token secret';
}

sub mint {
    my (%claims) = @_;
    my $payload = encode_base64url(JSON::PP->new->canonical->encode({ %claims, exp => int(time) + 300 }));
    return $payload . '.' . encode_base64url(hmac_sha256($payload, secret()));
}

sub ws_send {
    my ($sock, $text) = @_;
    my $mask = pack('N', int rand 0xffffffff);
    my $len = length $text;
    my $head = chr(0x81) . ($len < 126 ? chr(0x80 | $len) : chr(0x80 | 126) . pack('n', $len));
    my $masked = $text ^ substr($mask x (int($len / 4) + 1), 0, $len);
    print $sock $head . $mask . $masked;
}

# Opens a Twilio media stream straight to the daemon, sends connected and
# start, and reads until the daemon closes it or $limit seconds pass.
# Returns { closed => seconds until closed (undef if not), frames => n }.
sub stream {
    my ($token, $call_id, $sid, $limit) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => $s->media_addr, Proto => 'tcp', Timeout => 5) or die "connect: $!";
    binmode $sock;
    my $key = encode_base64(join('', map { chr int rand 256 } 1 .. 16), '');
    print $sock "GET /media/twilio HTTP/1.1\r\nHost: " . $s->media_addr . "\r\nUpgrade: websocket\r\n"
        . "Connection: Upgrade\r\nSec-WebSocket-Key: $key\r\nSec-WebSocket-Version: 13\r\n\r\n";
    my $buf = '';
    my $sel = IO::Select->new($sock);
    my $t0 = time;
    while ($buf !~ /\r\n\r\n/ && time - $t0 < 5) {
        $sel->can_read(1) or next;
        sysread($sock, $buf, 4096, length $buf) or last;
    }
    return { error => "no upgrade: $buf" } unless $buf =~ m{^HTTP/1\.1 101};
    $buf =~ s/^.*?\r\n\r\n//s;
    my $stream_sid = 'MZ' . substr($sid, 2);
    ws_send($sock, encode_json({ event => 'connected', protocol => 'Call', version => '1.0.0' }));
    ws_send($sock, encode_json({ event => 'start', sequenceNumber => '1', streamSid => $stream_sid,
        start => { accountSid => 'AC00000000000000000000000000000001', streamSid => $stream_sid, callSid => $sid,
                   tracks => ['inbound'], mediaFormat => { encoding => 'audio/x-mulaw', sampleRate => 8000, channels => 1 },
                   customParameters => { token => $token, call_id => $call_id } } }));
    my $started = time;
    my %r = (frames => 0);
    while (time - $started < $limit) {
        # Complete frames in $buf (server frames are not masked).
        while (length $buf >= 2) {
            my ($b0, $b1) = unpack('CC', $buf);
            my ($len, $off) = ($b1 & 0x7f, 2);
            if ($len == 126) { last if length $buf < 4; $len = unpack('n', substr($buf, 2, 2)); $off = 4 }
            elsif ($len == 127) { last if length $buf < 10; $len = unpack('Q>', substr($buf, 2, 8)); $off = 10 }
            last if length $buf < $off + $len;
            my $op = $b0 & 0x0f;
            $r{frames}++ if $op == 1 && substr($buf, $off, $len) =~ /"event":"media"/;
            if ($op == 8) { $r{closed} //= time - $started }
            substr($buf, 0, $off + $len, '');
        }
        last if defined $r{closed};
        next unless $sel->can_read(0.2);
        my $n = sysread($sock, $buf, 65536, length $buf);
        if (!$n) { $r{closed} //= time - $started; last }
    }
    close $sock;
    return \%r;
}

subtest 'the loop connection against PostgreSQL (tests/integration/drivers/loop_db_check)' => sub {
    open(my $p, '-|', 'sh', '-c', $s->env_sh . ' cd "$ROOT" && exec tests/integration/drivers/loop_db_check 2>&1')
        or die "loop_db_check: $!";
    my (%r, $raw);
    while (my $l = <$p>) { $raw .= $l; $r{$1} = $2 if $l =~ /^(\w+) (\S+)$/ }
    close $p;
    is($?, 0, 'driver ran') or diag $raw;
    is($r{connected}, 1, 'connected from the loop');
    is($r{pipelined}, 40, '40 queries queued at once');
    is($r{tenants_ok}, 40, 'each ran under its own tenant setting');
    is($r{utc_ok}, 40, 'with the time zone the blocking connections set (UTC)');
    is($r{error_alone}, 1, 'a failing query fails alone, its neighbours in the pipeline answer');
    is($r{after_error}, 1, 'the connection is usable after it: no transaction left open');
    is($r{rls_other}, 0, 'row-level security: another tenant sees no agent');
    ok(($r{rls_platform} // 0) > 0, 'platform scope sees the agents');
    is($r{killed}, 1, 'a query whose backend is terminated fails');
    is($r{reconnected}, 1, 'and the connection comes back by itself');
    is($r{closed}, 1, 'closing leaves no handle on the loop');
    unlike($raw, qr/Sanitizer|runtime error/, 'sanitizers quiet') or diag $raw;
};

# The agent is cached by the daemon after one call, as in production.
my ($rc0, $calls0, $sum0, $raw0) = Sim::run($s, '--direct', "$fixtures/short.call");
is($rc0, 0, 'a call works with PostgreSQL up') or diag $raw0;

my ($id, $tenant, $agent, $sid) = Sim::new_call($s);
ok($id, 'call row made');
my $token = mint(call_id => $id, tenant_id => $tenant, agent_id => $agent);
$s->sh('pg-stop');
my $r = stream($token, $id, $sid, 20);
ok(!$r->{error}, 'stream accepted while PostgreSQL is down') or diag $r->{error};
ok(defined $r->{closed} && $r->{closed} < 5, 'the daemon hung up within 5 s instead of leaving the caller waiting')
    or diag explain $r;
like($s->log_text('media.log'), qr/"event":"media_db_unavailable"/, 'the loop connection said PostgreSQL was unavailable');
like(Sim::media_get($s, '/metrics')->{content}, qr/voxline_media_db_queries_total\{result="unavailable"\} [1-9]/,
    'the failed read counted');

$s->sh('pg-start');
ok(Sim::wait_for($s, "SELECT media_finished_at IS NOT NULL FROM calls WHERE id = '$id'", 30),
    'the refused call is stored once PostgreSQL is back');
is(Sim::q($s, "SELECT end_reason FROM calls WHERE id = '$id'"), 'call not found', 'with the reason it was hung up');
# Every worker's connection (each retries on its own backoff, up to 5 s):
# the next call may land on any of them.
my ($up, $workers) = (0, 0);
for (1 .. 100) {
    my $m = Sim::media_get($s, '/metrics')->{content};
    $workers = () = $m =~ /^voxline_media_db_connected\{worker="\d+"\} /mg;
    $up = () = $m =~ /^voxline_media_db_connected\{worker="\d+"\} 1$/mg;
    last if $workers && $up == $workers;
    sleep 0.2;
}
ok($workers && $up == $workers, "every worker's loop connection is back without a restart ($up of $workers)");
my ($rc2, $calls2, $sum2, $raw2) = Sim::run($s, '--direct', "$fixtures/hours.call");
is($rc2, 0, 'calls work again, answers heard') or diag $raw2;
ok(Sim::wait_for($s, "SELECT status = 'completed' FROM calls WHERE id = '$calls2->[0]{call_id}'", 30),
    'and are completed') or diag $raw2;
like($s->log_text('media.log'), qr/"event":"media_db_connected"/, 'the reconnection was logged')
    or diag join '', grep { /media_db|call_(started|ended)/ } split /^/, $s->log_text('media.log');

done_testing;
