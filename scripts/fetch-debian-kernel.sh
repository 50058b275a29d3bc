#!/usr/bin/env bash
# Fetch a Debian distribution kernel, unmodified, to boot on the emulated
# platform as a judge we did not write: its image and its modules, by
# package name, the pinned release and version (config/versions.mk).
#   SERIES 6.12  bookworm(-security): linux-image-RELEASE-amd64-unsigned
#                (image and modules), from this machine's own apt sources
#   SERIES 7     sid: linux-binary-RELEASE-amd64 (image),
#                linux-modules-RELEASE-amd64 and linux-base-RELEASE-amd64
#                (modules.builtin, config), through a private apt
#                configuration (scripts/apt-private.sh)
# apt-get verifies each package against the signed Release file.  When the
# pinned version is no longer served, the newest release of the series is
# used, loudly, and kept (no new download) until the pin changes.
# OUTDIR gets vmlinuz, lib/modules/KVER (the package's module tree, with
# modules.dep made by the host's depmod), .done (the release and version
# used) and .pinned.
# Usage: fetch-debian-kernel.sh SERIES RELEASE VERSION OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "fetch-debian-kernel: $*" >&2; exit 1; }
[ $# = 4 ] || die "usage: fetch-debian-kernel.sh SERIES RELEASE VERSION OUTDIR"
series=$1 rel=$2 ver=$3 out=$(realpath -m "$4")
pin="$rel $ver"

case $series in
6.12)
	apt() { "$@"; }
	pkgs() { echo "linux-image-$1-amd64-unsigned"; }
	# the package whose versions say which releases are served
	probe() { echo "linux-image-$1-amd64-unsigned"; }
	pattern='^linux-image-(6\.12\.[0-9]+\+deb[0-9]+)-amd64-unsigned$' ;;
7)
	apt() { "$here/apt-private.sh" sid deb sid "$@"; }
	pkgs() { echo "linux-binary-$1-amd64 linux-modules-$1-amd64 linux-base-$1-amd64"; }
	probe() { echo "linux-modules-$1-amd64"; }
	pattern='^linux-modules-(7\.[0-9]+\.[0-9]+\+deb[0-9]+)-amd64$' ;;
*) die "unknown series '$series' (6.12 or 7)" ;;
esac

if [ -f "$out/.done" ] && [ "$(cat "$out/.pinned" 2>/dev/null)" = "$pin" ]; then
	[ "$(cat "$out/.done")" = "$pin" ] ||
		echo "fetch-debian-kernel: WARNING: using Linux $(cat "$out/.done"), not the pinned $pin" >&2
	exit 0
fi

# Served versions of the pinned release's package
served=$(apt apt-cache madison "$(probe "$rel")" 2>/dev/null | awk '{ print $3 }')
use_rel=$rel use_ver=$ver
if ! grep -qxF "$ver" <<<"$served"; then
	use_rel=$(apt apt-cache search --names-only "$pattern" 2>/dev/null | awk '{ print $1 }' |
		sed -E "s/$pattern/\\1/" | sort -V | tail -n 1)
	[ -n "$use_rel" ] || die "neither Linux $pin nor any $series release is served"
	use_ver=$(apt apt-cache madison "$(probe "$use_rel")" | awk '{ print $3 }' | sort -V | tail -n 1)
	cat >&2 <<MSG
##########################################################################
# WARNING: the pinned Debian kernel $pin is no longer served.
# Using the newest $series release instead: $use_rel $use_ver
# Update config/versions.mk and re-test.
##########################################################################
MSG
fi

rm -rf "$out" "$out.dl" && mkdir -p "$out.dl/root"
cd "$out.dl"
want=()
for p in $(pkgs "$use_rel"); do want+=("$p=$use_ver"); done
apt apt-get download -q "${want[@]}" >apt.log 2>&1 ||
	{ cat apt.log >&2; die "apt-get download ${want[*]} failed"; }
for p in $(pkgs "$use_rel"); do
	dpkg-deb -x "$(ls "${p}"_*.deb)" root
done
kver=$use_rel-amd64
img= mods=
for f in root/boot/vmlinuz-"$kver" root/usr/lib/modules/"$kver"/vmlinuz; do
	[ -f "$f" ] && img=$f
done
for d in root/lib/modules/"$kver" root/usr/lib/modules/"$kver"; do
	[ -d "$d" ] && mods=$d
done
[ -n "$img" ] && [ -n "$mods" ] || die "no image or no modules of $kver in $(pkgs "$use_rel")"
mkdir -p "$out/lib/modules"
mv "$img" "$out/vmlinuz"
mv "$mods" "$out/lib/modules/$kver"
# The kernel's configuration, where linux-base-* puts it for both
[ ! -f root/boot/config-"$kver" ] || mv root/boot/config-"$kver" "$out/lib/modules/$kver/config"
# The packages leave modules.dep to the installing system: make it here.
/sbin/depmod -b "$out" "$kver" || die "depmod of $kver failed"
cd / && rm -rf "$out.dl"
echo "$use_rel $use_ver" >"$out/.done"
echo "$pin" >"$out/.pinned"
echo "fetch-debian-kernel: Linux $use_rel ($use_ver) in $out"
