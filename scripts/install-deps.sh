#!/usr/bin/env bash
# Install everything the harness needs on a Debian 12 (bookworm) machine.
#
# Adds bookworm-backports (meson >= 1.5 and python3-pycotap for QEMU 10.2,
# SeaBIOS 1.16.3) to the host's apt sources, on the mirror this machine
# already uses (its URI is read from the apt configuration, never written
# into the repository).  Sources from newer suites (the QEMU base) are
# fetched through a private apt configuration (scripts/apt-private.sh),
# never through the host's sources.
# Idempotent: a second run with everything present does nothing but check.
# "install-deps.sh --mirror" only prints the mirror's URI.
set -euo pipefail

stamp=${1:-}
sources=/etc/apt/sources.list.d/pasid-harness.sources

die() { echo "install-deps: $*" >&2; exit 1; }

# The main archive's URI: the first deb822 stanza or one-line entry that
# serves the plain "bookworm" suite.
mirror_uri() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			/^[[:space:]]*$/ { if (uri != "" && hit) { print uri; exit } uri = ""; hit = 0; next }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") hit = 1 }
			END { if (uri != "" && hit) print uri }
		' "$f" | head -n 1
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' || true
}

if [ "$stamp" = --mirror ]; then
	mirror_uri | head -n 1
	exit 0
fi

[ "$(id -u)" = 0 ] || die "must run as root (apt-get install)"
. /etc/os-release
[ "${VERSION_CODENAME:-}" = bookworm ] || die "expected Debian 12 (bookworm), found ${PRETTY_NAME:-unknown}"

# Earlier versions of this script also put trixie's deb-src here: the file
# is rewritten whenever it is not exactly what is wanted now.
uri=$(mirror_uri | head -n 1 || true)
[ -n "$uri" ] || die "cannot find the bookworm mirror in the apt configuration"
want="# Added by the PASID harness (scripts/install-deps.sh).
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
fresh=0
if [ "$(cat "$sources" 2>/dev/null)" != "$want" ]; then
	echo "$want" >"$sources"
	fresh=1
fi

pkgs=(
	# kernel build, static checks
	build-essential bc bison flex libelf-dev libssl-dev cpio kmod rsync
	ccache sparse python3 python3-ply python3-git git dpkg-dev xz-utils
	# x86 selftests (32-bit variants)
	gcc-multilib libc6-dev-i386
	# guest userspace
	busybox-static accel-config libaccel-config1 accel-config-test
	# QEMU build (meson comes from backports, below)
	ninja-build pkg-config libglib2.0-dev libpixman-1-dev zlib1g-dev
	python3-venv
)
backports=(meson seabios python3-pycotap)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
need_bp=0
meson_ver=$(dpkg-query -W -f='${Version}' meson 2>/dev/null || true)
dpkg --compare-versions "${meson_ver:-0}" ge 1.5 || need_bp=1
bios_ver=$(dpkg-query -W -f='${Version}' seabios 2>/dev/null || true)
dpkg --compare-versions "${bios_ver:-0}" ge 1.16.3 || need_bp=1
dpkg-query -W -f='${Status}' python3-pycotap 2>/dev/null | grep -q 'ok installed' || need_bp=1

if [ ${#missing[@]} -gt 0 ] || [ $need_bp = 1 ] || [ $fresh = 1 ]; then
	echo "install-deps: apt-get update"
	apt-get update -q >/dev/null
fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ $need_bp = 1 ]; then
	echo "install-deps: installing ${backports[*]} from bookworm-backports"
	apt-get install -y -q --no-install-recommends -t bookworm-backports "${backports[@]}" >/dev/null
fi

meson_ver=$(dpkg-query -W -f='${Version}' meson)
dpkg --compare-versions "$meson_ver" ge 1.5 || die "meson $meson_ver is too old for QEMU 10 (need >= 1.5)"
bios_ver=$(dpkg-query -W -f='${Version}' seabios)
dpkg --compare-versions "$bios_ver" ge 1.16.3 || die "seabios $bios_ver stalls under QEMU 10 (need >= 1.16.3)"

[ -z "$stamp" ] || touch "$stamp"
echo "install-deps: ok (meson $meson_ver, seabios $bios_ver)"
