#!/bin/sh
# Regenerates the tables in docs/ that come from the code's own
# declarations.  A block
#   <!-- generated: voxline COMMAND -->
#   ...
#   <!-- end generated -->
# is replaced by the output of `./voxline COMMAND`; a block
#   <!-- generated: voxline-web --OPTION -->
# by the output of `./voxline-web --OPTION` (the route table and the
# permission matrix live in voxline-web).
#   scripts/gen-docs.sh           rewrite the files
#   scripts/gen-docs.sh --check   exit 1 if any file is out of date
set -eu
cd "$(dirname "$0")/.."
check=${1:-}
status=0
for doc in docs/*.md; do
	grep -q '^<!-- generated: voxline' "$doc" || continue
	tmp=$(mktemp)
	awk '
		/^<!-- generated: voxline(-web)? [a-z-]+ -->$/ {
			print; system("./" $3 " " $4); skip = 1; next
		}
		/^<!-- end generated -->$/ { skip = 0 }
		!skip { print }
	' "$doc" > "$tmp"
	if [ "$check" = --check ]; then
		if ! cmp -s "$doc" "$tmp"; then
			echo "$doc is out of date: run make docs" >&2
			diff "$doc" "$tmp" >&2 || true
			status=1
		fi
		rm -f "$tmp"
	else
		mv "$tmp" "$doc"
	fi
done
exit $status
