#!/usr/bin/env bash
# Check that every patch of a series builds on its own (bisectable): a
# separate worktree checks out base+1, base+2, ... and builds each
# incrementally in its own build directory.  Slow (a header change
# rebuilds much of the tree), so it is a make target, not a CI step.
# Kernel patches are built with the config fragments; symbols that a later
# patch introduces are allowed to be missing.
# Usage: build-each-patch.sh qemu|linux TREE WORKDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kind=$1 tree=$(cd "$2" && pwd) work=$3
case $kind in
qemu) build() { QEMU_ALL_DEVICES=1 "$here/build-qemu.sh" "$1" "$2"; } ;;
linux) build() { ALLOW_MISSING_KCONFIG=1 "$here/build-kernel.sh" "$1" "$2" "$here/../config/kernel"; } ;;
*) echo "build-each-patch: unknown series '$kind' (qemu or linux)" >&2; exit 2 ;;
esac
mkdir -p "$work" && work=$(cd "$work" && pwd)
wt=$work/tree out=$work/out
git -C "$tree" worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"
git -C "$tree" worktree add -q --detach "$wt" base || exit 1
rc=0 n=0
for c in $(git -C "$tree" rev-list --reverse base..HEAD); do
	n=$((n + 1))
	git -C "$wt" checkout -q "$c"
	subject=$(git -C "$wt" log -1 --format=%s)
	t0=$(date +%s)
	if build "$wt" "$out" >"$work/build-$n.log" 2>&1; then
		echo "ok $n $subject ($(($(date +%s) - t0)) s)"
	else
		echo "not ok $n $subject (see $work/build-$n.log)"
		rc=1
	fi
done
git -C "$tree" worktree remove --force "$wt"
exit $rc
