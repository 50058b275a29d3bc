#!/usr/bin/env bash
# Build the guest initramfs: busybox-static, guest/ (init, run-plan, leftovers, plans,
# tests), the kernel's modules, and the userspace tools the tests use
# (accel-config with its libraries), the guest test programs, and the test
# module guest/kmod built against the kernel build directory KBUILD_DIR (the
# kernel's O= directory) into /lib/pasid-harness/pasid_dma_test.ko, and the
# x86 kselftests of a process's PASID (pasid_lifetime_64, pasid_stress_64),
# built from that kernel's source tree, into /usr/lib/kselftest-x86.
# Runs as an ordinary user.
# Usage: build-initramfs.sh GUESTDIR MODINST OUTPUT KBUILD_DIR
set -euo pipefail
guest=$(cd "$1" && pwd) modinst=$2 output=$3 kbuild=${4:-}
die() { echo "build-initramfs: $*" >&2; exit 1; }
[ -n "$kbuild" ] || die "usage: build-initramfs.sh GUESTDIR MODINST OUTPUT KBUILD_DIR"
root=$(mktemp -d) kmod= kst=
trap 'rm -rf "$root" "$root.nodes" ${kmod:+"$kmod"} ${kst:+"$kst"}' EXIT

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,lib,lib64}
cp /bin/busybox "$root/bin/busybox"
for app in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
done

install -m 755 "$guest/init" "$root/init"
install -m 755 "$guest/run-plan" "$root/bin/run-plan"
install -m 755 "$guest/leftovers" "$root/bin/leftovers"
cp -r "$guest/plans" "$guest/tests" "$root/"
chmod -R a+rX "$root/plans" "$root/tests"

[ -d "$modinst/lib/modules" ] && cp -a "$modinst/lib/modules" "$root/lib/"

# A host binary (at the same path, or at DEST) and every library it loads,
# at the same paths.
add_binary() { # BIN [DEST]
	local bin=$1 dest=${2:-$1} lib
	install -D -m 755 "$bin" "$root$dest"
	for lib in $(ldd "$bin" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'); do
		[ -e "$root$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$root$lib"
	done
}
add_binary /usr/bin/accel-config
# Intel's DSA test program and its configurations (accel-config-test).
accel_test=/usr/libexec/accel-config/test
[ -x "$accel_test/dsa_test" ] ||
	die "no $accel_test/dsa_test: install the accel-config-test package"
add_binary "$accel_test/dsa_test"
cp -r "$accel_test/configs" "$root$accel_test/"

# Guest test programs (guest/src/NAME.c -> /usr/bin/NAME), static.
for src in "$guest"/src/*.c; do
	[ -e "$src" ] || continue
	gcc -static -O2 -Wall -Werror -o "$root/usr/bin/$(basename "$src" .c)" "$src" ||
		die "cannot build $src"
done

# The test module, built out of tree in a copy of guest/kmod so that no
# build products land in the source tree.
if [ -n "$kbuild" ]; then
	[ -d "$kbuild" ] || die "kernel build directory $kbuild does not exist"
	[ -f "$kbuild/Module.symvers" ] ||
		die "no Module.symvers in $kbuild: build the kernel (make kernel) first"
	kmod=$(mktemp -d)
	cp -r "$guest/kmod/." "$kmod/"
	make -s -C "$kbuild" M="$kmod" modules >"$kmod/build.log" 2>&1 ||
		{ cat "$kmod/build.log" >&2; die "cannot build guest/kmod against $kbuild"; }
	install -D -m 644 "$kmod/pasid_dma_test.ko" "$root/lib/pasid-harness/pasid_dma_test.ko"
fi

# The x86 PASID kselftests of the kernel series, built out of the tree.
if [ -n "$kbuild" ]; then
	src=$(readlink -f "$kbuild/source")
	if [ -f "$src/tools/testing/selftests/x86/pasid_lifetime.c" ]; then
		kst=$(mktemp -d)
		make -s -C "$src/tools/testing/selftests/x86" OUTPUT="$kst" \
			"$kst/pasid_lifetime_64" "$kst/pasid_stress_64" >"$kst/build.log" 2>&1 ||
			{ cat "$kst/build.log" >&2; die "cannot build the x86 PASID kselftests"; }
		for t in pasid_lifetime_64 pasid_stress_64; do
			add_binary "$kst/$t" "/usr/lib/kselftest-x86/$t"
		done
		rm -rf "$kst"; kst=
	fi
fi

# The device nodes the kernel opens before /init mounts devtmpfs, made by
# the kernel's own gen_init_cpio as a second archive (the kernel unpacks
# concatenated archives): no mknod, so no root needed.
mkcpio=${kbuild:+$kbuild/usr/gen_init_cpio}
[ -n "$mkcpio" ] && [ -x "$mkcpio" ] ||
	die "no usr/gen_init_cpio in the kernel build directory '${kbuild:-}' (build the kernel first)"
printf '%s\n' 'nod /dev/console 0600 0 0 c 5 1' 'nod /dev/null 0666 0 0 c 1 3' >"$root.nodes"
{
	(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet -R 0:0)
	"$mkcpio" "$root.nodes"
} | gzip -1 >"$output.tmp"
mv "$output.tmp" "$output"
echo "build-initramfs: $output ($(du -h "$output" | cut -f1))"
