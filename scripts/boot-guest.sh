#!/usr/bin/env bash
# Boot the guest under the self-built QEMU (TCG, q35) as a machine profile
# of config/profiles describes it, run one test plan (or one test), and
# leave console.log, results.ktap, qemu.log and command.txt in OUTDIR.
#
# Usage: boot-guest.sh [--dry-run] PROFILE PLAN|test=NAME[,ARG...] OUTDIR
#   PLAN         a plan in guest/plans ("-": the profile's plan)
#   test=...     one guest test, as the plan line "NAME ARG..."
#   --dry-run    print the QEMU command line and exit
# Environment:
#   QEMU_BIN KERNEL_IMG INITRAMFS   what to boot (the Makefile sets them;
#                  a profile with kernel = debian-* boots build/debian/*)
#   BOOT_TIMEOUT   seconds before the guest is killed (default: 180 for
#                  the boot itself plus the plan's per-test limits)
#   KERNEL_APPEND  more kernel command line; QEMU_EXTRA more QEMU arguments
#   GUEST_DIR      the guest/ directory the initramfs was built from
#                  (its plans; default: the harness's guest/)
# The guest's third serial port (ttyS2) reaches QEMU's monitor through
# scripts/guest-control.py (QMP commands tests need, one per line; its log
# is OUTDIR/control.log).
# Exit 0 when the guest finished the plan; 1 with the log's tail when it
# panicked, hung, timed out or never reached the end of the plan; 2 on
# bad arguments.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
dry=0
[ "${1:-}" = --dry-run ] && { dry=1; shift; }
if [ $# != 3 ]; then
	echo "usage: boot-guest.sh [--dry-run] PROFILE PLAN|test=NAME[,ARG...] OUTDIR" >&2
	exit 2
fi
profile=$1 what=$2 out=$3
prof=$("$here/profile.py" shell "$profile") || exit 2
eval "$prof"
qemu=${QEMU_BIN:?QEMU_BIN not set} kernel=${KERNEL_IMG:?KERNEL_IMG not set}
initrd=${INITRAMFS:?INITRAMFS not set}
# A Debian kernel instead of the series' ("make debian-kernels" made these)
knote=
case $profile_kernel in
debian-*)
	kernel=${BUILD:-$top/build}/debian/${profile_kernel#debian-}/vmlinuz
	initrd=${kernel%/vmlinuz}/initramfs.cpio.gz
	knote=", kernel $profile_kernel" ;;
esac
# SeaBIOS from bookworm-backports, unpacked by scripts/fetch-tools.sh
bios=${TOOLS:-$top/build/tools}/root/usr/share/seabios/bios-256k.bin

# Plan or test, and the sum of the per-test limits (run-plan's default: 60 s)
limits() { # plan lines on stdin -> sum of their limits
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' | awk '{
		l = 60
		for (i = 1; i <= NF; i++) if ($i ~ /^limit=[0-9]+$/) l = substr($i, 7)
		s += l } END { print s + 0 }'
}
case $what in
test=?*)
	karg="pasid.test=${what#test=}" done_name=${what#test=}
	sum=$(echo "${what#test=}" | tr , ' ' | limits) ;;
test=)
	echo "boot-guest: test= needs a test name (guest/tests)" >&2; exit 2 ;;
*)
	plan=$what
	[ "$plan" = - ] && plan=$profile_plan
	plans=${GUEST_DIR:-$top/guest}/plans
	if [ ! -f "$plans/$plan" ]; then
		echo "boot-guest: no plan '$plan' (plans: $(ls "$plans" | tr '\n' ' '))" >&2
		exit 2
	fi
	karg="pasid.plan=$plan" done_name=$plan
	sum=$(limits <"$plans/$plan") ;;
esac
case $done_name in *[!A-Za-z0-9_.,=/-]*)
	echo "boot-guest: '$done_name' does not fit on a kernel command line" >&2; exit 2 ;;
esac
timeout_s=${BOOT_TIMEOUT:-$((180 + sum))}

socks=/tmp/pasid-boot.dry-run
[ $dry = 1 ] || socks=$(mktemp -d /tmp/pasid-boot.XXXXXX)
cmd=("$qemu" -accel tcg -machine q35,kernel-irqchip=split -cpu "$profile_cpu"
	-smp 2 -m 2G -nodefaults -no-reboot -display none -vga none
	-bios "$bios" -L "$(dirname "$qemu")/pc-bios/optionrom")
[ "$profile_iommu" = none ] || cmd+=(-device "intel-iommu,$profile_iommu")
[ -z "$profile_dsa" ] || [ "$profile_dsa" = none ] || cmd+=(-device "$profile_dsa")
# A DSA must not see its PASID, ATS or PRI controls change while it is
# enabled (a DSA halts then); the model traces such a change, and the
# boot's check (check-dmesg.py --qemu-dir) fails on one.
case " $profile_dsa $profile_qemu " in
*intel-dsa*) cmd+=(-trace intel_dsa_xlat_changed) ;;
esac
# Extra arguments are words, not file patterns (-trace 'vtd_audit_*')
set -f
# shellcheck disable=SC2206
cmd+=($profile_qemu ${QEMU_EXTRA:-}
	-kernel "$kernel" -initrd "$initrd"
	-append "console=ttyS0 panic=-1 intel_iommu=on,sm_on $karg${profile_append:+ $profile_append}${KERNEL_APPEND:+ $KERNEL_APPEND}"
	-chardev "file,id=con,path=$out/console.log" -serial chardev:con
	-chardev "file,id=res,path=$out/results.ktap" -serial chardev:res
	-chardev "socket,id=ctl,path=$socks/ctl,server=on,wait=off"
	-serial chardev:ctl -qmp "unix:$socks/qmp,server=on,wait=off")
set +f
# The command line as one could paste it into a shell
quoted() {
	local w sep=
	for w in "${cmd[@]}"; do
		if [[ $w =~ ^[A-Za-z0-9_./:,=+@%-]+$ ]]; then
			printf '%s%s' "$sep" "$w"
		else
			printf "%s'%s'" "$sep" "${w//\'/\'\\\'\'}"
		fi
		sep=' '
	done
	echo
}
if [ $dry = 1 ]; then
	echo "# profile $profile: $profile_about; timeout ${timeout_s}s"
	quoted
	exit 0
fi

fail() {
	echo "boot-guest: FAILED: $*" >&2
	echo "---- last 40 lines of $out/console.log ----" >&2
	tail -n 40 "$out/console.log" >&2 2>/dev/null
	echo "----" >&2
	exit 1
}
for f in "$qemu" "$kernel" "$initrd" "$bios"; do
	[ -e "$f" ] || {
		rm -rf "$socks"
		echo "boot-guest: missing $f${knote:+ (make debian-kernels)}" >&2
		exit 1
	}
done
mkdir -p "$out"
rm -f "$out/console.log" "$out/results.ktap" "$out/control.log"
quoted >"$out/command.txt"
"$here/guest-control.py" "$socks/ctl" "$socks/qmp" >"$out/control.log" 2>&1 &
ctl_pid=$!

echo "boot-guest: profile $profile ($profile_about), $karg, timeout ${timeout_s}s$knote"
start=$(date +%s.%N)
timeout -k 10 "$timeout_s" "${cmd[@]}" >"$out/qemu.log" 2>&1
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
grep -qF "pasid-harness: plan $done_name done" "$out/console.log" ||
	fail "guest stopped before finishing plan $done_name"
init_t=$(grep -m1 'pasid-harness: running plan' "$out/console.log" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
echo "boot-guest: plan $done_name done in ${wall%.*}s wall (userspace reached at ${init_t:-?}s guest time); log: $out/console.log"
