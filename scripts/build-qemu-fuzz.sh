#!/usr/bin/env bash
# Configure (once) and build QEMU's fuzzer, qemu-fuzz-x86_64, from the
# working tree: clang with libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer, the devices of config/qemu-devices.mak (as
# scripts/build-qemu.sh) and the meson of build/tools.  A second build
# beside the one make check uses: make fuzz only.
# Usage: build-qemu-fuzz.sh TREE OUTDIR
set -euo pipefail
tree=$(cd "$1" && pwd) out=$2
top=$(cd "$(dirname "$0")/.." && pwd)
tools=${TOOLS:-$top/build/tools}
[ -x "$tools/venv/bin/python3" ] ||
	{ echo "build-qemu-fuzz: no build tools in $tools: run make deps" >&2; exit 1; }
command -v clang >/dev/null ||
	{ echo "build-qemu-fuzz: no clang: run make deps" >&2; exit 1; }
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' |
	clang -x c -fsanitize=fuzzer,address,undefined -o /dev/null - 2>/dev/null ||
	{ echo "build-qemu-fuzz: clang cannot link libFuzzer with ASan/UBSan (libclang-rt-*-dev): run make deps" >&2; exit 1; }
mkdir -p "$out" && out=$(cd "$out" && pwd)
devices=$top/config/qemu-devices.mak
export CCACHE_BASEDIR=$tree CCACHE_NOHASHDIR=1
if [ ! -f "$out/build.ninja" ] || [ "$(cat "$out/.tree" 2>/dev/null)" != "$tree $tools $devices" ]; then
	rm -rf "${out:?}"/*
	(cd "$out" && "$tree/configure" \
		--python="$tools/venv/bin/python3" \
		--cc="ccache clang" --host-cc="ccache clang" --cxx="ccache clang++" \
		--target-list=x86_64-softmmu --without-default-features --without-default-devices \
		--with-devices-x86_64="$(realpath --relative-to="$tree/configs/devices/x86_64-softmmu" "${devices%.mak}")" \
		--disable-docs --disable-download --disable-install-blobs --disable-werror \
		--enable-tcg --enable-fuzzing --enable-asan --enable-ubsan) >"$out/configure.log" 2>&1 ||
		{ tail -30 "$out/configure.log" >&2; echo "build-qemu-fuzz: configure failed ($out/configure.log)" >&2; exit 1; }
	echo "$tree $tools $devices" >"$out/.tree"
fi
ninja -C "$out" qemu-fuzz-x86_64 >"$out/ninja.log" 2>&1 ||
	{ grep -B2 -A10 'error' "$out/ninja.log" | head -60 >&2; echo "build-qemu-fuzz: build failed ($out/ninja.log)" >&2; exit 1; }
# The machine needs its firmware even though no vCPU runs it: link SeaBIOS
# where QEMU run from its build directory looks (as build-qemu.sh does).
datadir=$out/qemu-bundle/usr/local/share/qemu
mkdir -p "$datadir"
for f in "$tools"/root/usr/share/seabios/bios-256k.bin "$tools"/root/usr/share/seabios/bios.bin; do
	ln -sf "$f" "$datadir/$(basename "$f")"
done
echo "build-qemu-fuzz: $out/qemu-fuzz-x86_64"
