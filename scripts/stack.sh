#!/bin/sh
# Starts and stops a whole Voxline stack in one directory: a PostgreSQL
# cluster, voxline-web, the job worker, voxline-media and nginx.  Used by `make run` and by the tests.
#
#   scripts/stack.sh start VARDIR     (everything; idempotent)
#   scripts/stack.sh stop VARDIR
#   scripts/stack.sh pg-start|pg-stop|web-start|web-stop|worker-start|worker-stop|media-start|media-stop|media-kill|nginx-start|nginx-stop VARDIR
#
# Environment: VOXLINE_HTTP_PORT (8080), VOXLINE_HTTP_ADDR (127.0.0.1),
# VOXLINE_MEDIA_ADDR (127.0.0.1:8081); any other VOXLINE_* key reaches the
# programs as a configuration override.
set -eu

cmd=${1:?usage: stack.sh start|stop|pg-start|pg-stop|web-start|web-stop VARDIR}
VAR=${2:?VARDIR missing}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$VAR"
VAR=$(cd "$VAR" && pwd)
PORT=${VOXLINE_HTTP_PORT:-8080}
ADDR=${VOXLINE_HTTP_ADDR:-127.0.0.1}
MEDIA_ADDR=${VOXLINE_MEDIA_ADDR:-127.0.0.1:8081}
PG_BINDIR=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

. "$ROOT/scripts/stack-env.sh"

as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

log() { echo "stack: $*" >&2; }

# postgres refuses to run as root: when we are root the cluster belongs to
# the postgres user, who must be able to reach VARDIR (traverse bit only).
# nginx's workers (nobody) likewise read static/ and the web socket.
grant_traverse() {
	[ "$(id -u)" = 0 ] || return 0
	for start in "$VAR" "$ROOT/static"; do
	d=$start
	while [ "$d" != / ]; do
		if ! runuser -u postgres -- test -x "$d"; then
			chmod o+x "$d"
			log "granted traverse (o+x) on $d so the postgres user can reach its data"
		fi
		d=$(dirname "$d")
	done
	done
}

pg_start() {
	mkdir -p "$VAR/run" "$VAR/log"
	grant_traverse
	if [ "$(id -u)" = 0 ]; then chown postgres "$VAR/run" "$VAR/log"; fi
	if [ ! -f "$VAR/pg/PG_VERSION" ]; then
		mkdir -p "$VAR/pg"
		[ "$(id -u)" = 0 ] && chown postgres "$VAR/pg"
		chmod 700 "$VAR/pg"
		as_pg "$PG_BINDIR/initdb" -D "$VAR/pg" -A peer -U postgres -E UTF8 --locale=C.UTF-8 >"$VAR/log/initdb.log" 2>&1 ||
			{ log "initdb failed, see $VAR/log/initdb.log"; exit 1; }
		# Local connections only: unix socket, peer for postgres, trust for the app role.
		cat > "$VAR/pg/pg_hba.conf" <<HBA
local all postgres peer
local all voxline trust
HBA
		[ "$(id -u)" = 0 ] && chown postgres "$VAR/pg/pg_hba.conf"
		fresh=1
	fi
	if ! as_pg "$PG_BINDIR/pg_ctl" -D "$VAR/pg" status >/dev/null 2>&1; then
		as_pg "$PG_BINDIR/pg_ctl" -D "$VAR/pg" -w -t 60 -l "$VAR/log/postgresql.log" \
		    -o "-k $VAR/run -c listen_addresses='' -c max_connections=200 -c fsync=${VOXLINE_PG_FSYNC:-on}" start >/dev/null ||
			{ log "postgres did not start, see $VAR/log/postgresql.log"; exit 1; }
	fi
	if [ "${fresh:-0}" = 1 ] || ! as_pg psql -h "$VAR/run" -U postgres -Atqc "SELECT 1 FROM pg_roles WHERE rolname='voxline'" postgres | grep -q 1; then
		as_pg psql -h "$VAR/run" -U postgres -qc "CREATE ROLE voxline LOGIN" postgres
		as_pg psql -h "$VAR/run" -U postgres -qc "CREATE DATABASE voxline OWNER voxline" postgres
	fi
	# Full-text search under row-level security: lets the planner use the
	# search indexes (docs/operations.md, "PostgreSQL setup").  A catalog
	# setting of this database, so it is (re)applied on every start.
	as_pg psql -h "$VAR/run" -U postgres -d voxline -qc \
	    "ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF"
}

pg_stop() {
	[ -f "$VAR/pg/PG_VERSION" ] || return 0
	as_pg "$PG_BINDIR/pg_ctl" -D "$VAR/pg" -m fast -w stop >/dev/null 2>&1 || true
}

# Starts a program in the background with a pid file and a log;
# waits until ready_test succeeds (or the program dies).
start_program() {
	name=$1; ready_test=$2; shift 2
	mkdir -p "$VAR/run" "$VAR/log"
	"$@" >>"$VAR/log/$name.log" 2>&1 &
	echo $! > "$VAR/run/$name.pid"
	i=0
	while ! eval "$ready_test"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$(cat "$VAR/run/$name.pid")" 2>/dev/null; then
			log "$name did not start, see $VAR/log/$name.log"
			tail -5 "$VAR/log/$name.log" >&2
			exit 1
		fi
		sleep 0.1
	done
}

stop_pidfile() {
	f=$1; tenths=${2:-100}
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	if kill "$pid" 2>/dev/null; then
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt "$tenths" ]; do sleep 0.1; i=$((i + 1)); done
	fi
	rm -f "$f"
}

web_start() { start_program web '[ -S "$VAR/run/web.sock" ]' "$ROOT/voxline-web"; }
web_stop() { stop_pidfile "$VAR/run/web.pid"; }
worker_start() { start_program worker 'grep -q worker_started "$VAR/log/worker.log"' "$ROOT/voxline" worker; }
worker_stop() { stop_pidfile "$VAR/run/worker.pid"; }
# voxline-media listens on VOXLINE_MEDIA_ADDR (its media_addr key), where
# nginx sends /media/; results it cannot store wait in the stack's spool.
media_start() {
	export VOXLINE_MEDIA_ADDR="$MEDIA_ADDR"
	export VOXLINE_MEDIA_SPOOL_PATH=${VOXLINE_MEDIA_SPOOL_PATH:-$VAR/spool/media.spool}
	export VOXLINE_MEDIA_NODE_ID=${VOXLINE_MEDIA_NODE_ID:-stack}
	export VOXLINE_MEDIA_DRAIN_SECONDS=${VOXLINE_MEDIA_DRAIN_SECONDS:-5}
	start_program media 'curl -fs "http://$MEDIA_ADDR/health" >/dev/null 2>&1' "$ROOT/voxline-media"
}
# Calls under way get media_drain_seconds to finish (SIGTERM drains).
media_stop() { stop_pidfile "$VAR/run/media.pid" 300; }
# As a crash would: no draining, nothing flushed (tests of recovery).
media_kill() {
	[ -f "$VAR/run/media.pid" ] || return 0
	kill -9 "$(cat "$VAR/run/media.pid")" 2>/dev/null || true
	rm -f "$VAR/run/media.pid"
}

nginx_render() {
	s3_endpoint=${VOXLINE_STORAGE_S3_ENDPOINT:-}
	s3_endpoint=${s3_endpoint%/}
	sed -e "s|@VAR@|$VAR|g" -e "s|@ROOT@|$ROOT|g" -e "s|@CONF_DIR@|$VAR/nginx|g" \
	    -e "s|@LISTEN@|$ADDR:$PORT|g" -e "s|@WEB_SOCKET@|$VAR/run/web.sock|g" \
	    -e "s|@MEDIA_ADDR@|$MEDIA_ADDR|g" -e "s|@STORAGE@|$VAR/storage|g" \
	    -e "s|@MAX_BODY@|${VOXLINE_NGINX_MAX_BODY:-2m}|g" \
	    -e "s|@RATE_LOGIN@|${VOXLINE_NGINX_RATE_LOGIN:-10r/m}|g" \
	    -e "s|@BURST_LOGIN@|${VOXLINE_NGINX_BURST_LOGIN:-10}|g" \
	    -e "s|@RATE_WEBHOOKS@|${VOXLINE_NGINX_RATE_WEBHOOKS:-50r/s}|g" \
	    -e "s|@BURST_WEBHOOKS@|${VOXLINE_NGINX_BURST_WEBHOOKS:-100}|g" \
	    -e "s|@RATE_API@|${VOXLINE_NGINX_RATE_API:-20r/s}|g" \
	    -e "s|@BURST_API@|${VOXLINE_NGINX_BURST_API:-40}|g" \
	    -e "s|@S3_ENDPOINT@|$s3_endpoint|g" \
	    -e "s|@HSTS@||g" \
	    "$ROOT/nginx/$1.conf.in" > "$VAR/nginx/$1.conf"
}

nginx_conf() {
	mkdir -p "$VAR/nginx" "$VAR/log" "$VAR/storage"
	# nginx's workers read recordings in storage (X-Accel-Redirect to
	# /_files/).  As in production (docs/operations.md): the directory
	# belongs to their group, setgid so that the job worker's new
	# sub-directories do too.  Only root starts them as another user.
	if [ "$(id -u)" = 0 ]; then
		chmod 711 "$VAR"
		chgrp "$(id -gn nobody)" "$VAR/storage" && chmod 2750 "$VAR/storage"
	fi
	for f in voxline locations fastcgi security-headers; do
		nginx_render "$f"
	done
	# The S3 playback location exists only when recordings go to S3.
	if [ -n "${VOXLINE_STORAGE_S3_ENDPOINT:-}" ]; then
		nginx_render s3-playback
	else
		echo "# Recordings are stored locally (storage_s3_endpoint is not set)." > "$VAR/nginx/s3-playback.conf"
	fi
}

nginx_start() {
	nginx_conf
	"$NGINX" -t -q -p "$VAR/nginx" -c "$VAR/nginx/voxline.conf" -e "$VAR/log/nginx-error.log" 2>>"$VAR/log/nginx-error.log" ||
		{ log "nginx configuration rejected, see $VAR/log/nginx-error.log"; exit 1; }
	"$NGINX" -p "$VAR/nginx" -c "$VAR/nginx/voxline.conf" -e "$VAR/log/nginx-error.log" ||
		{ log "nginx did not start, see $VAR/log/nginx-error.log"; exit 1; }
}

nginx_stop() {
	[ -f "$VAR/run/nginx.pid" ] || return 0
	"$NGINX" -p "$VAR/nginx" -c "$VAR/nginx/voxline.conf" -e "$VAR/log/nginx-error.log" -s quit 2>/dev/null || true
	i=0
	while [ -f "$VAR/run/nginx.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

case "$cmd" in
start)
	pg_start
	"$ROOT/voxline" migrate >&2
	web_start
	worker_start
	media_start
	nginx_start
	;;
stop)
	nginx_stop
	media_stop
	worker_stop
	web_stop
	pg_stop
	;;
pg-start) pg_start ;;
pg-stop) pg_stop ;;
web-start) web_start ;;
web-stop) web_stop ;;
worker-start) worker_start ;;
worker-stop) worker_stop ;;
media-start) media_start ;;
media-stop) media_stop ;;
media-kill) media_kill ;;
nginx-start) nginx_start ;;
nginx-stop) nginx_stop ;;
*) echo "stack.sh: unknown command $cmd" >&2; exit 2 ;;
esac
