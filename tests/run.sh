#!/bin/sh
# `make check`: the whole suite through prove.  Unit tests (C), short
# fuzz runs, integration tests (real PostgreSQL, nginx, voxline-web on
# loopback) and browser tests (Debian's Chromium through playwright-core).
set -eu
cd "$(dirname "$0")/.."
mkdir -p tests/out

set -- tests/unit/*.t tests/fuzz.t tests/integration/*.t
if ls tests/browser/*.t >/dev/null 2>&1; then
	sh tests/browser/setup.sh
	set -- "$@" tests/browser/*.t
fi
exec prove -j2 -I tests/lib "$@"
