#!/usr/bin/env bash
# Install into the host what must be installed: compilers, libraries and
# the tools the harness runs (apt packages of Debian 12, bookworm).  Nothing
# else: the host's apt sources are left alone.  What bookworm has too old
# (meson, python3-pycotap, SeaBIOS) comes from bookworm-backports unpacked
# under build/tools by scripts/fetch-tools.sh, and sources from newer suites
# (the QEMU base) through a private apt configuration
# (scripts/apt-private.sh), both as an ordinary user.
# Earlier versions of this script added bookworm-backports to the host's
# apt sources (/etc/apt/sources.list.d/pasid-harness.sources): that file is
# removed (what was installed from it stays).
# Idempotent: a second run with everything present does nothing but check.
# "install-deps.sh --mirror" only prints the mirror's URI (for apt-private.sh).
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

if [ -f "$sources" ]; then
	echo "install-deps: removing $sources (added by an earlier version of the harness)"
	rm -f "$sources"
	fresh=1
else
	fresh=0
fi

pkgs=(
	# kernel build, static checks
	build-essential bc bison flex libelf-dev libssl-dev cpio kmod rsync
	ccache sparse python3 python3-ply python3-git git dpkg-dev xz-utils
	# x86 selftests (32-bit variants)
	gcc-multilib libc6-dev-i386
	# guest userspace
	busybox-static accel-config libaccel-config1 accel-config-test
	# QEMU build (meson and SeaBIOS: scripts/fetch-tools.sh)
	ninja-build pkg-config libglib2.0-dev libpixman-1-dev zlib1g-dev
	python3-venv
	# make fuzz: QEMU's fuzzer is built with clang, libFuzzer and its
	# sanitizers (the runtime libraries are libclang-rt-14-dev's)
	clang libclang-rt-14-dev
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ $fresh = 1 ]; then
	echo "install-deps: apt-get update"
	apt-get update -q >/dev/null
fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -z "$stamp" ] || touch "$stamp"
echo "install-deps: ok (${#pkgs[@]} packages)"
