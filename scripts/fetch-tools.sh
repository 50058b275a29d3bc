#!/usr/bin/env bash
# The build tools bookworm has too old, taken from bookworm-backports
# through a private apt configuration (scripts/apt-private.sh) and unpacked
# under OUTDIR, never installed into the host: meson (>= 1.5 for QEMU 10.2)
# and python3-pycotap, pure Python, in a virtual environment OUTDIR/venv
# that build-qemu.sh hands QEMU's configure as its Python; SeaBIOS
# (>= 1.16.3; 1.16.2 stalls under QEMU 10) in OUTDIR/root/usr/share/seabios.
# OUTDIR/.done lists the package versions used.  Runs as an ordinary user.
# Usage: fetch-tools.sh OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1" && out=$(cd "$1" && pwd)
pkgs=(meson python3-pycotap seabios)
die() { echo "fetch-tools: $*" >&2; exit 1; }
apt_bp() { "$here/apt-private.sh" tools deb bookworm-backports "$@"; }

check() { # the unpacked tools are usable and new enough
	local py=$out/venv/bin/python3 meson_ver bios
	[ -x "$py" ] || return 1
	meson_ver=$("$py" -c 'import mesonbuild.coredata as c; print(c.version)' 2>/dev/null) || return 1
	# ours, not a meson or pycotap the host happens to have
	"$py" -c 'import mesonbuild, pycotap; print(mesonbuild.__file__, pycotap.__file__)' \
		2>/dev/null | grep -qx "$out/venv/[^ ]* $out/venv/[^ ]*" || return 1
	dpkg --compare-versions "$meson_ver" ge 1.5 || return 1
	bios=$out/root/usr/share/seabios/bios-256k.bin
	[ -f "$bios" ] || return 1
}

if [ -f "$out/.done" ] && check; then
	echo "fetch-tools: $(tr '\n' ' ' <"$out/.done")in $out"
	exit 0
fi

rm -rf "$out" && mkdir -p "$out/debs"
cd "$out/debs"
# apt-get verifies the files against the signed Release file's checksums.
apt_bp apt-get download -q "${pkgs[@]}" >apt.log 2>&1 ||
	{ cat apt.log >&2; die "apt-get download ${pkgs[*]} from bookworm-backports failed"; }
: >"$out/.done.tmp"
for p in "${pkgs[@]}"; do
	deb=$(ls "${p}"_*.deb) || die "no $p package downloaded"
	dpkg-deb -x "$deb" "$out/root"
	echo "$p=$(dpkg-deb -f "$deb" Version)" >>"$out/.done.tmp"
done
bios_ver=$(sed -n 's/^seabios=//p' "$out/.done.tmp")
dpkg --compare-versions "$bios_ver" ge 1.16.3 || die "seabios $bios_ver stalls under QEMU 10 (need >= 1.16.3)"

# A venv on the system Python with the unpacked pure-Python packages in
# its own site-packages, where a venv QEMU's configure nests on it sees them.
/usr/bin/python3 -m venv --system-site-packages "$out/venv" ||
	die "python3 -m venv failed (is python3-venv installed?)"
site=$("$out/venv/bin/python3" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cp -r "$out/root/usr/lib/python3/dist-packages/." "$site/"
mv "$out/.done.tmp" "$out/.done"
check || die "the unpacked tools do not work (meson >= 1.5, pycotap, SeaBIOS)"
echo "fetch-tools: $(tr '\n' ' ' <"$out/.done")in $out"
