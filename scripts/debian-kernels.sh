#!/usr/bin/env bash
# Fetch the pinned Debian kernels (config/versions.mk, exported by the
# Makefile) into build/debian/SERIES and build the initramfs each boots:
# the harness's own (INITRAMFS) with that kernel's idxd modules.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
d=${BUILD:?BUILD not set}/debian
"$here/fetch-debian-kernel.sh" 6.12 "${DEBIAN_612_RELEASE:?}" "${DEBIAN_612_VERSION:?}" "$d/6.12"
"$here/fetch-debian-kernel.sh" 7 "${DEBIAN_7_RELEASE:?}" "${DEBIAN_7_VERSION:?}" "$d/7"
for k in 6.12 7; do
	"$here/build-debian-initramfs.sh" "${INITRAMFS:?INITRAMFS not set}" "$d/$k" \
		"$d/$k/initramfs.cpio.gz" idxd
done
