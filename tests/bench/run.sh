#!/bin/sh
# `make bench`: every benchmark in turn (never part of `make check`); each
# writes its own section of docs/benchmarks.md with the command and machine.
set -eu
cd "$(dirname "$0")/../.."
sh tests/bench/dashboard.sh
