# Helpers for the tests that drive the DSA through the pasid_dma_test module
# (guest/kmod), sourced after lib.sh.  Not a test itself.
#
# pdt_bind: skip if there is no DSA or no module; load the module, take the
# DSA from its driver (idxd) and bind it to pasid_dma_test through
# driver_override.  pdt_release gives it back: unbind, clear the override,
# bind idxd if it is loaded (so that later tests find dsa0), rmmod.
# pdt_bind has pdt_release run when the test ends (on_exit), so a test that
# fails half way still leaves the DSA to idxd.
PDT_MOD=/lib/pasid-harness/pasid_dma_test.ko
PDT_RUN=/sys/kernel/debug/pasid_dma_test/run
PDT_DRV=/sys/bus/pci/drivers/pasid_dma_test
pdt_bdf=

pdt_driver_of() { # $1 = PCI address: the name of its driver, or nothing
	[ -e "/sys/bus/pci/devices/$1/driver" ] &&
		basename "$(readlink "/sys/bus/pci/devices/$1/driver")"
}

pdt_bind() {
	pdt_bdf=$(find_pci 0x8086 0x0b25) || skip "no DSA (8086:0b25) on the PCI bus"
	[ -f "$PDT_MOD" ] || skip "no $PDT_MOD in the initramfs"
	pdt_dev=/sys/bus/pci/devices/$pdt_bdf
	on_exit pdt_release
	if [ ! -d /sys/module/pasid_dma_test ]; then
		insmod "$PDT_MOD" || fail "insmod $PDT_MOD failed"
	fi
	pdt_old=$(pdt_driver_of "$pdt_bdf")
	if [ -n "$pdt_old" ] && [ "$pdt_old" != pasid_dma_test ]; then
		echo "$pdt_bdf" >"$pdt_dev/driver/unbind" ||
			fail "cannot unbind $pdt_bdf from $pdt_old"
	fi
	echo pasid_dma_test >"$pdt_dev/driver_override" ||
		fail "cannot set driver_override of $pdt_bdf"
	if [ "$(pdt_driver_of "$pdt_bdf")" != pasid_dma_test ]; then
		echo "$pdt_bdf" >/sys/bus/pci/drivers_probe ||
			fail "drivers_probe of $pdt_bdf failed"
	fi
	[ "$(pdt_driver_of "$pdt_bdf")" = pasid_dma_test ] ||
		fail "pasid_dma_test did not bind $pdt_bdf (driver: $(pdt_driver_of "$pdt_bdf"); $(dmesg | grep pasid_dma_test | tail -n 1))"
	echo "bound $pdt_bdf to pasid_dma_test${pdt_old:+ (was $pdt_old)}"
	if ! grep -q ' /sys/kernel/debug debugfs ' /proc/mounts; then
		mount -t debugfs debugfs /sys/kernel/debug ||
			fail "cannot mount debugfs"
	fi
	[ -e "$PDT_RUN" ] || fail "no $PDT_RUN"
}

# Returns non-zero, with a message, if any step failed; safe to run twice.
pdt_release() {
	pdt_rc=0
	[ -n "$pdt_bdf" ] || return 0
	pdt_dev=/sys/bus/pci/devices/$pdt_bdf
	if [ "$(pdt_driver_of "$pdt_bdf")" = pasid_dma_test ]; then
		echo "$pdt_bdf" >"$PDT_DRV/unbind" ||
			{ echo "cannot unbind $pdt_bdf from pasid_dma_test"; pdt_rc=1; }
	fi
	if [ -n "$(cat "$pdt_dev/driver_override" 2>/dev/null | grep -v '^(null)$')" ]; then
		echo >"$pdt_dev/driver_override" ||
			{ echo "cannot clear driver_override of $pdt_bdf"; pdt_rc=1; }
	fi
	if [ -z "$(pdt_driver_of "$pdt_bdf")" ] && [ -d /sys/bus/pci/drivers/idxd ]; then
		echo "$pdt_bdf" >/sys/bus/pci/drivers/idxd/bind ||
			{ echo "cannot bind $pdt_bdf to idxd again"; pdt_rc=1; }
		[ -d /sys/bus/dsa/devices/dsa0 ] ||
			{ echo "idxd took $pdt_bdf back, but there is no dsa0"; pdt_rc=1; }
	fi
	if [ -d /sys/module/pasid_dma_test ]; then
		rmmod pasid_dma_test || { echo "rmmod pasid_dma_test failed"; pdt_rc=1; }
	fi
	return $pdt_rc
}
