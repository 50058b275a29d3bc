#!/usr/bin/env bash
# The main job ("make"): boot the patched kernel under the self-built QEMU
# (profile "default" of config/profiles: scalable-mode vIOMMU, a DSA), run
# the demo plan, show what the guest saw, and end with the verdict line.
set -uo pipefail
out=$BUILD/boot-demo
"$TOP/scripts/run-boot.sh" default demo "$out" >"$out.log" 2>&1
rc=$?
sed -n '/^boot-guest: /p' "$out.log"
echo
echo "kernel:   $(sed -n 's/.*Linux version \([^ ]*\).*/\1/p' "$out/console.log" | head -n 1)"
echo "qemu:     $("$QEMU_BIN" --version | head -n 1)"
grep -h '^# viommu-mode: viommu-mode: ' "$out/results.ktap" 2>/dev/null |
	sed 's/^# viommu-mode: viommu-mode: /vIOMMU:   /'
grep -h '^# viommu-mode: dmar' "$out/results.ktap" 2>/dev/null | sed 's/^# viommu-mode: /          /'
grep -h '^# dsa-probe: .*\(Intel(R) Accelerator Device\|kernel DMA PASID\)' "$out/results.ktap" 2>/dev/null |
	sed 's/^# dsa-probe: \[ *[0-9.]*\] /DSA:      /'
grep -h '^# dsa-dmatest: .*summary' "$out/results.ktap" 2>/dev/null |
	sed 's/^# dsa-dmatest: \[ *[0-9.]*\] /workload: /'
echo "results:  $out/results.ktap; full log: $out/console.log"
tail -n 1 "$out.log"
exit $rc
