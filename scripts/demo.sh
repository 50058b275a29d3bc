#!/usr/bin/env bash
# The main job ("make"): boot the patched kernel under the self-built QEMU
# (profile "demo" of config/profiles: the SVA-capable vIOMMU, a DSA whose
# accepted enqueue stores are traced), run the demo plan, show the PASIDs
# involved as the guest and the device saw them, and end with the verdict.
set -uo pipefail
out=$BUILD/boot-demo
mkdir -p "$out"
"$TOP/scripts/run-boot.sh" demo - "$out" >"$out.log" 2>&1
rc=$?
r=$out/results.ktap
sed -n 's/^boot-guest: //p' "$out.log"
echo
echo "kernel:   $(sed -n 's/.*Linux version \([^ ]*\).*/\1/p' "$out/console.log" | head -n 1)"
echo "qemu:     $("$QEMU_BIN" --version | head -n 1)"
sed -n 's/^# viommu-mode: viommu-mode: /vIOMMU:   /p' "$r" 2>/dev/null
kpasid=$(sed -n 's/.*idxd [0-9a-f:.]*: kernel DMA PASID \([0-9]*\).*/\1/p' "$out/console.log" | tail -n 1)
echo "kernel:   idxd attached kernel DMA PASID ${kpasid:-?} to the DSA's default (DMA API) domain"
# What the DSA accepted (QEMU trace): "PASID COUNT" lines for KIND
# (1 ENQCMD, 2 ENQCMDS)
accepted() {
	grep -o 'intel_dsa_enq_accept .*' "$out/qemu.log" 2>/dev/null |
		awk -v k="$1" '{ for (i = 1; i < NF; i++) {
				if ($i == "kind") kind = $(i + 1)
				if ($i == "pasid") p = $(i + 1)
			}
			if (kind == k) n[p]++ }
			END { for (p in n) print p, n[p] }'
}
# KIND WHAT: what the DSA accepted, and whether its PASIDs are WHAT says
# ("kernel": the kernel DMA PASID; "user": another, not 0)
show() {
	local lines
	lines=$(accepted "$1")
	[ -n "$lines" ] || { echo "          the DSA accepted none"; return; }
	echo "$lines" | while read -r p n; do
		case $2 in
		kernel) [ "$p" = "$kpasid" ] && what="the kernel DMA PASID" ||
			what="NOT the kernel DMA PASID ${kpasid:-?}" ;;
		user) [ "$p" != "$kpasid" ] && [ "$p" != 0 ] && what="the process's own PASID" ||
			what="NOT a PASID of its own" ;;
		esac
		echo "          the DSA accepted $n with PASID $p ($what)"
	done
}
s=$(sed -n 's/^# dsa-dmatest-shared: dmatest: .*summary \([0-9]*\) tests, \([0-9]*\) failures.*/\1 \2/p' "$r" |
	awk '{ t += $1; f += $2; n++ } END { if (n) printf "%d copies by %d dmatest threads, %d failures", t, n, f }')
echo "ENQCMDS:  a shared kernel WQ: ${s:-no dmatest summary}"
show 2 kernel
p=$(grep -c '^# dsa-user-sva: PASS' "$r" 2>/dev/null)
echo "ENQCMD:   a user process bound to the DSA (SVA), from 3 threads: $p checks passed"
show 1 user
echo "results:  $r; full log: $out/console.log"
tail -n 1 "$out.log"
exit $rc
