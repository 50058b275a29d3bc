#!/usr/bin/env bash
# "make check-kasan": the kernel series built with KASAN (generic, inline)
# and KFENCE on top of the usual configuration (config/kernel-kasan.config),
# in its own build directory, and the main machine booted with its check
# plan.  Any KASAN or KFENCE report is a "BUG:" line, which the kernel-log
# check fails (guest/tests/splats, class oops); lockdep, DMA-API debugging
# and kmemleak stay on.  Ends with the verdict line; exit 1 on a failure.
# Usage: check-kasan.sh LINUX_TREE WORKDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
[ $# = 2 ] || { echo "usage: check-kasan.sh LINUX_TREE WORKDIR" >&2; exit 2; }
tree=$1
mkdir -p "$2" && work=$(cd "$2" && pwd)
t0=$(date +%s)
KERNEL_EXTRA_CONFIG=$top/config/kernel-kasan.config \
	"$here/build-kernel.sh" "$tree" "$work/kernel" "$top/config/kernel" || exit 1
grep -q '^CONFIG_KASAN_INLINE=y' "$work/kernel/.config" &&
	grep -q '^CONFIG_KFENCE=y' "$work/kernel/.config" ||
	{ echo "check-kasan: the kernel has no inline KASAN or no KFENCE" >&2; exit 1; }
"$here/build-initramfs.sh" "$top/guest" "$work/kernel/modinst" "$work/initramfs.cpio.gz" \
	"$work/kernel" || exit 1
t1=$(date +%s)
echo "check-kasan: KASAN kernel and initramfs built in $((t1 - t0)) s"
KERNEL_IMG=$work/kernel/arch/x86/boot/bzImage INITRAMFS=$work/initramfs.cpio.gz \
	"$here/run-boot.sh" main - "$work/boot"
rc=$?
echo "check-kasan: boot of the check plan took $(($(date +%s) - t1)) s;" \
	"KASAN/KFENCE reports in its log: $(grep -c -E 'BUG: (KASAN|KFENCE)' "$work/boot/console.log")"
exit $rc
