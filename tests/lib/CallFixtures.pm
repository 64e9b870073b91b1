package CallFixtures;
# Calls for dashboard tests, written through SQL the way the telephony
# edge and the media daemon write them: a calls row, then call_turns
# (the transcript follows by trigger), call_events, and the outcome fields
# on hang-up.  Everything in platform scope, like those writers.
use strict;
use warnings;
use JSON::PP ();

sub new {
    my ($class, $stack) = @_;
    return bless { s => $stack, n => 0 }, $class;
}

sub lit {
    my ($v) = @_;
    return 'NULL' unless defined $v;
    $v =~ s/'/''/g;
    return "'$v'";
}

sub sql {
    my ($self, $sql) = @_;
    return $self->{s}->psql("SET voxline.tenant_id = '*'; $sql");
}

sub uuid { my ($self, $sql) = @_; my $out = $self->sql($sql); ($out =~ /([0-9a-f-]{36})/)[0] }

# A tenant with one agent whose dashboard signals are given.
sub tenant {
    my ($self, %o) = @_;
    my $slug = $o{slug} // 'dash-' . ++$self->{n} . "-$$";
    my $t = $self->uuid("INSERT INTO tenants (name, slug, plan, time_zone) VALUES ("
        . lit($o{name} // $slug) . ", " . lit($slug) . ", 'pro', " . lit($o{time_zone} // 'America/New_York')
        . ") RETURNING id");
    my $signals = $o{signals} // '{"reasons":["appointment","billing","emergency"],'
        . '"outcomes":["answered","appointment_requested","message_taken","transferred"],'
        . '"pipeline":["new","closed"]}';
    my $a = $self->uuid("INSERT INTO agents (tenant_id, name, dashboard_signals) VALUES ('$t', 'Front desk', "
        . lit($signals) . "::jsonb) RETURNING id");
    return { id => $t, agent => $a };
}

# An agent for an existing tenant (made elsewhere, e.g. by People):
# returns the same shape as tenant().
sub agent_for {
    my ($self, $tenant_id, %o) = @_;
    my $signals = $o{signals} // '{"reasons":["appointment","billing","emergency"],'
        . '"outcomes":["answered","appointment_requested","message_taken","transferred"]}';
    my $a = $self->uuid("INSERT INTO agents (tenant_id, name, dashboard_signals) VALUES ('$tenant_id', 'Front desk', "
        . lit($signals) . "::jsonb) RETURNING id");
    $self->sql("UPDATE tenants SET time_zone = " . lit($o{time_zone} // 'America/New_York') . " WHERE id = '$tenant_id'");
    return { id => $tenant_id, agent => $a };
}

sub user {
    my ($self, $name) = @_;
    my $email = lc($name) . '-' . ++$self->{n} . "-$$\@example.com";
    $email =~ s/\s+/./g;
    return $self->uuid("INSERT INTO users (email, name) VALUES (" . lit($email) . ", " . lit($name) . ") RETURNING id");
}

# One call.  started: SQL timestamptz expression (default now()).
# turns: [[speaker, text, offset_ms, interrupted], ...]; events: [[type, json], ...]
sub call {
    my ($self, $t, %o) = @_;
    my $sid = 'CA' . ++$self->{n} . "x$$";
    my @cols = (
        tenant_id => lit($t->{id}), agent_id => lit($t->{agent}), carrier => lit('twilio'),
        carrier_call_sid => lit($sid), direction => lit($o{direction} // 'inbound'),
        from_number => lit(exists $o{from} ? $o{from} : '+15551230000'), to_number => lit('+15555550123'),
        status => lit($o{status} // 'completed'), started_at => ($o{started} // 'now()'),
        answered_at => ($o{answered} // ((($o{status} // 'completed') eq 'completed') ? ($o{started} // 'now()') : 'NULL')),
        duration_seconds => $o{duration} // 60, outcome => lit($o{outcome}), reason => lit($o{reason}),
        summary => lit($o{summary}), requires_action => ($o{action} ? 'true' : 'false'),
        priority => lit($o{priority} // 'normal'), transfer_to => lit($o{transfer_to}),
        transfer_status => lit($o{transfer_status}),
        captured_data => lit($o{captured} // '{}') . '::jsonb',
    );
    my (@k, @v);
    while (my ($k, $v) = splice(@cols, 0, 2)) { push @k, $k; push @v, $v }
    my $id = $self->uuid("INSERT INTO calls (" . join(', ', @k) . ") VALUES (" . join(', ', @v) . ") RETURNING id");
    if ($o{turns}) {
        my $seq = 0;
        my @rows = map {
            "('$t->{id}', '$id', " . $seq++ . ", " . lit($_->[0]) . ", " . lit($_->[1]) . ", "
            . ($_->[2] // 'NULL') . ", " . ($_->[3] ? 'true' : 'false') . ")"
        } @{ $o{turns} };
        $self->sql("INSERT INTO call_turns (tenant_id, call_id, seq, speaker, text, offset_ms, interrupted) VALUES "
            . join(', ', @rows));
    }
    for my $e (@{ $o{events} || [] }) {
        $self->sql("INSERT INTO call_events (tenant_id, call_id, occurred_at, type, data) VALUES ('$t->{id}', '$id', "
            . ($o{started} // 'now()') . ", " . lit($e->[0]) . ", " . lit($e->[1] // '{}') . "::jsonb)");
    }
    return $id;
}

# Runs one request through voxline-web's handler as a signed-in user of
# tenant (tests/integration/drivers/request); returns
# {status, headers => {lowercase name => value}, content, json}.
sub request {
    my ($self, $method, $path, $input, $tenant, $user, %o) = @_;
    my $s = $self->{s};
    local $ENV{IF_NONE_MATCH} = $o{if_none_match} if $o{if_none_match};
    my @args = ($method, $path, $input // '', $tenant // '', $user // '', $o{content_type} ? $o{content_type} : ());
    open(my $p, '-|', 'sh', '-c', $s->env_sh . ' cd "$ROOT" && exec tests/integration/drivers/request "$@"',
         'request', @args) or die "driver: $!";
    local $/;
    my $out = <$p> // '';
    close $p;
    die "driver failed ($?) for $method $path" if $? != 0;
    my ($status, $rest) = split /\n/, $out, 2;
    my ($head, $body) = split /\r\n\r\n/, "\r\n" . $rest, 2;
    my %h;
    for (split /\r\n/, $head) { $h{lc $1} = $2 if /^([^:]+):\s*(.*)$/ }
    my $res = { status => $status, headers => \%h, content => $body // '' };
    $res->{json} = eval { JSON::PP::decode_json($res->{content}) } if ($h{'content-type'} // '') =~ /json/;
    return $res;
}

1;
