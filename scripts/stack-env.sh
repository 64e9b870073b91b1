# Configuration of the programs of a stack in $VAR (sourced by
# stack.sh, run.sh and the tests); expects ROOT, VAR, ADDR and PORT.
export VOXLINE_DATABASE_URL="host=$VAR/run dbname=voxline user=voxline"
export VOXLINE_WEB_SOCKET="$VAR/run/web.sock"
export VOXLINE_WEB_SOCKET_MODE=${VOXLINE_WEB_SOCKET_MODE:-438}
export VOXLINE_WEB_TEMPLATES_DIR="$ROOT/templates"
export VOXLINE_SQL_DIR="$ROOT/sql"
export VOXLINE_STORAGE_DIR=${VOXLINE_STORAGE_DIR:-$VAR/storage}
export VOXLINE_PUBLIC_URL=${VOXLINE_PUBLIC_URL:-http://${ADDR:-127.0.0.1}:${PORT:-8080}}

# Secrets made once per stack directory and kept beside its data; a key
# added in a later version is appended to an existing file.
mkdir -p "$VAR"
secret_once() {
	grep -q "^$1=" "$VAR/secrets.env" 2>/dev/null ||
		(umask 077; echo "$1=$2" >> "$VAR/secrets.env")
}
secret_once VOXLINE_STREAM_TOKEN_SECRET "$(head -c 32 /dev/urandom | base64 | tr -d '/+=')"
secret_once VOXLINE_CREDENTIALS_KEY "$(head -c 32 /dev/urandom | base64)"
set -a
. "$VAR/secrets.env"
set +a
