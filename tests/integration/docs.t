#!/usr/bin/env perl
# The reference tables in docs/ are generated from the code; they must
# be current, so the documentation cannot drift from what runs.
use strict;
use warnings;
use FindBin;
use Test::More;

my $root = "$FindBin::Bin/../..";
my $out = `sh $root/scripts/gen-docs.sh --check 2>&1`;
is($?, 0, 'docs/ generated tables match the code (run make docs)') or diag($out);
my $keys = `$root/voxline config-doc`;
my @keys = $keys =~ /^\| `([a-z_0-9]+)` \|/mg;
ok(@keys > 5, 'config-doc lists the keys');
open(my $f, '<', "$root/docs/configuration.md") or die;
my $doc = do { local $/; <$f> };
ok(!grep({ index($doc, "`$_`") < 0 } @keys), 'every key is in docs/configuration.md');
done_testing;
