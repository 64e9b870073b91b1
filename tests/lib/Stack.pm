package Stack;
# A throwaway Voxline stack for integration tests: PostgreSQL cluster,
# voxline-web and nginx on a free loopback port, in a temporary
# directory, started through scripts/stack.sh (the same path `make run`
# takes) and stopped when the object goes away.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(remove_tree);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;

our %LIVE;      # stacks not yet stopped, by directory
our $ROOT = abs_path(dirname(__FILE__) . '/../..');

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp')
        or die "no free port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

sub new {
    my ($class, %opt) = @_;
    # Removed by stop(), after the processes: File::Temp's own clean-up
    # could run first at exit and leave them running without their files.
    my $dir = tempdir('voxline-test-XXXXXX', TMPDIR => 1, CLEANUP => 0);
    my $self = bless { dir => $dir, port => free_port(), env => $opt{env} || {}, pid => $$ }, $class;
    $self->{http} = HTTP::Tiny->new(max_redirect => 0, timeout => 30);
    $LIVE{$self->{dir}} = $self;
    $self->sh('start');
    return $self;
}

sub env_prefix {
    my ($self) = @_;
    my %env = (VOXLINE_HTTP_PORT => $self->{port}, VOXLINE_MEDIA_ADDR => '127.0.0.1:' . free_port(),
               VOXLINE_PG_FSYNC => 'off', %{ $self->{env} });
    return join ' ', map { "$_='$env{$_}'" } sort keys %env;
}

# Runs scripts/stack.sh CMD in this stack's directory.
sub sh {
    my ($self, $cmd) = @_;
    my $out = `@{[ $self->env_prefix ]} sh $ROOT/scripts/stack.sh $cmd $self->{dir} 2>&1`;
    die "stack.sh $cmd failed:\n$out" if $? != 0;
    return $out;
}

# The environment a program of this stack runs with (voxline CLI, psql).
sub env_sh {
    my ($self) = @_;
    return "ROOT=$ROOT VAR=$self->{dir} PORT=$self->{port}; . $ROOT/scripts/stack-env.sh;";
}

# Arguments are passed as a list (no shell quoting), so they may hold
# spaces and quotes.
sub voxline {
    my ($self, @args) = @_;
    return $self->voxline_env({}, @args);
}

# As voxline, with extra environment for this one run.  Precedence: that
# extra environment, then the caller's %ENV, then the stack's settings.
sub voxline_env {
    my ($self, $env, @args) = @_;
    my $pid = open(my $p, '-|') // die "fork: $!";
    if (!$pid) {
        open(STDERR, '>&', \*STDOUT);
        $ENV{$_} //= $self->{env}{$_} for keys %{ $self->{env} };
        @ENV{ keys %$env } = values %$env;
        exec('sh', '-c', $self->env_sh . ' exec "$0" "$@"', "$ROOT/voxline", @args);
        exit 127;
    }
    local $/;
    my $out = <$p> // '';
    close $p;
    return ($? >> 8, $out);
}

# psql as the application role (row-level security applies).
sub psql {
    my ($self, $sql) = @_;
    local $ENV{PGOPTIONS} = '-c client_min_messages=warning';
    open(my $p, '-|', 'psql', '-h', "$self->{dir}/run", '-U', 'voxline', '-d', 'voxline',
         '-AtqX', '-v', 'ON_ERROR_STOP=1', '-c', $sql) or die "psql: $!";
    local $/;
    my $out = <$p> // '';
    close $p;
    die "psql failed ($?): $sql\n" if $? != 0;
    $out =~ s/\n+\z//;
    return $out;
}

sub url { my ($self, $path) = @_; return "http://127.0.0.1:$self->{port}$path" }
sub dir { $_[0]{dir} }

sub request {
    my ($self, $method, $path, %opt) = @_;
    my $res = $self->{http}->request($method, $self->url($path), {
        headers => $opt{headers} || {},
        (defined $opt{content} ? (content => $opt{content}) : ()),
    });
    if (($res->{headers}{'content-type'} // '') =~ m{^application/json}) {
        $res->{json} = eval { decode_json($res->{content}) };
    }
    return $res;
}

sub get { my ($self, $path, %opt) = @_; return $self->request('GET', $path, %opt) }

sub post_json {
    my ($self, $path, $data, %opt) = @_;
    my $headers = { 'Content-Type' => 'application/json', %{ $opt{headers} || {} } };
    return $self->request('POST', $path, headers => $headers,
        content => ref $data ? encode_json($data) : $data);
}

sub log_text {
    my ($self, $name) = @_;
    open(my $f, '<', "$self->{dir}/log/$name") or return '';
    local $/;
    return <$f>;
}

sub web_pid {
    my ($self) = @_;
    open(my $f, '<', "$self->{dir}/run/web.pid") or return 0;
    my $pid = <$f>;
    chomp $pid;
    return $pid;
}

# Stops the processes, then removes the directory (unless KEEP_STACK).
sub stop {
    my ($self) = @_;
    return unless $self->{dir} && delete $LIVE{$self->{dir}};
    return unless $$ == ($self->{pid} // $$);
    local $?;
    system("@{[ $self->env_prefix ]} sh $ROOT/scripts/stack.sh stop $self->{dir} >/dev/null 2>&1");
    remove_tree($self->{dir}) unless $ENV{KEEP_STACK};
}

sub DESTROY { $_[0]->stop }
END { $_->stop for values %LIVE }

1;
