#!/usr/bin/env perl
# Server-rendered pages through nginx: the login shell renders with the
# layout and stylesheet, and values from the request are escaped.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Stack;

my $s = Stack->new;

my $r = $s->get('/');
is($r->{status}, 303, 'home redirects');
is($r->{headers}{location}, '/login', 'to the sign-in page');

$r = $s->get('/login');
is($r->{status}, 200, 'sign-in page');
like($r->{headers}{'content-type'}, qr{^text/html; charset=utf-8}, 'HTML in UTF-8');
like($r->{content}, qr{<title>Sign in · Voxline</title>}, 'title from the layout');
like($r->{content}, qr{<input[^>]+type="email"}, 'email field');
like($r->{content}, qr{<input[^>]+type="password"}, 'password field');

my $evil = '"><script>alert(1)</script>';
(my $q = $evil) =~ s/([^A-Za-z0-9])/sprintf('%%%02X', ord $1)/ge;
$r = $s->get("/login?next=$q");
is($r->{status}, 200, 'sign-in page with a hostile next parameter');
unlike($r->{content}, qr{<script>alert\(1\)</script>}, 'the script tag is not reflected raw');
like($r->{content}, qr{&quot;&gt;&lt;script&gt;alert\(1\)&lt;/script&gt;}, 'it is HTML-escaped');

done_testing;
