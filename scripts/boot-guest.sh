#!/usr/bin/env bash
# Boot the guest under the self-built QEMU (TCG, q35, scalable-mode vIOMMU),
# run one test plan, and leave console.log and results.ktap in OUTDIR.
#
# Usage: boot-guest.sh QEMU KERNEL INITRD OUTDIR PLAN
# Environment:
#   BOOT_TIMEOUT   seconds before the guest is killed (default 900)
#   IOMMU_OPTS     intel-iommu options (default: scalable mode, first level)
#   KERNEL_APPEND  extra kernel command line
#   DSA_OPTS       the emulated DSA (default "intel-dsa"; "none" for no DSA)
#   QEMU_EXTRA     extra QEMU arguments
#   GUEST_CPU      -cpu model (default max)
# The guest's third serial port (ttyS2) reaches QEMU's monitor through
# scripts/guest-control.py (QMP commands tests need, one per line; its log
# is OUTDIR/control.log).
# Exit 0 when the guest finished the plan; 1 with the log's tail when it
# panicked, hung, timed out or never reached the end of the plan.
set -uo pipefail
qemu=$1 kernel=$2 initrd=$3 out=$4 plan=$5
timeout_s=${BOOT_TIMEOUT:-900}
iommu=${IOMMU_OPTS:-intremap=on,x-scalable-mode=on,x-pasid-mode=on,x-flts=on,aw-bits=48}
bios=/usr/share/seabios/bios-256k.bin
dsa=""
[ "${DSA_OPTS:-intel-dsa}" = none ] || dsa="-device ${DSA_OPTS:-intel-dsa}"

fail() {
	echo "boot-guest: FAILED: $*" >&2
	echo "---- last 40 lines of $out/console.log ----" >&2
	tail -n 40 "$out/console.log" >&2 2>/dev/null
	echo "----" >&2
	exit 1
}
for f in "$qemu" "$kernel" "$initrd" "$bios"; do
	[ -e "$f" ] || { echo "boot-guest: missing $f" >&2; exit 1; }
done
mkdir -p "$out"
rm -f "$out/console.log" "$out/results.ktap" "$out/control.log"
# Socket paths are short (108 bytes at most): a private directory in /tmp.
socks=$(mktemp -d /tmp/pasid-boot.XXXXXX)
"$(dirname "$0")/guest-control.py" "$socks/ctl" "$socks/qmp" \
	>"$out/control.log" 2>&1 &
ctl_pid=$!

start=$(date +%s.%N)
# shellcheck disable=SC2086
timeout -k 10 "$timeout_s" "$qemu" \
	-accel tcg -machine q35,kernel-irqchip=split -cpu "${GUEST_CPU:-max}" \
	-smp 2 -m 2G -nodefaults -no-reboot -display none -vga none \
	-bios "$bios" -L "$(dirname "$qemu")/pc-bios/optionrom" \
	-device "intel-iommu,$iommu" \
	$dsa ${QEMU_EXTRA:-} \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 intel_iommu=on,sm_on pasid.plan=$plan ${KERNEL_APPEND:-}" \
	-chardev "file,id=con,path=$out/console.log" -serial chardev:con \
	-chardev "file,id=res,path=$out/results.ktap" -serial chardev:res \
	-chardev "socket,id=ctl,path=$socks/ctl,server=on,wait=off" \
	-serial chardev:ctl -qmp "unix:$socks/qmp,server=on,wait=off" \
	>"$out/qemu.log" 2>&1
rc=$?
kill "$ctl_pid" 2>/dev/null
wait "$ctl_pid" 2>/dev/null
rm -rf "$socks"
end=$(date +%s.%N)
# A serial port may still have turned LF into CRLF; KTAP lines end in LF.
[ -f "$out/results.ktap" ] && sed -i 's/\r$//' "$out/results.ktap"
wall=$(echo "$end - $start" | bc)
echo "$wall" >"$out/wall-seconds"

if [ $rc = 124 ] || [ $rc = 137 ]; then
	fail "guest timed out after ${timeout_s}s (hang?)"
elif [ $rc != 0 ]; then
	cat "$out/qemu.log" >&2
	fail "QEMU exited with status $rc"
fi
if grep -q 'Kernel panic' "$out/console.log"; then
	fail "guest kernel panicked: $(grep -m1 'Kernel panic' "$out/console.log" | tr -d '\r')"
fi
grep -q "pasid-harness: plan $plan done" "$out/console.log" ||
	fail "guest stopped before finishing plan $plan"
init_t=$(grep -m1 'pasid-harness: running plan' "$out/console.log" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
echo "boot-guest: plan $plan done in ${wall%.*}s wall (userspace reached at ${init_t:-?}s guest time); log: $out/console.log"
