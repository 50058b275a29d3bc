#!/usr/bin/env bash
# Write the kernel series as one mbox, numbered, with the cover letter
# (patches/linux/cover-letter.txt: first line the subject, then the body)
# as patch 0, ready for "git am" or for mailing.
# Usage: make-series.sh TREE PATCHDIR OUTPUT
set -euo pipefail
tree=$1 pdir=$2 output=$3
n=$(git -C "$tree" rev-list --count base..HEAD)
[ "$n" -gt 0 ] || { echo "make-series: the series is empty" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$tree" -c core.abbrev=12 format-patch -q --zero-commit --no-signature \
	--cover-letter --thread=shallow -o "$tmp" base..HEAD
cover=$tmp/0000-cover-letter.patch
if [ -f "$pdir/cover-letter.txt" ]; then
	python3 - "$cover" "$pdir/cover-letter.txt" <<'PY'
import sys
cover, text = sys.argv[1], open(sys.argv[2]).read().split('\n', 1)
s = open(cover).read()
s = s.replace('*** SUBJECT HERE ***', text[0].strip())
s = s.replace('*** BLURB HERE ***', text[1].strip() if len(text) > 1 else '')
open(cover, 'w').write(s)
PY
fi
cat "$tmp"/*.patch >"$output"
echo "make-series: $output ($n patches + cover letter)"
