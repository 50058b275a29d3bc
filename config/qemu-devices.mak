# The devices built into the harness's qemu-system-x86_64.  QEMU is
# configured --without-default-devices (scripts/build-qemu.sh), so only
# these and what they select are built: the Q35 machine every boot, qtest
# and TCG test uses, the vIOMMU, the DSA, and the debug console and exit
# port of the TCG system tests.  A device a new test needs goes here.
CONFIG_Q35=y
CONFIG_VTD=y
CONFIG_INTEL_DSA=y
CONFIG_ISA_DEBUG=y
# A register that clears on read (its ICR), for intel-dsa-test's check
# that a Cache Flush does not read what it flushes
CONFIG_E1000E_PCI_EXPRESS=y
# QEMU 10.2's Q35 ACPI code always selects ACPI_CXL, whose hw/acpi/cxl.c
# calls into hw/cxl and the CXL type-3 device: without CXL, PXB and
# CXL_MEM_DEVICE the link fails (undefined cxl_fmws_get_all_sorted,
# ct3_test_region_block_backed); CXL's root port type needs PCIE_PORT's
# or QEMU aborts at start ("Type 'cxl-rp' is missing its parent").
CONFIG_PXB=y
CONFIG_CXL=y
CONFIG_CXL_MEM_DEVICE=y
CONFIG_PCIE_PORT=y
