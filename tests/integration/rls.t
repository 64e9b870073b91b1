#!/usr/bin/env perl
# Row-level security is the second wall between tenants: a query that
# forgot its tenant filter still sees only the tenant of its transaction.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Stack;

my $s = Stack->new;
my $scope = sub { "SET voxline.tenant_id = '$_[0]';" };

my ($a, $b) = map {
    $s->psql($scope->('*') . "INSERT INTO tenants (name, slug, plan) VALUES ('Tenant $_', 'rls-$_', 'base') RETURNING id")
} qw(a b);
($a) = $a =~ /([0-9a-f-]{36})/;
($b) = $b =~ /([0-9a-f-]{36})/;
ok($a && $b, 'two tenants created');
my %agent = map {
    my $id = $s->psql($scope->('*') . "INSERT INTO agents (tenant_id, name) VALUES ('$_', 'Desk') RETURNING id");
    ($_ => ($id =~ /([0-9a-f-]{36})/)[0])
} $a, $b;
for my $t ([$a, 'CA1', '+15550000001'], [$b, 'CB1', '+15550000002'], [$b, 'CB2', '+15550000003']) {
    $s->psql($scope->('*') . "INSERT INTO calls (tenant_id, agent_id, carrier, carrier_call_sid, direction,"
        . " from_number, to_number, status, started_at) VALUES ('$t->[0]', '$agent{$t->[0]}', 'twilio',"
        . " '$t->[1]', 'inbound', '$t->[2]', '+15559999999', 'completed', now())");
}

is($s->psql("SELECT count(*) FROM calls"), 0, 'no tenant set: no rows at all');
is($s->psql($scope->($a) . "SELECT count(*) FROM calls"), 1, "tenant A's scope sees only A's call");
is($s->psql($scope->($a) . "SELECT string_agg(carrier_call_sid, ',') FROM calls"), 'CA1', 'and it is the right one');
is($s->psql($scope->($b) . "SELECT count(*) FROM calls WHERE tenant_id = '$a'"), 0,
   "tenant B cannot read A's rows even by asking for them");
is($s->psql($scope->($a) . "SELECT count(*) FROM tenants"), 1, 'tenants table is scoped too');
is($s->psql($scope->('*') . "SELECT count(*) FROM calls WHERE carrier_call_sid LIKE 'C%'"), 3,
   'platform scope sees every tenant');

my $err = eval {
    $s->psql($scope->($a) . "INSERT INTO calls (tenant_id, agent_id, carrier, carrier_call_sid, direction,"
        . " from_number, to_number, status) VALUES ('$b', '$agent{$b}', 'twilio', 'CX', 'inbound',"
        . " '+15550000009', '+15559999999', 'queued')");
    1;
};
ok(!$err, "writing a row for tenant B from A's scope is refused");
is($s->psql($scope->($a) . "UPDATE calls SET outcome = 'tampered' WHERE tenant_id = '$b'; SELECT 0"), 0,
   "updating B's rows from A's scope touches nothing");
is($s->psql($scope->('*') . "SELECT count(*) FROM calls WHERE outcome = 'tampered'"), 0, 'nothing was changed');

done_testing;
