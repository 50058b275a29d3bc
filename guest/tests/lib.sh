# Helpers for guest tests (sourced).
fail() { echo "$*"; exit 1; }
skip() { echo "SKIP: $*"; exit 4; }
# host_qmp JSON: have the host run one QMP command on this guest's QEMU
# (scripts/guest-control.py, behind ttyS2) and print its one-line answer;
# fails without an answer within 10 s or when the answer is an error.
host_qmp() {
	[ -c /dev/ttyS2 ] || { echo "no control port (ttyS2)"; return 1; }
	stty raw -echo -onlcr </dev/ttyS2 2>/dev/null
	exec 9<>/dev/ttyS2
	echo "$1" >&9
	if ! read -t 10 -r host_qmp_answer <&9; then
		exec 9<&-
		echo "no answer from the host to: $1"
		return 1
	fi
	exec 9<&-
	echo "$host_qmp_answer"
	case "$host_qmp_answer" in *'"return"'*) return 0 ;; esac
	return 1
}
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
# kernel_splats [CLASS...]: print the lines of stdin that match the
# kernel-splat patterns of /tests/splats, of every class or of the classes
# named (the same list scripts/check-dmesg.py applies to the whole log).
kernel_splats() {
	awk -F '\t' -v want=" $* " '
		/^#/ || NF < 2 { next }
		want == "  " || index(want, " " $1 " ") { print $2 }' \
		"${SPLATS:-/tests/splats}" >"${TMPDIR:-/tmp}/splat-patterns.$$"
	grep -E -f "${TMPDIR:-/tmp}/splat-patterns.$$"
	set -- $?
	rm -f "${TMPDIR:-/tmp}/splat-patterns.$$"
	return "$1"
}
