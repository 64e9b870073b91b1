#!/usr/bin/env perl
# The customer dashboard's handlers and SQL on a real PostgreSQL: every
# filter, search, the keyset cursor while calls keep arriving, time-zone
# day boundaries (with a DST change), CSV export, detail, resolve/archive
# with their audit trail, overview statistics, change polling, the pages,
# and tenant isolation of each.  Requests run through routing, parsing,
# validation and the handler as a signed-in user (the request driver);
# sign-in and permissions themselves are tested over HTTP.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Stack;
use CallFixtures;

my $s = Stack->new;
my $f = CallFixtures->new($s);
my $A = $f->tenant(name => 'Harbor Test');
my $B = $f->tenant(name => 'Other Test', signals => '{"reasons":["sales"],"outcomes":["sold"]}');
my $op = $f->user('Olive Operator');
my $req = sub { my ($m, $p, $in, %o) = @_; $f->request($m, $p, $in, $o{tenant} // $A->{id}, $o{user} // $op, %o) };
my $list = sub {
    my ($query, %o) = @_;
    my $r = $req->('GET', '/api/v1/calls', $query, %o);
    is($r->{status}, 200, "list ?$query answers 200") or diag $r->{content};
    return $r->{json};
};
my $ids = sub { [ map { $_->{id} } @{ $_[0]{calls} } ] };

# ---- Calls of tenant A (times relative to fixed instants)
my %c;
$c{emergency} = $f->call($A, started => "'2026-03-02 14:00Z'", from => '+12035550101', reason => 'emergency',
    outcome => 'message_taken', summary => 'Severe tooth pain since last night', action => 1, priority => 'urgent',
    duration => 95, turns => [['agent', 'Thank you for calling Harbor Dental.', 0],
                              ['caller', 'My molar is throbbing, the swelling is bad', 2100],
                              ['agent', 'I am sorry to hear that', 5200, 1]],
    events => [['call.answered'], ['transfer.failed', '{"to":"+15555550100"}']]);
$c{billing} = $f->call($A, started => "'2026-03-02 15:00Z'", from => '+442071234567', reason => 'billing',
    outcome => 'answered', summary => 'Question about an invoice', duration => 30);
$c{appt} = $f->call($A, started => "'2026-03-02 16:00Z'", from => '+12035550102', reason => 'appointment',
    outcome => 'appointment_requested', summary => 'Wants a cleaning next week', action => 1, priority => 'high',
    duration => 200);
$c{outbound} = $f->call($A, started => "'2026-03-02 17:00Z'", direction => 'outbound', status => 'no_answer',
    from => '+15555550123', duration => 0, outcome => undef);
$c{formula} = $f->call($A, started => "'2026-03-02 18:00Z'", from => '+12035550103', reason => 'billing',
    outcome => 'message_taken', summary => '=HYPERLINK("http://evil.example","click"), said "hi"', duration => 45,
    action => 1);
# Day boundaries in America/New_York around the DST change (8 March 2026):
$c{late_7th} = $f->call($A, started => "'2026-03-08 04:30Z'", reason => 'billing');   # 23:30 on the 7th (EST)
$c{early_8th} = $f->call($A, started => "'2026-03-08 05:30Z'", reason => 'billing');  # 00:30 on the 8th (EST)
$c{late_8th} = $f->call($A, started => "'2026-03-09 03:30Z'", reason => 'billing');   # 23:30 on the 8th (EDT)
$c{early_9th} = $f->call($A, started => "'2026-03-09 04:30Z'", reason => 'billing');  # 00:30 on the 9th (EDT)

my $b_call = $f->call($B, started => "'2026-03-02 14:30Z'", from => '+12035550101', reason => 'sales',
    outcome => 'sold', summary => 'Severe tooth pain sale', action => 1);

# ---- Listing and filters
my $all = $list->('');
is(scalar @{ $all->{calls} }, 9, "default list: the tenant's 9 calls, none of the other tenant's");
ok(!grep({ $_ eq $b_call } @{ $ids->($all) }), "tenant B's call is not listed");
is($all->{calls}[0]{id}, $c{early_9th}, 'newest first');
is($all->{time_zone}, 'America/New_York', "the tenant's zone is reported");
is($all->{next_cursor}, undef, 'one page: no cursor');

is_deeply($ids->($list->('status=no_answer')), [$c{outbound}], 'status filter');
is_deeply([sort @{ $ids->($list->('outcome=message_taken')) }], [sort $c{emergency}, $c{formula}], 'outcome filter');
is_deeply($ids->($list->('reason=appointment')), [$c{appt}], 'reason filter');
is_deeply($ids->($list->('direction=outbound')), [$c{outbound}], 'direction filter');
is_deeply([sort @{ $ids->($list->('action=open')) }], [sort $c{emergency}, $c{appt}, $c{formula}], 'open action items');
is(scalar @{ $list->('action=none')->{calls} }, 6, 'calls needing no action');
is_deeply($ids->($list->('sort=longest&limit=1')), [$c{appt}], 'longest first');
is_deeply($ids->($list->('sort=oldest&limit=1')), [$c{emergency}], 'oldest first');

# Time zones: the 8th of March in New York is 23 hours long.
is_deeply([sort @{ $ids->($list->('from=2026-03-08&to=2026-03-08')) }], [sort $c{early_8th}, $c{late_8th}],
   'a local day: 00:30 EST and 23:30 EDT in, 23:30 the day before and 00:30 the day after out');
is_deeply($ids->($list->('to=2026-03-07&from=2026-03-07')), [$c{late_7th}], '23:30Z-4:30 belongs to the 7th locally');
is(scalar @{ $list->('from=2026-03-09')->{calls} }, 1, 'from alone');
is(scalar @{ $list->('to=2026-03-02')->{calls} }, 5, 'to alone');

# ---- Search
is_deeply($ids->($list->('q=throbbing')), [$c{emergency}], 'search finds words said in the transcript');
is_deeply($ids->($list->('q=invoice')), [$c{billing}], 'search finds the summary');
is_deeply($ids->($list->('q=appointment')), [$c{appt}], 'search finds the reason');
is_deeply($ids->($list->('q=%2B12035550102')), [$c{appt}], 'search finds the caller number as written');
is_deeply($ids->($list->('q=2035550102')), [$c{appt}], 'and in its national form');
is_deeply($ids->($list->('q=442071234567')), [$c{billing}], 'and as digits only');
is_deeply($ids->($list->('q=severe+tooth')), [$c{emergency}], "several words; the other tenant's match stays invisible");
is_deeply($ids->($list->('q=%22tooth+pain%22+-swelling')), [], 'web-search syntax: phrase and exclusion');
is_deeply($ids->($list->('q=billing&status=completed&from=2026-03-02&to=2026-03-02')), [$c{formula}, $c{billing}],
   'search combines with filters');
# Search pages like the list: one match per page, each page found among
# the newest calls first, the whole set the same as unpaged.
my $want = $ids->($list->('q=billing&archived=include'));
my (@got, $sp) = ();
$sp = $list->('q=billing&archived=include&limit=1');
push @got, @{ $ids->($sp) };
while ($sp->{next_cursor}) { $sp = $list->("q=billing&archived=include&limit=1&cursor=$sp->{next_cursor}"); push @got, @{ $ids->($sp) } }
ok(@$want >= 6, 'several billing calls');
is_deeply(\@got, $want, 'searching page by page gives the same calls in the same order');
# Several words take the other way (the newest calls first, then the
# index): the pages are the same.
my $q2 = 'q=billing+or+appointment&archived=include';
$want = $ids->($list->($q2));
@got = ();
$sp = $list->("$q2&limit=2");
push @got, @{ $ids->($sp) };
while ($sp->{next_cursor}) { $sp = $list->("$q2&limit=2&cursor=$sp->{next_cursor}"); push @got, @{ $ids->($sp) } }
ok(@$want >= 7, 'several calls match either word');
is_deeply(\@got, $want, 'a search of several words page by page gives the same calls in the same order');
my $bad = $req->('GET', '/api/v1/calls', 'status=lost');
is($bad->{status}, 400, 'an unknown status is refused');
is($bad->{json}{error}{code}, 'validation_failed', 'with the standard error');
ok($bad->{json}{error}{fields}{status}, 'naming the field');
is($req->('GET', '/api/v1/calls', 'tenant_id=' . $B->{id})->{status}, 400, 'a tenant id in the query is not a thing');

# ---- Keyset pagination while calls arrive
my @seen;
my $page = $list->('limit=4');
push @seen, @{ $ids->($page) };
is(scalar @seen, 4, 'first page of 4');
ok($page->{next_cursor}, 'with a cursor to the next');
my $newer = $f->call($A, started => "'2026-03-10 12:00Z'", reason => 'billing');   # arrives on top
my $between = $f->call($A, started => "'2026-03-02 15:30Z'", reason => 'billing'); # lands in a later page
while (my $cur = $page->{next_cursor}) {
    $page = $list->("limit=4&cursor=$cur");
    push @seen, @{ $ids->($page) };
}
my %count;
$count{$_}++ for @seen;
ok(!grep({ $_ > 1 } values %count), 'no call listed twice while new calls arrived');
ok(!grep({ !$count{$_} } values %c), 'no call of the original list skipped');
ok($count{$between}, 'a call arriving further down the list is reached');
ok(!$count{$newer}, 'a call newer than the first page waits for a fresh list');

# Ties: calls at the same instant page by id without loss.
my @tied = map { $f->call($A, started => "'2026-01-01 12:00Z'", reason => 'hours') } 1 .. 5;
my (@tseen, $tp);
$tp = $list->('limit=2&from=2026-01-01&to=2026-01-01');
push @tseen, @{ $ids->($tp) };
while ($tp->{next_cursor}) { $tp = $list->("limit=2&from=2026-01-01&to=2026-01-01&cursor=$tp->{next_cursor}"); push @tseen, @{ $ids->($tp) } }
is_deeply([sort @tseen], [sort @tied], 'calls with the same start time page without duplicates or gaps');
is_deeply(\@tseen, [reverse sort @tied], 'ties broken by id, newest-first order');

# The same by duration, longest first, while calls arrive on both sides
# of the cursor (many calls tie at no duration: ties page by id).
my $before_longest = $ids->($list->('sort=longest&limit=200'));
my @lseen;
my $lp = $list->('sort=longest&limit=3');
push @lseen, @{ $ids->($lp) };
my $long_new = $f->call($A, started => "'2026-03-03 12:00Z'", reason => 'billing', duration => 150);  # above the cursor
my $short_new = $f->call($A, started => "'2026-03-03 13:00Z'", reason => 'billing', duration => 40); # below it
while (my $cur = $lp->{next_cursor}) {
    $lp = $list->("sort=longest&limit=3&cursor=$cur");
    push @lseen, @{ $ids->($lp) };
}
my %lcount;
$lcount{$_}++ for @lseen;
ok(!grep({ $_ > 1 } values %lcount), 'longest first: no call listed twice while calls arrived');
is(scalar(grep { !$lcount{$_} } @$before_longest), 0, 'no call of the original list skipped');
ok($lcount{$short_new} && !$lcount{$long_new}, 'the shorter newcomer is reached, the longer one waits for a fresh list');

my $forged = $req->('GET', '/api/v1/calls', 'cursor=AAAA');
is($forged->{status}, 400, 'a forged cursor is refused');
ok($forged->{json}{error}{fields}{cursor}, 'as a cursor field error');
my $first = $list->('limit=1');
is($req->('GET', '/api/v1/calls', "limit=1&sort=oldest&cursor=$first->{next_cursor}")->{status}, 400,
   "a cursor cannot be replayed against another sort");
is($req->('GET', '/api/v1/calls', 'limit=201')->{status}, 400, 'page size is bounded');

# ---- Detail
my $d = $req->('GET', "/api/v1/calls/$c{emergency}");
is($d->{status}, 200, 'call detail');
is($d->{json}{call}{reason}, 'emergency', 'with its fields');
is_deeply([map { $_->{speaker} } @{ $d->{json}{turns} }], [qw(agent caller agent)], 'turns in order');
is($d->{json}{turns}[1]{at}, '00:02', 'each turn with its time from the start');
ok($d->{json}{turns}[2]{interrupted}, 'interruptions marked');
is_deeply([map { $_->{type} } @{ $d->{json}{events} }], ['call.answered', 'transfer.failed'], 'the timeline');
is($d->{json}{recording}, undef, 'no recording');
is($req->('GET', "/api/v1/calls/$b_call")->{status}, 404, "another tenant's call is not found");
is($req->('GET', "/api/v1/calls/$c{emergency}", '', tenant => $B->{id})->{status}, 404, '... from either side');

# Recording: stored file handed to nginx; others' not.
$f->sql("INSERT INTO recordings (tenant_id, call_id, status, storage_path, content_type, duration_seconds)"
    . " VALUES ('$A->{id}', '$c{emergency}', 'stored', 'recordings/$A->{id}/$c{emergency}.wav', 'audio/wav', 95)");
my $rec = $req->('GET', "/calls/$c{emergency}/recording");
is($rec->{status}, 200, 'recording authorised');
is($rec->{headers}{'x-accel-redirect'}, "/_files/recordings/$A->{id}/$c{emergency}.wav", 'served by nginx from storage');
is($req->('GET', "/calls/$c{emergency}/recording", '', tenant => $B->{id})->{status}, 404, "not to another tenant");
is($req->('GET', "/calls/$c{billing}/recording")->{status}, 404, 'no recording, 404');
ok($req->('GET', "/api/v1/calls/$c{emergency}")->{json}{recording}{id}, 'detail names the recording');

# ---- CSV export
my $csv = $req->('GET', '/calls/export.csv', 'from=2026-03-02&to=2026-03-02&sort=oldest');
is($csv->{status}, 200, 'export');
like($csv->{headers}{'content-type'}, qr{^text/csv}, 'as CSV');
like($csv->{headers}{'content-disposition'}, qr/attachment/, 'as a download');
my @lines = split /\r\n/, $csv->{content};
like($lines[0], qr/^started_at \(America\/New_York\),direction,from_number,/, 'header row names the time zone');
is(scalar @lines, 1 + 6, 'one row per call of the filtered view (including the one that arrived)');
like($lines[1], qr/^2026-03-02 09:00:00,inbound,\+12035550101,/, "times in the tenant's zone, numbers stay numbers");
my ($frow) = grep { /evil/ } @lines;
like($frow, qr/,"'=HYPERLINK\(""http:\/\/evil\.example"",""click""\), said ""hi"""/, 'formula defused and quotes escaped');
# The export's days are the tenant's days too (the 23-hour 8th of March).
my @dst = split /\r\n/, $req->('GET', '/calls/export.csv', 'from=2026-03-08&to=2026-03-08&sort=oldest')->{content};
is_deeply([map { substr($_, 0, 19) } @dst[1 .. $#dst]], ['2026-03-08 00:30:00', '2026-03-08 23:30:00'],
   'exporting a local day across the DST change: its two calls, in local time');
my $bcsv = $req->('GET', '/api/v1/calls/export.csv', '', tenant => $B->{id});
is(scalar(split /\r\n/, $bcsv->{content}), 2, "tenant B's export holds only its own call");
is($req->('GET', '/calls/export.csv', 'q=nothingmatchesthis')->{content} =~ tr/\n//, 1, 'an empty view exports the header alone');

# ---- Resolve (bulk) and archive, audited
my $r = $req->('POST', '/api/v1/calls/resolve',
    qq({"ids":["$c{emergency}","$c{appt}","$b_call"],"note":"Called back"}), content_type => 'application/json');
is($r->{status}, 200, 'resolve two at once');
is_deeply([sort @{ $r->{json}{changed} }], [sort $c{emergency}, $c{appt}], 'both resolved');
is_deeply($r->{json}{unchanged}, [$b_call], "another tenant's call is untouched");
is($f->sql("SELECT count(*) FROM calls WHERE id = '$b_call' AND resolved_at IS NULL"), 1, '... really');
is($f->sql("SELECT resolved_by || '|' || resolution_note FROM calls WHERE id = '$c{appt}'"), "$op|Called back",
   'who resolved and the note are kept');
is_deeply($ids->($list->('action=open')), [$c{formula}], 'resolved items leave the open list');
is(scalar @{ $list->('action=resolved')->{calls} }, 2, 'and are found as resolved');
is($f->sql("SELECT count(*) FROM audit_log WHERE action = 'call.resolve' AND tenant_id = '$A->{id}' AND actor_user_id = '$op'"),
   2, 'one audit row per resolved call');
$r = $req->('POST', '/api/v1/calls/resolve', qq({"ids":["$c{emergency}"]}), content_type => 'application/json');
is_deeply($r->{json}{changed}, [], 'resolving again changes nothing');
is($req->('POST', '/api/v1/calls/resolve', qq({"ids":["$c{emergency}"],"tenant_id":"$B->{id}"}),
   content_type => 'application/json')->{status}, 400, 'no tenant can be named in the body');
is($req->('POST', '/api/v1/calls/resolve', '{"ids":[]}', content_type => 'application/json')->{status}, 400,
   'ids are required');
is($req->('POST', '/api/v1/calls/resolve', '{"ids":["x"]}', content_type => 'application/json')->{status}, 400,
   'ids must be ids');

my $form = $req->('POST', '/calls/resolve', "ids=$c{formula}&note=done&return_to=%2Faction-required");
is($form->{status}, 303, 'the resolve form redirects');
is($form->{headers}{location}, '/action-required?notice=resolved&n=1', 'back to the list with a notice');
is($req->('POST', '/calls/archive', "ids=$c{billing}&return_to=https%3A%2F%2Fevil.example")->{headers}{location},
   '/calls?notice=archived&n=1', 'archive form; never redirects off-site');
is(scalar(grep { $_ eq $c{billing} } @{ $ids->($list->('')) }), 0, 'archived calls leave the default list');
is_deeply($ids->($list->('q=invoice')), [], '... and the default search');
is_deeply($ids->($list->('q=invoice&archived=include')), [$c{billing}], 'but stay searchable with the toggle');
is_deeply($ids->($list->('archived=only')), [$c{billing}], 'the archive lists them');
is($f->sql("SELECT archived_by FROM calls WHERE id = '$c{billing}'"), $op, 'who archived is kept');
$r = $req->('POST', '/api/v1/calls/restore', qq({"ids":["$c{billing}"]}), content_type => 'application/json');
is_deeply($r->{json}{changed}, [$c{billing}], 'restored');
is_deeply($ids->($list->('q=invoice')), [$c{billing}], 'back in the default view');
is($f->sql("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE target_id = '$c{billing}'"),
   'call.archive,call.restore', 'archive and restore audited');
$r = $req->('POST', '/api/v1/calls/archive', qq({"ids":["$b_call"]}), content_type => 'application/json');
is_deeply($r->{json}{changed}, [], "archiving another tenant's call changes nothing");

# ---- Overview (relative to now, in the tenant's zone)
my $O = $f->tenant(time_zone => 'Pacific/Auckland');
my $today = "((now() AT TIME ZONE 'Pacific/Auckland')::date::timestamp + interval '10 hours') AT TIME ZONE 'Pacific/Auckland'";
$f->call($O, started => $today, outcome => 'answered', reason => 'billing', duration => 60) for 1 .. 3;
$f->call($O, started => $today, outcome => 'transferred', reason => 'emergency', duration => 120,
    transfer_to => '+15555550100', transfer_status => 'completed', action => 1);
$f->call($O, started => $today, status => 'no_answer', outcome => undef, reason => undef, duration => 0);
$f->call($O, started => "$today - interval '8 days'", outcome => 'answered', reason => 'billing', duration => 30);
$f->call($O, started => "$today - interval '40 days'", outcome => 'answered', reason => 'billing');
my $ov = $req->('GET', '/api/v1/overview', 'period=7', tenant => $O->{id});
is($ov->{status}, 200, 'overview');
my $o = $ov->{json};
is_deeply($o->{totals}, { calls => 5, answered => 4, avg_duration => 60, transfers => 1, action_open => 1 },
   'totals for the last 7 local days');
is_deeply($o->{previous}, { calls => 1, answered => 1, avg_duration => 30, transfers => 0 }, 'and the 7 days before');
is(scalar @{ $o->{series} }, 7, 'one point per day');
is($o->{series}[-1]{calls}, 5, "today's calls in the last point");
is($o->{series}[0]{calls}, 0, 'empty days are zero, not missing');
is_deeply([map { [$_->{value}, $_->{calls}] } @{ $o->{outcomes} }], [['answered', 3], ['', 1], ['transferred', 1]],
   'outcomes, most frequent first (unrecorded included)');
is_deeply((map { [$_->{label}, $_->{calls}, $_->{previous}] } @{ $o->{reasons} })[0], ['Billing', 3, 1],
   'top reason with the previous period');
is($req->('GET', '/api/v1/overview', 'period=30', tenant => $O->{id})->{json}{previous}{calls}, 1, '30 days: the 40-day-old call is the previous period');
is($req->('GET', '/api/v1/overview', 'period=90', tenant => $O->{id})->{json}{totals}{calls}, 7, '90 days: all of them');
is($req->('GET', '/api/v1/overview', 'period=12')->{status}, 400, 'periods are declared');
is($req->('GET', '/api/v1/overview', 'period=7', tenant => $B->{id})->{json}{totals}{calls}, 0,
   "tenant B's overview counts nothing of the others' (its call is older than 7 days)");

# The per-day statistics follow every write to calls.
$f->sql("UPDATE calls SET outcome = 'transferred', transfer_to = '+15555550100' WHERE tenant_id = '$O->{id}'"
    . " AND outcome = 'answered' AND started_at > now() - interval '2 days'");
$o = $req->('GET', '/api/v1/overview', 'period=7', tenant => $O->{id})->{json};
is_deeply([map { [$_->{value}, $_->{calls}] } @{ $o->{outcomes} }], [['transferred', 4], ['', 1]],
   'an outcome changed on hang-up moves the counts');
is($o->{totals}{transfers}, 4, 'transfers follow');
$f->sql("DELETE FROM calls WHERE tenant_id = '$O->{id}' AND outcome IS NULL");
is($req->('GET', '/api/v1/overview', 'period=7', tenant => $O->{id})->{json}{totals}{calls}, 4, 'a deleted call leaves the counts');
# Moving the tenant to a zone a day behind recounts its days there (the
# recount check below says which day each call is in).
$f->sql("UPDATE tenants SET time_zone = 'Pacific/Pago_Pago' WHERE id = '$O->{id}'");
$o = $req->('GET', '/api/v1/overview', 'period=7', tenant => $O->{id})->{json};
is($o->{series}[-1]{calls} + $o->{series}[-2]{calls}, 4, 'a time-zone change recounts the days in the new zone');
my $drift = $f->sql("SELECT count(*) FROM (SELECT s.tenant_id, s.day, s.outcome, s.reason, s.calls, s.answered, s.duration_sum, s.transfers"
    . " FROM call_daily_stats s WHERE s.calls <> 0 EXCEPT SELECT c.tenant_id, (c.started_at AT TIME ZONE t.time_zone)::date,"
    . " coalesce(c.outcome, ''), coalesce(c.reason, ''), count(*), count(c.answered_at), coalesce(sum(c.duration_seconds), 0),"
    . " count(c.transfer_to) FROM calls c JOIN tenants t ON t.id = c.tenant_id GROUP BY 1, 2, 3, 4) x");
is($drift, 0, 'the per-day statistics equal a recount of every call');

# ---- Changes since (ETag / 304)
my $ch = $req->('GET', '/calls/changes');
is($ch->{status}, 200, 'changes');
my $etag = $ch->{headers}{etag};
like($etag, qr/^"\d+"$/, 'with an ETag');
is($req->('GET', '/api/v1/calls/changes', '', if_none_match => $etag)->{status}, 304, 'unchanged: 304');
$f->sql("UPDATE calls SET status = 'completed' WHERE id = '$c{outbound}'");
my $ch2 = $req->('GET', '/calls/changes', '', if_none_match => $etag);
is($ch2->{status}, 200, 'a status change is noticed');
isnt($ch2->{headers}{etag}, $etag, 'with a new ETag');
my $bt = $req->('GET', '/calls/changes', '', tenant => $B->{id})->{headers}{etag};
$f->call($A, reason => 'billing');
is($req->('GET', '/calls/changes', '', tenant => $B->{id}, if_none_match => $bt)->{status}, 304,
   "another tenant's new call does not wake tenant B");

# ---- Pages
my $p = $req->('GET', '/calls', 'reason=billing&q=%3Cscript%3E');
is($p->{status}, 200, 'call log page');
like($p->{content}, qr/<option value="billing" selected>Billing<\/option>/, 'reason filter from the tenant signals, selected');
like($p->{content}, qr/value="&lt;script&gt;"/, 'search text escaped back into the form');
unlike($p->{content}, qr/<script>/, 'never raw');
like($p->{content}, qr/href="\/calls\/export\.csv\?reason&#61;billing&amp;q&#61;%3Cscript%3E"/, 'export link keeps the filters');
$p = $req->('GET', '/calls');
is($p->{status}, 200, 'call log page without any filter');
like($p->{content}, qr/href="\/calls\/export\.csv"/, 'exports everything');
$p = $req->('GET', '/calls', 'limit=2&sort=oldest');
like($p->{content}, qr/href="\/calls\?sort&#61;oldest&amp;cursor&#61;[A-Za-z0-9_-]+" rel="next"/, 'next page link is bookmarkable');
$p = $req->('GET', "/calls/$c{emergency}");
is($p->{status}, 200, 'call page');
like($p->{content}, qr/My molar is throbbing/, 'transcript shown');
like($p->{content}, qr/Interrupted/, 'interruption marked in words');
like($p->{content}, qr/<audio controls[^>]+src="\/calls\/$c{emergency}\/recording"/, 'audio player');
like($p->{content}, qr/Transfer failed/, 'timeline');
$p = $req->('GET', "/calls/$c{formula}");
like($p->{content}, qr/&#61;HYPERLINK\(&quot;http:\/\/evil\.example&quot;/, 'summary escaped');
$p = $req->('GET', '/dashboard', 'period=7', tenant => $O->{id});
is($p->{status}, 200, 'overview page');
like($p->{content}, qr/<svg class="chart chart-columns"[^>]+role="img"/, 'calls chart rendered by the server');
like($p->{content}, qr/<svg class="chart chart-rows"/, 'outcomes chart');
like($p->{content}, qr/Calls per day as a table/, 'with a table alternative');
like($p->{content}, qr/Welcome to your call dashboard/, 'the welcome tour on first visit');
is($req->('POST', '/dashboard/tour', '', tenant => $O->{id})->{status}, 303, 'dismissed');
unlike($req->('GET', '/dashboard', '', tenant => $O->{id})->{content}, qr/Welcome to your call dashboard/, 'and not shown again');
$p = $req->('GET', '/action-required');
is($p->{status}, 200, 'action required page');
is($req->('GET', '/dashboard', '', tenant => '')->{status}, 403, 'a user without a tenant sees no dashboard');

done_testing;
