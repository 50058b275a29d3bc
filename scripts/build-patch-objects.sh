#!/usr/bin/env bash
# Quick bisectability check of the kernel series, as KTAP lines on stdout:
# a separate worktree checks out base+1, base+2, ... and, for each patch,
# compiles the objects of the .c files the patch touches and of the .c
# files of the series that include a header the patch touches, with the
# configuration of KBUILD_OUT, in a build directory of its own, and the
# 64-bit program of each x86 selftest it touches (without a warning).  This
# catches a patch that uses what only a later patch adds; it does not link
# (`make kernel-bisect` builds every patch whole, slowly).
# Usage: build-patch-objects.sh LINUX_TREE KBUILD_OUT WORKDIR
set -uo pipefail
tree=$(cd "$1" && pwd) kout=$2 work=$3
[ -f "$kout/.config" ] || { echo "build-patch-objects: no $kout/.config: build the kernel first" >&2; exit 2; }
mkdir -p "$work" && work=$(cd "$work" && pwd)
wt=$work/tree out=$work/out
git -C "$tree" worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"
git -C "$tree" worktree prune
git -C "$tree" worktree add -q --detach "$wt" base || exit 1
trap 'git -C "$tree" worktree remove --force "$wt" >/dev/null 2>&1' EXIT
mkdir -p "$out"
cp "$kout/.config" "$out/.config"
mk() { make -s -C "$wt" O="$out" CC="ccache gcc" -j"$(nproc)" "$@"; }

# .c files of the whole series, and an object for a .c file: a .c file
# that another one of its directory #includes is built through that one.
all_c=$(git -C "$tree" diff --name-only --diff-filter=AM base..HEAD -- '*.c' | grep -v '^tools/')
object_of() {
	local f=$1 inc
	inc=$(cd "$wt" && grep -l "^#include \"$(basename "$f")\"" "$(dirname "$f")"/*.c 2>/dev/null | head -n 1)
	echo "${inc:-$f}" | sed 's/\.c$/.o/'
}

n=0 rc=0
for c in $(git -C "$tree" rev-list --reverse base..HEAD); do
	n=$((n + 1))
	git -C "$wt" checkout -q "$c"
	name=$(git -C "$wt" log -1 --format=%f | cut -c1-52)
	objs="" tests=""
	for f in $(git -C "$wt" diff-tree --no-commit-id --name-only -r --diff-filter=AM "$c"); do
		case $f in
		tools/testing/selftests/x86/*.c) tests="$tests $(basename "$f" .c)" ;;
		tools/*) ;;
		*.c) [ -f "$wt/$f" ] && objs="$objs $(object_of "$f")" ;;
		*.h)
			for g in $all_c; do
				[ -f "$wt/$g" ] && grep -qE "#include [<\"](linux/|asm/|\.\./)?$(basename "$f")[>\"]" "$wt/$g" &&
					objs="$objs $(object_of "$g")"
			done ;;
		esac
	done
	# Only what this configuration builds: drop objects of other arches.
	objs=$(printf '%s\n' $objs | awk 'NF && (!/^arch\// || /^arch\/x86\//)' | grep -v 'arm-smmu' |
		sort -u | tr '\n' ' ')
	# ... and only the objects this configuration, at this patch, builds:
	# an obj-$(CONFIG_FOO) line of the directory's Makefile with FOO unset
	# drops the object (a file a later patch's option turns on).
	# (From the final configuration each time: an olddefconfig at an
	# earlier patch dropped the options that later patches add.)
	if [ -n "$objs" ]; then
		cp "$kout/.config" "$out/.config"
		mk olddefconfig >/dev/null 2>&1
	fi
	kept=""
	for o in $objs; do
		sym=$(sed 's/\$(BITS)/64/g' "$wt/$(dirname "$o")/Makefile" 2>/dev/null |
			grep -E "^[a-z0-9_-]+-\\$\(CONFIG_[A-Z0-9_]+\).*[[:space:]=]$(basename "$o")([[:space:]]|\$)" |
			sed -E 's/^[a-z0-9_-]+-\$\((CONFIG_[A-Z0-9_]+)\).*/\1/' | head -n 1)
		if [ -n "$sym" ] && ! grep -qE "^$sym=(y|m)" "$out/.config"; then
			echo "not built by this configuration ($sym unset): $o" >>"$work/skipped-$n"
			continue
		fi
		kept="$kept $o"
	done
	objs=$kept
	if [ -z "$objs$tests" ]; then
		echo "ok $n linux-patch-builds:$name # SKIP no C object touched"
		continue
	fi
	: >"$work/log-$n"
	built=1
	if [ -n "$objs" ]; then
		{ mk olddefconfig && mk $objs; } >>"$work/log-$n" 2>&1 || built=0
	fi
	# x86 selftests: the 64-bit program of each touched test, warning-free
	: >"$work/tlog-$n"
	mkdir -p "$out/kselftest-x86"
	for t in $tests; do
		grep -qw "$t" "$wt/tools/testing/selftests/x86/Makefile" || continue
		make -s -C "$wt/tools/testing/selftests/x86" OUTPUT="$out/kselftest-x86" \
			"$out/kselftest-x86/${t}_64" >>"$work/tlog-$n" 2>&1 || built=0
	done
	grep -q 'warning:' "$work/tlog-$n" && built=0
	cat "$work/tlog-$n" >>"$work/log-$n"
	if [ $built = 1 ]; then
		echo "ok $n linux-patch-builds:$name"
	else
		sed 's/^/# /' "$work/log-$n" | grep -E 'error|Error|warning:' | head -n 20
		echo "not ok $n linux-patch-builds:$name"
		rc=1
	fi
done
exit $rc
