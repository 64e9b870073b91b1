package People;
# Tenants, users, sessions and API keys for integration and browser
# tests, made through the voxline CLI and SQL on a Stack.  Sessions and
# keys are inserted directly (only hashes are stored, as the server does)
# so that tests need not sign in through the rate-limited login.
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
use Exporter 'import';
our @EXPORT_OK = qw(fast_argon2_env);

my $counter = 0;

# Cheap Argon2id parameters for tests (the minimum the configuration allows).
sub fast_argon2_env {
    return (VOXLINE_PASSWORD_ARGON2_M_KIB => 8192, VOXLINE_PASSWORD_ARGON2_T_COST => 1);
}

sub new {
    my ($class, $stack) = @_;
    my %env = fast_argon2_env();
    $ENV{$_} = $env{$_} for keys %env;     # for the CLI this test runs
    return bless { s => $stack }, $class;
}

sub platform { my ($self, $sql) = @_; return $self->{s}->psql("SET voxline.tenant_id = '*'; $sql") }

sub tenant {
    my ($self, $slug, $plan) = @_;
    my ($rc, $out) = $self->{s}->voxline('tenant', 'add', $slug, '--name', ucfirst($slug), '--plan', $plan || 'pro');
    die "tenant add: $out" if $rc;
    my ($id) = $out =~ /([0-9a-f-]{36})/;
    return $id;
}

# Creates a user (optionally a member of tenant slug with role); returns its id.
sub user {
    my ($self, $email, %o) = @_;
    my $pwfile = $self->{s}->dir . '/pw-' . ++$counter;
    open(my $f, '>', $pwfile) or die $!;
    print $f ($o{password} || 'correct horse battery'), "\n";
    close $f;
    my @args = ('user', 'add', $email, '--name', $o{name} || $email, '--password-file', $pwfile);
    push @args, '--tenant', $o{tenant}, '--role', $o{role} if $o{tenant};
    push @args, '--superadmin' if $o{superadmin};
    my ($rc, $out) = $self->{s}->voxline(@args);
    die "user add: $out" if $rc;
    my ($id) = $out =~ /([0-9a-f-]{36})/;
    return $id;
}

sub token { return join '', map { ('a'..'z', 'A'..'Z', 0..9)[int rand 62] } 1 .. 43 }

# A fresh session for user_id on tenant_id: { cookie, csrf, id, token }.
sub session {
    my ($self, $user_id, $tenant_id) = @_;
    my ($token, $csrf) = (token(), token());
    my $t = $tenant_id ? "'$tenant_id'" : 'NULL';
    my $id = $self->platform("INSERT INTO sessions (token_hash, user_id, current_tenant_id, csrf_token, expires_at)"
        . " VALUES ('" . sha256_hex($token) . "', '$user_id', $t, '$csrf', now() + interval '1 hour') RETURNING id");
    ($id) = $id =~ /([0-9a-f-]{36})/;
    return { cookie => "voxline_session=$token", csrf => $csrf, id => $id, token => $token };
}

# A fresh API key of tenant_id: { bearer, id, prefix }.
sub api_key {
    my ($self, $tenant_id, $scope, %o) = @_;
    my $prefix = join '', map { ('a'..'z', 0..9)[int rand 36] } 1 .. 8;
    my $key = "vxk_${prefix}_" . token();
    my $revoked = $o{revoked} ? 'now()' : 'NULL';
    my $id = $self->platform("INSERT INTO api_keys (tenant_id, name, prefix, key_hash, scope, revoked_at)"
        . " VALUES ('$tenant_id', 'test', '$prefix', '" . sha256_hex($key) . "', '$scope', $revoked) RETURNING id");
    ($id) = $id =~ /([0-9a-f-]{36})/;
    return { bearer => "Bearer $key", id => $id, prefix => $prefix };
}

# Request headers for a principal ({cookie,csrf} or {bearer}) asking for JSON.
sub headers {
    my ($p, $method) = @_;
    my %h = (Accept => 'application/json');
    return \%h unless $p;
    if ($p->{bearer}) { $h{Authorization} = $p->{bearer} }
    else {
        $h{Cookie} = $p->{cookie};
        $h{'X-CSRF-Token'} = $p->{csrf} if $method ne 'GET';
    }
    return \%h;
}

1;
