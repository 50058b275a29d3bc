#!/usr/bin/env bash
# Configure (once) and build qemu-system-x86_64 from the working tree, with
# the meson and SeaBIOS of build/tools (scripts/fetch-tools.sh; TOOLS
# overrides the directory): no optional feature, and no device but those
# config/qemu-devices.mak names.  QEMU_ALL_DEVICES=1 builds QEMU's default
# features and devices instead (make qemu-bisect: the file names the DSA,
# which the patches before it do not define).
# Usage: build-qemu.sh TREE OUTDIR
set -euo pipefail
tree=$(cd "$1" && pwd) out=$2
tools=${TOOLS:-$(cd "$(dirname "$0")/.." && pwd)/build/tools}
[ -x "$tools/venv/bin/python3" ] ||
	{ echo "build-qemu: no build tools in $tools: run scripts/fetch-tools.sh $tools (make deps)" >&2; exit 1; }
mkdir -p "$out" && out=$(cd "$out" && pwd)
if [ "${QEMU_ALL_DEVICES:-0}" = 1 ]; then
	devices=default
	devflags=(--disable-rust --disable-gtk --disable-sdl --disable-opengl --disable-vnc
		--disable-spice --disable-curses --disable-xen --disable-kvm)
else
	devices=$(cd "$(dirname "$0")/.." && pwd)/config/qemu-devices.mak
	# configure takes the devices file by name, relative to the tree's
	# configs/devices/x86_64-softmmu and without its .mak
	devflags=(--without-default-features --without-default-devices
		--with-devices-x86_64="$(realpath --relative-to="$tree/configs/devices/x86_64-softmmu" "${devices%.mak}")")
fi
export CCACHE_BASEDIR=$tree CCACHE_NOHASHDIR=1
if [ ! -f "$out/build.ninja" ] || [ "$(cat "$out/.tree" 2>/dev/null)" != "$tree $tools $devices" ]; then
	rm -rf "${out:?}"/*
	(cd "$out" && "$tree/configure" \
		--python="$tools/venv/bin/python3" \
		--cc="ccache gcc" --host-cc="ccache gcc" --cxx="ccache g++" \
		--target-list=x86_64-softmmu "${devflags[@]}" --disable-docs \
		--disable-download --disable-install-blobs --disable-werror --enable-tcg --enable-trace-backends=log) >"$out/configure.log" 2>&1 ||
		{ tail -30 "$out/configure.log" >&2; echo "build-qemu: configure failed ($out/configure.log)" >&2; exit 1; }
	echo "$tree $tools $devices" >"$out/.tree"
fi
ninja -C "$out" qemu-system-x86_64 >"$out/ninja.log" 2>&1 ||
	{ grep -B2 -A10 'error' "$out/ninja.log" | head -60 >&2; echo "build-qemu: build failed ($out/ninja.log)" >&2; exit 1; }
# The option ROMs (linuxboot_dma.bin for -kernel) are a configure subdir
# that only QEMU's top-level make builds; boot-guest.sh finds them with -L.
make -s -C "$out/pc-bios/optionrom" >"$out/optionrom.log" 2>&1 ||
	{ tail -20 "$out/optionrom.log" >&2; echo "build-qemu: option ROM build failed" >&2; exit 1; }
[ -f "$out/pc-bios/optionrom/linuxboot_dma.bin" ] || { echo "build-qemu: no linuxboot_dma.bin" >&2; exit 1; }
# QEMU run from its build directory looks for firmware in qemu-bundle/:
# link SeaBIOS (bookworm-backports, unpacked in build/tools) and the option
# ROMs there, so that qtests and plain runs find them without -L.
datadir=$out/qemu-bundle/usr/local/share/qemu
mkdir -p "$datadir"
for f in "$tools"/root/usr/share/seabios/bios-256k.bin "$tools"/root/usr/share/seabios/bios.bin \
	"$out"/pc-bios/optionrom/*.bin; do
	ln -sf "$f" "$datadir/$(basename "$f")"
done
echo "build-qemu: $out/qemu-system-x86_64"
