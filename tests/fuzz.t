#!/bin/sh
# Short libFuzzer runs of every parser of untrusted input (make fuzz: long).
exec sh "$(dirname "$0")/fuzz/run.sh" short
