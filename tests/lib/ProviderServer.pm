package ProviderServer;
# One local server that speaks the cloud AI providers' wire formats
# (docs: /work/shared/reference/protocols.md section 7), on one port with
# a route table.  Each provider lives under its own path prefix, so that
# several providers of the same family (openai, groq, gemini,
# openai_compatible) can be told apart and failed separately:
#
#   base_url('openai')     http://127.0.0.1:P/openai/v1
#   base_url('groq')       http://127.0.0.1:P/groq/openai/v1
#   base_url('gemini')     http://127.0.0.1:P/gemini/v1beta/openai
#   base_url('openai_compatible') http://127.0.0.1:P/openai_compatible/v1
#   base_url('deepgram')   http://127.0.0.1:P/deepgram   (ws:// for /v1/listen)
#   base_url('elevenlabs') http://127.0.0.1:P/elevenlabs
#   base_url('cartesia')   http://127.0.0.1:P/cartesia
#   base_url('assemblyai') http://127.0.0.1:P/assemblyai
#
# The test decides what the providers say: stt_script() lists the
# transcripts Deepgram returns (one per finalized utterance, in order),
# llm_rules() maps the caller's last words to replies or tool calls.
# TTS audio is real speech (espeak-ng, as the local engine makes it).
# fault() injects failures per provider; requests() reads the log.
use strict;
use warnings;
use Loopback;
use IO::Select;
use JSON::PP;
use Digest::SHA qw(sha1);
use MIME::Base64 qw(encode_base64);
use File::Temp qw(tempdir);
use Fcntl qw(:flock SEEK_SET);
use Time::HiRes qw(sleep time);
use POSIX ();

my $JSON = JSON::PP->new->canonical->utf8;

our %PREFIX = (
    openai => '/openai/v1', groq => '/groq/openai/v1', gemini => '/gemini/v1beta/openai',
    openai_compatible => '/openai_compatible/v1', deepgram => '/deepgram',
    elevenlabs => '/elevenlabs', cartesia => '/cartesia', assemblyai => '/assemblyai',
);
my %FAMILY = (openai => 'openai', groq => 'openai', gemini => 'openai', openai_compatible => 'openai',
              deepgram => 'deepgram', elevenlabs => 'elevenlabs', cartesia => 'cartesia',
              assemblyai => 'assemblyai');

# Route table: family => [ [method, path regex, handler] ].
my %ROUTES = (
    openai => [ [ 'POST', qr{^/chat/completions$}, \&chat_completions ],
                [ 'GET',  qr{^/models$},           \&openai_models ] ],
    deepgram => [ [ 'GET', qr{^/v1/listen$},   \&deepgram_listen ],
                  [ 'GET', qr{^/v1/projects$}, \&deepgram_projects ] ],
    elevenlabs => [ [ 'POST', qr{^/v1/text-to-speech/([^/]+)/stream$}, \&elevenlabs_tts ],
                    [ 'GET',  qr{^/v1/user$}, \&elevenlabs_user ] ],
    cartesia => [ [ 'POST', qr{^/tts/bytes$}, \&cartesia_tts ],
                  [ 'GET',  qr{^/voices/?$},  \&cartesia_voices ] ],
    assemblyai => [ [ 'POST', qr{^/v2/upload$},                   \&assemblyai_upload ],
                    [ 'POST', qr{^/v2/transcript$},               \&assemblyai_submit ],
                    [ 'GET',  qr{^/v2/transcript/([A-Za-z0-9-]+)$}, \&assemblyai_transcript ],
                    [ 'GET',  qr{^/v2/transcript$},               \&assemblyai_list ] ],
);

sub new {
    my ($class, %opt) = @_;
    my $dir = tempdir('providers-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my $self = bless { dir => $dir }, $class;
    $self->_write_state({ keys => { map { $_ => "test-key-$_" } keys %PREFIX },
                          faults => {}, stt_script => [], llm_rules => [], voices_seen => 0 });
    Loopback::serve('provider server', $self, sub { $self->_serve($_[0]) });
    return $self;
}

sub url { 'http://127.0.0.1:' . $_[0]{port} }
sub base_url { my ($self, $p) = @_; die "unknown provider $p" unless $PREFIX{$p}; $self->url . $PREFIX{$p} }
sub key { my ($self, $p) = @_; $self->_state->{keys}{$p} }

sub set_key {
    my ($self, $p, $k) = @_;
    $self->_update(sub { $_[0]{keys}{$p} = $k });
}

# fault(provider, type => 'status', status => 500, count => N)
#   type: status (status 500/429 with the provider's error body),
#         slow_first_byte (delay_ms before the response starts),
#         stall (delay_ms pause after the first chunk of a stream),
#         drop (connection closed after the first chunk),
#         malformed (a chunk that is not valid JSON / not the format);
#   count: how many requests it hits (default: every request).
# fault(provider) clears it.
sub fault {
    my ($self, $p, %f) = @_;
    $self->_update(sub { if (%f) { $_[0]{faults}{$p} = \%f } else { delete $_[0]{faults}{$p} } });
}

# Transcripts Deepgram returns, one per finalized utterance.
sub stt_script {
    my ($self, @lines) = @_;
    $self->_update(sub { $_[0]{stt_script} = [@lines] });
}

# [{ match => regex, content => text, tool_calls => [{name, arguments}] }]:
# the first rule whose match finds the last user message answers.
sub llm_rules {
    my ($self, @rules) = @_;
    $self->_update(sub { $_[0]{llm_rules} = [@rules] });
}

sub requests {
    my ($self, $provider) = @_;
    open(my $f, '<', "$self->{dir}/log") or return [];
    my @r = map { $JSON->decode($_) } grep { /\S/ } <$f>;
    return [ grep { !defined $provider || $_->{provider} eq $provider } @r ];
}

sub clear_log { my ($self) = @_; open(my $f, '>', "$self->{dir}/log"); close $f }

sub DESTROY {
    my ($self) = @_;
    Loopback::stop(delete $self->{pid});
}

# ---- shared state (the server forks per connection) ----

sub _state {
    my ($self) = @_;
    open(my $f, '<', "$self->{dir}/state") or die "state: $!";
    flock($f, LOCK_SH);
    local $/;
    return $JSON->decode(<$f>);
}

sub _write_state {
    my ($self, $s) = @_;
    open(my $f, '>', "$self->{dir}/state.new") or die;
    print $f $JSON->encode($s);
    close $f;
    rename "$self->{dir}/state.new", "$self->{dir}/state";
}

# Read-modify-write under one lock; returns what $fn returns.
sub _update {
    my ($self, $fn) = @_;
    open(my $lock, '>>', "$self->{dir}/lock") or die;
    flock($lock, LOCK_EX);
    my $s = $self->_state;
    my $ret = $fn->($s);
    $self->_write_state($s);
    close $lock;
    return $ret;
}

sub _log {
    my ($self, $entry) = @_;
    open(my $f, '>>', "$self->{dir}/log") or return;
    flock($f, LOCK_EX);
    print $f $JSON->encode($entry), "\n";
    close $f;
}

# The fault for this provider, counted against its budget.
sub _take_fault {
    my ($self, $p) = @_;
    return $self->_update(sub {
        my $f = $_[0]{faults}{$p} or return undef;
        if (defined $f->{count}) {
            delete $_[0]{faults}{$p} if --$f->{count} <= 0;
        }
        return { %$f };
    });
}

# ---- HTTP ----

sub _serve {
    my ($self, $c) = @_;
    binmode $c;
    my $head = '';
    while ($head !~ /\r\n\r\n/) {
        my $n = sysread($c, my $b, 4096);
        return unless $n;
        $head .= $b;
        return if length $head > 65536;
    }
    my ($h, $rest) = split /\r\n\r\n/, $head, 2;
    my ($line, @hl) = split /\r\n/, $h;
    my ($method, $target) = $line =~ m{^(\S+) (\S+) HTTP/1\.[01]$} or return;
    my %hdr;
    for (@hl) { my ($k, $v) = /^([^:]+):\s*(.*)$/ or next; $hdr{lc $k} = $v }
    my $len = $hdr{'content-length'} // 0;
    while (length $rest < $len) {
        my $n = sysread($c, my $b, $len - length $rest);
        return unless $n;
        $rest .= $b;
    }
    my ($path, $query) = split /\?/, $target, 2;
    my %q;
    for (split /&/, $query // '') {
        my ($k, $v) = split /=/, $_, 2;
        $v //= '';
        $v =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
        $q{$k} = $v;
    }
    my $req = { c => $c, method => $method, path => $path, query => \%q, headers => \%hdr, body => $rest };
    for my $p (sort { length $PREFIX{$b} <=> length $PREFIX{$a} } keys %PREFIX) {
        next unless index($path, $PREFIX{$p}) == 0;
        my $sub = substr($path, length $PREFIX{$p});
        for my $r (@{ $ROUTES{ $FAMILY{$p} } || [] }) {
            next unless $r->[0] eq $method && $sub =~ $r->[1];
            $req->{provider} = $p;
            $req->{args} = [ $1 ];
            $req->{log} = { provider => $p, method => $method, path => $sub, query => \%q,
                            auth => { map { $_ => $hdr{$_} } grep { exists $hdr{$_} }
                                      qw(authorization xi-api-key x-api-key cartesia-version) } };
            $req->{log}{body} = eval { $JSON->decode($rest) } // $rest if length $rest;
            $r->[2]->($self, $req);
            return;
        }
    }
    _respond($c, 404, 'application/json', '{"error":{"message":"not found"}}');
}

sub _respond {
    my ($c, $status, $type, $body, %extra) = @_;
    my %text = (200 => 'OK', 400 => 'Bad Request', 401 => 'Unauthorized', 404 => 'Not Found',
                429 => 'Too Many Requests', 500 => 'Internal Server Error', 101 => 'Switching Protocols');
    my $h = "HTTP/1.1 $status " . ($text{$status} // 'Status') . "\r\nContent-Type: $type\r\n"
        . "Content-Length: " . length($body) . "\r\nConnection: close\r\n";
    $h .= "$_: $extra{$_}\r\n" for sort keys %extra;
    syswrite($c, "$h\r\n$body");
}

sub _stream_start {
    my ($c, $type, %extra) = @_;
    my $h = "HTTP/1.1 200 OK\r\nContent-Type: $type\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n";
    $h .= "$_: $extra{$_}\r\n" for sort keys %extra;
    syswrite($c, "$h\r\n");
}

sub _chunk { my ($c, $data) = @_; return syswrite($c, sprintf("%x\r\n", length $data) . $data . "\r\n") }
sub _stream_end { syswrite($_[0], "0\r\n\r\n") }

# Each provider's error shape.
my %ERRORS = (
    openai => sub {
        my ($status) = @_;
        my %e = (401 => [ 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key' ],
                 429 => [ 'Rate limit reached for requests.', 'requests', 'rate_limit_exceeded' ],
                 500 => [ 'The server had an error while processing your request.', 'server_error', undef ]);
        my $x = $e{$status} // $e{500};
        return $JSON->encode({ error => { message => $x->[0], type => $x->[1], param => undef, code => $x->[2] } });
    },
    deepgram => sub {
        my ($status) = @_;
        my %e = (401 => [ 'INVALID_AUTH', 'Invalid credentials.' ], 429 => [ 'TOO_MANY_REQUESTS', 'Too many requests.' ],
                 500 => [ 'INTERNAL_SERVER_ERROR', 'Internal server error.' ]);
        my $x = $e{$status} // $e{500};
        return $JSON->encode({ err_code => $x->[0], err_msg => $x->[1], request_id => _id() });
    },
    elevenlabs => sub {
        my ($status) = @_;
        my %e = (401 => [ 'invalid_api_key', 'Invalid API key' ], 429 => [ 'too_many_concurrent_requests', 'Too many concurrent requests' ],
                 500 => [ 'internal_error', 'An internal error occurred' ]);
        my $x = $e{$status} // $e{500};
        return $JSON->encode({ detail => { status => $x->[0], message => $x->[1] } });
    },
    cartesia => sub {
        my ($status) = @_;
        my %e = (401 => 'Invalid API key', 429 => 'Rate limit exceeded', 500 => 'Internal server error',
                 400 => 'Cartesia-Version header is required');
        return $JSON->encode({ error => $e{$status} // $e{500}, message => $e{$status} // $e{500} });
    },
    assemblyai => sub {
        my ($status) = @_;
        my %e = (401 => 'Authentication error, API token missing/invalid', 429 => 'Too many requests',
                 400 => 'Invalid request', 500 => 'Internal server error');
        return $JSON->encode({ error => $e{$status} // $e{500} });
    },
);

sub _id { join '', map { sprintf '%04x', int rand 65536 } 1 .. 8 }

sub _fail {
    my ($self, $req, $status) = @_;
    $req->{log}{status} = $status;
    $self->_log($req->{log});
    _respond($req->{c}, $status, 'application/json', $ERRORS{ $FAMILY{ $req->{provider} } }->($status),
             $status == 429 ? ('Retry-After' => 1) : ());
}

# Auth as each provider checks it; 401 with its error shape otherwise.
sub _authorized {
    my ($self, $req) = @_;
    my $p = $req->{provider};
    my $key = $self->_state->{keys}{$p};
    my $h = $req->{headers};
    my $fam = $FAMILY{$p};
    my $ok = $fam eq 'openai'     ? ($h->{authorization} // '') eq "Bearer $key"
           : $fam eq 'deepgram'   ? ($h->{authorization} // '') eq "Token $key"
           : $fam eq 'elevenlabs' ? ($h->{'xi-api-key'} // '') eq $key
           : $fam eq 'cartesia'   ? (($h->{'x-api-key'} // '') eq $key || ($h->{authorization} // '') eq "Bearer $key")
           : $fam eq 'assemblyai' ? ($h->{authorization} // '') eq $key
           : 0;
    $self->_fail($req, 401) unless $ok;
    return $ok;
}

# Applies the provider's status / slow-first-byte fault; returns the
# fault (for stream faults) or undef when the request was answered.
sub _pre_fault {
    my ($self, $req) = @_;
    my $f = $self->_take_fault($req->{provider}) // {};
    $req->{log}{fault} = $f->{type} if $f->{type};
    if (($f->{type} // '') eq 'status') {
        $self->_fail($req, $f->{status} // 500);
        return undef;
    }
    sleep(($f->{delay_ms} // 0) / 1000) if ($f->{type} // '') eq 'slow_first_byte';
    return $f;
}

# ---- OpenAI-compatible chat completions ----

sub _words { my ($t) = @_; my @w = split ' ', $t // ''; return scalar @w }

sub chat_completions {
    my ($self, $req) = @_;
    return unless $self->_authorized($req);
    my $body = ref $req->{log}{body} ? $req->{log}{body} : undef;
    if (!$body || ref $body->{messages} ne 'ARRAY' || !$body->{model}) {
        $req->{log}{status} = 400;
        $self->_log($req->{log});
        return _respond($req->{c}, 400, 'application/json', $JSON->encode({ error => {
            message => "'messages' and 'model' are required properties", type => 'invalid_request_error',
            param => undef, code => undef } }));
    }
    my $f = $self->_pre_fault($req) // return;
    my ($last) = grep { $_->{role} eq 'user' } reverse @{ $body->{messages} };
    my $said = $last ? $last->{content} // '' : '';
    my $rule = { content => 'I can help with that.' };
    for my $r (@{ $self->_state->{llm_rules} }) {
        if ($said =~ /$r->{match}/i) { $rule = $r; last }
    }
    my $prompt = 0;
    $prompt += _words(ref $_->{content} ? '' : $_->{content}) + 4 for @{ $body->{messages} };
    my $content = $rule->{content} // '';
    my @tools = @{ $rule->{tool_calls} || [] };
    my $completion = _words($content) + 8 * @tools;
    my $usage = { prompt_tokens => $prompt, completion_tokens => $completion,
                  total_tokens => $prompt + $completion,
                  prompt_tokens_details => { cached_tokens => 0 },
                  completion_tokens_details => { reasoning_tokens => 0 } };
    my $want_usage = ref $body->{stream_options} eq 'HASH' && $body->{stream_options}{include_usage};
    $req->{log}{status} = 200;
    $req->{log}{reply} = $content;
    $req->{log}{usage} = $usage if $want_usage;
    $self->_log($req->{log});
    my $id = 'chatcmpl-' . _id();
    my $base = { id => $id, object => 'chat.completion.chunk', created => int(time), model => $body->{model},
                 system_fingerprint => 'fp_local' };
    my $c = $req->{c};
    if (!$body->{stream}) {
        my $msg = { role => 'assistant', content => $content };
        return _respond($c, 200, 'application/json', $JSON->encode({ %$base, object => 'chat.completion',
            choices => [ { index => 0, message => $msg, finish_reason => 'stop' } ], usage => $usage }));
    }
    _stream_start($c, 'text/event-stream', 'Cache-Control' => 'no-cache');
    my $n = 0;
    my $send = sub {
        my ($payload) = @_;
        _chunk($c, ": keep-alive\n\n") if $n == 1;        # a comment, as some servers send
        _chunk($c, 'data: ' . $JSON->encode($payload) . "\n\n");
        $n++;
        if ($n == 1 && ($f->{type} // '') eq 'stall') { sleep(($f->{delay_ms} // 30000) / 1000) }
        if ($n == 2 && ($f->{type} // '') eq 'drop') { close $c; POSIX::_exit(0) }
        if ($n == 2 && ($f->{type} // '') eq 'malformed') { _chunk($c, "data: {\"id\":\"$id\",\"choices\":[{\"delta\":{\"content\n\n") }
    };
    my $choice = sub { +{ %$base, choices => [ { index => 0, delta => $_[0], logprobs => undef,
                                                 finish_reason => $_[1] } ], ($want_usage ? (usage => undef) : ()) } };
    $send->($choice->({ role => 'assistant', content => '' }, undef));
    for my $piece ($content =~ /(\S+\s*)/g) {
        $send->($choice->({ content => $piece }, undef));
    }
    my $i = 0;
    for my $t (@tools) {
        my $args = $JSON->encode($t->{arguments} // {});
        my $half = int(length($args) / 2);
        $send->($choice->({ tool_calls => [ { index => $i, id => 'call_' . _id(), type => 'function',
            function => { name => $t->{name}, arguments => '' } } ] }, undef));
        $send->($choice->({ tool_calls => [ { index => $i, function => { arguments => substr($args, 0, $half) } } ] }, undef));
        $send->($choice->({ tool_calls => [ { index => $i, function => { arguments => substr($args, $half) } } ] }, undef));
        $i++;
    }
    $send->($choice->({}, @tools ? 'tool_calls' : 'stop'));
    $send->({ %$base, choices => [], usage => $usage }) if $want_usage;
    _chunk($c, "data: [DONE]\n\n");
    _stream_end($c);
}

sub openai_models {
    my ($self, $req) = @_;
    return unless $self->_authorized($req);
    my $f = $self->_pre_fault($req) // return;
    $req->{log}{status} = 200;
    $self->_log($req->{log});
    _respond($req->{c}, 200, 'application/json', $JSON->encode({ object => 'list', data => [
        { id => 'gpt-4o-mini', object => 'model', created => 1721172741, owned_by => 'system' } ] }));
}

# ---- TTS ----

# Real speech, made the way the daemon's local engine makes it
# (tests/integration/drivers/say: espeak-ng, resampled to 8 kHz mu-law).
my $SAY = do { my $d = __FILE__; $d =~ s{lib/ProviderServer\.pm$}{integration/drivers/say}; $d };

sub _speech {
    my ($text) = @_;
    die "ProviderServer needs $SAY (make tests)\n" unless -x $SAY;
    my $pid = open(my $p, '-|') // die;
    if (!$pid) {
        $ENV{ASAN_OPTIONS} = 'detect_leaks=0';     # a sanitized build's exit report
        { exec($SAY, $text) }
        POSIX::_exit(127);
    }
    binmode $p;
    local $/;
    my $audio = <$p> // '';
    close $p;
    return $audio;
}

sub _stream_audio {
    my ($self, $req, $f, $audio, %extra) = @_;
    my $c = $req->{c};
    _stream_start($c, 'audio/basic', %extra);
    my $n = 0;
    for (my $o = 0; $o < length $audio; $o += 1600) {
        _chunk($c, substr($audio, $o, 1600)) or last;
        $n++;
        if ($n == 1 && ($f->{type} // '') eq 'stall') { sleep(($f->{delay_ms} // 30000) / 1000) }
        if ($n == 1 && ($f->{type} // '') eq 'drop') { close $c; POSIX::_exit(0) }
    }
    _stream_end($c);
}

sub elevenlabs_tts {
    my ($self, $req) = @_;
    return unless $self->_authorized($req);
    my $body = ref $req->{log}{body} ? $req->{log}{body} : {};
    $req->{log}{voice} = $req->{args}[0];
    if (!defined $body->{text} || ($req->{query}{output_format} // '') !~ /^(ulaw_8000|pcm_\d+|mp3_\d+_\d+)$/) {
        $req->{log}{status} = 400;
        $self->_log($req->{log});
        return _respond($req->{c}, 400, 'application/json',
            $JSON->encode({ detail => { status => 'invalid_request', message => 'text and a valid output_format are required' } }));
    }
    my $f = $self->_pre_fault($req) // return;
    $req->{log}{status} = 200;
    $self->_log($req->{log});
    my $audio = _speech($body->{text});
    $self->_stream_audio($req, $f, $audio, 'x-character-count' => length($body->{text}), 'request-id' => _id());
}

sub elevenlabs_user {
    my ($self, $req) = @_;
    return unless $self->_authorized($req);
    my $f = $self->_pre_fault($req) // return;
    $req->{log}{status} = 200;
    $self->_log($req->{log});
    _respond($req->{c}, 200, 'application/json', $JSON->encode({ user_id => 'u_local',
        subscription => { tier => 'creator', character_count => 0, character_limit => 100000, status => 'active' },
        is_new_user => JSON::PP::false }));
}

sub cartesia_tts {
    my ($self, $req) = @_;
    my $c = $req->{c};
    if (!$req->{headers}{'cartesia-version'}) {
        return $self->_fail($req, 400);
    }
    return unless $self->_authorized($req);
    my $b = ref $req->{log}{body} ? $req->{log}{body} : {};
    my $of = $b->{output_format} // {};
    if (!defined $b->{transcript} || !$b->{model_id} || ref $b->{voice} ne 'HASH' || ref $of ne 'HASH'
        || ($of->{container} // '') ne 'raw' || !$of->{encoding} || !$of->{sample_rate}) {
        return $self->_fail($req, 400);
    }
    my $f = $self->_pre_fault($req) // return;
    $req->{log}{status} = 200;
    $self->_log($req->{log});
    $self->_stream_audio($req, $f, _speech($b->{transcript}));
}

sub cartesia_voices {
    my ($self, $req) = @_;
    return unless $self->_authorized($req);
    my $f = $self->_pre_fault($req) // return;
    $req->{log}{status} = 200;
    $self->_log($req->{log});
    _respond($req->{c}, 200, 'application/json', $JSON->encode({ data => [
        { id => 'a0e99841-438c-4a64-b679-ae501e7d6091', name => 'Barbershop Man', language => 'en',
          is_public => JSON::PP::true } ], has_more => JSON::PP::false }));
}

# ---- Deepgram ----

sub deepgram_projects {
    my ($self, $req) = @_;
    return unless $self->_authorized($req);
    my $f = $self->_pre_fault($req) // return;
    $req->{log}{status} = 200;
    $self->_log($req->{log});
    _respond($req->{c}, 200, 'application/json', $JSON->encode({ projects => [
        { project_id => '3f1c2a9e-0000-4000-8000-000000000001', name => 'Local project' } ] }));
}

sub _ws_send {
    my ($c, $op, $data) = @_;
    my $len = length $data;
    my $h = chr(0x80 | $op);
    $h .= $len < 126 ? chr($len) : $len < 65536 ? chr(126) . pack('n', $len) : chr(127) . pack('Q>', $len);
    syswrite($c, $h . $data);
}

# One frame from the client (must be masked); returns (fin, opcode, payload) or ().
sub _ws_read {
    my ($c, $bufref, $timeout) = @_;
    my $sel = IO::Select->new($c);
    while (1) {
        my $b = $$bufref;
        if (length $b >= 2) {
            my ($b0, $b1) = unpack('CC', $b);
            my $len = $b1 & 0x7f;
            my $off = 2;
            if ($len == 126) { if (length $b >= 4) { $len = unpack('n', substr($b, 2, 2)); $off = 4 } else { $len = -1 } }
            elsif ($len == 127) { if (length $b >= 10) { $len = unpack('Q>', substr($b, 2, 8)); $off = 10 } else { $len = -1 } }
            die "unmasked client frame\n" unless $b1 & 0x80;
            if ($len >= 0 && length $b >= $off + 4 + $len) {
                my $mask = substr($b, $off, 4);
                my $payload = substr($b, $off + 4, $len);
                my $m = $mask x (int($len / 4) + 1);
                $payload = ($payload ^ substr($m, 0, $len));
                $$bufref = substr($b, $off + 4 + $len);
                return ($b0 & 0x80, $b0 & 0x0f, $payload);
            }
        }
        return ('timeout') unless $sel->can_read($timeout);
        my $n = sysread($c, my $more, 65536);
        return () unless $n;
        $$bufref .= $more;
    }
}

sub deepgram_listen {
    my ($self, $req) = @_;
    my $h = $req->{headers};
    my $c = $req->{c};
    if (lc($h->{upgrade} // '') ne 'websocket' || !$h->{'sec-websocket-key'}) {
        return _respond($c, 400, 'application/json', $ERRORS{deepgram}->(400));
    }
    return unless $self->_authorized($req);
    my $q = $req->{query};
    if (($q->{encoding} // '') ne '' && !$q->{sample_rate}) {
        return $self->_fail($req, 400);
    }
    my $f = $self->_pre_fault($req) // return;
    my $accept = encode_base64(sha1($h->{'sec-websocket-key'} . '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'), '');
    syswrite($c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        . "Sec-WebSocket-Accept: $accept\r\ndg-request-id: " . _id() . "\r\n\r\n");
    my $request_id = _id();
    my ($bytes, $seg_bytes, $start, @messages, $buf, $frag, $fragop) = (0, 0, 0);
    $buf = '';
    my $log = $req->{log};
    $log->{status} = 101;
    my $interim_sent = 0;
    # What the client did, for the tests: messages in order (a run of
    # binary frames is one 'audio'), and per finalized segment when its
    # first audio arrived, when and by what it was finalized (audio
    # streamed as spoken spreads over the segment's duration; a buffered
    # utterance does not) and whether it had words.
    my ($frames, $interims, @segments) = (0, 0);
    # Endpointing: after that much silence following speech, the segment
    # is finalized with speech_final.  Silence is the mu-law zero (0xFF,
    # 0x7F); a segment without speech is finalized with no words.
    my $endpointing = ($q->{endpointing} // '') =~ /^([0-9]+)$/ ? $1 : 0;
    my ($seg_speech, $quiet) = (0, 0);
    my $t0 = time;
    my $write_log = sub {
        $log->{messages} = \@messages;
        $log->{audio_bytes} = $bytes;
        $log->{audio_frames} = $frames;
        $log->{interim_results} = $interims;
        $log->{segments} = \@segments;
        $self->_log($log);
    };
    my $result = sub {
        my ($text, $is_final, $speech_final, $from_finalize) = @_;
        my $dur = $seg_bytes / 8000;
        my @w = split ' ', $text;
        my $i = 0;
        my $msg = { type => 'Results', channel_index => [ 0, 1 ], duration => $dur + 0, start => $start + 0,
            is_final => $is_final ? JSON::PP::true : JSON::PP::false,
            speech_final => $speech_final ? JSON::PP::true : JSON::PP::false,
            ($from_finalize ? (from_finalize => JSON::PP::true) : ()),
            channel => { alternatives => [ { transcript => $text, confidence => 0.98, words => [
                map { my $s = $start + $dur * $i / (@w || 1); $i++;
                      { word => lc $_, start => $s, end => $s + $dur / (@w || 1), confidence => 0.98, punctuated_word => $_ } } @w ] } ] },
            metadata => { request_id => $request_id, model_info => { name => $q->{model} // 'general',
                version => '2024-01-01', arch => 'nova-3' }, model_uuid => '00000000-0000-4000-8000-000000000000' } };
        _ws_send($c, 1, $JSON->encode($msg));
    };
    my $finalize = sub {
        my ($by) = @_;
        my $words = !$endpointing || $seg_speech > 0;
        @{ $segments[-1] }{qw(flushed_at bytes by words)} = (time - $t0, $seg_bytes, $by, $words ? 1 : 0);
        if (($f->{type} // '') eq 'stall') { sleep(($f->{delay_ms} // 30000) / 1000) }
        if (($f->{type} // '') eq 'malformed') { _ws_send($c, 1, '{"type":"Results","channel":{"alter') }
        my $text = '';
        if ($words) {
            $text = $self->_update(sub { shift @{ $_[0]{stt_script} } }) // '';
            push @{ $log->{transcripts} }, $text;
        }
        $result->($text, 1, $words, $by eq 'Finalize');
        $start += $seg_bytes / 8000;
        ($seg_bytes, $seg_speech, $quiet, $interim_sent) = (0, 0, 0, 0);
    };
    while (1) {
        my ($fin, $op, $data) = _ws_read($c, \$buf, 10);
        last unless defined $fin;
        if ($fin eq 'timeout') {
            # Neither audio nor KeepAlive for 10 s: Deepgram closes with NET-0001.
            push @messages, 'timeout';
            _ws_send($c, 8, pack('n', 1011) . 'NET-0001');
            last;
        }
        if ($op == 0) { $frag .= $data; next unless $fin; ($op, $data) = ($fragop, $frag) }
        elsif (!$fin) { ($fragop, $frag) = ($op, $data); next }
        if ($op == 2) {
            push @messages, 'audio' unless @messages && $messages[-1] eq 'audio';
            $frames++;
            push @segments, { first_audio => time - $t0 } if $seg_bytes == 0;
            $bytes += length $data;
            $seg_bytes += length $data;
            if (($f->{type} // '') eq 'drop' && $bytes > 4000) { push @messages, 'dropped'; last }
            my $loud = ($data =~ tr/\xff\x7f//c);
            if ($loud * 10 > length $data) { $seg_speech += length $data; $quiet = 0 } else { $quiet += length $data }
            if ($endpointing && $seg_speech > 0 && $quiet >= $endpointing * 8) {
                $finalize->('speech_final');
                next;
            }
            if (!$interim_sent && $seg_bytes >= 8000) {
                my ($next) = @{ $self->_state->{stt_script} };
                my @w = split ' ', $next // '';
                $result->(join(' ', @w[0 .. ($#w > 0 ? int($#w / 2) : $#w)]), 0, 0, 0) if @w;
                $interims++ if @w;
                $interim_sent = 1;
            }
        } elsif ($op == 1) {
            my $m = eval { $JSON->decode($data) } // {};
            my $type = $m->{type} // 'invalid';
            push @messages, $type;
            if ($type eq 'Finalize' || $type eq 'CloseStream') {
                $finalize->($type) if $seg_bytes > 0;
                if ($type eq 'CloseStream') {
                    $write_log->();          # before Metadata: the client waits for it
                    _ws_send($c, 1, $JSON->encode({ type => 'Metadata', transaction_key => 'deprecated',
                        request_id => $request_id, sha256 => '0' x 64, created => '2026-01-01T00:00:00.000Z',
                        duration => $bytes / 8000, channels => 1 }));
                    _ws_send($c, 8, pack('n', 1000));
                    return;
                }
            }
        } elsif ($op == 8) {
            push @messages, 'close';
            _ws_send($c, 8, pack('n', 1000));
            last;
        } elsif ($op == 9) {
            _ws_send($c, 10, $data);
        }
    }
    $write_log->();
}

# ---- AssemblyAI asynchronous transcription ----
#
# Upload (raw bytes -> upload_url), submit (audio_url, webhook_url and
# the webhook auth header pair -> transcript queued), then the server
# calls the webhook back with {"transcript_id","status"} and the header,
# and GET /v2/transcript/{id} gives the result.  assemblyai_result()
# decides what the next transcripts say (text, or an error);
# webhook_deliveries() lists the callbacks made and the answers got.

sub assemblyai_result {
    my ($self, %r) = @_;
    $self->_update(sub { $_[0]{assemblyai_result} = {%r} });
}

sub webhook_deliveries {
    my ($self) = @_;
    return $self->_state->{webhook_deliveries} // [];
}

# Seconds of audio in a WAV file (from its header), else 8 kHz mu-law bytes.
sub _audio_seconds {
    my ($bytes) = @_;
    if (length $bytes >= 44 && substr($bytes, 0, 4) eq 'RIFF' && substr($bytes, 8, 4) eq 'WAVE') {
        my $pos = 12;
        my $rate;
        while ($pos + 8 <= length $bytes) {
            my ($id, $size) = unpack('a4 V', substr($bytes, $pos, 8));
            $rate = unpack('V', substr($bytes, $pos + 16, 4)) if $id eq 'fmt ';
            return $rate ? $size / $rate : 0 if $id eq 'data';
            $pos += 8 + $size + ($size & 1);
        }
    }
    return length($bytes) / 8000;
}

sub assemblyai_upload {
    my ($self, $req) = @_;
    return unless $self->_authorized($req);
    my $f = $self->_pre_fault($req) // return;
    my $id = _id();
    my $secs = _audio_seconds($req->{body});
    $self->_update(sub { $_[0]{uploads}{$id} = $secs });
    delete $req->{log}{body};
    $req->{log}{bytes} = length $req->{body};
    $req->{log}{status} = 200;
    $self->_log($req->{log});
    _respond($req->{c}, 200, 'application/json', $JSON->encode({ upload_url => $self->url . "/assemblyai/cdn/upload/$id" }));
}

sub assemblyai_submit {
    my ($self, $req) = @_;
    return unless $self->_authorized($req);
    my $f = $self->_pre_fault($req) // return;
    my $b = eval { $JSON->decode($req->{body}) } // {};
    my ($upload) = ($b->{audio_url} // '') =~ m{/assemblyai/cdn/upload/(\w+)$};
    my $secs = defined $upload ? $self->_state->{uploads}{$upload} : undef;
    if (!defined $secs) {
        $req->{log}{status} = 400;
        $self->_log($req->{log});
        return _respond($req->{c}, 400, 'application/json', $JSON->encode({ error => 'audio_url is not a valid upload' }));
    }
    my $hex = _id();
    my $id = join '-', unpack('A8 A4 A4 A4 A12', $hex);   # a UUID, as AssemblyAI's ids are
    my $result = $self->_state->{assemblyai_result} // {};
    my $t = { id => $id, status => 'queued', audio_url => $b->{audio_url}, audio_duration => $secs,
              webhook_url => $b->{webhook_url}, webhook_auth_header_name => $b->{webhook_auth_header_name},
              error => $result->{error}, text => $result->{text} // 'Hello, I would like to book a cleaning next week.' };
    $self->_update(sub { $_[0]{transcripts}{$id} = $t });
    $req->{log}{status} = 200;
    $self->_log($req->{log});
    _respond($req->{c}, 200, 'application/json', $JSON->encode({ id => $id, status => 'queued',
        audio_url => $b->{audio_url}, webhook_url => $b->{webhook_url},
        webhook_auth => JSON::PP::true, webhook_auth_header_name => $b->{webhook_auth_header_name},
        webhook_status_code => undef, text => undef, words => undef, audio_duration => undef }));
    close $req->{c};
    # The transcript is made, then the webhook is called (this connection's
    # own process, after the client has its answer).
    sleep 0.3;
    $self->_update(sub { $_[0]{transcripts}{$id}{status} = $t->{error} ? 'error' : 'completed' });
    return unless $b->{webhook_url};
    require HTTP::Tiny;
    my %h = ('Content-Type' => 'application/json');
    $h{ $b->{webhook_auth_header_name} } = $b->{webhook_auth_header_value} if $b->{webhook_auth_header_name};
    my $res = HTTP::Tiny->new(timeout => 10)->request('POST', $b->{webhook_url}, { headers => \%h,
        content => $JSON->encode({ transcript_id => $id, status => $t->{error} ? 'error' : 'completed' }) });
    $self->_update(sub { push @{ $_[0]{webhook_deliveries} }, { transcript_id => $id, status => $res->{status} } });
}

sub assemblyai_transcript {
    my ($self, $req) = @_;
    return unless $self->_authorized($req);
    my $f = $self->_pre_fault($req) // return;
    my $t = $self->_state->{transcripts}{ $req->{args}[0] };
    if (!$t) {
        $req->{log}{status} = 404;
        $self->_log($req->{log});
        return _respond($req->{c}, 404, 'application/json', $JSON->encode({ error => 'Transcript not found' }));
    }
    my $done = $t->{status} eq 'completed';
    my @words = map { { text => $_, start => 0, end => 0, confidence => 0.95, speaker => undef } } split ' ', $t->{text};
    $req->{log}{status} = 200;
    $self->_log($req->{log});
    _respond($req->{c}, 200, 'application/json', $JSON->encode({
        id => $t->{id}, status => $t->{status}, audio_url => $t->{audio_url}, language_code => 'en_us',
        text => $done ? $t->{text} : undef, words => $done ? \@words : undef,
        confidence => $done ? 0.95 : undef, audio_duration => $done ? $t->{audio_duration} : undef,
        error => $t->{status} eq 'error' ? $t->{error} : undef,
        webhook_url => $t->{webhook_url}, webhook_auth => JSON::PP::true,
        webhook_auth_header_name => $t->{webhook_auth_header_name} }));
}

# The cheap authenticated request ("test connection"): the latest transcripts.
sub assemblyai_list {
    my ($self, $req) = @_;
    return unless $self->_authorized($req);
    my $f = $self->_pre_fault($req) // return;
    $req->{log}{status} = 200;
    $self->_log($req->{log});
    _respond($req->{c}, 200, 'application/json', $JSON->encode({ page_details => { limit => 1,
        result_count => 0, current_url => $self->url . '/assemblyai/v2/transcript?limit=1',
        prev_url => undef, next_url => undef }, transcripts => [] }));
}

1;
