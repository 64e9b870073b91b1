#!/usr/bin/env perl
# The admin portal against a real stack's database: runs the handler
# test (tests/unit/admin_portal.t) with this stack's database and the
# real templates (the handlers driven directly with a signed-in
# superadmin), and checks the portal's routes over HTTP.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Stack;

my $s = Stack->new;
my $root = $Stack::ROOT;
my $user = $s->psql("INSERT INTO users (email, name, is_superadmin) VALUES ('ops\@example.com', 'Platform Operator', true) RETURNING id");
($user) = $user =~ /([0-9a-f-]{36})/;
ok($user, 'a superadmin to act as');

local $ENV{VOXLINE_TEST_DATABASE_URL} = "host=" . $s->dir . "/run dbname=voxline user=voxline";
local $ENV{VOXLINE_TEST_TEMPLATES} = "$root/templates";
local $ENV{VOXLINE_TEST_USER_ID} = $user;
my @out = `$root/tests/unit/admin_portal.t 2>&1`;
my $status = $?;
my ($tests, $failed) = (0, 0);
for (@out) {
    if (/^(not )?ok \d+ - (.*)$/) {
        $tests++;
        $failed++ if $1;
        ok(!$1, "portal: $2");
    } elsif (/^#/) {
        note($_);
    }
}
ok($tests > 80, "the handler test ran ($tests checks)") or diag(@out);
is($status, 0, 'and exited cleanly (no sanitizer report)') or diag(grep { !/^ok / } @out);

# Over HTTP: portal pages send anonymous visitors to sign in.
for my $path ('/admin/tenants', '/admin/agents', '/admin/numbers', '/admin/intelligence', '/admin/quality') {
    my $r = $s->get($path);
    ok($r->{status} == 303 && ($r->{headers}{location} // '') =~ m{^/login}, "GET $path without signing in: to the sign-in page")
        or diag("$r->{status} " . ($r->{headers}{location} // ''));
}
my $r = $s->request('POST', '/admin/tenants', headers => { 'Content-Type' => 'application/x-www-form-urlencoded' },
    content => 'name=x');
is($r->{status}, 401, 'POST /admin/tenants without signing in: 401');
is($s->psql("SET voxline.tenant_id = '*'; SELECT count(*) FROM tenants WHERE name = 'x'"), 0, 'and nothing was created');

# Tenants live in the portal only: the old identity address moved there.
{
    require People;
    my $pp = People->new($s);
    my $sess = $pp->session($pp->user('root@platform.test', superadmin => 1));
    my $old = $s->get('/platform/tenants', headers => { Cookie => $sess->{cookie} });
    is($old->{status}, 301, 'GET /platform/tenants has moved for good');
    is($old->{headers}{location}, '/admin/tenants', 'to the portal\'s tenants list');
    my $new = $s->get('/admin/tenants', headers => { Cookie => $sess->{cookie} });
    like($new->{content}, qr{<a[^>]+href="/admin/tenants"[^>]*>Tenants</a>}, 'the navigation leads there');
    unlike($new->{content}, qr{href="/platform/tenants"}, 'and nowhere else');
    my $post = $s->request('POST', '/platform/tenants', headers => { Cookie => $sess->{cookie},
        'X-CSRF-Token' => $sess->{csrf}, 'Content-Type' => 'application/x-www-form-urlencoded' },
        content => 'name=Old&slug=old&plan=pro');
    is($post->{status}, 405, 'the old create form is gone');
    is($s->psql("SET voxline.tenant_id = '*'; SELECT count(*) FROM tenants WHERE slug = 'old'"), 0, 'and created nothing');
}

# The tenants API creates through the portal's code: the same fields and
# checks, the schema's defaults for what is left out, one audit entry.
{
    my $pp = People->new($s);
    my $sess = $pp->session($pp->user('api-root@platform.test', superadmin => 1));
    my %h = (headers => { Cookie => $sess->{cookie}, 'X-CSRF-Token' => $sess->{csrf} });
    my $r = $s->post_json('/api/v1/platform/tenants', { name => 'Bare', slug => 'bare' }, %h);
    is($r->{status}, 201, 'API: a tenant from a name and a slug') or diag $r->{content};
    is(join(',', map { $r->{json}{$_} // '' } qw(plan time_zone max_concurrent_calls monthly_minutes retention_days status)),
        'base,UTC,5,1000,90,active', 'with the schema\'s defaults');
    $r = $s->post_json('/api/v1/platform/tenants', { name => 'Full', slug => 'full', plan => 'pro',
        time_zone => 'Europe/Berlin', max_concurrent_calls => 12, monthly_minutes => 5000, retention_days => 30 }, %h);
    is($r->{status}, 201, 'API: a tenant with every field');
    is(join(',', map { $r->{json}{$_} // '' } qw(plan time_zone max_concurrent_calls monthly_minutes retention_days)),
        'pro,Europe/Berlin,12,5000,30', 'as given');
    is($s->psql("SET voxline.tenant_id = '*'; SELECT count(*) FROM audit_log WHERE action = 'tenant.create'"
        . " AND target_id = '$r->{json}{id}' AND actor_user_id IS NOT NULL AND after->>'time_zone' = 'Europe/Berlin'"), 1,
        'audited once, with its actor and values');
    $r = $s->post_json('/api/v1/platform/tenants', { name => 'Again', slug => 'full' }, %h);
    is($r->{status}, 400, 'API: a taken slug is refused');
    is($r->{json}{error}{fields}{slug}, 'This short name is taken.', 'next to the field') or diag $r->{content};
    $r = $s->post_json('/api/v1/platform/tenants', { name => 'Zone', slug => 'zone', time_zone => 'Mars/Olympus' }, %h);
    is($r->{json}{error}{fields}{time_zone}, 'Unknown time zone; use an IANA name like Europe/Berlin.', 'API: an unknown time zone is refused');
    $r = $s->post_json('/api/v1/platform/tenants', { name => 'Dash', slug => '-dash' }, %h);
    ok($r->{status} == 400 && $r->{json}{error}{fields}{slug}, 'API: a slug with a leading dash is refused');
    $r = $s->post_json('/api/v1/platform/tenants', { name => 'Many', slug => 'many', max_concurrent_calls => 20000 }, %h);
    ok($r->{status} == 400 && $r->{json}{error}{fields}{max_concurrent_calls}, 'API: limits keep the portal\'s bounds');
    is($s->psql("SET voxline.tenant_id = '*'; SELECT string_agg(slug, ',' ORDER BY slug) FROM tenants"
        . " WHERE slug IN ('bare', 'full', 'zone', '-dash', 'many')"), 'bare,full', 'only the valid tenants exist');
}

my $js = $s->get('/static/js/admin.js');
is($js->{status}, 200, 'the upload helper script is served from static/');
like($js->{content}, qr/readAsText/, 'and reads the chosen file in the browser');

done_testing;
