#!/usr/bin/env bash
# Tests of the harness itself: each feeds it a fault and checks that it is
# detected with a clear message.  KTAP on stdout.  Tests that need the built
# QEMU and kernel SKIP (with the reason) when they are absent.
# Environment (from the Makefile): TOP BUILD QEMU_BIN KERNEL_IMG
set -uo pipefail
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$TOP/build}
S=$TOP/scripts
KUNIT=$BUILD/src/linux/tools/testing/kunit
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

n=0
out=()
ok() { n=$((n + 1)); out+=("ok $n $1"); }
skip() { n=$((n + 1)); out+=("ok $n $1 # SKIP $2"); }
notok() { # NAME WHY [LOGFILE]
	n=$((n + 1))
	out+=("# $1: $2")
	[ -n "${3:-}" ] && [ -f "$3" ] && while IFS= read -r l; do out+=("# $1:   $l"); done < <(tail -n 10 "$3")
	out+=("not ok $n $1")
}
# expect NAME WANT_RC(0|nonzero) GREP_PATTERN LOG -- command...
expect() {
	local name=$1 want=$2 pat=$3 log=$4 rc
	shift 5
	"$@" >"$log" 2>&1
	rc=$?
	if [ "$want" = 0 ] && [ $rc != 0 ]; then notok "$name" "expected success, got exit $rc" "$log"; return; fi
	if [ "$want" != 0 ] && [ $rc = 0 ]; then notok "$name" "expected a failure, got exit 0" "$log"; return; fi
	if [ -n "$pat" ] && ! grep -qE -- "$pat" "$log"; then notok "$name" "output lacks /$pat/" "$log"; return; fi
	ok "$name"
}
verdict() { python3 "$S/verdict.py" --kunit-dir "$KUNIT" "$@"; }

# --- verdict ---------------------------------------------------------------
cat >"$w/fail.ktap" <<'EOF'
KTAP version 1
1..2
ok 1 fine
not ok 2 deliberately-failing
EOF
expect verdict-fails-on-a-failing-ktap-line nonzero '^1 passed, 1 failed, 0 skipped$' "$w/v1" -- \
	verdict s="$w/fail.ktap"

cat >"$w/diag.ktap" <<'EOF'
KTAP version 1
1..3
# fine: all good
ok 1 fine
# broken: dmatest reported 3 failures
not ok 2 broken # exit status 1
ok 3 maybe # SKIP no device here
EOF
verdict --markdown "$w/results.md" s="$w/diag.ktap" >/dev/null 2>&1
if grep -q '^- \*\*FAIL\*\* broken$' "$w/results.md" &&
   grep -q '^  dmatest reported 3 failures$' "$w/results.md" &&
   grep -q '^- \*\*SKIP\*\* maybe — no device here$' "$w/results.md"; then
	ok results-page-shows-failures-with-their-log-and-skips-with-their-reason
else
	notok results-page-shows-failures-with-their-log-and-skips-with-their-reason "wrong page" "$w/results.md"
fi

cat >"$w/short.ktap" <<'EOF'
KTAP version 1
1..3
ok 1 one
ok 2 two
EOF
expect verdict-fails-when-the-plan-is-cut-short nonzero 'test 3 of the plan never reported' "$w/v2" -- \
	verdict s="$w/short.ktap"

cat >"$w/skip.ktap" <<'EOF'
KTAP version 1
1..2
ok 1 one
ok 2 two # SKIP no device
EOF
expect verdict-counts-skips-apart-from-passes 0 '^1 passed, 0 failed, 1 skipped$' "$w/v3" -- \
	verdict s="$w/skip.ktap"

printf '# expected skip: two no device\n' >"$w/expect"
expect verdict-fails-on-a-skip-nobody-expected nonzero 'FAIL: two \(unexpected skip: no device\)' \
	"$w/v3b" -- verdict --expected-skips s=/dev/null s="$w/skip.ktap"
expect verdict-accepts-a-skip-the-plan-expects 0 '^1 passed, 0 failed, 1 skipped$' "$w/v3c" -- \
	verdict --expected-skips s="$w/expect" s="$w/skip.ktap"

expect verdict-fails-on-a-missing-stage nonzero 'stage did not produce' "$w/v4" -- \
	verdict s="$w/nonexistent.ktap"

printf 'garbage\nno ktap here\n' >"$w/garbage.ktap"
expect verdict-fails-on-output-without-ktap nonzero '^0 passed, 1 failed' "$w/v5" -- \
	verdict s="$w/garbage.ktap"

# --- dmesg hygiene ---------------------------------------------------------
cat >"$w/console.log" <<'EOF'
[    0.100000] DMAR: dmar0: Using Queued invalidation
[    1.000000] ------------[ cut here ]------------
[    1.000001] WARNING: CPU: 0 PID: 1 at drivers/iommu/intel/iommu.c:100 foo+0x10/0x20
[    2.000000] pasid-harness: expect DMAR fault begin
[    2.000001] DMAR: [DMA Write NO_PASID] Request device [00:03.0] fault addr 0x1000 [fault reason 0x05] PTE Write access is not set
[    2.000002] pasid-harness: expect DMAR fault end
[    3.000000] DMAR: [DMA Read NO_PASID] Request device [00:03.0] fault addr 0x2000 [fault reason 0x06] PTE Read access is not set
[    4.000000] pasid-harness: plan check done
EOF
"$S/check-dmesg.py" --plan check "$w/console.log" >"$w/hyg.ktap"
if grep -q '^not ok [0-9]* no-warning$' "$w/hyg.ktap" &&
   grep -q '^not ok [0-9]* no-unexpected-dmar-fault$' "$w/hyg.ktap" &&
   grep -q 'unexpected: DMAR: \[DMA Read' "$w/hyg.ktap" &&
   ! grep -q 'unexpected: DMAR: \[DMA Write' "$w/hyg.ktap" &&
   grep -q '^ok [0-9]* guest-finished-plan$' "$w/hyg.ktap"; then
	ok hygiene-flags-warnings-and-unexpected-dmar-faults-only
else
	notok hygiene-flags-warnings-and-unexpected-dmar-faults-only "wrong verdicts" "$w/hyg.ktap"
fi
"$S/check-dmesg.py" --plan check /dev/null >"$w/hyg2.ktap"
if grep -q '^not ok [0-9]* guest-finished-plan$' "$w/hyg2.ktap"; then
	ok hygiene-fails-when-the-guest-did-not-finish
else
	notok hygiene-fails-when-the-guest-did-not-finish "an empty log passed" "$w/hyg2.ktap"
fi
# A known oops of a kernel we did not write, reproduced on purpose: listed
# inside its bracket, failed outside it or in a bracket that never ends.
cat >"$w/oops.log" <<'EOF'
[    1.000000] pasid-harness: expect oops begin
[    1.000001] BUG: kernel NULL pointer dereference, address: 0000000000000000
[    1.000002] pasid-harness: expect oops end
EOF
"$S/check-dmesg.py" "$w/oops.log" >"$w/oops1.ktap"
echo '[    2.000000] Oops: general protection fault 0000 [#2] SMP NOPTI' >>"$w/oops.log"
"$S/check-dmesg.py" "$w/oops.log" >"$w/oops2.ktap"
sed '/expect oops end/d; /#2/d' "$w/oops.log" >"$w/oops-open.log"
"$S/check-dmesg.py" "$w/oops-open.log" >"$w/oops3.ktap"
if grep -q '^ok [0-9]* no-oops$' "$w/oops1.ktap" &&
   grep -q 'expected oops, BUG or panic: BUG: kernel NULL' "$w/oops1.ktap" &&
   grep -q '^not ok [0-9]* no-oops$' "$w/oops2.ktap" &&
   grep -q '^not ok [0-9]* no-oops$' "$w/oops3.ktap"; then
	ok hygiene-lists-a-bracketed-oops-and-fails-any-other
else
	cat "$w/oops1.ktap" "$w/oops2.ktap" "$w/oops3.ktap" >"$w/oops.ktap"
	notok hygiene-lists-a-bracketed-oops-and-fails-any-other "wrong verdicts" "$w/oops.ktap"
fi
# check-dmesg.py on a boot directory's QEMU command line and qemu.log.
# Each case: the KTAP line it must give, the QEMU command line, the log
# (\n for a line break) and a text its diagnostics must hold, if any.
qemu_dir_cases() { # NAME (cases on stdin, fields separated by |)
	local name=$1 want cmd log diag i=0 bad=
	mkdir -p "$w/$name"
	while IFS='|' read -r want cmd log diag; do
		i=$((i + 1))
		printf '%s\n' "$cmd" >"$w/$name/command.txt"
		printf '%b' "$log" >"$w/$name/qemu.log"
		"$S/check-dmesg.py" --qemu-dir "$w/$name" "$w/console.log" >"$w/$name/$i.ktap"
		if ! sed -E 's/^(ok|not ok) [0-9]+ /\1 /' "$w/$name/$i.ktap" | grep -qx "$want" ||
		   { [ -n "$diag" ] && ! grep -qF "$diag" "$w/$name/$i.ktap"; }; then
			bad+=" $i"
			cat "$w/$name/$i.ktap" >>"$w/$name.ktap"
		fi
	done
	if [ -z "$bad" ]; then
		ok "$name"
	else
		notok "$name" "wrong verdicts in case(s)$bad" "$w/$name.ktap"
	fi
}
# The vIOMMU's invalidation audit: on, every event traced, silent in qemu.log
qemu_dir_cases hygiene-fails-viommu-audit-findings-and-an-audit-left-off <<'EOF'
not ok no-viommu-audit-finding|qemu -device intel-iommu,x-scalable-mode=on,x-pasid-mode=on,x-audit-invalidations=on -trace 'vtd_audit_*'|vtd_audit_stale device-TLB entry of 0x0008 PASID 0x2 address 0x1000 holds 0x5000, the tables 0x6000: its invalidation is missing (stale 1)\n|device-TLB entry of 0x0008 PASID 0x2
ok no-viommu-audit-finding|qemu -device intel-iommu,x-scalable-mode=on,x-pasid-mode=on,x-audit-invalidations=on -trace 'vtd_audit_*'||
ok viommu-audit-on|qemu -device intel-iommu,x-scalable-mode=on,x-pasid-mode=on,x-audit-invalidations=on -trace 'vtd_audit_*'||
not ok viommu-audit-on|qemu -device intel-iommu,x-scalable-mode=on,x-pasid-mode=on||
not ok viommu-audit-on|qemu -device intel-iommu,x-pasid-mode=on,x-audit-invalidations=on -trace vtd_audit_did_mismatch||
EOF
# A DSA's PASID, ATS or PRI controls changed while it was enabled: traced
# wherever the machine has a DSA, and a traced change fails the boot
qemu_dir_cases hygiene-fails-a-dsa-translation-change-while-enabled <<'EOF'
not ok no-dsa-xlat-change-while-enabled|qemu -device intel-iommu,x-pasid-mode=on -device intel-dsa,id=dsa0 -trace intel_dsa_xlat_changed|4242@1.000000:intel_dsa_xlat_changed PASID/ATS/PRI controls 0x1 -> 0x10001 while not disabled (1)\n|controls 0x1 -> 0x10001
ok no-dsa-xlat-change-while-enabled|qemu -device intel-iommu,x-pasid-mode=on -device intel-dsa,id=dsa0 -trace intel_dsa_xlat_changed||
not ok no-dsa-xlat-change-while-enabled|qemu -device intel-iommu,x-pasid-mode=on -device intel-dsa,id=dsa0||without -trace intel_dsa_xlat_changed
ok no-dsa-xlat-change-while-enabled|qemu -device intel-iommu,x-pasid-mode=on||no intel-dsa in this machine
not ok no-dsa-xlat-change-while-enabled|qemu -device driver=intel-dsa,id=dsa0 -trace 'intel_dsa_*'|4242@1.000000:intel_dsa_xlat_changed PASID/ATS/PRI controls 0x1 -> 0x0 while not disabled (1)\n|
EOF

# The guest tests' kernel_splats (guest/tests/lib.sh) uses the same list.
splats() { (SPLATS=$TOP/guest/tests/splats TMPDIR=$w; . "$TOP/guest/tests/lib.sh"; kernel_splats "$@"); }
if splats <"$w/console.log" >"$w/sp1" &&
   grep -q 'WARNING: CPU: 0 PID: 1' "$w/sp1" && grep -q 'DMA Read NO_PASID' "$w/sp1" &&
   ! splats oops lockdep-report <"$w/console.log" >"$w/sp2" && [ ! -s "$w/sp2" ] &&
   splats warning <"$w/console.log" | grep -q 'cut here'; then
	ok guest-kernel-splats-match-by-class
else
	notok guest-kernel-splats-match-by-class "wrong lines" "$w/sp1"
fi

# --- kernel config ---------------------------------------------------------
printf 'CONFIG_A=y\nCONFIG_B=m\n# CONFIG_C is not set\n' >"$w/frag.config"
printf 'CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=y\n' >"$w/dot.config"
expect kconfig-check-names-dropped-symbols nonzero 'requested CONFIG_B=m, got: # CONFIG_B is not set' "$w/k1" -- \
	"$S/check-kconfig.sh" "$w/dot.config" "$w/frag.config"
printf 'CONFIG_A=y\nCONFIG_B=m\n' >"$w/dot2.config"
expect kconfig-check-accepts-a-matching-config 0 '' "$w/k2" -- \
	"$S/check-kconfig.sh" "$w/dot2.config" "$w/frag.config"

# --- trees: apply, export, refuse ------------------------------------------
mkdir -p "$w/src" "$w/p1" "$w/p2"
printf 'one\ntwo\nthree\n' >"$w/src/file.txt"
echo synthetic >"$w/src/.done"
: >"$w/p1/series"
"$S/make-tree.sh" "$w/src" "$w/tree" "$w/p1" >"$w/t0" 2>&1 || notok tree-setup "make-tree failed" "$w/t0"
(
	cd "$w/tree" && sed -i 's/two/TWO/' file.txt && git commit -q -a -m 'file: capitalise two

Signed-off-by: PASID Series Project <pasid-series@example.org>'
) >/dev/null 2>&1
expect tree-status-detects-unexported-commits nonzero 'differs from' "$w/t1" -- \
	"$S/tree-status.sh" "$w/tree" "$w/p1"
expect prepare-tree-refuses-unexported-work nonzero 'refusing to test' "$w/t2" -- \
	"$S/prepare-tree.sh" "$w/src" "$w/tree" "$w/p1"
expect make-tree-keeps-unexported-work nonzero 'run .make export. first' "$w/t3" -- \
	"$S/make-tree.sh" "$w/src" "$w/tree" "$w/p1"
"$S/export-tree.sh" "$w/tree" "$w/p1" >/dev/null 2>&1
cp -r "$w/p1" "$w/p1.first"
FORCE=1 "$S/make-tree.sh" "$w/src" "$w/tree" "$w/p1" >/dev/null 2>&1
"$S/export-tree.sh" "$w/tree" "$w/p1" >/dev/null 2>&1
if [ "$(wc -l <"$w/p1/series")" = 1 ] && diff -r "$w/p1.first" "$w/p1" >"$w/t4" 2>&1 &&
   "$S/tree-status.sh" "$w/tree" "$w/p1" >>"$w/t4" 2>&1; then
	ok export-then-tree-round-trips-byte-for-byte
else
	notok export-then-tree-round-trips-byte-for-byte "patches changed across tree/export" "$w/t4"
fi
echo dirty >>"$w/tree/file.txt"
expect tree-status-detects-uncommitted-edits nonzero 'uncommitted edits' "$w/t5" -- \
	"$S/tree-status.sh" "$w/tree" "$w/p1"
# a good patch, then one that does not apply: the second is named
cp "$w/p1/$(cat "$w/p1/series")" "$w/p2/0001-good.patch"
sed -e 's/^-two$/-zwei/' -e 's/^+TWO$/+ZWEI/' "$w/p1/$(cat "$w/p1/series")" >"$w/p2/0002-bad.patch"
printf '0001-good.patch\n0002-bad.patch\n' >"$w/p2/series"
expect make-tree-names-a-patch-that-does-not-apply nonzero 'patch 2 \(0002-bad.patch\) does not apply' "$w/t6" -- \
	"$S/make-tree.sh" "$w/src" "$w/tree2" "$w/p2"

# --- static checks catch a bad kernel patch ---------------------------------
if [ -x "$BUILD/linux/scripts/checkpatch.pl" ] && [ -d "$BUILD/qemu/.git" ]; then
	mkdir -p "$w/badk"
	cat >"$w/badk/0001-bad.patch" <<'EOF'
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Nobody <nobody@example.org>
Date: Thu, 1 Jan 2026 00:00:00 +0000
Subject: [PATCH] x

---
 init/bad.c | 2 ++
 1 file changed, 2 insertions(+)
 create mode 100644 init/bad.c

diff --git a/init/bad.c b/init/bad.c
new file mode 100644
index 000000000000..111111111111
--- /dev/null
+++ b/init/bad.c
@@ -0,0 +1,2 @@
+int  bad( void ) { return 0 ; }  
+
EOF
	echo 0001-bad.patch >"$w/badk/series"
	# The checks that read patches, on this one bad patch and an empty
	# QEMU series: the builds are not what this test is about.
	mkdir -p "$w/emptyq" && : >"$w/emptyq/series"
	STATIC_CHECKS=series,checkpatch "$S/static-checks.sh" "$BUILD/linux" "$w/badk" \
		"$BUILD/src/linux" "$BUILD/kernel" "$BUILD/qemu" "$w/emptyq" >"$w/st.ktap" 2>&1
	if grep -q '^not ok [0-9]* linux-checkpatch:0001-bad.patch$' "$w/st.ktap" &&
	   grep -q 'Missing Signed-off-by' "$w/st.ktap" &&
	   grep -q '^not ok [0-9]* linux-series-applies-to-base$' "$w/st.ktap"; then
		ok static-checks-reject-a-bad-kernel-patch
	else
		notok static-checks-reject-a-bad-kernel-patch "the bad patch was not reported" "$w/st.ktap"
	fi
	expect static-checks-refuse-an-unknown-part nonzero "unknown part 'spelling'" "$w/st2" -- \
		env STATIC_CHECKS=series,spelling "$S/static-checks.sh" "$BUILD/linux" "$w/badk" \
		"$BUILD/src/linux" "$BUILD/kernel" "$BUILD/qemu" "$w/emptyq"
	expect static-checks-refuse-a-file-outside-the-series nonzero \
		"kernel/exit.c is not a .c file the kernel series touches" "$w/st3" -- \
		env STATIC_CHECKS=sparse STATIC_FILES=kernel/exit.c "$S/static-checks.sh" "$BUILD/linux" \
		"$w/badk" "$BUILD/src/linux" "$BUILD/kernel" "$BUILD/qemu" "$w/emptyq"
else
	for t in static-checks-reject-a-bad-kernel-patch static-checks-refuse-an-unknown-part \
		static-checks-refuse-a-file-outside-the-series; do
		skip "$t" "build/linux or build/qemu does not exist"
	done
fi

# --- machine profiles --------------------------------------------------------
printf '[default]\ncpu = max\n[x]\ncpu = max,-la57\niommu = none\n' >"$w/prof"
printf '[default]\ncpu = max\n[x]\ncpus = 4\n' >"$w/prof-bad"
expect profile-refuses-an-unknown-key nonzero 'prof-bad:4: unknown key "cpus"' "$w/prof1.log" -- \
	"$S/profile.py" --file "$w/prof-bad" shell x
expect profile-refuses-an-unknown-profile nonzero 'no profile "y" \(profiles: default, x\)' "$w/prof2.log" -- \
	"$S/profile.py" --file "$w/prof" shell y
expect profile-inherits-from-default 0 "^profile_cpu=max,-la57$" "$w/prof3.log" -- \
	"$S/profile.py" --file "$w/prof" shell x
expect boot-dry-run-prints-the-profiles-machine 0 \
	'-cpu max,-la57 .*-device intel-iommu,[^ ]*svm=on[^ ]* -device intel-dsa,id=dsa0,x-enq-retry-injection=4 -trace intel_dsa_xlat_changed ' \
	"$w/prof4.log" -- env QEMU_BIN=/q KERNEL_IMG=/k INITRAMFS=/i "$S/boot-guest.sh" --dry-run main - "$w/dry"
expect boot-refuses-an-unknown-plan nonzero "no plan 'nosuch'" "$w/prof5.log" -- \
	env QEMU_BIN=/q KERNEL_IMG=/k INITRAMFS=/i "$S/boot-guest.sh" --dry-run main nosuch "$w/dry"
expect boot-timeout-is-the-sum-of-the-plans-limits 0 '; timeout 450s$' "$w/prof6.log" -- \
	env QEMU_BIN=/q KERNEL_IMG=/k INITRAMFS=/i "$S/boot-guest.sh" --dry-run nopasid - "$w/dry"
# like = OTHER starts from OTHER's machine, not its plan; kernel = picks
# the image and initramfs of a Debian kernel; both are checked
printf '[default]\ncpu = max\n[m]\ncpu = max,-la57\nplan = check\n[d]\nlike = m\nkernel = debian-7\nplan = p\n[e]\nlike = nosuch\n[f]\nkernel = debian-8\n' >"$w/prof-like"
expect profile-like-starts-from-another-profile 0 "^profile_cpu=max,-la57$" "$w/prof7.log" -- \
	"$S/profile.py" --file "$w/prof-like" shell d
expect profile-refuses-like-of-an-unknown-profile nonzero 'like = nosuch names no profile' "$w/prof8.log" -- \
	"$S/profile.py" --file "$w/prof-like" shell e
expect profile-refuses-an-unknown-kernel nonzero 'kernel = debian-8 \(kernels: series, debian-6.12, debian-7\)' "$w/prof9.log" -- \
	"$S/profile.py" --file "$w/prof-like" shell f
expect boot-dry-run-boots-the-profiles-debian-kernel 0 '-kernel [^ ]*/debian/7/vmlinuz -initrd [^ ]*/debian/7/initramfs.cpio.gz ' \
	"$w/prof10.log" -- env QEMU_BIN=/q KERNEL_IMG=/k INITRAMFS=/i BUILD=/b "$S/boot-guest.sh" --dry-run debian-7 - "$w/dry"

# --- the guest: runner outcomes, hang and panic -----------------------------
if [ -x "${QEMU_BIN:-}" ] && [ -f "${KERNEL_IMG:-}" ] && [ -f "$BUILD/initramfs.cpio.gz" ]; then
	# Plan: pass, fail, skip, per-test timeout, then a test that never ends.
	BOOT_TIMEOUT=${HANG_TIMEOUT:-60} "$S/boot-guest.sh" default harness-fixtures "$w/hang" \
		>"$w/g1" 2>&1
	rc=$?
	if [ $rc != 0 ] && grep -q 'guest timed out' "$w/g1"; then
		ok boot-detects-a-hung-guest
	else
		notok boot-detects-a-hung-guest "exit $rc, no timeout reported" "$w/g1"
	fi
	r=$w/hang/results.ktap
	if grep -q '^ok 1 fixture-pass$' "$r" && grep -q '^not ok 2 fixture-fail # exit status 1$' "$r" &&
	   grep -q '^ok 3 fixture-skip # SKIP deliberate skip$' "$r" &&
	   grep -q '^not ok 4 fixture-sleep # timed out after 3s$' "$r" &&
	   grep -q '^# fixture-args: arguments: one two$' "$r" && grep -q '^ok 5 fixture-args$' "$r"; then
		ok guest-runner-reports-pass-fail-skip-timeout-and-arguments
	else
		notok guest-runner-reports-pass-fail-skip-timeout-and-arguments "unexpected runner output" "$r"
	fi
	# A failed test's module and process are undone, and said so; lib.sh's
	# on_exit undoes a test's own on failure and at its time limit.
	if grep -q '^not ok 6 fixture-leave # exit status 1$' "$r" &&
	   grep -q '^# fixture-leave: left behind: module dmatest loaded (undone)$' "$r" &&
	   grep -qE '^# fixture-leave: left behind: process [0-9]+ \(sleep\) \(undone\)$' "$r" &&
	   grep -q '^ok 7 fixture-clean$' "$r"; then
		ok guest-runner-undoes-what-a-failed-test-left
	else
		notok guest-runner-undoes-what-a-failed-test-left "unexpected runner output" "$r"
	fi
	if grep -q '^not ok 8 fixture-trap-fail # exit status 1$' "$r" &&
	   grep -q '^not ok 9 fixture-trap-timeout # timed out after 3s$' "$r" &&
	   ! grep -q '^# fixture-trap-[a-z]*: left behind' "$r" &&
	   grep -q '^ok 10 fixture-clean-after-traps$' "$r"; then
		ok guest-test-undoes-its-setup-on-failure-and-timeout
	else
		notok guest-test-undoes-its-setup-on-failure-and-timeout "unexpected runner output" "$r"
	fi
	verdict g="$r" >"$w/g2" 2>&1
	if [ $? != 0 ] && grep -q '^4 passed, 6 failed, 1 skipped$' "$w/g2"; then
		ok verdict-of-the-hung-guest-counts-the-missing-test
	else
		notok verdict-of-the-hung-guest-counts-the-missing-test "wrong verdict" "$w/g2"
	fi
	KERNEL_APPEND=rdinit=/no/such/init BOOT_TIMEOUT=120 "$S/boot-guest.sh" default check \
		"$w/panic" >"$w/g3" 2>&1
	rc=$?
	if [ $rc != 0 ] && grep -q 'guest kernel panicked' "$w/g3"; then
		ok boot-detects-a-kernel-panic
	else
		notok boot-detects-a-kernel-panic "exit $rc, no panic reported" "$w/g3"
	fi
	# "make test": one test, its arguments, and a verdict that fails
	expect make-test-runs-one-test-and-ends-with-a-failing-verdict nonzero \
		'^[0-9]+ passed, [1-9][0-9]* failed, [0-9]+ skipped$' "$w/g4" -- \
		"$S/run-boot.sh" default test=fixture-fail,limit=20 "$w/one"
	if grep -q '^not ok 1 fixture-fail # exit status 1$' "$w/one/results.ktap" 2>/dev/null &&
	   grep -q '^1\.\.1$' "$w/one/results.ktap"; then
		ok make-test-runs-exactly-the-test-named
	else
		notok make-test-runs-exactly-the-test-named "not a plan of that one test" "$w/one/results.ktap"
	fi
else
	for t in boot-detects-a-hung-guest guest-runner-reports-pass-fail-skip-timeout-and-arguments \
		guest-runner-undoes-what-a-failed-test-left guest-test-undoes-its-setup-on-failure-and-timeout \
		verdict-of-the-hung-guest-counts-the-missing-test boot-detects-a-kernel-panic \
		make-test-runs-one-test-and-ends-with-a-failing-verdict make-test-runs-exactly-the-test-named; do
		skip "$t" "QEMU, kernel or initramfs not built"
	done
fi

# --- fuzz reproducers: the replay fails a QEMU that dies or stops answering
mkdir -p "$w/repro"
printf '# args: -display none\noutl 0xcf8 0x80000000\n' >"$w/repro/one.qtest"
cat >"$w/qemu-answers" <<'EOF'
#!/bin/sh
while read -r l; do [ "$l" = endianness ] && echo "OK little"; done
sleep 60
EOF
cat >"$w/qemu-dies" <<'EOF'
#!/bin/sh
read -r l
kill -ABRT $$
EOF
cat >"$w/qemu-answers-then-dies" <<'EOF'
#!/bin/sh
while read -r l; do [ "$l" = endianness ] && echo "OK little" && kill -ABRT $$; done
EOF
cat >"$w/qemu-silent" <<'EOF'
#!/bin/sh
cat >/dev/null
sleep 60
EOF
chmod +x "$w"/qemu-*
expect fuzz-replay-passes-a-qemu-that-answers 0 '^ok 1 one$' "$w/f1" -- \
	"$S/fuzz-replay.sh" "$w/qemu-answers" "$w/repro"
expect fuzz-replay-fails-a-qemu-that-dies nonzero '^not ok 1 one # QEMU died' "$w/f2" -- \
	"$S/fuzz-replay.sh" "$w/qemu-dies" "$w/repro"
expect fuzz-replay-fails-a-qemu-that-dies-after-answering nonzero \
	'^not ok 1 one # QEMU died' "$w/f4" -- \
	"$S/fuzz-replay.sh" "$w/qemu-answers-then-dies" "$w/repro"
expect fuzz-replay-fails-a-qemu-that-stops-answering nonzero \
	'^not ok 1 one # QEMU did not answer' "$w/f3" -- \
	env FUZZ_REPLAY_TIMEOUT=3 "$S/fuzz-replay.sh" "$w/qemu-silent" "$w/repro"

# --- fuzz reproducers: DMA data from the fuzzer's sparse memory is counted
# (a fake fuzzer and a fake tree whose reorder script passes the log on)
mkdir -p "$w/tree/scripts/oss-fuzz"
printf '#!/bin/sh\ncat "$1"\n' >"$w/tree/scripts/oss-fuzz/reorder_fuzzer_qtest_trace.py"
cat >"$w/fuzzer-sparse" <<'EOF'
#!/bin/sh
echo "Starting x with Arguments: -display none -m 512M -machine q35 -qtest /dev/null"
echo "write 0x1ffffffc 0x8 0x0102030405060708" >&2
echo "write 0x100000000 0x4 0x01020304" >&2
echo "outl 0xcf8 0x80000000" >&2
EOF
cat >"$w/fuzzer-ram" <<'EOF'
#!/bin/sh
echo "Starting x with Arguments: -display none -m 512M -machine q35 -qtest /dev/null"
echo "write 0x1ffffff8 0x8 0x0102030405060708" >&2
echo "outl 0xcf8 0x80000000" >&2
EOF
cat >"$w/fuzzer-4g" <<'EOF'
#!/bin/sh
echo "Starting x with Arguments: -display none -m 512M -machine q35 -m 4g -qtest /dev/null"
echo "write 0x7ffffffc 0x8 0x0102030405060708" >&2
echo "write 0x17ffffffe 0x4 0x01020304" >&2
EOF
chmod +x "$w/tree/scripts/oss-fuzz/reorder_fuzzer_qtest_trace.py" "$w"/fuzzer-*
echo x >"$w/input"
expect fuzz-reproduce-counts-dma-data-outside-ram 0 '^# sparse: 8 bytes ' "$w/f5" -- \
	sh -c '"$1" "$2" t "$3" "$4" "$5" 2>/dev/null && cat "$5"' sh \
	"$S/fuzz-reproduce.sh" "$w/fuzzer-sparse" "$w/tree" "$w/input" "$w/sparse.qtest"
expect fuzz-reproduce-counts-nothing-inside-ram 0 '^outl 0xcf8' "$w/f6" -- \
	sh -c '"$1" "$2" t "$3" "$4" "$5" && cat "$5"' sh \
	"$S/fuzz-reproduce.sh" "$w/fuzzer-ram" "$w/tree" "$w/input" "$w/ram.qtest"
expect fuzz-reproduce-knows-q35-ram-above-4g 0 '^# sparse: 6 bytes ' "$w/f7" -- \
	sh -c '"$1" "$2" t "$3" "$4" "$5" 2>/dev/null && cat "$5"' sh \
	"$S/fuzz-reproduce.sh" "$w/fuzzer-4g" "$w/tree" "$w/input" "$w/4g.qtest"
if grep -q sparse "$w/f6"; then
	notok fuzz-reproduce-no-sparse-line-inside-ram "it counted DMA data outside RAM" "$w/f6"
else
	ok fuzz-reproduce-no-sparse-line-inside-ram
fi

# --- fuzz runs: the corpus kept is the merge's, plus the seeds -------------
# A fake tree and a fake fuzzer: its run reports 120 executions, its merge
# keeps the inputs that start with "keep" (named by their SHA-1, as
# libFuzzer does), or fails when called as fuzzer-merge-fails.
fuzz_tree() { # DIR
	rm -rf "$1"
	mkdir -p "$1/scripts" "$1/fuzz/corpus" "$1/build/fuzz/corpus"
	ln -s "$S/fuzz-run.sh" "$1/scripts/fuzz-run.sh"
	printf '# date\ttarget\tseconds\texecutions\tcrashes\n' >"$1/fuzz/runs.tsv"
	echo 'Fuzz executions so far: **0** (fuzz/runs.tsv)' >"$1/README.md"
	echo 'keep seed a' >"$1/fuzz/corpus/seed-a"
	echo 'drop seed b' >"$1/fuzz/corpus/seed-b"
	local i
	for i in 'keep 1' 'drop 2'; do echo "$i" >"$1/fuzz/corpus/$(echo "$i" | sha1sum | cut -c1-40)"; done
	for i in 'keep 3' 'drop 4'; do echo "$i" >"$1/build/fuzz/corpus/$(echo "$i" | sha1sum | cut -c1-40)"; done
}
cat >"$w/fuzzer-merge" <<'EOF'
#!/bin/sh
case " $* " in
*" -merge=1 "*)
	[ "${0##*/}" = fuzzer-merge-fails ] && exit 1
	out=
	for a; do
		case $a in -*) continue ;; esac
		[ -n "$out" ] || { out=$a; continue; }
		for f in "$a"/*; do
			grep -q '^keep' "$f" && cp "$f" "$out/$(sha1sum <"$f" | cut -c1-40)"
		done
	done ;;
*)	echo "#120: cov: 7 ft: 9 corp: 4 exec/s: 17 oom/timeout/crash: 0/0/0 time: 7s job: 2 dft_time: 0" ;;
esac
exit 0
EOF
chmod +x "$w/fuzzer-merge"
cp "$w/fuzzer-merge" "$w/fuzzer-merge-fails"
fuzz_tree "$w/ft"
expect fuzz-run-keeps-the-merge-and-the-seeds 0 'corpus 4 -> 4 inputs; total 120 ' "$w/f8" -- \
	"$w/ft/scripts/fuzz-run.sh" "$w/fuzzer-merge" 7
kept=$(cd "$w/ft/fuzz/corpus" && for f in *; do head -c 6 "$f"; echo; done | sort | tr '\n' ,)
if [ "$kept" != "drop s,keep 1,keep 3,keep s," ]; then
	notok fuzz-run-corpus-is-the-merge-and-the-seeds "fuzz/corpus holds: $kept"
elif ! grep -q '^Fuzz executions so far: \*\*120\*\*' "$w/ft/README.md"; then
	notok fuzz-run-corpus-is-the-merge-and-the-seeds "README total not 120" "$w/ft/README.md"
else
	ok fuzz-run-corpus-is-the-merge-and-the-seeds
fi
fuzz_tree "$w/ft"
expect fuzz-run-failed-merge-leaves-the-corpus 0 'the merge failed; fuzz/corpus left as it was' \
	"$w/f9" -- "$w/ft/scripts/fuzz-run.sh" "$w/fuzzer-merge-fails" 7
if [ "$(ls "$w/ft/fuzz/corpus" | wc -l)" != 4 ] || [ ! -e "$w/ft/fuzz/corpus/seed-b" ]; then
	notok fuzz-run-failed-merge-corpus-unchanged "fuzz/corpus changed: $(ls "$w/ft/fuzz/corpus" | tr '\n' ' ')"
else
	ok fuzz-run-failed-merge-corpus-unchanged
fi

echo "KTAP version 1"
echo "1..$n"
printf '%s\n' "${out[@]}"
