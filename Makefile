# PASID for in-kernel DMA on Intel: kernel + QEMU patch series and the
# harness that proves them.  "make help" lists the targets.

include config/versions.mk

TOP        := $(CURDIR)
BUILD      := $(TOP)/build
QEMU_BIN   := $(BUILD)/qemu-out/qemu-system-x86_64
KERNEL_IMG := $(BUILD)/kernel/arch/x86/boot/bzImage
INITRAMFS  := $(BUILD)/initramfs.cpio.gz
KUNIT_DIR  := $(BUILD)/src/linux/tools/testing/kunit
TOOLS      := $(BUILD)/tools
PROFILE    ?= default
PLAN       ?= -

export TOP BUILD QEMU_BIN KERNEL_IMG INITRAMFS KUNIT_DIR TOOLS LINUX_DEB_VERSION \
	LINUX_DEB_SHA256 QEMU_DEB_VERSION QEMU_DEB_SERIES DEBIAN_612_RELEASE \
	DEBIAN_612_VERSION DEBIAN_7_RELEASE DEBIAN_7_VERSION

S := scripts

.PHONY: all help deps sources tree tree-linux tree-qemu trees have-trees export \
	qemu kernel initramfs debian-kernels boot test profiles demo check static harness-test series measure-qi fuzz fuzz-build qemu-bisect kernel-bisect arm64-objects mutants check-kasan clean

all: demo

help:
	@echo "make              build QEMU and the kernel, boot, show the vIOMMU mode and the log"
	@echo "make check        everything CI runs; ends with 'N passed, N failed, N skipped'"
	@echo "make tree         (re)create build/linux and build/qemu: base + patches/*/series"
	@echo "make export       write build/{linux,qemu} commits base..HEAD back to patches/"
	@echo "make qemu|kernel|initramfs   build one piece"
	@echo "make debian-kernels  fetch Debian's 6.12 and 7.x kernels (pinned) and their initramfs"
	@echo "make boot [PROFILE=p] [PLAN=x]  boot machine p of config/profiles, run guest/plans/x"
	@echo "                  (default: the profile's plan); DRY_RUN=1 prints the QEMU command"
	@echo "make test T=name[,arg...] [PROFILE=p]  boot and run one guest test (guest/tests)"
	@echo "make profiles     list the machine profiles"
	@echo "make static       checkpatch/sparse/W=1 on the series (KTAP)"
	@echo "make harness-test the harness's own failure-detection tests (KTAP)"
	@echo "make series       mbox of the kernel series in build/series.mbox"
	@echo "make measure-qi   invalidations per DMA unmap with 0-8 PASIDs (ATS), map cost with the kernel DMA PASID"
	@echo "make qemu-bisect  build the QEMU series patch by patch (slow)"
	@echo "make kernel-bisect  build the kernel series patch by patch (slow)"
	@echo "make arm64-objects  build the series' Arm SMMUv3 and IOMMU core code for arm64"
	@echo "make check-kasan    the check plan on a KASAN + KFENCE kernel (slow)"
	@echo "make fuzz [FUZZ_TIME=s] [FUZZ_JOBS=n]  fuzz the DSA and the vIOMMU (clang, libFuzzer,"
	@echo "                    ASan, UBSan; 600 s, 1 job by default; crashes become fuzz/reproducers,"
	@echo "                    which check replays)"
	@echo "make mutants        seeded mutants of the kernel series, each booted (slow;"
	@echo "                    MUTANTS=\"name ...\" for some; table in build/mutants/report.md)"

deps:
	@$(S)/install-deps.sh
	@$(S)/fetch-tools.sh $(TOOLS)

sources: deps
	@$(S)/fetch-linux.sh $(LINUX_DEB_VERSION) $(LINUX_DEB_SHA256) $(BUILD)/src/linux
	@$(S)/fetch-qemu.sh '$(QEMU_DEB_VERSION)' $(QEMU_DEB_SERIES) $(BUILD)/src/qemu

# Development builds use the trees as they are (created where missing).
have-trees: sources
	@[ -d $(BUILD)/linux/.git ] || $(S)/make-tree.sh $(BUILD)/src/linux $(BUILD)/linux patches/linux
	@[ -d $(BUILD)/qemu/.git ] || $(S)/make-tree.sh $(BUILD)/src/qemu $(BUILD)/qemu patches/qemu

# What checks and exports results uses: refuse trees holding unexported work.
trees: sources
	@$(S)/prepare-tree.sh $(BUILD)/src/linux $(BUILD)/linux patches/linux
	@$(S)/prepare-tree.sh $(BUILD)/src/qemu $(BUILD)/qemu patches/qemu

# Recreate the trees from patches/ (refuses to drop unexported work; FORCE=1 does).
tree: tree-linux tree-qemu
tree-linux: sources
	@$(S)/make-tree.sh $(BUILD)/src/linux $(BUILD)/linux patches/linux
tree-qemu: sources
	@$(S)/make-tree.sh $(BUILD)/src/qemu $(BUILD)/qemu patches/qemu

export:
	@$(S)/export-tree.sh $(BUILD)/linux patches/linux
	@$(S)/export-tree.sh $(BUILD)/qemu patches/qemu

qemu: have-trees
	@$(S)/build-qemu.sh $(BUILD)/qemu $(BUILD)/qemu-out

kernel: have-trees
	@$(S)/build-kernel.sh $(BUILD)/linux $(BUILD)/kernel config/kernel

initramfs: kernel
	@$(S)/build-initramfs.sh guest $(BUILD)/kernel/modinst $(INITRAMFS) $(BUILD)/kernel

# Debian's own kernels (config/versions.mk) and the initramfs each boots:
# ours, with the modules the guest tests load from that kernel's package.
debian-kernels: initramfs
	@$(S)/debian-kernels.sh

profiles:
	@$(S)/profile.py list

ifeq ($(DRY_RUN),1)
boot:
	@$(S)/boot-guest.sh --dry-run $(PROFILE) $(PLAN) $(BUILD)/boot-$(PROFILE)
test:
	@$(S)/boot-guest.sh --dry-run $(PROFILE) test=$(T) $(BUILD)/test-$(PROFILE)
else
# The profiles that boot a Debian kernel need it fetched.
DEBIAN_DEP = $(if $(filter debian-%,$(PROFILE)),debian-kernels)

boot: qemu initramfs $(DEBIAN_DEP)
	@$(S)/run-boot.sh $(PROFILE) $(PLAN) $(BUILD)/boot-$(PROFILE)

test: qemu initramfs $(DEBIAN_DEP)
	@[ -n "$(T)" ] || { echo "make test: say which test, e.g. make test T=dsa-dmatest,100" >&2; exit 2; }
	@$(S)/run-boot.sh $(PROFILE) test=$(T) $(BUILD)/test-$(PROFILE)
endif

# The main job: boot the platform, show what it is, point at the log.
demo: qemu initramfs
	@$(S)/demo.sh

check:
	@$(S)/check.sh

static: trees
	@$(S)/static-checks.sh $(BUILD)/linux patches/linux $(BUILD)/src/linux \
		$(BUILD)/kernel $(BUILD)/qemu patches/qemu

harness-test: trees
	@$(S)/test-harness.sh

# Invalidation descriptors per DMA unmap with 0, 1 and 2 PASIDs attached to
# the DSA's default domain (strict IOTLB flushing; a measurement, not a test).
measure-qi: qemu initramfs
	@$(S)/run-boot.sh measure-qi - $(BUILD)/boot-measure-qi; rc=$$?; \
	grep -h -e 'qi-count: ' -e 'dma-map-cost: ' $(BUILD)/boot-measure-qi/results.ktap | \
		sed -e 's/^# qi-count-[0-9]*: //' -e 's/^# dma-map-cost: //'; \
	exit $$rc

# Every QEMU patch builds on its own (slow; not part of check).
qemu-bisect: trees
	@$(S)/build-each-patch.sh qemu $(BUILD)/qemu $(BUILD)/qemu-bisect

kernel-bisect: trees
	@$(S)/build-each-patch.sh linux $(BUILD)/linux $(BUILD)/kernel-bisect

# The Arm SMMUv3 code of the kernel series, built for arm64 (objects only;
# not part of check).
arm64-objects: have-trees
	@$(S)/build-arm64-objects.sh $(BUILD)/linux $(BUILD)/kernel-arm64 config/kernel-arm64

# The main check boot on a KASAN (generic, inline) + KFENCE kernel (slow;
# not part of check: run by each issue that changes the kernel).
check-kasan: qemu trees
	@$(S)/check-kasan.sh $(BUILD)/linux $(BUILD)/kasan

# Each mutant of mutants/ applied alone, built and booted with the tests
# that should catch it: killed or survived (slow; not part of check).
mutants: qemu trees
	@$(S)/mutants.sh $(BUILD)/linux $(BUILD)/mutants $(MUTANTS)

# QEMU's generic-fuzz on the DSA and the scalable-mode vIOMMU, in a second,
# clang build of QEMU (not part of check; make check replays what it found).
FUZZ_TIME ?= 600
FUZZ_JOBS ?= 1
fuzz-build: have-trees
	@$(S)/build-qemu-fuzz.sh $(BUILD)/qemu $(BUILD)/qemu-fuzz

fuzz: fuzz-build
	@FUZZ_JOBS=$(FUZZ_JOBS) $(S)/fuzz-run.sh $(BUILD)/qemu-fuzz/qemu-fuzz-x86_64 $(FUZZ_TIME)

series: trees
	@$(S)/make-series.sh $(BUILD)/linux patches/linux $(BUILD)/series.mbox

clean:
	rm -rf $(BUILD)/kernel $(BUILD)/qemu-out $(BUILD)/boot-* $(BUILD)/test-* $(BUILD)/results $(INITRAMFS)
