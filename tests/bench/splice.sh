#!/bin/sh
# Puts a benchmark's report into its own section of docs/benchmarks.md:
#   splice.sh NAME HEADING REPORT
# REPORT is a Markdown file whose own "# " title is dropped and whose
# headings move one level down; it replaces what stands between
# <!-- begin: NAME --> and <!-- end: NAME --> (appended when absent).
set -eu
name=$1; heading=$2; report=$3
doc=$(cd "$(dirname "$0")/../.." && pwd)/docs/benchmarks.md
body=$(mktemp)
{
	echo "<!-- begin: $name -->"
	echo "## $heading"
	echo
	sed -e '/^# /d' -e 's/^##/###/' "$report"
	echo "<!-- end: $name -->"
} > "$body"
tmp=$(mktemp)
if grep -q "^<!-- begin: $name -->$" "$doc"; then
	awk -v name="$name" -v body="$body" '
		$0 == "<!-- begin: " name " -->" { while ((getline line < body) > 0) print line; skip = 1; next }
		$0 == "<!-- end: " name " -->" { skip = 0; next }
		!skip { print }
	' "$doc" > "$tmp"
else
	{ cat "$doc"; echo; cat "$body"; } > "$tmp"
fi
mv "$tmp" "$doc"
rm -f "$body"
