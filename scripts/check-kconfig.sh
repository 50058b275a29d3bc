#!/usr/bin/env bash
# Verify that every "CONFIG_X=v" and "# CONFIG_X is not set" line of the
# fragments holds in a .config; name each one that does not.
# Usage: check-kconfig.sh DOTCONFIG FRAGMENT...
set -uo pipefail
cfg=$1
shift
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" "$cfg" || {
			got=$(grep -E "^(# )?${line%%=*}[= ]" "$cfg" || echo 'absent (a dependency is missing?)')
			echo "check-kconfig: requested $line, got: $got"
			bad=1
		} ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		! grep -q "^$sym=" "$cfg" || { echo "check-kconfig: requested $sym off, but it is on"; bad=1; } ;;
	esac
done < <(cat "$@")
exit $bad
