#!/usr/bin/env bash
# Build, for arm64, the objects of the IOMMU code the kernel series changes
# that an x86 build does not compile: the Arm SMMUv3 driver and its SVA
# support, with the IOMMU core, the SVA library and IO page faults they
# use, and the series' KUnit tests of the core; W=1, no warning allowed.
# arm64's defconfig + config/kernel-arm64/*.config, out of tree.  Installs
# Debian's cross compiler (gcc-aarch64-linux-gnu) if it is missing.
# Usage: build-arm64-objects.sh TREE OUTDIR FRAGDIR
set -euo pipefail
tree=$(cd "$1" && pwd) out=$2 frags=$(cd "$3" && pwd)
die() { echo "build-arm64-objects: $*" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
	[ "$(id -u)" = 0 ] || die "gcc-aarch64-linux-gnu is not installed, and installing it needs root"
	apt-get update >/dev/null && apt-get install -y gcc-aarch64-linux-gnu >/dev/null ||
		die "cannot install gcc-aarch64-linux-gnu"
fi
mkdir -p "$out" && out=$(cd "$out" && pwd)
export CCACHE_BASEDIR=$tree CCACHE_NOHASHDIR=1
mk() {
	make -s -C "$tree" O="$out" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		CC="ccache aarch64-linux-gnu-gcc" HOSTCC="ccache gcc" "$@"
}
mk defconfig >/dev/null
"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frags"/*.config >/dev/null
mk olddefconfig >/dev/null
"$here/check-kconfig.sh" "$out/.config" "$frags"/*.config >&2 ||
	die "the arm64 .config does not hold what $frags asks for"

objs=(drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.o
      drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-sva.o
      drivers/iommu/iommu.o drivers/iommu/iommu-sva-lib.o
      drivers/iommu/io-pgfault.o drivers/iommu/ioasid.o
      drivers/iommu/iommu-pasid-test.o drivers/iommu/iommu-sva-lib-test.o)
mk -j"$(nproc)" W=1 "${objs[@]}" >"$out/build.log" 2>&1 ||
	{ grep -E -B2 -A8 'error:|Error [0-9]' "$out/build.log" | head -60 >&2; die "build failed ($out/build.log)"; }
if grep -E 'warning:' "$out/build.log" >&2; then
	die "warnings (above; $out/build.log)"
fi
for o in "${objs[@]}"; do
	[ -f "$out/$o" ] || die "no $o"
done
echo "build-arm64-objects: ${#objs[@]} objects built for arm64 without a warning ($out)"
