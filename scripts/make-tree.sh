#!/usr/bin/env bash
# Create a working tree: the pristine base committed and tagged "base", then
# every patch named in PATCHDIR/series applied with "git am", one commit each.
#
# Usage: make-tree.sh SRCDIR TREE PATCHDIR
#   SRCDIR    unpacked pristine source (read-only reference copy)
#   TREE      working tree to (re)create
#   PATCHDIR  folder holding "series" and the patch files
#
# Refuses to replace a tree that holds work not yet exported (FORCE=1 overrides).
# The base commit is cached in TREE.base.git so a rebuild only re-applies.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/identity.sh"

src=$1 tree=$2 pdir=$3
die() { echo "make-tree: $*" >&2; exit 1; }
[ -d "$src" ] || die "no source at $src"
[ -f "$pdir/series" ] || die "no series file in $pdir"

if [ -d "$tree/.git" ] && [ "${FORCE:-0}" != 1 ]; then
	"$here/tree-status.sh" "$tree" "$pdir" >/dev/null 2>&1 ||
		die "$tree holds work that is not in $pdir; run 'make export' first (or FORCE=1 to discard it)"
fi

mkdir -p "$(dirname "$tree")"
cache=$(cd "$(dirname "$tree")" && pwd)/$(basename "$tree").base.git
stamp=$(cat "$src/.done" 2>/dev/null || echo unknown)
if [ ! -d "$cache" ] || [ "$(cat "$cache/pasid-base" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$cache" "$cache.tmp"
	git init -q --bare "$cache.tmp"
	# Compressing the objects is most of "git add"'s time and git does it
	# on one core: write them first with one "git hash-object" per core, so
	# that "git add" only hashes the files and finds their objects there
	# (the Linux base: 26 s alone, 18 s so, 2 cores).
	(cd "$src" && find . -type f -printf '%P\n') | split -n "r/$(nproc)" - "$cache.tmp/paths."
	for l in "$cache.tmp"/paths.*; do
		(cd "$src" && GIT_DIR=$cache.tmp git hash-object -w --stdin-paths <"$l" >/dev/null) &
	done
	wait
	rm -f "$cache.tmp"/paths.*
	# -f: the base must be committed whole, whatever its .gitignore files say.
	GIT_DIR=$cache.tmp GIT_WORK_TREE=$src git add -A -f .
	GIT_DIR=$cache.tmp GIT_WORK_TREE=$src git rm -q --cached --ignore-unmatch .done .pinned
	GIT_DIR=$cache.tmp GIT_WORK_TREE=$src \
		GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' \
		git commit -q --no-verify -m "base: $(basename "$src") $stamp"
	git --git-dir="$cache.tmp" tag base
	echo "$stamp" >"$cache.tmp/pasid-base"
	mv "$cache.tmp" "$cache"
fi

rm -rf "$tree"
git clone -q --no-checkout "$cache" "$tree"
git -C "$tree" checkout -q -B work base
git -C "$tree" remote remove origin
configure_identity "$tree"

# One "git am" for the whole series: each "git am" run refreshes the
# index of the whole tree first (the Linux series: 10 s one by one, 2 s so).
patches=()
while read -r p; do
	case "$p" in '' | '#'*) continue ;; esac
	[ -f "$pdir/$p" ] || die "series names $p, which is not in $pdir"
	patches+=("$(cd "$pdir" && pwd)/$p")
done <"$pdir/series"
n=${#patches[@]}
if [ "$n" -gt 0 ] && ! git -C "$tree" am -q --keep-cr "${patches[@]}" >"$tree.am.log" 2>&1; then
	cat "$tree.am.log" >&2
	bad=$(($(git -C "$tree" rev-list --count base..HEAD) + 1))
	at=$(git -C "$tree" log -1 --format=%s)
	git -C "$tree" am --abort >/dev/null 2>&1 || true
	die "patch $bad ($(basename "${patches[$((bad - 1))]}")) does not apply to $(basename "$tree") at $at"
fi
rm -f "$tree.am.log"
echo "make-tree: $tree = base + $n patch(es)"
