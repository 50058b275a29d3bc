# Helpers for guest tests (sourced).
fail() { echo "$*"; exit 1; }
skip() { echo "SKIP: $*"; exit 4; }
# on_exit CMD...: run CMD when the test ends, however it ends (pass, fail,
# skip, or the runner's time limit): the undo of what the test set up, so
# that its failure is its own and not the next test's.  The commands run
# last registered first; their failures only print.  They must be safe to
# run when the test has already undone that part itself.
on_exit_cmds=
on_exit() {
	on_exit_cmds="$*
$on_exit_cmds"
}
run_on_exit() {
	rc=$?
	trap - EXIT
	printf '%s\n' "$on_exit_cmds" | while read -r c; do
		[ -n "$c" ] || continue
		eval "$c" >/tmp/on-exit.$$ 2>&1 </dev/null ||
			echo "on exit: '$c' failed: $(tail -n 1 /tmp/on-exit.$$)"
	done
	rm -f /tmp/on-exit.$$
	exit $rc
}
trap run_on_exit EXIT
trap 'exit 143' TERM INT
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
# pci_cfg BDF OFFSET BYTES: a little-endian value of BDF's configuration
# space, in hex without 0x (as root)
pci_cfg() {
	od -An -tx"$3" -j "$2" -N "$3" "/sys/bus/pci/devices/$1/config" | tr -d ' \n'
}
# pci_ext_cap BDF ID: the offset of BDF's PCIe extended capability ID
pci_ext_cap() {
	pci_ext_off=256 pci_ext_n=0
	while [ "$pci_ext_off" != 0 ] && [ $pci_ext_n -lt 48 ]; do
		pci_ext_h=$((0x$(pci_cfg "$1" $pci_ext_off 4)))
		if [ $((pci_ext_h & 0xffff)) = "$2" ]; then
			echo $pci_ext_off
			return 0
		fi
		pci_ext_off=$((pci_ext_h >> 20)) pci_ext_n=$((pci_ext_n + 1))
	done
	return 1
}
# pci_ats_on BDF: whether BDF has ATS enabled
pci_ats_on() {
	pci_ats_cap=$(pci_ext_cap "$1" 15) &&
		[ $(((0x$(pci_cfg "$1" $((pci_ats_cap + 6)) 2) >> 15) & 1)) = 1 ]
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
# run CMD...: run it, after a "+ CMD" line; its failure fails the test.
# run_quiet CMD...: the same without the line and the output.
run() { echo "+ $*"; "$@" || fail "failed: $*"; }
run_quiet() { "$@" >/dev/null || fail "failed: $*"; }
# dsa_bind: set DSA_BDF to the DSA's PCI address and make sure idxd is
# bound to it as dsa0; skips without a DSA.
dsa_bind() {
	DSA_BDF=$(find_pci 0x8086 0x0b25) || skip "no DSA (8086:0b25) on the PCI bus"
	[ -d /sys/bus/dsa/devices/dsa0 ] || modprobe idxd || fail "modprobe idxd failed"
	[ -d /sys/bus/dsa/devices/dsa0 ] || fail "idxd did not bind the DSA"
}
# wq_driver WQ DRIVER: newer kernels (Debian's 6.12 and 7.x) bind a WQ
# only to the driver its driver_name names ("user", "dmaengine"); the
# config-wq of accel-config 3.5.3 cannot set it (its load-config can), so
# write it as a newer accel-config does.  Nothing on kernels without it.
wq_driver() {
	[ -e "/sys/bus/dsa/devices/$1/driver_name" ] || return 0
	echo "$2" >"/sys/bus/dsa/devices/$1/driver_name" ||
		fail "cannot set $1's driver_name to $2"
}
# have_dmatest: the kernel has dmatest, built in or as a module (Debian's
# kernels have not: CONFIG_DMATEST is off in their images)
have_dmatest() {
	[ -d /sys/module/dmatest ] ||
		grep -q '/dmatest\.ko' "/lib/modules/$(uname -r)/modules.dep" 2>/dev/null
}
# wq_kernel WQ MODE SIZE [THRESHOLD]: dsa0's WQ (wq0.N) as a kernel
# dmaengine work queue, MODE dedicated or shared, in group 0 with engine 0;
# enables the device and the WQ, and has them disabled when the test ends.
# wq_off WQ disables both now.
wq_kernel() {
	run_quiet accel-config config-engine dsa0/engine0.0 --group-id=0
	run_quiet accel-config config-wq "dsa0/$1" --group-id=0 --mode="$2" \
		--type=kernel --name=dmaengine --priority=10 --wq-size="$3" ${4:+--threshold=$4}
	on_exit wq_quiet_off "$1"
	wq_driver "$1" dmaengine
	run_quiet accel-config enable-device dsa0
	if ! accel-config enable-wq "dsa0/$1" >/dev/null; then
		dmesg | tail -n 5
		fail "$2 kernel work queue dsa0/$1 could not be enabled"
	fi
}
wq_off() {
	run_quiet accel-config disable-wq "dsa0/$1"
	run_quiet accel-config disable-device dsa0
}
wq_quiet_off() { # what is enabled of WQ and dsa0, disabled
	[ "$(cat "/sys/bus/dsa/devices/$1/state" 2>/dev/null)" != enabled ] ||
		accel-config disable-wq "dsa0/$1"
	[ "$(cat /sys/bus/dsa/devices/dsa0/state 2>/dev/null)" != enabled ] ||
		accel-config disable-device dsa0
}
# dma_channel: print the first DMA channel (a kernel WQ's); false if none
dma_channel() {
	ls /sys/class/dma 2>/dev/null | head -n 1 | grep .
}
# dmatest_start CHANNEL ITERATIONS [THREADS [TIMEOUT_MS]]: start dmatest
# (memcpy, every result verified) on CHANNEL; dmatest_wait CHANNEL waits for
# it, prints the summary line of each thread of this run and unloads it.
dmatest_start() {
	echo "pasid-harness: dmatest on $1 begins ($$)" >/dev/kmsg
	on_exit dmatest_unload
	run_quiet modprobe dmatest timeout="${4:-60000}" iterations="$2" \
		threads_per_chan="${3:-1}" channel="$1"
	echo 1 >/sys/module/dmatest/parameters/run
}
dmatest_wait() {
	cat /sys/module/dmatest/parameters/wait >/dev/null
	# the lines after the last start mark: this run's
	dmesg | awk -v m="pasid-harness: dmatest on $1 begins ($$)" '
		index($0, m) { buf = ""; next }
		{ buf = buf $0 "\n" }
		END { printf "%s", buf }' |
		grep "dmatest: $1-copy[0-9]*: summary" | sed 's/^\[[ 0-9.]*\] //'
	rmmod dmatest
}
dmatest_unload() {
	[ ! -d /sys/module/dmatest ] || rmmod dmatest
}
# dmatest_field LINE tests|failures: that number of a summary line
dmatest_field() {
	echo "$1" | sed -n "s/.* \([0-9]*\) $2.*/\1/p"
}
