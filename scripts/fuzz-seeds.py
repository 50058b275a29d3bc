#!/usr/bin/env python3
"""Write the seed inputs of the intel-dsa fuzz target into a directory.

generic-fuzz reads its input as operations separated by "FUZZ": an opcode
byte, then the operation's C structure as generic_fuzz.c lays it out.  An
MMIO operation names a region by its index among the fuzzed regions in
address order, and an offset into it; for the generic-fuzz-intel-dsa
machine those are, as the fuzzer maps them:
    0 DSA registers (BAR0)  1 MSI-X table  2 MSI-X PBA  3 DSA portals (BAR2)
    4 VT-d registers
Each seed does what a driver would do to reach one part of the device; the
fuzzer mutates from there.  Usage: fuzz-seeds.py DIR
"""
import os
import struct
import sys

OP_WRITE, OP_ADD_DMA_PATTERN, OP_CLEAR_DMA_PATTERNS = 3, 7, 8
OP_CLOCK_STEP = 9
OP_DIRECT_STORE, OP_PCI_EXT_WRITE = 10, 12
REGS, PORTALS, VTD = 0, 3, 4
LONG, QUAD = 2, 3
MOVDIR64B, ENQCMD, ENQCMDS = 0, 1, 2

# DSA (include/hw/dma/intel_dsa.h)
CMD, WQCFG, GRPCFG = 0xa0, 0x800, 0x400
CMD_ENABLE_DEVICE, CMD_DRAIN_ALL, CMD_RESET_DEVICE = 1, 3, 5
CMD_ENABLE_WQ, CMD_DRAIN_PASID, CMD_ABORT_PASID = 6, 11, 12
MODE_DEDICATED, WQ_BOF, PASID_EN, PRIV = 1 << 0, 1 << 1, 1 << 28, 1 << 29
OPC_BATCH, OPC_MEMMOVE, OPC_MEMFILL, OPC_CRCGEN = 0x01, 0x03, 0x04, 0x10
OPC_CR_DELTA, OPC_AP_DELTA, OPC_DIF_CHECK, OPC_DIF_INS = 0x07, 0x08, 0x12, 0x13
OPC_CFLUSH = 0x20
CRAV, RCR, RCI, BOF = 1 << 2, 1 << 3, 1 << 4, 1 << 1
PASID_CAP, ATS_CAP, PRI_CAP = 0x100, 0x108, 0x110

# VT-d (hw/i386/intel_iommu_internal.h)
GCMD, RTADDR, IQT, IQA, PQA, PECTL = 0x18, 0x20, 0x88, 0x90, 0xd0, 0xe0
PQH = 0xc0
GCMD_TE, GCMD_SRTP, GCMD_QIE = 1 << 31, 1 << 30, 1 << 26
RTADDR_SMT, IQA_DW_256 = 1 << 10, 1 << 11


def write(size, region, offset, value):
    return bytes([OP_WRITE]) + struct.pack('<BBxxIQ', size, region, offset,
                                           value)


def cfg_ext(offset, value, size=LONG):
    return bytes([OP_PCI_EXT_WRITE]) + struct.pack('<BBHI', size, 0, offset,
                                                   value)


def dma_pattern(data):
    return bytes([OP_ADD_DMA_PATTERN, 0, 0]) + data


def store(kind, offset, desc):
    return bytes([OP_DIRECT_STORE]) + struct.pack('<BBxxI', kind, PORTALS,
                                                  offset) + desc


def desc(opcode, flags, comp=0, src=0, dst=0, size=0, pasid=0, handle=0,
         extra=b''):
    d = struct.pack('<IIQQQIH', pasid, flags | opcode << 24, comp, src, dst,
                    size, handle) + extra
    return d + bytes(64 - len(d))


def cmd(code, operand=0):
    return write(LONG, REGS, CMD, code << 20 | operand)


def wq(n, mode, size=16):
    base = WQCFG + n * 32
    return [write(LONG, REGS, base, size),
            write(LONG, REGS, base + 8, mode),
            write(LONG, REGS, base + 12, 21 | 5 << 5),
            write(QUAD, REGS, GRPCFG, 1 << n),
            write(QUAD, REGS, GRPCFG + 0x20, 1)]


def portal(n):
    return n * 4 * 0x1000


def vtd_sva():
    """Queued invalidation, a page request queue, scalable-mode root table
    at 0x700000 and translation on"""
    return [write(QUAD, VTD, IQA, 0x500000 | IQA_DW_256),
            write(LONG, VTD, GCMD, GCMD_QIE),
            write(QUAD, VTD, PQA, 0x600000),
            write(LONG, VTD, PECTL, 0),
            write(QUAD, VTD, RTADDR, 0x700000 | RTADDR_SMT),
            write(LONG, VTD, GCMD, GCMD_QIE | GCMD_SRTP),
            write(LONG, VTD, GCMD, GCMD_QIE | GCMD_TE)]


def dsa_ats_pri():
    """The DSA's PASID, ATS and page requests on"""
    return [pasid_on(), cfg_ext(ATS_CAP + 4, 1 << 31),
            cfg_ext(PRI_CAP + 0xc, 16), cfg_ext(PRI_CAP + 4, 1)]


def bof_copy():
    """WQ 0 with PASID 3 and block on fault, enabled, and a copy on it"""
    return wq(0, MODE_DEDICATED | PRIV | WQ_BOF | PASID_EN | 3 << 8) + [
        cmd(CMD_ENABLE_DEVICE), cmd(CMD_ENABLE_WQ, 0),
        store(MOVDIR64B, portal(0),
              desc(OPC_MEMMOVE, CRAV | RCR | BOF, 0x100000, 0x200000,
                   0x300000, 4096))]


def page_request_chain():
    """Translation on, the DSA's ATS and PRI, the tables the vIOMMU reads
    down to a first-level table with nothing present, and a copy that
    blocks on that fault and sends a page request"""
    return vtd_sva() + dsa_ats_pri() + pasid_tables() + [
        dma_pattern(bytes(8)),
    ] + bof_copy() + [
        bytes([OP_CLOCK_STEP]), bytes([OP_CLEAR_DMA_PATTERNS])]


def pasid_tables():
    """Patterns for the vIOMMU's reads, in their order, down to PASID 3's
    entry: the root entry, the scalable-mode context entry (PASID
    directory, device TLB, PASIDs, page requests), the PASID directory
    entry, then the PASID entries of PASID 0 (RID2PASID) and PASID 3, both
    first-level with the table at 0x704000, domain 1, supervisor requests
    allowed"""
    pe = struct.pack('<QQQQQQQQ', 1 << 6 | 1, 1, 0x704000 | 1,
                     0, 0, 0, 0, 0)
    return [dma_pattern(struct.pack('<QQ', 0x701000 | 1, 0)),
            dma_pattern(struct.pack('<QQQQ',
                                    0x702000 | 1 << 4 | 1 << 3 | 1 << 2 | 1,
                                    0, 0, 0)),
            dma_pattern(struct.pack('<Q', 0x703000 | 1)),
            dma_pattern(pe), dma_pattern(pe)]


def pasid_on():
    # PASID control (PASID capability + 6): enable, privileged mode
    return cfg_ext(PASID_CAP + 4, (1 << 0 | 1 << 2) << 16)


SEEDS = {
    'dsa-dedicated-memmove': wq(0, MODE_DEDICATED | PRIV) + [
        cmd(CMD_ENABLE_DEVICE), cmd(CMD_ENABLE_WQ, 0),
        store(MOVDIR64B, portal(0),
              desc(OPC_MEMMOVE, CRAV | RCR, 0x100000, 0x200000, 0x300000,
                   4096)),
        bytes([OP_CLOCK_STEP])],
    # DIF insert of two 512-byte blocks, a check of the result, a delta
    # record made and applied (bytes 40-63 after the 38 desc() fills)
    'dsa-dif-delta-cflush': wq(0, MODE_DEDICATED | PRIV) + [
        cmd(CMD_ENABLE_DEVICE), cmd(CMD_ENABLE_WQ, 0),
        store(MOVDIR64B, portal(0),
              desc(OPC_DIF_INS, CRAV | RCR, 0x100000, 0x200000, 0x300000,
                   1024, extra=bytes(18) + struct.pack('<IHH', 0x100, 0,
                                                       0xabcd))),
        store(MOVDIR64B, portal(0),
              desc(OPC_DIF_CHECK, CRAV | RCR, 0x100020, 0x300000, 0, 1040,
                   extra=bytes(10) + struct.pack('<IHH', 0x100, 0,
                                                 0xabcd))),
        store(MOVDIR64B, portal(0),
              desc(OPC_CR_DELTA, CRAV | RCR, 0x100040, 0x200000, 0x300000,
                   1024, extra=bytes(2) + struct.pack('<QI', 0x380000, 800))),
        store(MOVDIR64B, portal(0),
              desc(OPC_AP_DELTA, CRAV | RCR, 0x100060, 0x380000, 0x200000,
                   1024, extra=bytes(2) + struct.pack('<I', 20))),
        store(MOVDIR64B, portal(0),
              desc(OPC_CFLUSH, CRAV | RCR, 0x100080, 0, 0x200000, 8192)),
        bytes([OP_CLOCK_STEP])],
    'dsa-shared-enqcmds': [pasid_on()] + wq(1, PRIV | PASID_EN) + [
        cmd(CMD_ENABLE_DEVICE), cmd(CMD_ENABLE_WQ, 1),
        store(ENQCMDS, portal(1),
              desc(OPC_MEMFILL, CRAV | RCR | RCI, 0x100040, 0x5a5a5a5a,
                   0x310000, 8192, pasid=1 << 31 | 5)),
        store(ENQCMD, portal(1),
              desc(OPC_CRCGEN, CRAV | RCR, 0x100080, 0x200000, 0, 512,
                   pasid=7)),
        cmd(CMD_DRAIN_PASID, 5), cmd(CMD_ABORT_PASID, 7),
        bytes([OP_CLOCK_STEP])],
    'dsa-batch': wq(0, MODE_DEDICATED | PRIV) + [
        cmd(CMD_ENABLE_DEVICE), cmd(CMD_ENABLE_WQ, 0),
        dma_pattern(desc(OPC_MEMMOVE, CRAV | RCR, 0x100100, 0x200000,
                         0x300000, 256)),
        store(MOVDIR64B, portal(0),
              desc(OPC_BATCH, CRAV | RCR, 0x1000c0, 0x400000, 0, 4)),
        bytes([OP_CLOCK_STEP]), cmd(CMD_DRAIN_ALL), cmd(CMD_RESET_DEVICE)],
    # Scalable-mode translation with a queued invalidation and a page
    # request queue; the DSA with ATS and PRI, its WQ blocking on faults.
    # The tables and queue entries the IOMMU reads come from the pattern.
    'vtd-sva-prq': vtd_sva() + dsa_ats_pri() + [
        dma_pattern(struct.pack('<QQQQ', 0x700001, 0x7000000000000, 0, 0))
    ] + bof_copy() + [
        write(QUAD, VTD, IQT, 0x20),
        bytes([OP_CLOCK_STEP])],
    # The same with tables that translate: the vIOMMU reads, in this order,
    # the root entry, the scalable-mode context entry (PASID directory,
    # device TLB, page requests), the PASID directory entry, the PASID
    # entries of PASID 0 (RID2PASID) and PASID 3 (first-level, supervisor
    # requests allowed), then a
    # first-level table with nothing present: the DSA's translation request
    # fails, its descriptor blocks on the fault and sends a page request,
    # which the invalidation queue answers with a page group response.
    'vtd-pasid-page-request': page_request_chain() + [
        dma_pattern(struct.pack('<QQQQ', 0x9 | 1 << 4 | 0x0008 << 16 |
                                3 << 32, 1 << 2, 0, 0)),
        write(QUAD, VTD, IQT, 0x20),
        bytes([OP_CLOCK_STEP])],
    # The same chain, the page request answered Response Failure: the
    # descriptor ends with a translation error (0x22, in SWERR too) and
    # the DSA's PRI status gets Response Failure, which stops its page
    # requests.
    'vtd-response-failure': page_request_chain() + [
        dma_pattern(struct.pack('<QQQQ', 0x9 | 1 << 4 | 0xf << 12 |
                                0x0008 << 16 | 3 << 32, 1 << 2, 0, 0)),
        write(QUAD, VTD, IQT, 0x20),
        bytes([OP_CLOCK_STEP])],
    # A context entry with DTE clear (page requests still enabled): the
    # DSA's translation requests fail (Unsupported Request, fault 0x44
    # recorded) and its copy ends with a translation error.
    'vtd-dte-clear': vtd_sva() + dsa_ats_pri() + [
        dma_pattern(struct.pack('<QQ', 0x701000 | 1, 0)),
        dma_pattern(struct.pack('<QQQQ', 0x702000 | 1 << 4 | 1 << 3 | 1, 0,
                                    0, 0)),
        dma_pattern(struct.pack('<Q', 0x703000 | 1)),
        dma_pattern(struct.pack('<QQQQQQQQ', 1 << 6 | 1, 1, 0x704000 | 1,
                                0, 0, 0, 0, 0)),
    ] + bof_copy() + [
        bytes([OP_CLOCK_STEP])],
    # The same tables, but the PASID directory entry has Fault Processing
    # Disable set and PASID 3's entry asks for 5-level first-level paging,
    # which the vIOMMU lacks, and the WQ makes user requests: the request
    # fails with no fault recorded (the walk took that level unchecked,
    # and QEMU aborted).
    'vtd-pasid-fpd': vtd_sva() + dsa_ats_pri() + [
        dma_pattern(struct.pack('<QQ', 0x701000 | 1, 0)),
        dma_pattern(struct.pack('<QQQQ',
                                0x702000 | 1 << 4 | 1 << 3 | 1 << 2 | 1,
                                0, 0, 0)),
        dma_pattern(struct.pack('<Q', 0x703000 | 1 << 1 | 1)),
        dma_pattern(struct.pack('<QQQQQQQQ', 1 << 6 | 1, 1, 0x704000 | 1,
                                0, 0, 0, 0, 0)),
        dma_pattern(struct.pack('<QQQQQQQQ', 1 << 6 | 1, 1,
                                0x704000 | 1 << 2 | 1, 0, 0, 0, 0, 0)),
        dma_pattern(struct.pack('<Q', 0x705000 | 7)),
    ] + wq(0, MODE_DEDICATED | WQ_BOF | PASID_EN | 3 << 8) + [
        cmd(CMD_ENABLE_DEVICE), cmd(CMD_ENABLE_WQ, 0),
        store(MOVDIR64B, portal(0),
              desc(OPC_MEMMOVE, CRAV | RCR | BOF, 0x100000, 0x200000,
                   0x300000, 4096)),
        bytes([OP_CLOCK_STEP])],
    # A copy through PASID 3 that translates (first level, a 1 GiB page
    # mapping the first GiB as it is: PML4 entry, then PDPT entry), so
    # that the IOTLB holds PASID 3's translation; then, from the queue,
    # PASID-based IOTLB invalidations (a page PASID 3 does not map, then
    # all of PASID 3), a PASID-cache invalidation (PASID 3 in domain 1),
    # which reads the entries again, and the copy again, walking again.
    'vtd-pasid-iotlb': [pasid_on()] + vtd_sva() + [
        bytes([OP_CLEAR_DMA_PATTERNS])] + pasid_tables() + [
        dma_pattern(struct.pack('<Q', 0x705000 | 7)),
        dma_pattern(struct.pack('<Q', 1 << 7 | 7)),
        dma_pattern(b'\x5a' * 8),
    ] + wq(0, MODE_DEDICATED | PRIV | PASID_EN | 3 << 8) + [
        cmd(CMD_ENABLE_DEVICE), cmd(CMD_ENABLE_WQ, 0),
        store(MOVDIR64B, portal(0),
              desc(OPC_MEMMOVE, CRAV | RCR, 0x100000, 0x200000, 0x300000,
                   4096)),
        bytes([OP_CLOCK_STEP]), bytes([OP_CLEAR_DMA_PATTERNS]),
        dma_pattern(struct.pack('<QQQQ', 0x6 | 3 << 4 | 1 << 16 | 3 << 32,
                                0x40000000, 0, 0)),
        dma_pattern(struct.pack('<QQQQ', 0x6 | 2 << 4 | 1 << 16 | 3 << 32,
                                0, 0, 0)),
        write(QUAD, VTD, IQT, 2 * 0x20), bytes([OP_CLEAR_DMA_PATTERNS]),
        dma_pattern(struct.pack('<QQQQ', 0x7 | 1 << 4 | 1 << 16 | 3 << 32,
                                0, 0, 0))] + pasid_tables() + [
        write(QUAD, VTD, IQT, 3 * 0x20), bytes([OP_CLEAR_DMA_PATTERNS])
    ] + pasid_tables() + [
        dma_pattern(struct.pack('<Q', 0x705000 | 7)),
        dma_pattern(struct.pack('<Q', 1 << 7 | 7)),
        dma_pattern(b'\xa5' * 8),
        store(MOVDIR64B, portal(0),
              desc(OPC_MEMMOVE, CRAV | RCR, 0x100020, 0x200000, 0x300000,
                   4096)),
        bytes([OP_CLOCK_STEP])],
    # A full page request queue (head one entry past the tail): the
    # vIOMMU sets Page Request Overflow and answers the DSA's page request
    # itself (Success, as the request is the last of its group).
    'vtd-prq-overflow': [write(QUAD, VTD, PQH, 0x20)] +
    page_request_chain() + [bytes([OP_CLOCK_STEP])],
    # The invalidation queue with the PASID-related descriptors, one per
    # DMA pattern (each 256-bit descriptor is one read): PASID-based IOTLB
    # (all of PASID 3 in domain 1), PASID cache (PASID 3), PASID-based
    # device TLB (all of the DSA's PASID 3), and a wait that drains page
    # requests and writes a status.
    'vtd-pasid-invalidations': [
        write(QUAD, VTD, IQA, 0x500000 | IQA_DW_256),
        write(LONG, VTD, GCMD, GCMD_QIE),
        write(QUAD, VTD, PQA, 0x600000),
        write(QUAD, VTD, RTADDR, 0x700000 | RTADDR_SMT),
        write(LONG, VTD, GCMD, GCMD_QIE | GCMD_SRTP),
        dma_pattern(struct.pack('<QQQQ', 0x6 | 2 << 4 | 1 << 16 | 3 << 32,
                                0, 0, 0)),
        dma_pattern(struct.pack('<QQQQ', 0x7 | 1 << 4 | 1 << 16 | 3 << 32,
                                0, 0, 0)),
        dma_pattern(struct.pack('<QQQQ', 0x8 | 0x0008 << 16 | 3 << 32,
                                1 << 11 | 0x7ffff000, 0, 0)),
        dma_pattern(struct.pack('<QQQQ', 0x5 | 1 << 5 | 1 << 7 |
                                0x1234 << 32, 0x510000, 0, 0)),
        write(QUAD, VTD, IQT, 4 * 0x20),
        bytes([OP_CLOCK_STEP])],
}


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: fuzz-seeds.py DIR')
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, ops in SEEDS.items():
        with open(os.path.join(sys.argv[1], 'seed-' + name), 'wb') as f:
            f.write(b'FUZZ'.join(ops))


if __name__ == '__main__':
    main()
