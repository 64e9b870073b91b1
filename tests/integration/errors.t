#!/usr/bin/env perl
# The standard error shape through nginx: unknown paths, wrong methods,
# oversized and malformed requests; the correlation id travels from
# nginx into the response and into voxline-web's log.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Stack;

my $s = Stack->new(env => { VOXLINE_WEB_MAX_BODY => 4096 });

sub error_shape {
    my ($r, $code, $status, $name) = @_;
    is($r->{status}, $status, "$name: HTTP $status");
    my $e = $r->{json} && $r->{json}{error};
    ok($e, "$name: JSON error object") or return;
    is($e->{code}, $code, "$name: code $code");
    ok(length($e->{message} // ''), "$name: human message");
    like($e->{id} // '', qr/^ERR_\d{8}_[0-9A-Z]{6}$/, "$name: occurrence id") if $status < 429;
    is($e->{correlation_id}, $r->{headers}{'x-correlation-id'}, "$name: correlation id matches the header");
}

error_shape($s->get('/api/v1/nothing-here'), 'not_found', 404, 'unknown API path');
my $r = $s->get('/health', headers => {});
$r = $s->request('POST', '/health', headers => { 'Content-Type' => 'application/json' }, content => '{}');
error_shape($r, 'method_not_allowed', 405, 'POST on a GET route');
is($r->{headers}{allow}, 'GET', 'Allow header names the accepted method');

# An HTML client gets the styled error page with the same reference.
$r = $s->get('/no/such/page', headers => { Accept => 'text/html' });
is($r->{status}, 404, 'unknown page: 404');
like($r->{headers}{'content-type'}, qr{^text/html}, 'as an HTML page');
like($r->{content}, qr{<link[^>]+/static/css/voxline\.css}, 'styled with the product stylesheet');
like($r->{content}, qr{ERR_\d{8}_[0-9A-Z]{6}}, 'page shows the error reference');
is($s->get('/static/css/voxline.css')->{status}, 200, 'stylesheet is served by nginx');

# Oversized bodies: over voxline-web's limit (413 from the app, before reading),
# and over nginx's client_max_body_size (413 from nginx, same shape).
error_shape($s->post_json('/health', '{"a":"' . ('x' x 5000) . '"}'), 'payload_too_large', 413,
    'body over the app limit');
$r = $s->post_json('/health', '{"a":"' . ('x' x (3 * 1024 * 1024)) . '"}');
is($r->{status}, 413, 'body over the nginx limit: 413');
is($r->{json}{error}{code}, 'payload_too_large', 'same error code from nginx');

# Validation: a declared-field violation names the field.
$r = $s->get('/login?colour=red', headers => { Accept => 'application/json' });
error_shape($r, 'validation_failed', 400, 'undeclared query field');
is($r->{json}{error}{fields}{colour}, 'Unknown field.', 'the offending field is named');

# Path tricks never reach a handler.
is($s->get('/static/../sql/0001_core.sql')->{status}, 404, 'dot segments never leave static/');
is($s->get('/api/v1/%2e%2e/health')->{status}, 404, 'encoded dot segments refused by voxline-web');
is($s->get('/health%00')->{status}, 400, 'NUL in path refused by nginx');

# Correlation id: from nginx, in the header, in the body, in the log line.
$r = $s->get('/api/v1/correlate-me');
my $cid = $r->{headers}{'x-correlation-id'};
like($cid, qr/^[0-9a-f]{32}$/, 'nginx request id used as correlation id');
my $log = '';
for (1 .. 20) { $log = $s->log_text('web.log'); last if index($log, $cid) >= 0; select(undef, undef, undef, 0.1) }
my @lines = grep { index($_, "\"correlation_id\":\"$cid\"") >= 0 } split /\n/, $log;
ok(@lines >= 2, 'the error line and the request line carry the correlation id');
ok(!grep({ !/^\{.*\}$/ } @lines), 'log lines are JSON objects');
like(join("\n", @lines), qr/"event":"request".*"status":404/, 'request line records path status');

# Rate limits: the password-reset page shares the sign-in zone
# (10 per minute, burst 10); the next request is refused by nginx.
my @statuses = map { $s->get('/password/reset')->{status} } 1 .. 15;
ok((grep { $_ == 200 } @statuses) >= 10, 'the burst is served');
$r = $s->get('/password/reset');
is($r->{status}, 429, 'then too many requests');
is($r->{headers}{'retry-after'}, '60', 'with Retry-After');
is($r->{json}{error}{code}, 'rate_limited', 'in the standard error shape');

# Security headers from nginx.
$r = $s->get('/login');
is($r->{headers}{'x-frame-options'}, 'DENY', 'X-Frame-Options');
like($r->{headers}{'content-security-policy'} // '', qr/default-src 'self'/, 'CSP');
is($r->{headers}{'x-content-type-options'}, 'nosniff', 'nosniff');
ok($r->{headers}{'referrer-policy'}, 'Referrer-Policy');

done_testing;
