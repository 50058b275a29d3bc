#!/usr/bin/env bash
# The main job ("make"): boot the patched kernel under the self-built QEMU
# with the scalable-mode vIOMMU, run the demo plan, and show what the guest
# saw and where the full log is.
set -uo pipefail
out=$BUILD/boot-demo
"$TOP/scripts/boot-guest.sh" "$QEMU_BIN" "$KERNEL_IMG" "$BUILD/initramfs.cpio.gz" "$out" demo
rc=$?
echo
echo "kernel:   $(sed -n 's/.*Linux version \([^ ]*\).*/\1/p' "$out/console.log" | head -n 1)"
echo "qemu:     $("$QEMU_BIN" --version | head -n 1)"
grep -h '^# viommu-mode: viommu-mode: ' "$out/results.ktap" 2>/dev/null |
	sed 's/^# viommu-mode: viommu-mode: /vIOMMU:   /'
grep -h '^# viommu-mode: dmar' "$out/results.ktap" 2>/dev/null | sed 's/^# viommu-mode: /          /'
grep -h '^# dsa-probe: .*Intel(R) Accelerator Device' "$out/results.ktap" 2>/dev/null |
	sed 's/^# dsa-probe: \[ *[0-9.]*\] /DSA:      /'
grep -h '^# dsa-dmatest-short: .*summary' "$out/results.ktap" 2>/dev/null |
	sed 's/^# dsa-dmatest-short: \[ *[0-9.]*\] /workload: /'
echo "results:  $(grep -c '^ok ' "$out/results.ktap" 2>/dev/null) ok, $(grep -c '^not ok ' "$out/results.ktap" 2>/dev/null) not ok ($out/results.ktap)"
echo "full log: $out/console.log"
exit $rc
