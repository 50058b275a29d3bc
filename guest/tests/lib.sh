# Helpers for guest tests (sourced).
fail() { echo "$*"; exit 1; }
skip() { echo "SKIP: $*"; exit 4; }
# find_pci VENDOR DEVICE: print the first matching PCI address
find_pci() {
	for dev in /sys/bus/pci/devices/*; do
		if [ "$(cat "$dev/vendor")" = "$1" ] && [ "$(cat "$dev/device")" = "$2" ]; then
			basename "$dev"
			return 0
		fi
	done
	return 1
}
