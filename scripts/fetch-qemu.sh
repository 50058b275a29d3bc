#!/usr/bin/env bash
# Fetch Debian trixie's qemu source package (pinned version, or the newest
# 10.0.x with a loud warning) and unpack it with Debian's patches applied
# into OUTDIR (read-only reference copy).
# Usage: fetch-qemu.sh VERSION SERIES OUTDIR
set -euo pipefail
ver=$1 series=$2 out=$3
die() { echo "fetch-qemu: $*" >&2; exit 1; }

[ -f "$out/.done" ] && [ "$(cat "$out/.done")" = "$ver" ] && exit 0
rm -rf "$out" "$out.dl" && mkdir -p "$out.dl"
cd "$out.dl"

avail=$(apt-cache showsrc qemu | awk '/^Version:/ {print $2}')
if ! grep -qxF "$ver" <<<"$avail"; then
	newest=$(grep "^1:$series\." <<<"$avail" | sort -V | tail -n 1)
	[ -n "$newest" ] || die "no qemu $series.x source is served (is the trixie deb-src entry there? run scripts/install-deps.sh)"
	cat >&2 <<MSG
##########################################################################
# WARNING: pinned qemu source $ver is no longer served.
# Using the newest $series.x instead: $newest
# Update config/versions.mk and re-test.
##########################################################################
MSG
	ver=$newest
fi
# apt-get source verifies the .dsc checksums against the signed Release file.
apt-get source -q --only-source "qemu=$ver" >/dev/null 2>apt.err || { cat apt.err >&2; die "apt-get source failed"; }
dir=$(find . -maxdepth 1 -type d -name 'qemu-*' | head -n 1)
[ -n "$dir" ] || die "no unpacked qemu directory"
mv "$dir" "$out"
cd / && rm -rf "$out.dl"
echo "$ver" >"$out/.done"
echo "fetch-qemu: qemu $ver unpacked in $out"
