#!/usr/bin/env bash
# "make boot" and "make test": boot one machine profile, run a plan or one
# guest test, check the guest's kernel log, and end with the verdict line
# ("N passed, N failed, N skipped"); exit 1 on any failure.
# Usage: run-boot.sh PROFILE PLAN|test=NAME[,ARG...] OUTDIR
# Environment: as boot-guest.sh (QEMU_BIN KERNEL_IMG INITRAMFS ...), and
# KUNIT_DIR, the kernel's tools/testing/kunit (for its KTAP parser).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# = 3 ] || { echo "usage: run-boot.sh PROFILE PLAN|test=NAME[,ARG...] OUTDIR" >&2; exit 2; }
profile=$1 what=$2 out=$3
mkdir -p "$out"
"$here/boot-guest.sh" "$profile" "$what" "$out" 2>&1 | tee "$out/boot.log"
rc=${PIPESTATUS[0]}
[ $rc = 2 ] && exit 2
if [ "$what" = - ]; then
	eval "$("$here/profile.py" shell "$profile")"
	what=$profile_plan
fi
{
	echo "KTAP version 1"
	echo "1..1"
	if [ $rc = 0 ]; then
		echo "ok 1 boot"
	else
		sed 's/^/# boot: /' "$out/boot.log" | tail -n 45
		echo "not ok 1 boot"
	fi
} >"$out/boot.ktap"
"$here/check-dmesg.py" --plan "${what#test=}" --qemu-dir "$out" "$out/console.log" >"$out/hygiene.ktap"
# The plan lists the skips it expects; a single test expects none.
plan=/dev/null
case $what in test=*) ;; *) plan=${GUEST_DIR:-$(dirname "$here")/guest}/plans/$what ;; esac
exec python3 "$here/verdict.py" --kunit-dir "${KUNIT_DIR:?KUNIT_DIR not set}" \
	--expected-skips "guest=$plan" --expected-skips boot=/dev/null \
	--expected-skips hygiene=/dev/null \
	--json "$out/summary.json" --log "$out/parser.log" \
	boot="$out/boot.ktap" guest="$out/results.ktap" hygiene="$out/hygiene.ktap"
