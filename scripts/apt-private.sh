#!/usr/bin/env bash
# Run apt-get or apt-cache against Debian suites that this machine's own apt
# sources do not carry (testing, sid, experimental), through a private apt
# configuration under build/apt/NAME.  The host's sources and package state
# are never touched, so the host is never offered those suites' upgrades.
# The mirror is the one the machine's apt already uses for bookworm.
#
# Usage: apt-private.sh NAME "TYPES" "SUITES" apt-get|apt-cache ARGS...
#   NAME    configuration name (build/apt/NAME)
#   TYPES   "deb", "deb-src" or "deb deb-src"
#   SUITES  e.g. "testing sid experimental"
# The index is refreshed when older than a day (APT_PRIVATE_REFRESH=1 forces).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=$1 types=$2 suites=$3
shift 3
die() { echo "apt-private: $*" >&2; exit 1; }
case "${1:-}" in apt-get | apt-cache) ;; *) die "usage: apt-private.sh NAME TYPES SUITES apt-get|apt-cache ARGS..." ;; esac

root=${BUILD:-$here/../build}/apt/$name
mkdir -p "$root/etc" "$root/lists/partial" "$root/cache/archives/partial"
uri=$("$here/install-deps.sh" --mirror)
[ -n "$uri" ] || die "cannot find the bookworm mirror in the apt configuration"
want="Types: $types
URIs: $uri
Suites: $suites
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
if [ "$(cat "$root/etc/pasid.sources" 2>/dev/null)" != "$want" ]; then
	echo "$want" >"$root/etc/pasid.sources"
	rm -f "$root/updated"
fi

opts=(-o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts="$root/etc"
	-o Dir::State::Lists="$root/lists" -o Dir::State::status=/dev/null
	-o Dir::Cache="$root/cache" -o Debug::NoLocking=1
	-o APT::Sandbox::User=root)
if [ "${APT_PRIVATE_REFRESH:-0}" = 1 ] || [ -z "$(find "$root/updated" -mtime -1 2>/dev/null)" ]; then
	apt-get "${opts[@]}" -q update >"$root/update.log" 2>&1 ||
		{ cat "$root/update.log" >&2; die "apt-get update ($suites) failed"; }
	touch "$root/updated"
fi
cmd=$1
shift
exec "$cmd" "${opts[@]}" "$@"
