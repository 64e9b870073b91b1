#!/bin/sh
# `make bench`: every benchmark in turn (never part of `make check`); each
# writes its own section of docs/benchmarks.md with the command and machine.
#
# The media daemon's benchmark uses an optimised build (a copy of the tree
# is built without the sanitizers when the current build has them), a
# throwaway stack on loopback ports, and stops by itself (levels stop
# escalating as soon as frames are late or lost; every level has a time limit).
# The dashboard's benchmark runs from the same build, on its seeded stack
# in tests/out/bench/dashboard (kept between runs), and reports here.
#
# BENCH_ONLY=media or BENCH_ONLY=dashboard runs one of them.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BUILD=$ROOT
if grep -q '^SANITIZE = 1' config.mk 2>/dev/null; then
	BUILD=$(mktemp -d /tmp/voxline-bench-XXXXXX)
	echo "bench: building an optimised copy in $BUILD" >&2
	tar cf - --exclude=./var --exclude=./.git --exclude=./tests/out --exclude='*.o' --exclude='*.a' --exclude='*.t' . | (cd "$BUILD" && tar xf -)
	(cd "$BUILD" && ./configure >/dev/null && make -j2 >/dev/null)
fi
only=${BENCH_ONLY:-}
if [ -z "$only" ] || [ "$only" = media ]; then
	report=$(mktemp)
	perl -I "$BUILD/tests/lib" "$BUILD/tests/bench/media.pl" "$report" "make bench"
	sh tests/bench/splice.sh media "Media daemon" "$report"
	rm -f "$report"
fi
if [ -z "$only" ] || [ "$only" = dashboard ]; then
	BENCH_DIR=${BENCH_DIR:-$ROOT/tests/out/bench/dashboard} BENCH_OUT=${BENCH_OUT:-$ROOT/docs/benchmarks.md} \
		sh "$BUILD/tests/bench/dashboard.sh"
fi
[ "$BUILD" = "$ROOT" ] || rm -rf "$BUILD"
