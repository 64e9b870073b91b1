#!/usr/bin/env perl
# voxline migrate: idempotent, safe when two run at once, and refusing to
# continue when a file that was already applied has been edited.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Copy qw(copy);
use File::Temp qw(tempdir);
use POSIX ();
use Test::More;
use Stack;

my $s = Stack->new;
my @files = sort glob("$Stack::ROOT/sql/[0-9][0-9][0-9][0-9]_*.sql");
ok(@files >= 1, 'there are migrations');

is($s->psql('SELECT count(*) FROM schema_migrations'), scalar @files, 'every file applied once at start');
my ($rc, $out) = $s->voxline('migrate');
is($rc, 0, 'second run succeeds');
like($out, qr/0 migrations applied/, 'and applies nothing');

# Two migrators at once on an empty database: both succeed, each file once.
$s->psql('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
my @pids;
for (1 .. 2) {
    my $pid = fork // die;
    if (!$pid) { my ($c) = $s->voxline('migrate'); POSIX::_exit($c) }   # no stack teardown in the child
    push @pids, $pid;
}
my @rcs = map { waitpid($_, 0); $? >> 8 } @pids;
is_deeply(\@rcs, [0, 0], 'two concurrent migrate runs both succeed');
is($s->psql('SELECT count(*) FROM schema_migrations'), scalar @files, 'each file recorded once');
is($s->psql('SELECT count(DISTINCT version) FROM schema_migrations'), scalar @files, 'no duplicate versions');

# An edited, already applied file stops everything.
my $dir = tempdir(CLEANUP => 1);
mkdir "$dir/seed";
copy($_, $dir) for @files;
open(my $f, '>>', "$dir/" . (split m{/}, $files[0])[-1]) or die;
print $f "\n-- edited after release\n";
close $f;
open($f, '>', "$dir/9999_new.sql") or die;
print $f "CREATE TABLE must_not_exist (id int);\n";
close $f;
($rc, $out) = do {
    my $o = `sh -c '@{[ $s->env_sh ]} VOXLINE_SQL_DIR=$dir $Stack::ROOT/voxline migrate' 2>&1`;
    ($? >> 8, $o);
};
isnt($rc, 0, 'migrate refuses when an applied file was edited');
like($out, qr/was edited after it was applied/, 'and says why');
is($s->psql("SELECT count(*) FROM pg_tables WHERE tablename = 'must_not_exist'"), 0,
   'no later migration ran');

done_testing;
