#!/usr/bin/env bash
# Static checks of both series, as KTAP on stdout:
#   - the working tree is exactly base + the exported series (so every patch
#     applied with git am, in order);
#   - every kernel patch passes checkpatch --strict, every QEMU patch QEMU's
#     checkpatch;
#   - every .c file the kernel series touches builds with W=1 and sparse
#     (C=1) without a warning the pristine base does not already have.
# Usage: static-checks.sh LINUX_TREE LINUX_PATCHES LINUX_SRC KBUILD_OUT QEMU_TREE QEMU_PATCHES
# Environment: STATIC_CHECKS, the parts to run (default "series,checkpatch,build";
# "sparse" is W=1/sparse, "patch-builds" the per-patch object builds, "build"
# both, the slow part); STATIC_FILES, the .c files sparse checks (default:
# every one the series touches; a file that is not one of them is refused).
set -uo pipefail
parts=",${STATIC_CHECKS:-series,checkpatch,build},"
parts=${parts//,build,/,sparse,patch-builds,}
for p in ${parts//,/ }; do
	case $p in series|checkpatch|sparse|patch-builds) ;; *)
		echo "static-checks: unknown part '$p' in STATIC_CHECKS" \
			"(series, checkpatch, sparse, patch-builds, build)" >&2
		exit 2 ;;
	esac
done
want() { [[ $parts == *",$1,"* ]]; }
# checkpatch runs scripts/spdxcheck.py with the first python3 on PATH; it
# needs the system one, which has python3-ply.
export PATH=/usr/bin:$PATH
here=$(cd "$(dirname "$0")" && pwd)
ltree=$1 lpatches=$2 lsrc=$3 kout=$4 qtree=$5 qpatches=$6
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

n=0
lines=()
result() { # ok|fail|skip NAME [detail-file-or-reason]
	n=$((n + 1))
	case $1 in
	ok) lines+=("ok $n $2") ;;
	skip) lines+=("ok $n $2 # SKIP $3") ;;
	fail)
		if [ -n "${3:-}" ] && [ -f "$3" ]; then
			while IFS= read -r l; do lines+=("# $2: $l"); done < <(head -n 30 "$3")
		fi
		lines+=("not ok $n $2") ;;
	esac
}
patches_of() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1/series"; }

for pair in "linux:$ltree:$lpatches" "qemu:$qtree:$qpatches"; do
	IFS=: read -r name tree pdir <<<"$pair"
	pdir=$(cd "$pdir" && pwd)
	if ! want series; then
		:
	elif "$here/tree-status.sh" "$tree" "$pdir" >"$work/st" 2>&1 && [ -d "$tree/.git" ]; then
		result ok "$name-series-applies-to-base"
	else
		[ -d "$tree/.git" ] || echo "$tree does not exist" >"$work/st"
		result fail "$name-series-applies-to-base" "$work/st"
	fi
	want checkpatch || continue
	count=$(patches_of "$pdir" | wc -l)
	[ "$count" -gt 0 ] || result skip "$name-checkpatch" "the $name series is empty"
	while read -r p; do
		if [ "$name" = linux ]; then
			# Fixes: tags name upstream commits, which the tree (Debian's
			# source, no upstream history) cannot look up
			(cd "$tree" && ./scripts/checkpatch.pl --strict --quiet \
				--ignore UNKNOWN_COMMIT_ID "$pdir/$p") >"$work/cp" 2>&1
		else
			(cd "$tree" && ./scripts/checkpatch.pl --strict --patch "$pdir/$p") >"$work/cp" 2>&1
		fi
		if [ $? = 0 ]; then result ok "$name-checkpatch:$p"; else result fail "$name-checkpatch:$p" "$work/cp"; fi
	done < <(patches_of "$pdir")
done

# The x86 PASID kselftests of the series are ones run_tests runs (in what
# "make emit_tests" lists), under a timeout their default durations fit in:
# the directory's "settings" must give more than pasid_stress's 60 s.
kst=$ltree/tools/testing/selftests/x86
if want series && ls "$kst"/pasid_*.c >/dev/null 2>&1; then
	make -s -C "$kst" emit_tests COLLECTION=x86 >"$work/emit" 2>&1
	: >"$work/ks"
	for c in "$kst"/pasid_*.c; do
		t=$(basename "$c" .c)_64
		grep -qx "x86:$t" "$work/emit" || echo "$t is not in run_tests' list (TEST_PROGS)" >>"$work/ks"
	done
	# kselftest's default timeout is 45 s
	timeout=$(sed -n 's/^timeout=//p' "$kst/settings" 2>/dev/null)
	timeout=${timeout:-45}
	[ "$timeout" -gt 60 ] 2>/dev/null ||
		echo "the x86 timeout (settings) is $timeout s: pasid_stress runs 60 s" >>"$work/ks"
	if [ -s "$work/ks" ]; then result fail "linux-kselftests-x86-pasid-run" "$work/ks"
	else result ok "linux-kselftests-x86-pasid-run"; fi
fi

if ! want sparse && ! want patch-builds; then
	echo "KTAP version 1"
	echo "1..$n"
	printf '%s\n' "${lines[@]}"
	exit 0
fi

# W=1 + sparse on the kernel .c files the series touches, against the base.
files=$(git -C "$ltree" diff --name-only --diff-filter=AM base..HEAD -- '*.c' 2>/dev/null |
	grep -v '^tools/' || true)
# A .c file that another .c file of its directory #includes (a KUnit suite
# of static functions, say) is not built alone: check the includer instead.
files=$(for f in $files; do
	inc=$(cd "$ltree" && grep -l "^#include \"$(basename "$f")\"" "$(dirname "$f")"/*.c 2>/dev/null)
	echo "${inc:-$f}"
done | sort -u)
if [ -n "${STATIC_FILES:-}" ]; then
	for f in ${STATIC_FILES//,/ }; do
		grep -qxF "$f" <<<"$files" || {
			echo "static-checks: $f is not a .c file the kernel series touches (STATIC_FILES):" $files >&2
			exit 2
		}
	done
	files=$(printf '%s\n' ${STATIC_FILES//,/ } | sort -u)
fi
want sparse || files=""
if [ -z "$files" ] && want sparse; then
	result skip "linux-sparse-w1" "the series touches no kernel .c file"
fi
# warnings SRCTREE OUTDIR FILE...: one W=1 C=1 build of the objects of all
# FILEs (one make: its start-up, not each file's, is paid once), each
# warning line as "FILE<tab>warning", tree and positions stripped; a
# warning belongs to the file whose "CC"/"CHECK" line came last (make
# runs one job at a time).
warnings() {
	local src=$1 out=$2 f
	shift 2
	[ $# -gt 0 ] || return 0
	for f in "$@"; do rm -f "$out/${f%.c}.o"; done
	make -k -C "$src" O="$out" CC="ccache gcc" W=1 C=1 "${@/%.c/.o}" 2>&1 |
		awk -v tree="$src/" '
		/^  (CC|CC \[M\]|CHECK) / {
			f = $NF
			if (index(f, tree) == 1) f = substr(f, length(tree) + 1)
			sub(/\.o$/, ".c", f)
			next
		}
		/warning:|error:/ && f != "" { print f "\t" $0 }' |
		sed -E -e "s|$src/||g" -e 's/:[0-9]+(:[0-9]+)?:/:/' | sort
	# sparse reports some findings as "error:" too: what counts is the object
	for f in "$@"; do
		[ -f "$out/${f%.c}.o" ] || printf '%s\t%s\n' "$f" "${f%.c}.o: not built"
	done
}
# of FILE WARNINGS: the warning lines of FILE
of() { awk -F '\t' -v f="$1" '$1 == f { print $2 }' "$2" | sort; }
: >"$work/head.w"
: >"$work/base.w"
if [ -f "$kout/.config" ] && [ -n "$files" ]; then
	# shellcheck disable=SC2086 # paths without blanks
	warnings "$ltree" "$kout" $files >"$work/head.w"
	mkdir -p "$kout-base"
	cp "$kout/.config" "$kout-base/.config"
	make -s -C "$lsrc" O="$kout-base" CC="ccache gcc" olddefconfig >/dev/null 2>&1
	# shellcheck disable=SC2046
	warnings "$lsrc" "$kout-base" $(for f in $files; do [ -f "$lsrc/$f" ] && echo "$f"; done) \
		>"$work/base.w"
fi
for f in $files; do
	[ -f "$kout/.config" ] || { result fail "linux-sparse-w1:$f" ; continue; }
	head=$(of "$f" "$work/head.w")
	base=$(of "$f" "$work/base.w")
	new=$(comm -23 <(echo "$head") <(echo "$base") | grep . || true)
	if echo "$base" | grep -q ': not built$'; then
		# Another architecture's file (arm-smmu-v3-sva.c, say): the x86
		# configuration cannot build it, before or after the series.
		result skip "linux-sparse-w1:$f" "does not build for this x86 configuration"
	elif [ -z "$new" ]; then
		result ok "linux-sparse-w1:$f"
	else
		echo "$new" >"$work/w"
		result fail "linux-sparse-w1:$f" "$work/w"
	fi
done

# Every kernel patch compiles on its own: the objects it touches, at that
# point of the series (build-patch-objects.sh; linking is kernel-bisect's).
if ! want patch-builds; then
	:
elif [ -f "$kout/.config" ]; then
	: >"$work/b"
	while IFS= read -r l; do
		case $l in
		"ok "*"# SKIP "*) t=${l#ok * }; result skip "${t%% # SKIP *}" "${t#* # SKIP }" ;;
		"ok "*) result ok "${l#ok * }" ;;
		"not ok "*) result fail "${l#not ok * }" "$work/b"; : >"$work/b" ;;
		*) echo "${l#\# }" >>"$work/b" ;;
		esac
	done < <("$here/build-patch-objects.sh" "$ltree" "$kout" "$kout-patches" 2>&1)
else
	result fail "linux-patch-builds"
fi

echo "KTAP version 1"
echo "1..$n"
printf '%s\n' "${lines[@]}"
