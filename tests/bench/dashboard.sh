#!/bin/sh
# Customer dashboard benchmark: one million calls for one tenant, then
# p50/p95 of the call list (first page, deep page, filtered, searched),
# the overview and call detail through nginx under concurrent load (wrk,
# loopback), and the PostgreSQL plans of the queries behind them.  Writes
# the "## Customer dashboard" section of docs/benchmarks.md.
#
#   sh tests/bench/dashboard.sh
#
# BENCH_DIR     stack directory, kept between runs so the seed is made once
#               (default tests/out/bench/dashboard)
# BENCH_CALLS   calls for the benchmark tenant (default 1000000)
# BENCH_SECONDS wrk duration per scenario (default 15)
# BENCH_CONNS   concurrent connections (default 8; wrk threads: 2)
# BENCH_OUT     the report (default docs/benchmarks.md of this tree)
#
# Needs a build without sanitizers: `make bench` (tests/bench/run.sh) runs
# it from an optimised copy when the tree is built with them.  About 3.5
# minutes with the default settings, plus about 2.5 minutes for the seed
# the first time (2 cores, shared).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
dir=${BENCH_DIR:-$root/tests/out/bench/dashboard}
calls=${BENCH_CALLS:-1000000}
secs=${BENCH_SECONDS:-15}
conns=${BENCH_CONNS:-8}
port=${BENCH_PORT:-18480}
out=${BENCH_OUT:-docs/benchmarks.md}
mkdir -p "$dir"
export VOXLINE_HTTP_PORT=$port VOXLINE_MEDIA_ADDR=127.0.0.1:$((port + 1)) VOXLINE_WEB_THREADS=${BENCH_WEB_THREADS:-8}
# The load comes from one address: lift the per-address API rate limit.
export VOXLINE_NGINX_RATE_API=1000000r/s VOXLINE_NGINX_BURST_API=100000

command -v wrk >/dev/null || { echo "dashboard bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
if ldd ./voxline-web | grep -q libasan; then
	echo "dashboard bench: voxline-web is built with sanitizers; use make bench, or ./configure (without --sanitize) && make first" >&2
	exit 1
fi

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
psql_app() { psql -h "$dir/run" -U voxline -d voxline -AtqX -v ON_ERROR_STOP=1 "$@"; }
psql_su() { as_pg psql -h "$dir/run" -U postgres -d voxline -AtqX -v ON_ERROR_STOP=1 "$@"; }
stack() { sh scripts/stack.sh "$1" "$dir" >"$dir/stack-$1.log" 2>&1 || { cat "$dir/stack-$1.log" >&2; exit 1; }; }
trap 'sh scripts/stack.sh stop "$dir" >/dev/null 2>&1 || true' EXIT INT TERM

stack start
have=$(psql_app -c "SET voxline.tenant_id = '*'; SELECT count(*) FROM calls c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'bench-dental'")
if [ "$have" -lt "$calls" ]; then
	[ "$have" -eq 0 ] || { echo "dashboard bench: $dir holds $have calls, not $calls; remove it to reseed" >&2; exit 1; }
	echo "dashboard bench: seeding $calls calls (once per BENCH_DIR)" >&2
	t0=$(date +%s)
	psql_app -q -v calls="$calls" -f tests/bench/dashboard_seed.sql >/dev/null 2>"$dir/seed.log"
	echo "dashboard bench: seeded in $(( $(date +%s) - t0 )) s" >&2
fi
tenant=$(psql_app -c "SET voxline.tenant_id = '*'; SELECT id FROM tenants WHERE slug = 'bench-dental'")

# A read-only API key of the benchmark tenant (only its hash is stored).
prefix=$(head -c 1024 /dev/urandom | tr -dc 'a-z0-9' | head -c 8)
key="vxk_${prefix}_$(head -c 96 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 43)"
hash=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
psql_app -c "SET voxline.tenant_id = '*'; INSERT INTO api_keys (tenant_id, name, prefix, key_hash, scope)
    VALUES ('$tenant', 'benchmark', '$prefix', '$hash', 'read')" >/dev/null
export BENCH_AUTH="Bearer $key"

# Targets: a call with a transcript, and a cursor half-way down the list.
call=$(psql_app -c "SET voxline.tenant_id = '$tenant'; SELECT call_id FROM call_turns WHERE tenant_id = '$tenant' ORDER BY call_id LIMIT 1")
deep=$(psql_app -c "SET voxline.tenant_id = '$tenant';
    SELECT 'newest|' || to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || '|' || id
      FROM calls WHERE tenant_id = '$tenant' AND archived_at IS NULL
     ORDER BY started_at DESC, id DESC OFFSET $((calls / 2)) LIMIT 1" | tr -d '\n' | base64 -w0 | tr '+/' '-_' | tr -d '=')
base=http://127.0.0.1:$port
scenarios="list_first|/api/v1/calls
list_deep|/api/v1/calls?cursor=$deep
list_filtered|/api/v1/calls?status=completed&reason=emergency&action=resolved&from=$(date -u -d '-60 days' +%F)
list_outcome|/api/v1/calls?outcome=voicemail&direction=outbound
search_common|/api/v1/calls?q=appointment
search_rare|/api/v1/calls?q=%2B12035550007
search_transcript|/api/v1/calls?q=%22date+of+birth%22
overview_7|/api/v1/overview?period=7
overview_30|/api/v1/overview?period=30
overview_90|/api/v1/overview?period=90
detail|/api/v1/calls/$call"

check() {
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $BENCH_AUTH" "$base$1")
	[ "$code" = 200 ] || { echo "dashboard bench: $1 answered $code" >&2; exit 1; }
}

# 1. Plans: auto_explain logs every statement of one request of each
# scenario with its actual times (the queries exactly as the server runs
# them, under row-level security); the slowest statement is kept.
plans=$dir/plans.txt
: >"$plans"
psql_su -c "ALTER ROLE voxline SET session_preload_libraries = 'auto_explain'" \
	-c "ALTER ROLE voxline SET auto_explain.log_min_duration = 0" \
	-c "ALTER ROLE voxline SET auto_explain.log_analyze = on" \
	-c "ALTER ROLE voxline SET auto_explain.log_buffers = on" >/dev/null
stack stop; stack start
# Only voxline-web's statements: the media daemon and the worker use the
# same role, and one of their start-up or periodic queries would
# otherwise be taken for a request's slowest statement.
stack media-stop; stack worker-stop
pglog=$dir/log/postgresql.log
echo "$scenarios" | while IFS='|' read -r name path; do
	check "$path"                       # warm-up
	before=$(wc -c <"$pglog")
	check "$path"
	sleep 0.3
	tail -c +"$((before + 1))" "$pglog" | perl -e '
		local $/; my $log = <STDIN>; my ($best, $max) = ("", -1);
		for my $e (split /(?=^\S.*LOG:  duration: )/m, $log) {
			next unless $e =~ /LOG:  duration: ([\d.]+) ms  plan:/;
			next if $e =~ /Query Text: (?:SELECT set_config|BEGIN|COMMIT|ROLLBACK)/;
			($best, $max) = ($e, $1) if $1 > $max;
		}
		$best =~ s/^\S.*LOG:  duration: ([\d.]+) ms  plan:\n/-- slowest statement: $1 ms\n/m;
		$best =~ s/^\t//mg;
		print "### $ARGV[0]\n\n```\n$best```\n\n";' "$name" >>"$plans"
done
psql_su -c "ALTER ROLE voxline RESET ALL" >/dev/null
stack stop; stack start

# 2. Load: each scenario alone, wrk with $conns connections for $secs s.
results=$dir/results.txt
: >"$results"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "$scenarios" | while IFS='|' read -r name path; do
	check "$path"
	line=$(wrk -t2 -c"$conns" -d"${secs}s" --timeout 5s -s tests/bench/latency.lua "$base$path" | grep '^RESULT')
	echo "$name $line" | tee -a "$results" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# 3. The report section.
machine="$(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/Mem:/ {print $2}') GB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), PostgreSQL $(psql_app -c 'SHOW server_version' | cut -d' ' -f1)"
section=$dir/section.md
{
	echo "## Customer dashboard"
	echo
	echo "Measured $(date -u +%F) with \`sh tests/bench/dashboard.sh\` (\`make bench\`): $calls calls for one"
	echo "tenant (and 50,000 for a neighbour) from \`tests/bench/dashboard_seed.sql\`, 5% with transcripts;"
	echo "through nginx on loopback with an API key, wrk -t2 -c$conns for ${secs} s per row, each row alone;"
	echo "voxline-web with $VOXLINE_WEB_THREADS threads, built without sanitizers. Machine: $machine."
	echo "Load average (1, 5, 15 min) when the load began: $load_before; at its end: $load_after (the"
	echo "benchmark itself keeps about 2 busy). Other work on the machine shows first in p95 and p99."
	echo
	echo "| request | p50 ms | p95 ms | p99 ms | req/s | errors |"
	echo "|---|---:|---:|---:|---:|---:|"
	while read -r name _ req err p50 p95 p99 rps; do
		echo "| $name | ${p50#p50=} | ${p95#p95=} | ${p99#p99=} | ${rps#rps=} | ${err#errors=} |"
	done <"$results"
	echo
	echo "Targets: p95 under 50 ms for list and detail, under 200 ms for the overview."
	echo
	[ -f tests/bench/dashboard_notes.md ] && cat tests/bench/dashboard_notes.md && echo
	echo "### Plans"
	echo
	echo "The slowest statement of one request of each kind, as the server ran it (auto_explain,"
	echo "with actual times and buffers)."
	echo
	cat "$plans"
} >"$section"

# Replace (or append) the section, leaving the rest of the file alone.
[ -f "$out" ] || printf '# Benchmarks\n\nEach section says how it was measured: the command, the machine and the load.\n\n' >"$out"
perl -e '
	my ($file, $secfile) = @ARGV;
	open(my $f, "<", $file) or die; local $/; my $doc = <$f>; close $f;
	open(my $s, "<", $secfile) or die; my $sec = <$s>; close $s;
	if ($doc =~ /^## Customer dashboard\n/m) {
		$doc =~ s/^## Customer dashboard\n.*?(?=^## (?!#)|\z)/$sec/ms;
	} else {
		$doc =~ s/\n*\z/\n\n/; $doc .= $sec;
	}
	open($f, ">", $file) or die; print $f $doc; close $f;' "$out" "$section"
echo "dashboard bench: results in $out" >&2
