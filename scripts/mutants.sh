#!/usr/bin/env bash
# "make mutants": does the check see what it exists for?  Each seeded
# mutant of the kernel series (mutants/NAME.patch) is applied alone to a
# worktree of the series at the kernel tree's HEAD, built in its own build
# directory, and booted with the tests that should catch it.  A mutant is
# "killed" when the verdict fails (which tests, or the kernel-log check,
# say so) and "survived" when everything passes.  The working tree, its
# build directory and build/initramfs.cpio.gz are never touched.
#
# First a baseline: the unmutated series with the plan of every mutant of
# each profile; it must pass, or no verdict about a mutant would mean
# anything.
#
# A mutant file: a header, then a diff against the series (git apply):
#   Mutant: what it breaks, in one line
#   Profile: the machine (config/profiles)
#   Plan: plan lines, separated by ";" (guest/plans syntax)
#   Config: (optional) a kernel configuration fragment of config/ built on
#           top of the usual one, e.g. kernel-kasan.config for a mutant
#           that only KASAN sees; its own build directory and baseline
#
# Usage: mutants.sh LINUX_TREE WORKDIR [NAME...]   (default: every mutant)
# Output: KTAP, "ok" = killed; WORKDIR/report.md, the table.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
[ $# -ge 2 ] || { echo "usage: mutants.sh LINUX_TREE WORKDIR [NAME...]" >&2; exit 2; }
tree=$(cd "$1" && pwd) || exit 2
mkdir -p "$2" && work=$(cd "$2" && pwd)
shift 2
mdir=$top/mutants
if [ $# = 0 ]; then
	names=$(cd "$mdir" && ls ./*.patch | sed 's#^\./##; s/\.patch$//')
else
	names=$*
fi
field() { # FILE KEY: the header value
	sed -n "/^diff --git /q; s/^$2: *//p" "$1" | head -n 1
}
for m in $names; do
	f=$mdir/$m.patch
	[ -f "$f" ] || { echo "mutants: no $f" >&2; exit 2; }
	for k in Mutant Profile Plan; do
		[ -n "$(field "$f" $k)" ] || { echo "mutants: $f has no '$k:' line" >&2; exit 2; }
	done
	c=$(field "$f" Config)
	[ -z "$c" ] || [ -f "$top/config/$c" ] ||
		{ echo "mutants: $f: no configuration fragment config/$c" >&2; exit 2; }
done
# kind FILE: the machine and the configuration a mutant needs, "PROFILE" or
# "PROFILE+CONFIG" (one baseline each)
kind() { echo "$(field "$1" Profile)$(c=$(field "$1" Config); echo "${c:++$c}")"; }

# The worktree: the series as the kernel tree's HEAD has it
wt=$work/tree
head=$(git -C "$tree" rev-parse HEAD) || exit 1
if [ ! -e "$wt/.git" ]; then
	git -C "$tree" worktree prune
	git -C "$tree" worktree add -q --detach "$wt" "$head" || exit 1
fi
reset_tree() {
	git -C "$wt" checkout -q -f --detach "$head" && git -C "$wt" clean -q -fd
}

# The guest directory of the mutant boots: guest/ and a plan per boot
rm -rf "$work/guest" && cp -a "$top/guest" "$work/guest"

# build_and_boot LABEL KIND PLANFILE: build the worktree's kernel (with the
# KIND's configuration fragment, in a build directory per fragment) and an
# initramfs, boot the KIND's profile with the plan; the boot's directory is
# WORKDIR/boot-LABEL.  Returns run-boot.sh's status, 3 if the build failed.
build_and_boot() {
	local profile=${2%%+*} plan=$3 out=$work/boot-$1 cfg= kdir=$work/kernel
	# the plan's name goes on the kernel command line: letters, digits, -, _
	local label=${1//[^A-Za-z0-9_-]/-}
	[ "$2" = "$profile" ] || { cfg=$top/config/${2#*+}; kdir=$work/kernel-${2#*+}; }
	cp "$plan" "$work/guest/plans/mutant-$label"
	rm -rf "$out" && mkdir -p "$out"
	if ! KERNEL_EXTRA_CONFIG=$cfg "$here/build-kernel.sh" "$wt" "$kdir" "$top/config/kernel" \
		>"$out/build.log" 2>&1 ||
	   ! "$here/build-initramfs.sh" "$work/guest" "$kdir/modinst" \
		"$work/initramfs.cpio.gz" "$kdir" >>"$out/build.log" 2>&1; then
		return 3
	fi
	KERNEL_IMG=$kdir/arch/x86/boot/bzImage INITRAMFS=$work/initramfs.cpio.gz \
		GUEST_DIR=$work/guest "$here/run-boot.sh" "$profile" "mutant-$label" "$out" \
		>"$out/run.log" 2>&1
}
# failed_of DIR: what the boot's verdict failed (its "FAIL: name" lines:
# tests, KUnit cases, kernel-log checks, the boot), on one line
failed_of() {
	sed -n 's/^ *FAIL: //p' "$1/run.log" 2>/dev/null | sed 's/ (.*//' |
		awk '!seen[$0]++' | paste -sd, - | sed 's/,/, /g'
}
# skips_for PROFILE: the "# expected skip:" lines of the profile's own plan,
# which every plan built from its tests expects too
skips_for() {
	local plan
	plan=$(eval "$("$here/profile.py" shell "$1")" && echo "$profile_plan")
	grep '^# expected skip:' "$top/guest/plans/$plan" 2>/dev/null
}

echo "KTAP version 1"
n=$(echo "$names" | wc -w)
echo "1..$n"
report=$work/report.md
{
	echo "# Seeded mutants of the kernel series"
	echo
	echo "Series at $(git -C "$tree" log -1 --format='%h %s' "$head")."
	echo
} >"$report"

# Baselines, one per kind (profile, configuration)
rc=0
for p in $(for m in $names; do kind "$mdir/$m.patch"; done | sort -u); do
	plan=$work/plan-baseline-$p
	for m in $names; do
		[ "$(kind "$mdir/$m.patch")" = "$p" ] || continue
		field "$mdir/$m.patch" Plan | tr ';' '\n' | sed 's/^ *//; s/ *$//'
	done | awk 'NF && !seen[$0]++' >"$plan"
	skips_for "${p%%+*}" >>"$plan"
	reset_tree
	t0=$(date +%s)
	build_and_boot "baseline-$p" "$p" "$plan"
	brc=$?
	echo "# baseline $p: $(tail -n 1 "$work/boot-baseline-$p/run.log" 2>/dev/null) ($(($(date +%s) - t0)) s)"
	echo "Baseline, profile $p ($(grep -v '^#' "$plan" | paste -sd';')): $(tail -n 1 "$work/boot-baseline-$p/run.log" 2>/dev/null)" >>"$report"
	if [ $brc != 0 ]; then
		echo "# baseline $p failed: $(failed_of "$work/boot-baseline-$p") ($work/boot-baseline-$p)"
		echo "Bail out! the unmutated series fails the mutants' plan on profile $p"
		exit 1
	fi
done
{
	echo
	echo "| mutant | what it breaks | profile | verdict | killed by |"
	echo "|---|---|---|---|---|"
} >>"$report"

i=0
killed=0
for m in $names; do
	i=$((i + 1))
	f=$mdir/$m.patch
	what=$(field "$f" Mutant) profile=$(field "$f" Profile) k=$(kind "$f")
	{
		field "$f" Plan | tr ';' '\n' | sed 's/^ *//; s/ *$//' | awk 'NF'
		skips_for "$profile"
	} >"$work/plan-$m"
	reset_tree
	if ! git -C "$wt" apply "$f" 2>"$work/apply-$m.log"; then
		sed 's/^/# /' "$work/apply-$m.log"
		echo "not ok $i $m # does not apply to the series"
		echo "| $m | $what | $k | does not apply | |" >>"$report"
		rc=1
		continue
	fi
	t0=$(date +%s)
	build_and_boot "$m" "$k" "$work/plan-$m"
	brc=$?
	secs=$(($(date +%s) - t0))
	if [ $brc = 3 ]; then
		grep -m3 -E 'error' "$work/boot-$m/build.log" | sed 's/^/# /'
		echo "not ok $i $m # does not build ($work/boot-$m/build.log)"
		echo "| $m | $what | $k | does not build | |" >>"$report"
		rc=1
	elif [ $brc = 0 ]; then
		echo "# $m: $what: every test passed ($secs s)"
		echo "not ok $i $m # SURVIVED"
		echo "| $m | $what | $k | **survived** | |" >>"$report"
		rc=1
	else
		by=$(failed_of "$work/boot-$m")
		echo "# $m: $what: killed by ${by:-the verdict} ($secs s)"
		echo "ok $i $m"
		echo "| $m | $what | $k | killed | ${by:-the verdict} |" >>"$report"
		killed=$((killed + 1))
	fi
done
reset_tree
echo >>"$report"
echo "$killed of $n killed." >>"$report"
echo "# $killed of $n killed; table: $report"
exit $rc
