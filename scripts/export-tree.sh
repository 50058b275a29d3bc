#!/usr/bin/env bash
# Write the commits base..HEAD of a working tree back into a patch folder:
# NNNN-*.patch files plus "series".  The output depends only on the commits'
# content, authors and messages (no commit hashes, dates of committing or
# tool signature), so re-exporting an unchanged tree changes nothing.
# Usage: export-tree.sh TREE PATCHDIR
set -euo pipefail
tree=$1 pdir=$2
die() { echo "export: $*" >&2; exit 1; }
git -C "$tree" rev-parse -q --verify base >/dev/null || die "$tree has no 'base' tag; run 'make tree'"
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted edits: commit them (or stash) first"
git -C "$tree" rev-parse -q --verify REBASE_HEAD >/dev/null 2>&1 &&
	die "$tree is in the middle of a rebase"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$tree" -c core.abbrev=12 -c diff.noprefix=false -c diff.renames=true \
	format-patch -q --zero-commit --no-signature -N --no-cover-letter \
	-o "$tmp" base..HEAD
mkdir -p "$pdir"
rm -f "$pdir"/[0-9][0-9][0-9][0-9]-*.patch
: >"$tmp/series"
for f in "$tmp"/*.patch; do
	[ -e "$f" ] || break
	cp "$f" "$pdir/"
	basename "$f" >>"$tmp/series"
done
cp "$tmp/series" "$pdir/series"
echo "export: $(wc -l <"$pdir/series") patch(es) from $tree to $pdir"
