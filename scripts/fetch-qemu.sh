#!/usr/bin/env bash
# Fetch Debian's qemu source package (the pinned version, or the newest
# SERIES.x with a loud warning) from Debian's testing, sid or experimental
# suite through a private apt configuration (scripts/apt-private.sh), and
# unpack it with dpkg-source, Debian's patches applied, into OUTDIR
# (read-only reference copy).  OUTDIR/.done records the version used and
# OUTDIR/.pinned the pinned one.
# Usage: fetch-qemu.sh VERSION SERIES OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ver=$1 series=$2 out=$3
suites="testing sid experimental"
die() { echo "fetch-qemu: $*" >&2; exit 1; }
apt_src() { "$here/apt-private.sh" qemu-src deb-src "$suites" "$@"; }

if [ -f "$out/.done" ] && [ "$(cat "$out/.pinned" 2>/dev/null)" = "$ver" ]; then
	# A fallback stays in use until the pin changes; say so every time.
	[ "$(cat "$out/.done")" = "$ver" ] ||
		echo "fetch-qemu: WARNING: using qemu $(cat "$out/.done"), not the pinned $ver" >&2
	exit 0
fi

avail=$(apt_src apt-cache showsrc qemu | awk '/^Package: qemu$/ { p = 1 } p && /^Version:/ { print $2; p = 0 }' | sort -uV)
use=$ver
if ! grep -qxF "$ver" <<<"$avail"; then
	use=$(grep "^1:$series\." <<<"$avail" | tail -n 1 || true)
	[ -n "$use" ] || die "neither the pinned qemu $ver nor any $series.x source is served in $suites; served: $(echo $avail)"
	cat >&2 <<MSG
##########################################################################
# WARNING: pinned qemu source $ver is no longer served.
# Using the newest $series.x instead: $use
# Update config/versions.mk and re-test.
##########################################################################
MSG
fi

rm -rf "$out" "$out.dl" && mkdir -p "$out.dl"
cd "$out.dl"
# apt-get verifies the files against the signed Release file's checksums.
apt_src apt-get source -q --download-only "qemu=$use" >apt.log 2>&1 ||
	{ cat apt.log >&2; die "apt-get source qemu=$use failed"; }
dsc=$(ls qemu_*.dsc)
# dpkg-source applies Debian's patches (they drop the firmware blobs that
# the +ds tarball lacks; a plain tarball extraction does not configure).
dpkg-source --no-check -x "$dsc" src >unpack.log 2>&1 ||
	{ tail -20 unpack.log >&2; die "dpkg-source -x $dsc failed"; }
mv src "$out"
cd / && rm -rf "$out.dl"
echo "$use" >"$out/.done"
echo "$ver" >"$out/.pinned"
echo "fetch-qemu: qemu $use unpacked in $out"
