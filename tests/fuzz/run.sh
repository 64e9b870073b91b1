#!/bin/sh
# libFuzzer harnesses for every parser of untrusted input.
#
#   sh tests/fuzz/run.sh short [NAME...]   20 s per harness (make check)
#   sh tests/fuzz/run.sh long  [NAME...]   600 s per harness (make fuzz)
#
# FUZZ_SECONDS overrides the duration; CLANG the compiler.  Every
# tests/fuzz/*_fuzz.c is built (with ASan + UBSan, UB aborts) into
# tests/fuzz/NAME and run in parallel, seeded from tests/fuzz/seeds/NAME/
# (and tests/fuzz/NAME.dict when present); the growing corpus lives in
# tests/out/fuzz/corpus/NAME and crash inputs in tests/out/fuzz/crashes/NAME/.
#
# stdout is TAP only; build and fuzzer output go to stderr and
# tests/out/fuzz/NAME.log.  Exit status 0 only when every harness built and
# ran its time without a crash, leak, timeout or out-of-memory.
set -u

mode=${1:-short}
[ $# -gt 0 ] && shift
case "$mode" in
short) secs=${FUZZ_SECONDS:-20} ;;
long) secs=${FUZZ_SECONDS:-600} ;;
*) echo "usage: sh tests/fuzz/run.sh short|long [NAME...]" >&2; exit 2 ;;
esac

# Work from the repository root whatever the caller's directory.
root=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
cd "$root" || exit 2

CLANG=${CLANG:-clang}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
out=tests/out/fuzz
objdir=$out/obj
mkdir -p "$objdir" "$out/corpus" "$out/crashes"

# The harnesses to run: all, or the names given.
names=""
if [ $# -gt 0 ]; then
	for n in "$@"; do names="$names ${n%.c}"; done
else
	for f in tests/fuzz/*_fuzz.c; do
		[ -e "$f" ] || continue
		n=${f##*/}
		names="$names ${n%.c}"
	done
fi
count=0
for n in $names; do count=$((count + 1)); done
echo "1..$count"
[ "$count" -gt 0 ] || exit 0

# Libraries: the same pkg-config list as ./configure (its LIBS_TABLE).
pcs=$(sed -n '/^LIBS_TABLE="/,/^"/p' configure 2>/dev/null | grep ':' | cut -d: -f1 | tr '\n' ' ')
[ -n "$pcs" ] || pcs="fcgi libpq libcurl jansson openssl libargon2 libwebsockets libuv speexdsp pocketsphinx espeak-ng"
build_err=""
if ! command -v "$CLANG" >/dev/null 2>&1; then
	build_err="$CLANG not found"
elif [ ! -f config.h ]; then
	build_err="config.h missing: run ./configure first"
elif ! dep_cflags=$($PKG_CONFIG --cflags $pcs) || ! dep_libs=$($PKG_CONFIG --libs $pcs); then
	build_err="pkg-config failed for: $pcs"
fi

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CF="-std=c11 -D_GNU_SOURCE -g -O1 -I. -Ilib"

# The code under test: every source voxline-web links except its main().
objs=""
if [ -z "$build_err" ]; then
	hdrs=$(ls config.h lib/*.h lib/*.def fcgi/*.h fcgi/*.def fcgi/*/*.h 2>/dev/null)
	for src in lib/*.c fcgi/*.c fcgi/*/*.c; do
		[ -e "$src" ] || continue
		[ "$src" = fcgi/main.c ] && continue
		obj=$objdir/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')
		objs="$objs $obj"
		# Rebuild when the source or any header is newer than the object.
		if [ -f "$obj" ] && [ -z "$(find "$src" $hdrs -newer "$obj" 2>/dev/null | head -1)" ]; then
			continue
		fi
		echo "fuzz: cc $src" >&2
		if ! $CLANG $CF $dep_cflags $SAN -fsanitize=fuzzer-no-link -c -o "$obj" "$src" >&2; then
			rm -f "$obj"
			build_err="compiling $src failed"
			break
		fi
	done
fi

# Build and start every harness, in parallel.
pids=""
for n in $names; do
	log=$out/$n.log
	: > "$log"
	rm -f "$out/$n.status"
	if [ -n "$build_err" ]; then
		echo "build: $build_err" > "$out/$n.status"
		continue
	fi
	if [ ! -f "tests/fuzz/$n.c" ]; then
		echo "build: tests/fuzz/$n.c does not exist" > "$out/$n.status"
		continue
	fi
	echo "fuzz: link tests/fuzz/$n" >&2
	if ! $CLANG $CF $dep_cflags $SAN -fsanitize=fuzzer -o "tests/fuzz/$n" "tests/fuzz/$n.c" \
	    $objs $dep_libs -largon2 -lpthread -lm >>"$log" 2>&1; then
		cat "$log" >&2
		echo "build: tests/fuzz/$n failed to build (see $log)" > "$out/$n.status"
		continue
	fi
	corpus=$out/corpus/$n
	crashes=$out/crashes/$n
	mkdir -p "$corpus"
	rm -rf "$crashes"
	mkdir -p "$crashes"
	set -- "$corpus"
	[ -d "tests/fuzz/seeds/$n" ] && set -- "$@" "tests/fuzz/seeds/$n"
	dict=""
	[ -f "tests/fuzz/$n.dict" ] && dict="-dict=tests/fuzz/$n.dict"
	# -close_fd_mask=2 silences the code's own JSON logs; libFuzzer and the
	# sanitizers keep reporting on a duplicate of stderr (into the log).
	( "./tests/fuzz/$n" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=8192 -print_final_stats=1 -close_fd_mask=2 \
	    -artifact_prefix="$crashes/" $dict "$@" >>"$log" 2>&1
	  echo "rc: $?" > "$out/$n.status" ) &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done

# Report in TAP, in order.
k=0
failed=0
for n in $names; do
	k=$((k + 1))
	status=$(cat "$out/$n.status" 2>/dev/null || echo "rc: none")
	case "$status" in
	"rc: 0")
		echo "ok $k - $n: no crash in $secs s"
		continue ;;
	build:*)
		echo "not ok $k - $n: ${status#build: }" ;;
	*)
		crash=$(ls "$out/crashes/$n" 2>/dev/null | head -1)
		if [ -n "$crash" ]; then
			echo "not ok $k - $n: crash input $out/crashes/$n/$crash (reproduce: tests/fuzz/$n $out/crashes/$n/$crash)"
		else
			echo "not ok $k - $n: fuzzer exited with ${status#rc: } and no crash input (see $out/$n.log)"
		fi
		# What went wrong and where: the sanitizer's summary and the first
		# stack frames in the project's own code.
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error:)' "$out/$n.log" 2>/dev/null |
		    head -3 | sed 's/^/# /'
		grep -E '^ *#[0-9]+ .* in .* (/[^ ]*)?(lib|fcgi|cli|media|tests/fuzz)/[^ ]*\.c:[0-9]+' "$out/$n.log" 2>/dev/null |
		    head -3 | sed 's/^ */#   /' ;;
	esac
	failed=$((failed + 1))
done
[ "$failed" -eq 0 ]
