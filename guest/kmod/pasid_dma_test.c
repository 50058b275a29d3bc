// SPDX-License-Identifier: GPL-2.0
/*
 * pasid_dma_test - check the kernel DMA PASID from the device's side
 *
 * Binds an Intel DSA, only through driver_override, and drives one
 * dedicated work queue itself, without idxd, so that a test can see what
 * the IOMMU does with the DMA the device tags with a PASID. Commands are
 * written to /sys/kernel/debug/pasid_dma_test/run and run synchronously;
 * the write returns its length on success and a negative errno on failure,
 * whose reason is logged.
 *
 * "isolation PSS": WQ 0 tagged with the kernel DMA PASID copies 4 KiB
 * through dma_alloc_coherent() addresses; after iommu_detach_dma_pasid()
 * the same copy faults in the IOMMU and writes neither the destination nor
 * the completion record; so does the copy tagged with the largest PASID
 * the DSA takes, which no PASID table entry maps, and which may be beyond
 * the IOMMU's PASID Size, PSS (the IOMMU's ECAP.PSS, which the caller
 * reads from sysfs); WQ 0 without PASID (requester ID only) still copies.
 *
 * "unmap P N": with P PASIDs (0 to 8: the kernel DMA PASID and P - 1
 * more) attached to the default domain, N dma_map_single()/
 * dma_unmap_single() pairs, for a caller that counts the IOTLB
 * invalidations an unmap costs; the log line gives the time per pair.
 *
 * "leave": attach the kernel DMA PASID and a second PASID to the default
 * domain and leave them attached, also when the device goes away: a
 * driver that forgot to detach, for a test of what the IOMMU core does
 * when the device is removed with PASIDs attached.
 */

#include <linux/bitfield.h>
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/idxd.h>
#include <linux/io.h>
#include <linux/ioasid.h>
#include <linux/iommu.h>
#include <linux/iopoll.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-ats.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/special_insns.h>

/* DSA 1.0 registers (BAR0) */
#define DSA_REG_GENCAP		0x10
#define DSA_REG_WQCAP		0x20
#define DSA_REG_OFFSETS		0x60
#define DSA_REG_GENCTRL		0x88
#define DSA_REG_GENSTS		0x90
#define DSA_REG_INTCAUSE	0x98
#define DSA_REG_CMD		0xa0
#define DSA_REG_CMDSTS		0xa8
#define DSA_REG_SWERR		0xc0	/* 4 x 64 bits */

#define DSA_GENCAP_MAX_XFER_SHIFT	GENMASK_ULL(20, 16)
#define DSA_GENCAP_MAX_BATCH_SHIFT	GENMASK_ULL(24, 21)
#define DSA_GENCAP_CONFIG_EN		BIT_ULL(31)

#define DSA_WQCAP_NUM_WQS	GENMASK_ULL(23, 16)
#define DSA_WQCAP_WQCFG_SIZE	GENMASK_ULL(27, 24)
#define DSA_WQCAP_DEDICATED	BIT_ULL(49)

/* OFFSETS: where the tables are, in units of 0x100 bytes */
#define DSA_OFFSETS_GRPCFG	GENMASK_ULL(15, 0)
#define DSA_OFFSETS_WQCFG	GENMASK_ULL(31, 16)
#define DSA_TABLE_UNIT		0x100

#define DSA_GENSTS_STATE	GENMASK(1, 0)
#define DSA_GENSTS_DISABLED	0
#define DSA_GENSTS_ENABLED	1

#define DSA_INTCAUSE_SOFTERR	BIT(0)

#define DSA_CMD_OPERAND		GENMASK(19, 0)
#define DSA_CMD_CODE		GENMASK(24, 20)
#define DSA_CMDSTS_ERR		GENMASK(7, 0)
#define DSA_CMDSTS_ACTIVE	BIT(31)

enum {
	DSA_CMD_ENABLE_DEVICE = 1,
	DSA_CMD_DISABLE_DEVICE = 2,
	DSA_CMD_RESET_DEVICE = 5,
	DSA_CMD_ENABLE_WQ = 6,
	DSA_CMD_DISABLE_WQ = 7,
};

/* SWERR, first qword; the second is the batch index, the third an address */
#define DSA_SWERR_VALID		BIT_ULL(0)
#define DSA_SWERR_OVERFLOW	BIT_ULL(1)
#define DSA_SWERR_DESC_VALID	BIT_ULL(2)
#define DSA_SWERR_FAULT_WRITE	BIT_ULL(5)
#define DSA_SWERR_CODE		GENMASK_ULL(15, 8)
#define DSA_SWERR_PASID		GENMASK_ULL(59, 40)

/* GRPCFG: 64 bytes per group */
#define DSA_GRPCFG_WQS		0x00	/* 4 x 64-bit bitmap */
#define DSA_GRPCFG_ENGINES	0x20
#define DSA_GRPCFG_FLAGS	0x28

/* WQCFG: 32 << WQCAP.wqcfg_size bytes per WQ; byte offsets of its dwords */
#define DSA_WQCFG_MIN_SHIFT	5
#define DSA_WQCFG_SIZE		0x00
#define DSA_WQCFG_THRESHOLD	0x04
#define DSA_WQCFG_MODE		0x08
#define DSA_WQCFG_SHIFTS	0x0c
#define DSA_WQCFG_STATUS	0x18

#define DSA_WQCFG_DEDICATED	BIT(0)
#define DSA_WQCFG_PRIORITY	GENMASK(7, 4)
#define DSA_WQCFG_PASID		GENMASK(27, 8)
#define DSA_WQCFG_PASID_EN	BIT(28)
#define DSA_WQCFG_PRIV		BIT(29)
#define DSA_WQCFG_MAX_XFER	GENMASK(4, 0)
#define DSA_WQCFG_MAX_BATCH	GENMASK(8, 5)
#define DSA_WQCFG_STATE		GENMASK(31, 30)
#define DSA_WQCFG_STATE_ENABLED	1

/* BAR2: four 4 KiB portals per WQ; page 1 is the limited MSI-X portal */
#define DSA_PORTAL_SIZE		0x1000
#define DSA_PORTAL_LIMITED	1
#define DSA_PORTALS_PER_WQ	4

#define PDT_COMP_SIZE		32	/* and its required alignment */
#define PDT_XFER_SIZE		SZ_4K
#define PDT_WQ_SIZE		16
#define PDT_POLL_US		20
#define PDT_TIMEOUT_US		USEC_PER_SEC
#define PDT_MAX_PASIDS		8
#define PDT_MAX_UNMAPS		200

static_assert(sizeof(struct dsa_hw_desc) == 64);
static_assert(sizeof(struct dsa_completion_record) == PDT_COMP_SIZE);

struct pdt {
	struct pci_dev *pdev;
	void __iomem *regs;
	void __iomem *grpcfg;		/* group 0 */
	void __iomem *wqcfg;		/* WQ 0 */
	void __iomem *portal;		/* WQ 0, limited portal */
	u8 max_xfer_shift;
	u8 max_batch_shift;
	struct dentry *dir;
	struct mutex lock;		/* one command at a time */
};

struct pdt_bufs {
	u8 *src;
	u8 *dst;
	struct dsa_completion_record *comp;
	dma_addr_t src_dma;
	dma_addr_t dst_dma;
	dma_addr_t comp_dma;
};

/* The PASID the "unmap" command allocates for its second attachment */
static DECLARE_IOASID_SET(pdt_ioasid_set);

/* One device at a time: the debugfs directory has a fixed name */
static unsigned long pdt_busy;

/*
 * The PASIDs "leave" attached and left: the IOMMU core detaches them when
 * the device goes, and the module frees them when it goes.
 */
static ioasid_t pdt_left_dma_pasid = INVALID_IOASID;
static ioasid_t pdt_left_pasid = INVALID_IOASID;

static struct device *pdt_dev(struct pdt *t)
{
	return &t->pdev->dev;
}

static int pdt_cmd(struct pdt *t, unsigned int cmd, u32 operand,
		   const char *what)
{
	u32 sts;
	int ret;

	iowrite32(FIELD_PREP(DSA_CMD_CODE, cmd) |
		  FIELD_PREP(DSA_CMD_OPERAND, operand), t->regs + DSA_REG_CMD);
	ret = read_poll_timeout(ioread32, sts, !(sts & DSA_CMDSTS_ACTIVE),
				PDT_POLL_US, PDT_TIMEOUT_US, false,
				t->regs + DSA_REG_CMDSTS);
	if (ret) {
		dev_err(pdt_dev(t), "%s: command %u still active after 1 s\n",
			what, cmd);
		return -ETIMEDOUT;
	}
	if (FIELD_GET(DSA_CMDSTS_ERR, sts)) {
		dev_err(pdt_dev(t), "%s failed: CMDSTS 0x%08x (error 0x%02lx)\n",
			what, sts, FIELD_GET(DSA_CMDSTS_ERR, sts));
		return -EIO;
	}
	return 0;
}

static bool pdt_device_enabled(struct pdt *t)
{
	return FIELD_GET(DSA_GENSTS_STATE, ioread32(t->regs + DSA_REG_GENSTS)) ==
	       DSA_GENSTS_ENABLED;
}

/*
 * Stop all DMA of the device and return it to its reset configuration:
 * Disable Device completes the work already queued, Reset Device clears
 * every group and WQ. Safe in any state; the first error is returned.
 */
static int pdt_quiesce(struct pdt *t)
{
	int ret = 0, err;

	if (pdt_device_enabled(t))
		ret = pdt_cmd(t, DSA_CMD_DISABLE_DEVICE, 0, "disable device");
	err = pdt_cmd(t, DSA_CMD_RESET_DEVICE, 0, "reset device");
	return ret ? ret : err;
}

/* Read SWERR; if it holds an error, clear it and its interrupt cause. */
static u64 pdt_take_swerr(struct pdt *t, u64 *addr)
{
	u64 swerr = readq(t->regs + DSA_REG_SWERR);

	if (addr)
		*addr = readq(t->regs + DSA_REG_SWERR + 16);
	if (swerr & DSA_SWERR_VALID) {
		/* Valid and Overflow are write-1-to-clear */
		writeq(swerr & (DSA_SWERR_VALID | DSA_SWERR_OVERFLOW),
		       t->regs + DSA_REG_SWERR);
		iowrite32(DSA_INTCAUSE_SOFTERR, t->regs + DSA_REG_INTCAUSE);
	}
	return swerr;
}

/*
 * Program the mode dword of WQ 0: dedicated, and tagged with @pasid when
 * @pasid_en. Priv stays 0: the PASID entry of the kernel DMA PASID admits
 * user requests only. The WQ must be disabled.
 */
static int pdt_set_wq_mode(struct pdt *t, bool pasid_en, ioasid_t pasid)
{
	u32 mode = DSA_WQCFG_DEDICATED | FIELD_PREP(DSA_WQCFG_PRIORITY, 1);
	u32 shifts = FIELD_PREP(DSA_WQCFG_MAX_XFER, t->max_xfer_shift) |
		     FIELD_PREP(DSA_WQCFG_MAX_BATCH, t->max_batch_shift);
	u32 mask = DSA_WQCFG_DEDICATED | DSA_WQCFG_PRIORITY | DSA_WQCFG_PASID |
		   DSA_WQCFG_PASID_EN | DSA_WQCFG_PRIV;
	u32 got;

	if (pasid_en)
		mode |= DSA_WQCFG_PASID_EN | FIELD_PREP(DSA_WQCFG_PASID, pasid);
	iowrite32(mode, t->wqcfg + DSA_WQCFG_MODE);
	iowrite32(shifts, t->wqcfg + DSA_WQCFG_SHIFTS);

	got = ioread32(t->wqcfg + DSA_WQCFG_MODE);
	if ((got & mask) != mode) {
		dev_err(pdt_dev(t), "WQCFG mode of WQ 0 reads 0x%08x after writing 0x%08x\n",
			got, mode);
		return -EIO;
	}
	return 0;
}

static int pdt_enable_wq(struct pdt *t, const char *what)
{
	u32 status;
	int ret;

	ret = pdt_cmd(t, DSA_CMD_ENABLE_WQ, 0, what);
	if (ret)
		return ret;
	status = ioread32(t->wqcfg + DSA_WQCFG_STATUS);
	if (FIELD_GET(DSA_WQCFG_STATE, status) != DSA_WQCFG_STATE_ENABLED) {
		dev_err(pdt_dev(t), "%s: WQ 0 state is %lu after the command\n",
			what, FIELD_GET(DSA_WQCFG_STATE, status));
		return -EIO;
	}
	return 0;
}

static int pdt_disable_wq(struct pdt *t, const char *what)
{
	/* Operand: bitmap of WQs 0-15 in bits 15:0, block 0 in bits 19:16 */
	return pdt_cmd(t, DSA_CMD_DISABLE_WQ, BIT(0), what);
}

/*
 * From reset: group 0 holds engine 0 and WQ 0, WQ 0 is dedicated with
 * PDT_WQ_SIZE entries, no interrupts; then the device and WQ 0 are enabled.
 */
static int pdt_setup(struct pdt *t, bool pasid_en, ioasid_t pasid)
{
	int ret, i;

	ret = pdt_quiesce(t);
	if (ret)
		return ret;

	iowrite32(0, t->regs + DSA_REG_GENCTRL);
	for (i = 0; i < 4; i++)
		writeq(i ? 0 : BIT_ULL(0), t->grpcfg + DSA_GRPCFG_WQS + 8 * i);
	writeq(BIT_ULL(0), t->grpcfg + DSA_GRPCFG_ENGINES);
	writeq(0, t->grpcfg + DSA_GRPCFG_FLAGS);
	iowrite32(PDT_WQ_SIZE, t->wqcfg + DSA_WQCFG_SIZE);
	iowrite32(0, t->wqcfg + DSA_WQCFG_THRESHOLD);
	ret = pdt_set_wq_mode(t, pasid_en, pasid);
	if (ret)
		return ret;

	ret = pdt_cmd(t, DSA_CMD_ENABLE_DEVICE, 0, "enable device");
	if (ret)
		return ret;
	return pdt_enable_wq(t, "enable WQ 0");
}

static void pdt_free_bufs(struct pdt *t, struct pdt_bufs *b)
{
	struct device *dev = pdt_dev(t);

	if (b->comp)
		dma_free_coherent(dev, PDT_COMP_SIZE, b->comp, b->comp_dma);
	if (b->dst)
		dma_free_coherent(dev, PDT_XFER_SIZE, b->dst, b->dst_dma);
	if (b->src)
		dma_free_coherent(dev, PDT_XFER_SIZE, b->src, b->src_dma);
}

static int pdt_alloc_bufs(struct pdt *t, struct pdt_bufs *b)
{
	struct device *dev = pdt_dev(t);

	b->src = dma_alloc_coherent(dev, PDT_XFER_SIZE, &b->src_dma,
				    GFP_KERNEL);
	b->dst = dma_alloc_coherent(dev, PDT_XFER_SIZE, &b->dst_dma,
				    GFP_KERNEL);
	b->comp = dma_alloc_coherent(dev, PDT_COMP_SIZE, &b->comp_dma,
				     GFP_KERNEL);
	if (!b->src || !b->dst || !b->comp) {
		dev_err(dev, "cannot allocate the DMA buffers\n");
		pdt_free_bufs(t, b);
		return -ENOMEM;
	}
	/* The device refuses a completion record that is not 32-byte aligned */
	if (!IS_ALIGNED(b->comp_dma, PDT_COMP_SIZE)) {
		dev_err(dev, "completion record at %pad is not %d-byte aligned\n",
			&b->comp_dma, PDT_COMP_SIZE);
		pdt_free_bufs(t, b);
		return -EINVAL;
	}
	return 0;
}

/* A fresh source pattern, a zeroed destination and completion record */
static void pdt_fill(struct pdt_bufs *b, u8 seed)
{
	unsigned int i;

	for (i = 0; i < PDT_XFER_SIZE; i++)
		b->src[i] = i * 7 + seed;
	memset(b->dst, 0, PDT_XFER_SIZE);
	memset(b->comp, 0, PDT_COMP_SIZE);
}

/* One MEMMOVE of the whole source to WQ 0, with a completion record */
static void pdt_submit_memmove(struct pdt *t, struct pdt_bufs *b)
{
	struct dsa_hw_desc desc = {};

	/* PASID and Priv of the descriptor: a dedicated WQ uses its WQCFG */
	desc.opcode = DSA_OPCODE_MEMMOVE;
	desc.flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR;
	desc.completion_addr = b->comp_dma;
	desc.src_addr = b->src_dma;
	desc.dst_addr = b->dst_dma;
	desc.xfer_size = PDT_XFER_SIZE;

	/* The buffers must be visible before the device can read them. */
	wmb();
	movdir64b(t->portal, &desc);
}

static int pdt_expect_copy(struct pdt *t, struct pdt_bufs *b,
			   const char *what)
{
	struct device *dev = pdt_dev(t);
	u8 status;
	int ret;

	ret = read_poll_timeout(READ_ONCE, status, status, PDT_POLL_US,
				PDT_TIMEOUT_US, false, b->comp->status);
	if (ret) {
		dev_err(dev, "isolation: %s: no completion record after 1 s (SWERR 0x%016llx)\n",
			what, pdt_take_swerr(t, NULL));
		return -ETIMEDOUT;
	}
	/* The status byte is written last: read the rest after it. */
	dma_rmb();
	if (status != DSA_COMP_SUCCESS) {
		dev_err(dev, "isolation: %s: completion status 0x%02x, %u bytes completed, fault address 0x%llx\n",
			what, status, b->comp->bytes_completed,
			b->comp->fault_addr);
		return -EIO;
	}
	if (memcmp(b->dst, b->src, PDT_XFER_SIZE)) {
		dev_err(dev, "isolation: %s: completed, but the destination differs from the source\n",
			what);
		return -EIO;
	}
	return 0;
}

/*
 * The copy's PASID has no translation any more, and nothing may reach
 * memory.  Without ATS, reading the source faults in the IOMMU (a DMAR
 * fault naming the PASID) and so does writing the completion record that
 * would report it, which only SWERR can report (0x1a, completion record
 * address translation fault).  With ATS, the translation requests for
 * both complete with no permission, a recoverable fault that the IOMMU
 * does not record (VT-d 7.1.2; SPT.2 in 7.1.3): the device's own page
 * fault, then the same SWERR.  One error either way: no overflow.
 *
 * With @beyond_pss, the PASID is beyond the IOMMU's PASID Size (ECAP.PSS):
 * then, with ATS, the translation requests fail outright (Unsupported
 * Request, SGN.10 in VT-d 7.1.3), a translation error (0x22) that SWERR
 * takes first, and the record's own failure sets its overflow bit.  (The
 * fault SGN.10 records, 0x89, the emulated vIOMMU does not record.)
 */
static int pdt_expect_fault(struct pdt *t, struct pdt_bufs *b,
			    ioasid_t pasid, bool beyond_pss, u64 *swerr,
			    u64 *addr)
{
	struct device *dev = pdt_dev(t);
	u64 code;
	int ret;

	ret = read_poll_timeout(readq, *swerr, *swerr & DSA_SWERR_VALID,
				PDT_POLL_US, PDT_TIMEOUT_US, false,
				t->regs + DSA_REG_SWERR);
	if (ret) {
		dev_err(dev, "isolation: PASID %u: no software error after 1 s; completion status 0x%02x\n",
			pasid, READ_ONCE(b->comp->status));
		return -ETIMEDOUT;
	}
	*swerr = pdt_take_swerr(t, addr);
	code = FIELD_GET(DSA_SWERR_CODE, *swerr);
	dev_info(dev, "isolation: PASID %u: SWERR 0x%016llx: error 0x%02llx, %s fault, PASID %llu%s, address 0x%llx\n",
		 pasid, *swerr, code,
		 *swerr & DSA_SWERR_FAULT_WRITE ? "write" : "read",
		 FIELD_GET(DSA_SWERR_PASID, *swerr),
		 *swerr & DSA_SWERR_DESC_VALID ? "" : " (not valid)", *addr);

	if (beyond_pss && t->pdev->ats_enabled) {
		if (code != DSA_COMP_TRANSLATION_FAIL) {
			dev_err(dev, "isolation: PASID %u: SWERR error 0x%02llx, expected 0x%02x (translation error)\n",
				pasid, code, DSA_COMP_TRANSLATION_FAIL);
			return -EIO;
		}
		if (!(*swerr & DSA_SWERR_OVERFLOW)) {
			dev_err(dev, "isolation: PASID %u: a translation error, and the completion record's not seen (no overflow)\n",
				pasid);
			return -EIO;
		}
	} else if (code != DSA_COMP_CRA_XLAT) {
		dev_err(dev, "isolation: PASID %u: SWERR error 0x%02llx, expected 0x%02x (completion record address translation fault)\n",
			pasid, code, DSA_COMP_CRA_XLAT);
		return -EIO;
	} else if (*swerr & DSA_SWERR_OVERFLOW) {
		dev_err(dev, "isolation: PASID %u: SWERR overflowed: more than the completion record's error\n",
			pasid);
		return -EIO;
	}
	if ((*swerr & DSA_SWERR_DESC_VALID) &&
	    FIELD_GET(DSA_SWERR_PASID, *swerr) != pasid) {
		dev_err(dev, "isolation: SWERR names PASID %llu, WQ 0 uses %u\n",
			FIELD_GET(DSA_SWERR_PASID, *swerr), pasid);
		return -EIO;
	}
	if (memchr_inv(b->comp, 0, PDT_COMP_SIZE)) {
		dev_err(dev, "isolation: PASID %u: the completion record was written (status 0x%02x)\n",
			pasid, READ_ONCE(b->comp->status));
		return -EIO;
	}
	if (memchr_inv(b->dst, 0, PDT_XFER_SIZE)) {
		dev_err(dev, "isolation: PASID %u: the destination was written\n",
			pasid);
		return -EIO;
	}
	return 0;
}

/* Disable WQ 0, tag it with @pasid (or nothing) and enable it again */
static int pdt_retag_wq(struct pdt *t, bool pasid_en, ioasid_t pasid)
{
	int ret;

	ret = pdt_disable_wq(t, "disable WQ 0 to change its PASID");
	if (ret)
		return ret;
	ret = pdt_set_wq_mode(t, pasid_en, pasid);
	if (ret)
		return ret;
	return pdt_enable_wq(t, "enable WQ 0 after changing its PASID");
}

static int pdt_isolation(struct pdt *t, unsigned int pss)
{
	struct device *dev = pdt_dev(t);
	int ret, err, npasids = pci_max_pasids(t->pdev);
	u64 swerr = 0, wide_swerr = 0, addr = 0, wide_addr = 0;
	struct pdt_bufs b = {};
	bool attached = false;
	ioasid_t pasid, wide;
	bool beyond;

	if (npasids <= 1) {
		dev_err(dev, "isolation: the device takes no PASID (%d)\n",
			npasids);
		return -EOPNOTSUPP;
	}
	wide = npasids - 1;
	beyond = (u64)wide >> (pss + 1);

	if (!boot_cpu_has(X86_FEATURE_MOVDIR64B)) {
		dev_err(dev, "isolation: the CPU has no MOVDIR64B\n");
		return -EOPNOTSUPP;
	}
	ret = pdt_alloc_bufs(t, &b);
	if (ret)
		return ret;

	/* WQ 0 tagged with the kernel DMA PASID copies */
	ret = iommu_attach_dma_pasid(dev, &pasid);
	if (ret) {
		dev_err(dev, "isolation: iommu_attach_dma_pasid() failed: %d\n",
			ret);
		goto out_free;
	}
	attached = true;
	ret = pdt_setup(t, true, pasid);
	if (ret)
		goto out;
	pdt_fill(&b, 0x11);
	pdt_submit_memmove(t, &b);
	ret = pdt_expect_copy(t, &b, "tagged DMA");
	if (ret)
		goto out;

	/* Without the PASID's translation, the same copy faults */
	ret = pdt_disable_wq(t, "disable WQ 0 before detaching");
	if (ret)
		goto out;
	iommu_detach_dma_pasid(dev, pasid);
	attached = false;
	ret = pdt_set_wq_mode(t, true, pasid);
	if (ret)
		goto out;
	ret = pdt_enable_wq(t, "enable WQ 0 after detaching");
	if (ret)
		goto out;
	swerr = pdt_take_swerr(t, NULL);
	if (swerr & DSA_SWERR_VALID)
		dev_info(dev, "isolation: cleared a stale SWERR 0x%016llx\n",
			 swerr);
	memset(b.dst, 0, PDT_XFER_SIZE);
	memset(b.comp, 0, PDT_COMP_SIZE);
	pdt_submit_memmove(t, &b);
	ret = pdt_expect_fault(t, &b, pasid, false, &swerr, &addr);
	if (ret)
		goto out;

	/* So does the largest PASID, of no entry and maybe beyond PSS */
	ret = pdt_retag_wq(t, true, wide);
	if (ret)
		goto out;
	memset(b.dst, 0, PDT_XFER_SIZE);
	memset(b.comp, 0, PDT_COMP_SIZE);
	pdt_submit_memmove(t, &b);
	ret = pdt_expect_fault(t, &b, wide, beyond, &wide_swerr, &wide_addr);
	if (ret)
		goto out;

	/* Untagged DMA, translated by the requester ID alone, still works */
	ret = pdt_retag_wq(t, false, 0);
	if (ret)
		goto out;
	pdt_fill(&b, 0x5a);
	pdt_submit_memmove(t, &b);
	ret = pdt_expect_copy(t, &b, "untagged DMA");
	if (ret)
		goto out;

	ret = pdt_disable_wq(t, "disable WQ 0");
	if (!ret)
		dev_info(dev, "isolation: pasid %u: tagged DMA ok, after detach faulted (SWERR 0x%016llx, address 0x%llx, ATS %s), PASID 0x%x (%s PSS) faulted (SWERR 0x%016llx, address 0x%llx), untagged DMA ok\n",
			 pasid, swerr, addr,
			 t->pdev->ats_enabled ? "on" : "off", wide,
			 beyond ? "beyond" : "within", wide_swerr, wide_addr);
out:
	/* No DMA may be left when the PASID goes and the buffers are freed */
	err = pdt_quiesce(t);
	if (!ret)
		ret = err;
	if (attached)
		iommu_detach_dma_pasid(dev, pasid);
out_free:
	pdt_free_bufs(t, &b);
	return ret;
}

static int pdt_unmap(struct pdt *t, unsigned int npasids, unsigned int iters)
{
	struct device *dev = pdt_dev(t);
	struct iommu_domain *domain = NULL;
	ioasid_t pasids[PDT_MAX_PASIDS];
	bool dma_pasid = false;
	unsigned int i, nmore = 0;
	u64 start, ns;
	void *buf;
	int ret = 0, max = 0;

	buf = (void *)get_zeroed_page(GFP_KERNEL);
	if (!buf) {
		dev_err(dev, "unmap: cannot allocate a page\n");
		return -ENOMEM;
	}

	if (npasids >= 1) {
		ret = iommu_attach_dma_pasid(dev, &pasids[0]);
		if (ret) {
			dev_err(dev, "unmap: iommu_attach_dma_pasid() failed: %d\n",
				ret);
			goto out;
		}
		dma_pasid = true;
	}
	if (npasids >= 2) {
		domain = iommu_get_domain_for_dev(dev);
		if (!domain) {
			dev_err(dev, "unmap: the device has no IOMMU domain\n");
			ret = -ENODEV;
			goto out;
		}
		max = pci_max_pasids(t->pdev);
		if (max <= 1) {
			dev_err(dev, "unmap: the device cannot use PASIDs (%d)\n",
				max);
			ret = -EOPNOTSUPP;
			goto out;
		}
	}
	/* The default domain on PASIDs 2 to P besides the kernel DMA PASID */
	while (1 + nmore < npasids) {
		ioasid_t pasid = ioasid_alloc(&pdt_ioasid_set, 1, max - 1, NULL);

		if (pasid == INVALID_IOASID) {
			dev_err(dev, "unmap: no PASID left below %d\n", max);
			ret = -ENOSPC;
			goto out;
		}
		ret = iommu_attach_device_pasid(domain, dev, pasid);
		if (ret) {
			dev_err(dev, "unmap: iommu_attach_device_pasid(PASID %u) failed: %d\n",
				pasid, ret);
			ioasid_free(pasid);
			goto out;
		}
		pasids[1 + nmore++] = pasid;
	}

	start = ktime_get_ns();
	for (i = 0; i < iters; i++) {
		dma_addr_t addr = dma_map_single(dev, buf, PAGE_SIZE,
						 DMA_TO_DEVICE);

		if (dma_mapping_error(dev, addr)) {
			dev_err(dev, "unmap: mapping %u of %u failed\n",
				i + 1, iters);
			ret = -ENOMEM;
			goto out;
		}
		dma_unmap_single(dev, addr, PAGE_SIZE, DMA_TO_DEVICE);
	}
	ns = ktime_get_ns() - start;
	dev_info(dev, "unmap: %u map/unmap pairs with %u PASID(s) attached (kernel DMA PASID %d): %llu ns per pair\n",
		 iters, npasids, dma_pasid ? (int)pasids[0] : -1,
		 div_u64(ns, iters));

out:
	while (nmore) {
		nmore--;
		iommu_detach_device_pasid(domain, dev, pasids[1 + nmore]);
		ioasid_free(pasids[1 + nmore]);
	}
	if (dma_pasid)
		iommu_detach_dma_pasid(dev, pasids[0]);
	free_page((unsigned long)buf);
	return ret;
}

static int pdt_unmap_cmd(struct pdt *t, int argc, char **argv)
{
	unsigned int npasids, iters;

	if (argc != 3 || kstrtouint(argv[1], 10, &npasids) ||
	    kstrtouint(argv[2], 10, &iters) || npasids > PDT_MAX_PASIDS ||
	    !iters || iters > PDT_MAX_UNMAPS) {
		dev_err(pdt_dev(t), "usage: unmap P N, with P PASIDs attached (0-%d) and N map/unmap pairs (1-%d)\n",
			PDT_MAX_PASIDS, PDT_MAX_UNMAPS);
		return -EINVAL;
	}
	return pdt_unmap(t, npasids, iters);
}

/* Split @s into at most @max words; -E2BIG if there are more. */
static int pdt_leave(struct pdt *t)
{
	struct device *dev = pdt_dev(t);
	struct iommu_domain *domain;
	ioasid_t pasid, pasid2;
	int ret, max;

	if (pdt_left_pasid != INVALID_IOASID) {
		dev_err(dev, "leave: PASID %u is left attached already\n",
			pdt_left_pasid);
		return -EBUSY;
	}
	domain = iommu_get_domain_for_dev(dev);
	max = pci_max_pasids(t->pdev);
	if (!domain || max <= 1) {
		dev_err(dev, "leave: no IOMMU domain or no PASIDs (%d)\n", max);
		return -EOPNOTSUPP;
	}
	ret = iommu_attach_dma_pasid(dev, &pasid);
	if (ret) {
		dev_err(dev, "leave: iommu_attach_dma_pasid() failed: %d\n", ret);
		return ret;
	}
	pasid2 = ioasid_alloc(&pdt_ioasid_set, 1, max - 1, NULL);
	if (pasid2 == INVALID_IOASID) {
		dev_err(dev, "leave: no PASID left below %d\n", max);
		iommu_detach_dma_pasid(dev, pasid);
		return -ENOSPC;
	}
	ret = iommu_attach_device_pasid(domain, dev, pasid2);
	if (ret) {
		dev_err(dev, "leave: iommu_attach_device_pasid(PASID %u) failed: %d\n",
			pasid2, ret);
		ioasid_free(pasid2);
		iommu_detach_dma_pasid(dev, pasid);
		return ret;
	}
	pdt_left_dma_pasid = pasid;
	pdt_left_pasid = pasid2;
	dev_info(dev, "leave: kernel DMA PASID %u and PASID %u left attached\n",
		 pasid, pasid2);
	return 0;
}

static int pdt_split(char *s, char **argv, int max)
{
	int argc = 0;
	char *word;

	while ((word = strsep(&s, " \t\n"))) {
		if (!*word)
			continue;
		if (argc == max)
			return -E2BIG;
		argv[argc++] = word;
	}
	return argc;
}

static ssize_t pdt_run_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct pdt *t = file->private_data;
	struct device *dev = pdt_dev(t);
	char buf[64], *argv[4];
	unsigned int pss;
	int argc, ret;

	if (count >= sizeof(buf)) {
		dev_err(dev, "command too long (%zu bytes)\n", count);
		return -EINVAL;
	}
	if (copy_from_user(buf, ubuf, count)) {
		dev_err(dev, "cannot read the command from user space\n");
		return -EFAULT;
	}
	buf[count] = '\0';

	argc = pdt_split(buf, argv, ARRAY_SIZE(argv));
	if (argc <= 0) {
		dev_err(dev, "%s; commands: \"isolation PSS\", \"leave\", \"unmap P N\" (P 0-%d, N 1-%d)\n",
			argc ? "too many words" : "empty command",
			PDT_MAX_PASIDS, PDT_MAX_UNMAPS);
		return -EINVAL;
	}

	ret = mutex_lock_interruptible(&t->lock);
	if (ret)
		return ret;
	if (!strcmp(argv[0], "isolation") && argc == 2 &&
	    !kstrtouint(argv[1], 0, &pss) && pss < 32) {
		ret = pdt_isolation(t, pss);
	} else if (!strcmp(argv[0], "isolation")) {
		dev_err(dev, "isolation takes the IOMMU's ECAP.PSS, 0-31\n");
		ret = -EINVAL;
	} else if (!strcmp(argv[0], "leave") && argc == 1) {
		ret = pdt_leave(t);
	} else if (!strcmp(argv[0], "leave")) {
		dev_err(dev, "leave takes no arguments\n");
		ret = -EINVAL;
	} else if (!strcmp(argv[0], "unmap")) {
		ret = pdt_unmap_cmd(t, argc, argv);
	} else {
		dev_err(dev, "unknown command \"%s\"; commands: \"isolation PSS\", \"leave\", \"unmap P N\" (P 0-%d, N 1-%d)\n",
			argv[0], PDT_MAX_PASIDS, PDT_MAX_UNMAPS);
		ret = -EINVAL;
	}
	mutex_unlock(&t->lock);

	return ret ? ret : count;
}

static const struct file_operations pdt_run_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = pdt_run_write,
	.llseek = noop_llseek,
};

static int pdt_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	u64 gencap, wqcap, offsets;
	struct pdt *t;
	int ret;

	if (test_and_set_bit(0, &pdt_busy)) {
		dev_err(dev, "another device is already bound\n");
		return -EBUSY;
	}

	t = devm_kzalloc(dev, sizeof(*t), GFP_KERNEL);
	if (!t) {
		ret = -ENOMEM;
		goto err;
	}
	t->pdev = pdev;
	mutex_init(&t->lock);

	ret = pcim_enable_device(pdev);
	if (ret) {
		dev_err(dev, "cannot enable the device: %d\n", ret);
		goto err;
	}
	ret = pcim_iomap_regions(pdev, BIT(0) | BIT(2), KBUILD_MODNAME);
	if (ret) {
		dev_err(dev, "cannot map BAR0 and BAR2: %d\n", ret);
		goto err;
	}
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret) {
		dev_err(dev, "cannot set a 64-bit DMA mask: %d\n", ret);
		goto err;
	}
	pci_set_master(pdev);
	t->regs = pcim_iomap_table(pdev)[0];

	gencap = readq(t->regs + DSA_REG_GENCAP);
	wqcap = readq(t->regs + DSA_REG_WQCAP);
	offsets = readq(t->regs + DSA_REG_OFFSETS);
	if (!(gencap & DSA_GENCAP_CONFIG_EN) || !(wqcap & DSA_WQCAP_DEDICATED) ||
	    !FIELD_GET(DSA_WQCAP_NUM_WQS, wqcap)) {
		dev_err(dev, "not a configurable DSA with dedicated WQs (GENCAP 0x%llx, WQCAP 0x%llx)\n",
			gencap, wqcap);
		ret = -ENODEV;
		goto err;
	}
	t->max_xfer_shift = FIELD_GET(DSA_GENCAP_MAX_XFER_SHIFT, gencap);
	t->max_batch_shift = FIELD_GET(DSA_GENCAP_MAX_BATCH_SHIFT, gencap);
	if ((1ULL << t->max_xfer_shift) < PDT_XFER_SIZE) {
		dev_err(dev, "transfers are limited to 2^%u bytes\n",
			t->max_xfer_shift);
		ret = -ENODEV;
		goto err;
	}
	if (pci_resource_len(pdev, 2) <
	    DSA_PORTALS_PER_WQ * DSA_PORTAL_SIZE) {
		dev_err(dev, "BAR2 is too small for the portals of WQ 0\n");
		ret = -ENODEV;
		goto err;
	}
	t->grpcfg = t->regs +
		    FIELD_GET(DSA_OFFSETS_GRPCFG, offsets) * DSA_TABLE_UNIT;
	t->wqcfg = t->regs +
		   FIELD_GET(DSA_OFFSETS_WQCFG, offsets) * DSA_TABLE_UNIT;
	t->portal = pcim_iomap_table(pdev)[2] +
		    DSA_PORTAL_LIMITED * DSA_PORTAL_SIZE;
	/* Only WQ 0 is used, so the WQCFG stride does not matter, but check */
	if (FIELD_GET(DSA_WQCAP_WQCFG_SIZE, wqcap) + DSA_WQCFG_MIN_SHIFT > 12) {
		dev_err(dev, "unexpected WQCFG size (WQCAP 0x%llx)\n", wqcap);
		ret = -ENODEV;
		goto err;
	}

	pci_set_drvdata(pdev, t);
	t->dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("run", 0200, t->dir, t, &pdt_run_fops);
	dev_info(dev, "bound; write \"isolation PSS\" or \"unmap P N\" to /sys/kernel/debug/%s/run\n",
		 KBUILD_MODNAME);
	return 0;

err:
	clear_bit(0, &pdt_busy);
	return ret;
}

static void pdt_remove(struct pci_dev *pdev)
{
	struct pdt *t = pci_get_drvdata(pdev);

	/* Waits for a command that is running */
	debugfs_remove_recursive(t->dir);
	mutex_lock(&t->lock);
	pdt_quiesce(t);
	mutex_unlock(&t->lock);
	clear_bit(0, &pdt_busy);
}

/* Nothing matches by ID: the device is bound through driver_override. */
static const struct pci_device_id pdt_ids[] = {
	{ }
};

static struct pci_driver pdt_driver = {
	.name = KBUILD_MODNAME,
	.id_table = pdt_ids,
	.probe = pdt_probe,
	.remove = pdt_remove,
};

static int __init pdt_init(void)
{
	return pci_register_driver(&pdt_driver);
}
module_init(pdt_init);

static void __exit pdt_exit(void)
{
	pci_unregister_driver(&pdt_driver);
	/* The IOMMU core detached them when the device went */
	if (pdt_left_pasid != INVALID_IOASID)
		ioasid_free(pdt_left_pasid);
	if (pdt_left_dma_pasid != INVALID_IOASID)
		iommu_free_global_pasid(pdt_left_dma_pasid);
}
module_exit(pdt_exit);

MODULE_DESCRIPTION("Kernel DMA PASID tests on an Intel DSA");
MODULE_LICENSE("GPL");
