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
# kmemleak_scan PATTERN: scan for leaks (twice, as kmemleak wants), then
# print the first two reports whose text (backtrace, comm) matches PATTERN
# and the first two others, and end with "ours N others M".  Others are
# for information: built-in KUnit suites of 6.1 leak, for instance.
kmemleak_scan() {
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	awk -v ours="$1" '
		function flush() {
			if (b == "")
				return
			if (b ~ ours) {
				if (n++ < 2)
					printf "leak:\n%s", shown
			} else if (m++ < 2) {
				printf "not ours:\n%s", shown
			}
			b = shown = ""
		}
		/^unreferenced object/ { flush() }
		{ b = b $0 "\n" }
		/^unreferenced object|comm|>\]/ { shown = shown $0 "\n" }
		END { flush(); printf "ours %d others %d\n", n, m }' \
		/sys/kernel/debug/kmemleak
}
