#!/usr/bin/env bash
# Fetch the pinned linux-source-6.1 package, check its sha256 and unpack the
# kernel tarball it carries into build/src/linux (read-only reference copy).
# OUTDIR/.done records the version used and OUTDIR/.pinned the pinned one.
#
# The pin is the exact Debian revision the series was tested on, with its
# sha256: a newer revision being served does not move it (that takes a
# change of config/versions.mk and a re-test); it is only said.  When the
# pinned revision is no longer served, the newest 6.1 is used, loudly, and
# kept (no new download) until the pin changes.
# Usage: fetch-linux.sh VERSION SHA256 OUTDIR
set -euo pipefail
ver=$1 sum=$2 out=$3
die() { echo "fetch-linux: $*" >&2; exit 1; }

if [ -f "$out/.done" ] && [ "$(cat "$out/.pinned" 2>/dev/null || cat "$out/.done")" = "$ver" ]; then
	[ "$(cat "$out/.done")" = "$ver" ] ||
		echo "fetch-linux: WARNING: using linux-source-6.1 $(cat "$out/.done"), not the pinned $ver" >&2
	exit 0
fi
newest=$(apt-cache madison linux-source-6.1 | awk '{print $3}' | sort -V | tail -n 1)
[ -z "$newest" ] || [ "$newest" = "$ver" ] ||
	! dpkg --compare-versions "$newest" gt "$ver" ||
	echo "fetch-linux: note: linux-source-6.1 $newest is served; the pin stays $ver until re-tested" >&2
rm -rf "$out" "$out.dl" && mkdir -p "$out.dl"
cd "$out.dl"

if apt-cache madison linux-source-6.1 | awk '{print $3}' | grep -qx "$ver"; then
	apt-get download -q "linux-source-6.1=$ver" >/dev/null
	deb=$(ls linux-source-6.1_*.deb)
	echo "$sum  $deb" | sha256sum -c --quiet - || die "sha256 mismatch for $deb"
else
	[ -n "$newest" ] || die "no linux-source-6.1 is served by this machine's apt sources"
	cat >&2 <<MSG
##########################################################################
# WARNING: pinned linux-source-6.1 $ver is no longer served.
# Using the newest 6.1 package instead: $newest
# Its sha256 is NOT the pinned one; update config/versions.mk and re-test.
##########################################################################
MSG
	apt-get download -q "linux-source-6.1=$newest" >/dev/null
	deb=$(ls linux-source-6.1_*.deb)
fi

dpkg-deb --fsys-tarfile "$deb" | tar -x --wildcards './usr/src/linux-source-6.1.tar.xz'
mkdir -p "$out"
tar -C "$out" --strip-components=1 -xf usr/src/linux-source-6.1.tar.xz
used=$(dpkg-deb -f "$deb" Version)
cd / && rm -rf "$out.dl"
echo "$used" >"$out/.done"
echo "$ver" >"$out/.pinned"
echo "fetch-linux: linux-source-6.1 $(cat "$out/.done") unpacked in $out"
