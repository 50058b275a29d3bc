#!/usr/bin/env bash
# Build and run the QEMU series' qtests against the built QEMU; print one
# KTAP document with each qtest program as a subtest.
# Usage: run-qtests.sh QEMU_BUILD_DIR
set -uo pipefail
out=$(cd "$1" && pwd)
qtests=(intel-dsa-test)

echo "KTAP version 1"
echo "1..${#qtests[@]}"
i=0
for t in "${qtests[@]}"; do
	i=$((i + 1))
	log=$(mktemp)
	if ! ninja -C "$out" "tests/qtest/$t" >"$log" 2>&1; then
		sed 's/^/# /' "$log" | tail -n 20
		echo "not ok $i $t # build failed"
		rm -f "$log"
		continue
	fi
	(cd "$out" && QTEST_QEMU_BINARY=./qemu-system-x86_64 \
		timeout 600 "./tests/qtest/$t" --tap) >"$log" 2>&1
	rc=$?
	echo "    KTAP version 1"
	echo "    # Subtest: $t"
	# glib's TAP: keep the plan and results, turn the rest into diagnostics.
	grep -v '^# starting QEMU' "$log" | sed -E \
		-e '/^(ok|not ok) [0-9]+ |^1\.\.[0-9]+$/!s/^/# /' -e 's/^/    /'
	if [ $rc = 0 ]; then echo "ok $i $t"; else echo "not ok $i $t # exit status $rc"; fi
	rm -f "$log"
done
