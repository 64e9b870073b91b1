#!/usr/bin/env perl
# The generated parts of docs/ (configuration keys, error catalog,
# permission matrix) match the code that produces them.
use strict;
use warnings;
use FindBin;
use Test::More;

my $root = "$FindBin::Bin/../..";
my $out = `cd $root && sh scripts/gen-docs.sh --check 2>&1`;
is($?, 0, 'docs/ is current with the code (make docs)') or diag($out);
like(`cat $root/docs/security.md`, qr/\| `users_manage` \|.*\| yes \| yes \| yes \| — \| — \| — \| no \|/,
    'security.md shows the users_manage row of the matrix');

done_testing;
