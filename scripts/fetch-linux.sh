#!/usr/bin/env bash
# Fetch the pinned linux-source-6.1 package, check its sha256 and unpack the
# kernel tarball it carries into build/src/linux (read-only reference copy).
# Usage: fetch-linux.sh VERSION SHA256 OUTDIR
set -euo pipefail
ver=$1 sum=$2 out=$3
die() { echo "fetch-linux: $*" >&2; exit 1; }

[ -f "$out/.done" ] && [ "$(cat "$out/.done")" = "$ver" ] && exit 0
rm -rf "$out" "$out.dl" && mkdir -p "$out.dl"
cd "$out.dl"

if apt-cache madison linux-source-6.1 | awk '{print $3}' | grep -qx "$ver"; then
	apt-get download -q "linux-source-6.1=$ver" >/dev/null
	deb=$(ls linux-source-6.1_*.deb)
	echo "$sum  $deb" | sha256sum -c --quiet - || die "sha256 mismatch for $deb"
else
	newest=$(apt-cache madison linux-source-6.1 | awk '{print $3}' | sort -V | tail -n 1)
	[ -n "$newest" ] || die "no linux-source-6.1 is served by this machine's apt sources"
	cat >&2 <<MSG
##########################################################################
# WARNING: pinned linux-source-6.1 $ver is no longer served.
# Using the newest 6.1 package instead: $newest
# Its sha256 is NOT the pinned one; update config/versions.mk and re-test.
##########################################################################
MSG
	apt-get download -q "linux-source-6.1=$newest" >/dev/null
	ver=$newest
	deb=$(ls linux-source-6.1_*.deb)
fi

dpkg-deb --fsys-tarfile "$deb" | tar -x --wildcards './usr/src/linux-source-6.1.tar.xz'
mkdir -p "$out"
tar -C "$out" --strip-components=1 -xf usr/src/linux-source-6.1.tar.xz
cd / && rm -rf "$out.dl"
echo "$ver" >"$out/.done"
echo "fetch-linux: linux-source-6.1 $ver unpacked in $out"
