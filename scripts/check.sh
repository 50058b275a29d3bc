#!/usr/bin/env bash
# "make check": run every stage, then one verdict over all of them.
# Stages and their KTAP result files (build/results/):
#   setup    deps, sources, trees, QEMU build, kernel build, initramfs, boot
#   static   series applies, checkpatch, sparse/W=1      (static-checks.sh)
#   qemu     the QEMU series' tests                    (run-qemu-tests.sh)
#   guest    the guest's test plan, incl. KUnit           (guest/plans/check)
#   hygiene  the guest's kernel log                       (check-dmesg.py)
#   harness  the harness's own failure detection          (test-harness.sh)
# Stage times go to build/results/times.txt.  The Makefile exports the paths.
set -uo pipefail
cd "$TOP"
R=$BUILD/results
rm -rf "$R" && mkdir -p "$R"
: >"$R/times.txt"

setup=()
n=0 broken=""
stage() { # NAME command... : run, time, record in setup.ktap
	local name=$1 t0 rc
	shift
	n=$((n + 1))
	if [ -n "$broken" ]; then
		setup+=("ok $n $name # SKIP not run: $broken failed")
		return 1
	fi
	echo "==> $name"
	t0=$(date +%s)
	"$@" >"$R/$name.log" 2>&1
	rc=$?
	echo "$name $(($(date +%s) - t0))" >>"$R/times.txt"
	tail -n 3 "$R/$name.log" | sed 's/^/    /'
	if [ $rc = 0 ]; then
		setup+=("ok $n $name")
	else
		while IFS= read -r l; do setup+=("# $name: $l"); done < <(tail -n 15 "$R/$name.log")
		setup+=("not ok $n $name")
		broken=$name
	fi
	return $rc
}

stage deps scripts/install-deps.sh
stage sources bash -c "scripts/fetch-linux.sh '$LINUX_DEB_VERSION' '$LINUX_DEB_SHA256' '$BUILD/src/linux' &&
	scripts/fetch-qemu.sh '$QEMU_DEB_VERSION' '$QEMU_DEB_SERIES' '$BUILD/src/qemu'"
stage trees bash -c "scripts/prepare-tree.sh '$BUILD/src/linux' '$BUILD/linux' patches/linux &&
	scripts/prepare-tree.sh '$BUILD/src/qemu' '$BUILD/qemu' patches/qemu"
stage qemu-build scripts/build-qemu.sh "$BUILD/qemu" "$BUILD/qemu-out"
stage kernel-build scripts/build-kernel.sh "$BUILD/linux" "$BUILD/kernel" config/kernel
stage initramfs scripts/build-initramfs.sh guest "$BUILD/kernel/modinst" "$BUILD/initramfs.cpio.gz" "$BUILD/kernel"
trees_ok=1
grep -q '^not ok [0-9]* trees$\|^ok [0-9]* trees # SKIP' <(printf '%s\n' "${setup[@]}") && trees_ok=0

if [ $trees_ok = 1 ]; then
	echo "==> static"
	t0=$(date +%s)
	scripts/static-checks.sh "$BUILD/linux" patches/linux "$BUILD/src/linux" "$BUILD/kernel" \
		"$BUILD/qemu" patches/qemu >"$R/static.ktap" 2>"$R/static.log"
	echo "static $(($(date +%s) - t0))" >>"$R/times.txt"
fi

if ! grep -q '^not ok [0-9]* qemu-build$\|^ok [0-9]* qemu-build # SKIP' <(printf '%s\n' "${setup[@]}"); then
	echo "==> qemu tests"
	t0=$(date +%s)
	scripts/run-qemu-tests.sh "$BUILD/qemu" "$BUILD/qemu-out" >"$R/qemu.ktap" 2>"$R/qemu.log"
	echo "qemu-tests $(($(date +%s) - t0))" >>"$R/times.txt"
fi

# boot_plan STAGE PLAN KEY: boot the guest (boot-guest.sh takes its options
# from the environment), run guest/plans/PLAN, keep its results as
# guest$KEY.ktap and the hygiene check of its console as hygiene$KEY.ktap.
boot_plan() {
	local dir=$BUILD/boot-$2
	stage "$1" scripts/boot-guest.sh "$QEMU_BIN" "$KERNEL_IMG" "$BUILD/initramfs.cpio.gz" "$dir" "$2"
	[ -f "$dir/results.ktap" ] && cp "$dir/results.ktap" "$R/guest$3.ktap"
	if [ -f "$dir/console.log" ]; then
		scripts/check-dmesg.py --plan "$2" "$dir/console.log" >"$R/hygiene$3.ktap"
		cp "$dir/console.log" "$R/console$3.log"
	fi
}

# The DSA halts when the host sets its x-halt (idxd-reset asks, through
# the guest control port), and answers every 4th enqueue
# store that found room with Retry (dsa-dmatest-shared); the trace of the
# Retry answers goes to the boot's qemu.log.
# The main boot's vIOMMU also has device TLBs and page requests, so idxd
# turns on SVA and the DSA's DMA goes through ATS; without 5-level paging
# in the guest CPU, which that vIOMMU's first level does not offer.
dsa_test_opts=intel-dsa,id=dsa0,x-enq-retry-injection=4
IOMMU_OPTS=intremap=on,x-scalable-mode=on,x-pasid-mode=on,x-flts=on,aw-bits=48,device-iotlb=on,svm=on \
	GUEST_CPU=max,-la57 DSA_OPTS=$dsa_test_opts QEMU_EXTRA="-trace intel_dsa_enq_retry" \
	boot_plan boot check ""
# The kernel DMA PASID again, with an identity default domain.
DSA_OPTS=$dsa_test_opts KERNEL_APPEND=iommu.passthrough=1 \
	boot_plan boot-passthrough check-passthrough -passthrough
# A DSA without PASID: idxd binds, DMA without PASID, no shared kernel WQs.
DSA_OPTS=intel-dsa,pasid-width=0 boot_plan boot-nopasid check-nopasid -nopasid

# Injected Retry answers reached idxd's ENQCMDS retry loop, and dmatest
# still passed (the guest's dsa-dmatest-shared checks that part).
retries=$(grep -c 'intel_dsa_enq_retry .* injected occupancy' "$BUILD/boot-check/qemu.log" 2>/dev/null)
{
	echo "KTAP version 1"
	echo "1..1"
	echo "# enqueue stores answered Retry by injection during the check plan: ${retries:-0}"
	if [ "${retries:-0}" -gt 0 ]; then
		echo "ok 1 shared-wq-retries-injected"
	else
		echo "not ok 1 shared-wq-retries-injected # no injected Retry in $BUILD/boot-check/qemu.log"
	fi
} >"$R/retries.ktap"

if [ $trees_ok = 1 ]; then
	echo "==> harness self-tests"
	t0=$(date +%s)
	scripts/test-harness.sh >"$R/harness.ktap" 2>"$R/harness.log"
	echo "harness $(($(date +%s) - t0))" >>"$R/times.txt"
fi

{
	echo "KTAP version 1"
	echo "1..$n"
	printf '%s\n' "${setup[@]}"
} >"$R/setup.ktap"

echo "==> verdict (details: $R/summary.json, parser log: $R/parser.log)"
echo "    stage times (s): $(tr '\n' ' ' <"$R/times.txt")"
kunit=$BUILD/src/linux/tools/testing/kunit
if [ ! -f "$kunit/kunit_parser.py" ]; then
	echo "no KTAP parser: the kernel source was never fetched (see $R/sources.log)"
	echo "0 passed, 1 failed"
	exit 1
fi
python3 scripts/verdict.py --kunit-dir "$kunit" \
	--json "$R/summary.json" --log "$R/parser.log" \
	setup="$R/setup.ktap" static="$R/static.ktap" qemu="$R/qemu.ktap" guest="$R/guest.ktap" \
	hygiene="$R/hygiene.ktap" retries="$R/retries.ktap" guest-pt="$R/guest-passthrough.ktap" \
	hygiene-pt="$R/hygiene-passthrough.ktap" guest-np="$R/guest-nopasid.ktap" \
	hygiene-np="$R/hygiene-nopasid.ktap" harness="$R/harness.ktap"
