#!/usr/bin/env bash
# Exit 0 when a working tree holds exactly what its patch folder holds: no
# uncommitted edits and the same patches (by patch-id, in order).  Otherwise
# say what differs and exit 1.  A tree that does not exist is fine.
# Usage: tree-status.sh TREE PATCHDIR
set -uo pipefail
tree=$1 pdir=$2
[ -d "$tree/.git" ] || exit 0
git -C "$tree" rev-parse -q --verify base >/dev/null || { echo "$tree: no 'base' tag"; exit 1; }

rc=0
if [ -n "$(git -C "$tree" status --porcelain --untracked-files=no)" ]; then
	echo "$tree has uncommitted edits: commit them there, then 'make export'"
	rc=1
fi
ids() { git patch-id --stable | cut -d' ' -f1; }
have=$(git -C "$tree" format-patch --stdout base..HEAD 2>/dev/null | ids)
want=$(while read -r p; do
	case "$p" in '' | '#'*) continue ;; esac
	cat "$pdir/$p"
done <"$pdir/series" | ids)
if [ "$have" != "$want" ]; then
	echo "$tree differs from $pdir: 'make export' then commit $pdir (or 'make tree' if $pdir is newer)"
	rc=1
fi
exit $rc
