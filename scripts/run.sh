#!/bin/sh
# `make run`: the whole platform on this machine with its embedded
# defaults (local PostgreSQL under ./var, demo tenant, local engines),
# in the foreground until Ctrl-C, with a few demo calls placed by the
# call simulator after start.  Data survives restarts.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VAR=${VOXLINE_VAR:-$ROOT/var}
PORT=${VOXLINE_HTTP_PORT:-8080}
export VOXLINE_HTTP_PORT=$PORT

stop() {
	trap - INT TERM EXIT
	echo
	echo "voxline: stopping..."
	sh "$ROOT/scripts/stack.sh" stop "$VAR"
	echo "voxline: stopped; data kept in $VAR"
	exit 0
}
trap stop INT TERM EXIT

# The services get a session of their own: Ctrl-C reaches only this
# script, which stops them in order (stack.sh stop).
setsid -w sh "$ROOT/scripts/stack.sh" start "$VAR"
. "$ROOT/scripts/stack-env.sh"
"$ROOT/voxline" demo --credentials-file "$VAR/admin-credentials" >/dev/null

email=$(sed -n 's/^email=//p' "$VAR/admin-credentials" 2>/dev/null)
password=$(sed -n 's/^password=//p' "$VAR/admin-credentials" 2>/dev/null)
[ -n "$password" ] || password="(shown when it was created; $VAR/admin-credentials is gone)"
cat <<MSG

  Voxline is running:  http://127.0.0.1:$PORT/
  Sign in as           $email
  with password        $password
  (kept in $VAR/admin-credentials)

  Logs: $VAR/log/   Stop: Ctrl-C

MSG
# A few calls through the real pipeline (simulated carrier, local
# engines) so the dashboard has something to show; VOXLINE_DEMO_CALLS=0
# skips them.
if [ "${VOXLINE_DEMO_CALLS:-1}" != 0 ]; then
	(for script in "$ROOT"/scripts/demo-calls/*.call; do
		"$ROOT/voxline" simulate --direct --from +15555550142 "$script" || true
	done) >>"$VAR/log/demo-calls.log" 2>&1 &
	echo "  Placing demo calls in the background (log: $VAR/log/demo-calls.log)"
	echo
fi
# Stay in the foreground while voxline-web lives.
while kill -0 "$(cat "$VAR/run/web.pid")" 2>/dev/null; do
	sleep 1
done
echo "voxline: voxline-web exited, see $VAR/log/web.log" >&2
exit 1
