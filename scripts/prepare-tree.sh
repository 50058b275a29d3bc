#!/usr/bin/env bash
# Make sure a working tree exists and holds exactly its exported series:
# create it when missing; refuse (exit 1) when it holds unexported commits
# or uncommitted edits, so no test result is ever claimed for work that
# patches/ does not contain.
# Usage: prepare-tree.sh SRCDIR TREE PATCHDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$1 tree=$2 pdir=$3
if [ ! -d "$tree/.git" ]; then
	exec "$here/make-tree.sh" "$src" "$tree" "$pdir"
fi
# A tree built on another base than the source present (the pin moved, or
# a fallback came or went) is rebuilt, unless it holds unexported work.
want_base="base: $(basename "$src") $(cat "$src/.done" 2>/dev/null || echo unknown)"
have_base=$(git -C "$tree" log -1 --format=%s base 2>/dev/null || true)
if [ "$have_base" != "$want_base" ]; then
	echo "prepare-tree: $tree is built on '$have_base', the source is '$want_base': rebuilding it" >&2
	exec "$here/make-tree.sh" "$src" "$tree" "$pdir"
fi
if ! "$here/tree-status.sh" "$tree" "$pdir"; then
	echo "prepare-tree: refusing to test: $tree is not what $pdir holds." >&2
	echo "prepare-tree: export and commit your work ('make export'), or rebuild the tree ('make tree')." >&2
	exit 1
fi
echo "prepare-tree: $tree matches $pdir ($(git -C "$tree" rev-list --count base..HEAD) patch(es))"
