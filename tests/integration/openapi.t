#!/usr/bin/env perl
# The API reference and the route table agree: every /api/v1 route in
# fcgi/routes.def is documented in docs/api/openapi.yaml with its method,
# and every documented operation exists.
use strict;
use warnings;
use FindBin;
use Test::More;

my $root = "$FindBin::Bin/../..";
sub slurp { open(my $f, '<', $_[0]) or die "$_[0]: $!"; local $/; return <$f> }

my %routes;
for (split /\n/, slurp("$root/fcgi/routes.def")) {
    next unless /^\s*ROUTE\(\s*"([A-Z]+)"\s*,\s*"(\/api\/v1\/[^"]*)"/;
    my ($method, $path) = ($1, $2);
    $path =~ s/\{(\w+):\w+\}/{$1}/g;     # {id:uuid} -> {id}
    $routes{"$method $path"} = 1;
}
ok(%routes, 'the route table has API routes');

# The document: servers[0].url, then paths (two-space keys) and their
# operations (four-space keys).  A line-based reading is enough for the
# block style the file keeps for these two levels.
my $doc = slurp("$root/docs/api/openapi.yaml");
like($doc, qr/^openapi: 3\.\d+\.\d+$/m, 'an OpenAPI 3 document');
my ($base) = $doc =~ /^servers:\n\s+- url: (\S+)$/m;
is($base, '/api/v1', 'served under /api/v1');
my (%documented, $in_paths, $path);
for (split /\n/, $doc) {
    if (/^(\S+):/) { $in_paths = $1 eq 'paths'; next }
    next unless $in_paths;
    if (/^  (\/\S*):\s*$/) { $path = $1; next }
    if (/^    (get|put|post|delete|patch|head|options):/ && $path) { $documented{uc($1) . " $base$path"} = 1 }
}
ok(%documented, 'the document has operations');

for my $r (sort keys %routes) {
    ok($documented{$r}, "route $r is documented");
}
for my $d (sort keys %documented) {
    ok($routes{$d}, "documented $d is a route");
}
done_testing;
