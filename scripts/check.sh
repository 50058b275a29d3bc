#!/usr/bin/env bash
# "make check": run every stage, then one verdict over all of them.
# Stages and their KTAP result files (build/results/):
#   setup    deps, sources, trees (QEMU's, Linux's), QEMU build, kernel
#            build, initramfs, boots
#   static   series applies, checkpatch, sparse/W=1      (static-checks.sh)
#   qemu     the QEMU series' tests                    (run-qemu-tests.sh)
#   guest*   each boot's plan, incl. KUnit (config/profiles: main,
#            passthrough, nopasid; guest/plans)
#   hygiene* each boot's kernel log                    (check-dmesg.py)
#   harness  the harness's own failure detection          (test-harness.sh)
# A failed setup stage stops what needs it; a failed boot does not stop
# the next boot.  static, qemu and harness run beside the boots.
# Everything stops at the overall limit (config/budget, CHECK_LIMIT
# overrides).  Stage times and the wall time go to build/results/times.txt
# and summary.json; results.md is the results page.  The Makefile exports
# the paths.
set -uo pipefail
cd "$TOP"
R=$BUILD/results
rm -rf "$R" && mkdir -p "$R"
: >"$R/times.txt"
limit=${CHECK_LIMIT:-$(sed -n 's/^limit *= *\([0-9]*\).*/\1/p' config/budget)}
start=$(date +%s)
deadline=$((start + ${limit:-5100}))

# limited command...: run it, killed at the overall deadline
limited() {
	local left=$((deadline - $(date +%s)))
	if [ $left -le 0 ]; then
		echo "check: the overall limit of ${limit}s is used up; not run: $*"
		return 124
	fi
	timeout -k 10 $left "$@"
}

setup=()
n=0 broken=""
# stage [--continue] NAME command...: run, time, record in setup.ktap; a
# failure skips the later stages unless --continue
stage() {
	local name t0 rc cont=0
	[ "$1" = --continue ] && { cont=1; shift; }
	name=$1
	shift
	n=$((n + 1))
	if [ -n "$broken" ]; then
		setup+=("ok $n $name # SKIP not run: $broken failed")
		return 1
	fi
	echo "==> $name"
	t0=$(date +%s)
	limited "$@" >"$R/$name.log" 2>&1
	rc=$?
	echo "$name $(($(date +%s) - t0))" >>"$R/times.txt"
	tail -n 3 "$R/$name.log" | sed 's/^/    /'
	if [ $rc = 0 ]; then
		setup+=("ok $n $name")
	else
		while IFS= read -r l; do setup+=("# $name: $l"); done < <(tail -n 15 "$R/$name.log")
		setup+=("not ok $n $name")
		[ $cont = 1 ] || broken=$name
	fi
	return $rc
}
# timed NAME OUT command...: a stage with its own KTAP, stdout to OUT
timed() {
	local name=$1 out=$2 t0
	shift 2
	echo "==> $name"
	t0=$(date +%s)
	limited "$@" >"$out" 2>"$R/$name.log"
	echo "$name $(($(date +%s) - t0))" >>"$R/times.txt"
}
setup_ok() { ! grep -q "^not ok [0-9]* $1\$\|^ok [0-9]* $1 # SKIP" <(printf '%s\n' "${setup[@]}"); }

stage deps bash -c "scripts/install-deps.sh && scripts/fetch-tools.sh '$TOOLS'"
stage sources bash -c "scripts/fetch-linux.sh '$LINUX_DEB_VERSION' '$LINUX_DEB_SHA256' '$BUILD/src/linux' &&
	scripts/fetch-qemu.sh '$QEMU_DEB_VERSION' '$QEMU_DEB_SERIES' '$BUILD/src/qemu'"
# One after the other: the QEMU build beside the Linux tree and the kernel
# build took 27 s longer cold (2026-12-05; six compilers and git on two
# cores) than in turn.
stage qemu-tree scripts/prepare-tree.sh "$BUILD/src/qemu" "$BUILD/qemu" patches/qemu
stage linux-tree scripts/prepare-tree.sh "$BUILD/src/linux" "$BUILD/linux" patches/linux
stage qemu-build scripts/build-qemu.sh "$BUILD/qemu" "$BUILD/qemu-out"
stage kernel-build scripts/build-kernel.sh "$BUILD/linux" "$BUILD/kernel" config/kernel
stage initramfs scripts/build-initramfs.sh guest "$BUILD/kernel/modinst" "$INITRAMFS" "$BUILD/kernel"
# Debian's own kernels (pinned, config/versions.mk), booted unmodified
stage --continue debian-kernels scripts/debian-kernels.sh

# The static checks (one compiler at a time), the QEMU tests and the
# harness self-tests run beside the boots (TCG), one after the other.
(
	setup_ok linux-tree && setup_ok qemu-tree && timed static "$R/static.ktap" scripts/static-checks.sh "$BUILD/linux" \
		patches/linux "$BUILD/src/linux" "$BUILD/kernel" "$BUILD/qemu" patches/qemu
	setup_ok qemu-build && timed qemu-tests "$R/qemu.ktap" \
		scripts/run-qemu-tests.sh "$BUILD/qemu" "$BUILD/qemu-out"
	setup_ok linux-tree && timed harness "$R/harness.ktap" scripts/test-harness.sh
) &
beside=$!

# plan_of PROFILE: the plan the profile runs
plan_of() { (eval "$(scripts/profile.py shell "$1")" && echo "$profile_plan"); }
# boot_plan STAGE PROFILE KEY: boot the machine PROFILE (config/profiles)
# with its plan, keep its results as guest$KEY.ktap and the hygiene check
# of its console as hygiene$KEY.ktap.
boot_plan() {
	local dir=$BUILD/boot-$2 plan
	plan=$(plan_of "$2")
	# Nothing of an earlier run may pass for this one's
	rm -f "$dir/results.ktap" "$dir/console.log" "$dir/qemu.log"
	stage --continue "$1" scripts/boot-guest.sh "$2" - "$dir"
	[ -f "$dir/results.ktap" ] && cp "$dir/results.ktap" "$R/guest$3.ktap"
	if [ -f "$dir/console.log" ]; then
		scripts/check-dmesg.py --plan "$plan" --qemu-dir "$dir" "$dir/console.log" >"$R/hygiene$3.ktap"
		cp "$dir/console.log" "$R/console$3.log"
	fi
}
boot_plan boot main ""
boot_plan boot-passthrough passthrough -passthrough
boot_plan boot-nopasid nopasid -nopasid
# Debian's kernels judge the platform; 6.12's oops disabling the device
# (a bug of that kernel) is reproduced last, in a boot of its own.
if setup_ok debian-kernels; then
	boot_plan boot-debian-7 debian-7 -debian-7
	boot_plan boot-debian-6.12 debian-6.12 -debian-6.12
	boot_plan boot-debian-6.12-evl debian-6.12-evl -debian-6.12-evl
fi

# Injected Retry answers reached idxd's ENQCMDS retry loop, and dmatest
# still passed (the guest's dsa-dmatest-shared checks that part).  User
# ENQCMDs without a valid IA32_PASID took #GP (each a fixup of the kernel,
# which loads the thread's PASID and retries): counted, and there must be
# some, since the plan's SVA tests start threads without one.
retries=$(grep -c 'intel_dsa_enq_retry .* injected occupancy' "$BUILD/boot-main/qemu.log" 2>/dev/null)
gps=$(grep -c 'x86_enqcmd_no_pasid ' "$BUILD/boot-main/qemu.log" 2>/dev/null)
{
	echo "KTAP version 1"
	echo "1..2"
	echo "# enqueue stores answered Retry by injection during the check plan: ${retries:-0}"
	if [ "${retries:-0}" -gt 0 ]; then
		echo "ok 1 shared-wq-retries-injected"
	else
		echo "not ok 1 shared-wq-retries-injected # no injected Retry in $BUILD/boot-main/qemu.log"
	fi
	echo "# ENQCMDs that took #GP for want of a valid IA32_PASID (kernel fixups): ${gps:-0}"
	if [ "${gps:-0}" -gt 0 ]; then
		echo "ok 2 enqcmd-pasid-fixups-counted"
	else
		echo "not ok 2 enqcmd-pasid-fixups-counted # no x86_enqcmd_no_pasid in $BUILD/boot-main/qemu.log"
	fi
} >"$R/retries.ktap"

wait $beside
echo "wall $(($(date +%s) - start))" >>"$R/times.txt"

{
	echo "KTAP version 1"
	echo "1..$n"
	printf '%s\n' "${setup[@]}"
} >"$R/setup.ktap"

echo "==> verdict (details: $R/summary.json and $R/results.md, parser log: $R/parser.log)"
if [ ! -f "$KUNIT_DIR/kunit_parser.py" ]; then
	echo "no KTAP parser: the kernel source was never fetched (see $R/sources.log)"
	echo "0 passed, 1 failed"
	exit 1
fi
scripts/results-meta.py "$TOP" "$BUILD" >"$R/meta.json"
# The skips each stage expects, and no other: each boot's guest stage
# those its plan lists, static those of config/expected-skips, the rest none.
expect=(--expected-skips static=config/expected-skips
	--expected-skips "guest=guest/plans/$(plan_of main)"
	--expected-skips "guest-pt=guest/plans/$(plan_of passthrough)"
	--expected-skips "guest-np=guest/plans/$(plan_of nopasid)"
	--expected-skips "guest-d7=guest/plans/$(plan_of debian-7)"
	--expected-skips "guest-d612=guest/plans/$(plan_of debian-6.12)"
	--expected-skips "guest-d612evl=guest/plans/$(plan_of debian-6.12-evl)")
for st in setup qemu hygiene retries hygiene-pt hygiene-np hygiene-d7 hygiene-d612 \
	hygiene-d612evl harness; do
	expect+=(--expected-skips "$st=/dev/null")
done
python3 scripts/verdict.py --kunit-dir "$KUNIT_DIR" --meta "$R/meta.json" "${expect[@]}" \
	--times "$R/times.txt" --json "$R/summary.json" --markdown "$R/results.md" \
	--log "$R/parser.log" \
	setup="$R/setup.ktap" static="$R/static.ktap" qemu="$R/qemu.ktap" guest="$R/guest.ktap" \
	hygiene="$R/hygiene.ktap" retries="$R/retries.ktap" guest-pt="$R/guest-passthrough.ktap" \
	hygiene-pt="$R/hygiene-passthrough.ktap" guest-np="$R/guest-nopasid.ktap" \
	hygiene-np="$R/hygiene-nopasid.ktap" guest-d7="$R/guest-debian-7.ktap" \
	hygiene-d7="$R/hygiene-debian-7.ktap" guest-d612="$R/guest-debian-6.12.ktap" \
	hygiene-d612="$R/hygiene-debian-6.12.ktap" guest-d612evl="$R/guest-debian-6.12-evl.ktap" \
	hygiene-d612evl="$R/hygiene-debian-6.12-evl.ktap" harness="$R/harness.ktap"
