#!/bin/sh
# `make bench`: measures voxline-media and writes docs/benchmarks.md.
# Uses an optimised build (a copy of the tree is built without the
# sanitizers when the current build has them), a throwaway stack on
# loopback ports, and stops by itself (levels stop escalating as soon as
# frames are late or lost, and every level has a time limit).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BUILD=$ROOT
if grep -q '^SANITIZE = 1' config.mk 2>/dev/null; then
	BUILD=$(mktemp -d /tmp/voxline-bench-XXXXXX)
	echo "bench: building an optimised copy in $BUILD" >&2
	tar cf - --exclude=./var --exclude=./.git --exclude='*.o' --exclude='*.a' --exclude='*.t' . | (cd "$BUILD" && tar xf -)
	(cd "$BUILD" && ./configure >/dev/null && make -j2 >/dev/null)
fi
perl -I "$BUILD/tests/lib" "$BUILD/tests/bench/media.pl" "$ROOT/docs/benchmarks.md" "make bench"
[ "$BUILD" = "$ROOT" ] || rm -rf "$BUILD"
