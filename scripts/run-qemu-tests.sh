#!/usr/bin/env bash
# Build and run the QEMU series' own tests against the built QEMU, and print
# one KTAP document, each test program a subtest:
#   - qtests (tests/qtest, glib TAP; no vCPU), and unit tests (tests/unit)
#   - TCG system tests (tests/tcg/x86_64/system, bare-metal guests that
#     print "ok N name" lines and their plan last, on the debug console)
#   - the fuzzer's reproducers (fuzz/reproducers, scripts/fuzz-replay.sh):
#     every input that once crashed or hung the fuzzer (make fuzz), replayed
#     as a qtest trace on this build
# Usage: run-qemu-tests.sh QEMU_SOURCE_TREE QEMU_BUILD_DIR
set -uo pipefail
src=$(cd "$1" && pwd) out=$(cd "$2" && pwd)
qtests=(intel-dsa-test intel-iommu-test)
# unit tests of what the series adds to util/
units=(test-crc-t10dif)
# TCG system runs: make target and the file its debug console goes to
tcgruns=(run-dsa:dsa.out run-dsa-iommu:run-dsa-iommu.out run-dsa-sva:run-dsa-sva.out run-enqcmd:enqcmd.out run-xsaves:xsaves.out)
# A check each run must report: the DSA test skips its SVA part, silently,
# where the vIOMMU offers no page requests, so run-dsa-sva must show it.
declare -A needs=([run-dsa-sva]=vtd-invalidation-queue-runs)

echo "KTAP version 1"
echo "1..$((${#qtests[@]} + ${#units[@]} + ${#tcgruns[@]} + 1))"
i=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# subtest NAME RC: nest $log (TAP lines, plan anywhere) as a KTAP subtest
subtest() {
	local plan
	plan=$(grep -m1 -E '^1\.\.[0-9]+$' "$log")
	echo "    KTAP version 1"
	echo "    # Subtest: $1"
	if [ -n "$plan" ]; then
		echo "    $plan"
	fi
	grep -v -E '^# starting QEMU|^1\.\.[0-9]+$' "$log" |
		sed -E -e '/^(ok|not ok) [0-9]+ /!s/^/# /' -e 's/^/    /'
	if [ -z "$plan" ]; then
		echo "not ok $i $1 # no plan: the test did not run to its end"
	elif [ "$2" = 0 ]; then
		echo "ok $i $1"
	else
		echo "not ok $i $1 # exit status $2"
	fi
}

# run_built DIR NAME LIMIT: build tests/DIR/NAME, run it (a qtest against
# the built QEMU) and nest its TAP
run_built() {
	i=$((i + 1))
	if ! ninja -C "$out" "tests/$1/$2" >"$log" 2>&1; then
		sed 's/^/# /' "$log" | tail -n 20
		echo "not ok $i $2 # build failed"
		return
	fi
	(cd "$out" && QTEST_QEMU_BINARY=./qemu-system-x86_64 \
		timeout "$3" "./tests/$1/$2" --tap) >"$log" 2>&1
	subtest "$2" $?
}
for t in "${qtests[@]}"; do
	run_built qtest "$t" 600
done
for t in "${units[@]}"; do
	run_built unit "$t" 60
done

tcgdir=$out/tests/tcg/x86_64-softmmu
rm -f "$tcgdir/dsa"
for run in "${tcgruns[@]}"; do
	i=$((i + 1))
	t=${run%%:*} output=$tcgdir/${run#*:}
	rm -f "$output"
	make -s -C "$tcgdir" -f "$src/tests/tcg/Makefile.target" SRC_PATH="$src" \
		TARGET=x86_64-softmmu "$t" >"$log" 2>&1
	rc=$?
	if [ -f "$output" ]; then
		sed -i "1i# make $t: exit status $rc" "$output"
		cp "$output" "$log"
	fi
	need=${needs[$t]:-}
	if [ $rc = 0 ] && [ -n "$need" ] && ! grep -qE "^ok [0-9]+ $need\$" "$log"; then
		echo "# $t: no result for $need: the part of the test it needs did not run" >>"$log"
		rc=1
	fi
	subtest "tcg-system-${t#run-}" $rc
done

i=$((i + 1))
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/fuzz-replay.sh" "$out/qemu-system-x86_64" "$top/fuzz/reproducers" >"$log" 2>&1
subtest fuzz-reproducers $?
