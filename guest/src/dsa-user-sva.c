// SPDX-License-Identifier: GPL-2.0
/*
 * User-space SVA submission to a DSA shared work queue, end to end.
 *
 * Usage: dsa-user-sva [-t THREADS] [-m] /dev/dsa/wqD.Q
 *
 * Opening the WQ's char device binds this process's address space to the
 * device (SVA, a PASID for the mm); the limited portal is mapped and
 * descriptors go in with ENQCMD, which takes the PASID from IA32_PASID.
 * The first ENQCMD of each thread raises #GP and the kernel loads the MSR.
 * Descriptors use virtual addresses of this process:
 *
 *  a. MEMMOVE with block on fault, between pages the CPU never touched
 *     through the addresses the device uses: the source is a second
 *     mapping (never accessed) of a memfd that the CPU filled through a
 *     first mapping, the destination fresh anonymous memory.  The device
 *     sends page requests, the kernel faults the pages in, the copy
 *     completes; the data is checked through the first mapping.
 *  b. MEMMOVE without block on fault between pages the CPU has touched:
 *     success, data checked.
 *  c. MEMMOVE without block on fault from an untouched source, and from a
 *     touched source to an untouched destination: the completion record
 *     reports a page fault (0x03, 0x83 for a write) at the first byte of
 *     the untouched buffer, nothing completed.
 *  d. THREADS threads (default 2) each submit their own copies, so each
 *     takes the #GP fixup once.
 *  e. (only this one with -m) A 3 GiB mapping whose first and last pages the device has read (so
 *     their translations sit in the IOTLB and the device TLB) is unmapped
 *     in one munmap(): the kernel must invalidate the whole range, with
 *     valid invalidation descriptors, so that reading those addresses
 *     again faults instead of reaching the freed pages.  (The test script
 *     checks the kernel log for invalidation queue errors.)
 *
 * Completion records are polled with a time limit.  Prints PASS/FAIL per
 * check; exits 0 when all pass, 1 on a failure (a refused SVA bind
 * included), 4 (skip) when the WQ device or ENQCMD is not there.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/idxd.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "enqcmd.h"

#define PG		4096UL
#define LEN		(4 * PG)	/* copies cross page boundaries */
#define ENQ_TRIES	1000
#define TIMEOUT_MS	20000
#define THREAD_COPIES	8

static void *portal;
static int failures;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void check(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		failures++;
	pthread_mutex_unlock(&out_lock);
}

static void skip(const char *why)
{
	printf("SKIP: %s\n", why);
	exit(4);
}

/* Submit, retrying a bounded number of times; the number of tries. */
static int submit(const struct dsa_hw_desc *desc)
{
	int i;

	for (i = 1; i <= ENQ_TRIES; i++) {
		if (!enqcmd(portal, desc))
			return i;
		sched_yield();
	}
	return -1;
}

/* Wait for a status in @cr; 0 after TIMEOUT_MS. */
static uint8_t wait_cr(struct dsa_completion_record *cr)
{
	long long end = now_ms() + TIMEOUT_MS;

	while (!cr->status && now_ms() < end)
		sched_yield();
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return cr->status;
}

struct job {
	struct dsa_hw_desc desc __attribute__((aligned(64)));
	struct dsa_completion_record cr __attribute__((aligned(32)));
};

/*
 * MEMMOVE @len bytes from @src to @dst, block on fault if @bof; the
 * completion status (0: none in time, -1: not accepted).
 */
static int memmove_dsa(struct job *j, void *dst, const void *src,
		       size_t len, int bof, int *tries)
{
	memset(&j->desc, 0, sizeof(j->desc));
	memset(&j->cr, 0, sizeof(j->cr));
	j->desc.opcode = DSA_OPCODE_MEMMOVE;
	j->desc.flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR |
			(bof ? IDXD_OP_FLAG_BOF : 0);
	j->desc.completion_addr = (uintptr_t)&j->cr;
	j->desc.src_addr = (uintptr_t)src;
	j->desc.dst_addr = (uintptr_t)dst;
	j->desc.xfer_size = len;
	*tries = submit(&j->desc);
	if (*tries < 0)
		return -1;
	return wait_cr(&j->cr);
}

static void *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

static void *map_fd(int fd, size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		perror("mmap memfd");
		exit(1);
	}
	return p;
}

/* Resident pages of an anonymous range (mincore); -1 if unknown. */
static int resident(void *p, size_t len)
{
	unsigned char vec[LEN / PG];
	int i, n = 0;

	if (len > LEN || mincore(p, len, vec))
		return -1;
	for (i = 0; i < (int)(len / PG); i++)
		n += vec[i] & 1;
	return n;
}

/* PTE-present pages of a range, from /proc/self/pagemap; -1 if unknown. */
static int present(void *p, size_t len)
{
	uint64_t e;
	int fd, n = 0;
	size_t off;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return -1;
	for (off = 0; off < len; off += PG) {
		if (pread(fd, &e, sizeof(e),
			  ((uintptr_t)p + off) / PG * sizeof(e)) != sizeof(e)) {
			n = -1;
			break;
		}
		n += e >> 63;
	}
	close(fd);
	return n;
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 12));
}

static const char *status_str(int st)
{
	static char buf[32];

	if (st < 0)
		return "not accepted (Retry every time)";
	if (!st)
		return "no completion in time";
	snprintf(buf, sizeof(buf), "status %#x", st);
	return buf;
}

static void test_bof_untouched(int memfd)
{
	struct job j;
	uint8_t *filled, *src, *dst;
	int st, tries, pb, pa, rb, ra;

	filled = map_fd(memfd, LEN, PROT_READ | PROT_WRITE);
	fill(filled, LEN, 0x11);
	src = map_fd(memfd, LEN, PROT_READ);	/* never touched by the CPU */
	dst = map_anon(LEN);			/* never touched by the CPU */
	pb = present(src, LEN);
	rb = resident(dst, LEN);
	st = memmove_dsa(&j, dst, src, LEN, 1, &tries);
	pa = present(src, LEN);
	ra = resident(dst, LEN);
	printf("# a: src %p (untouched memfd mapping, PTEs present %d -> %d), dst %p (untouched anonymous, resident %d -> %d), %d ENQCMD tries\n",
	       src, pb, pa, dst, rb, ra, tries);
	check(rb == 0, "a: destination not resident before the copy (%d pages)", rb);
	check(pb <= 0, "a: source mapping has no PTE before the copy (%d pages%s)",
	      pb, pb < 0 ? ", pagemap unavailable" : "");
	check(st == DSA_COMP_SUCCESS,
	      "a: block-on-fault MEMMOVE on untouched memory completes: %s, bytes_completed %u, fault_addr %#llx",
	      status_str(st),
	      j.cr.bytes_completed, (unsigned long long)j.cr.fault_addr);
	check(st == DSA_COMP_SUCCESS && !memcmp(dst, filled, LEN),
	      "a: destination holds the source data (%lu bytes)", LEN);
	munmap(filled, LEN);
	munmap(src, LEN);
	munmap(dst, LEN);
}

static void test_touched(void)
{
	struct job j;
	uint8_t *src = map_anon(LEN), *dst = map_anon(LEN);
	int st, tries;

	fill(src, LEN, 0x22);
	memset(dst, 0xee, LEN);
	st = memmove_dsa(&j, dst + 100, src + 3, LEN - 200, 0, &tries);
	check(st == DSA_COMP_SUCCESS,
	      "b: MEMMOVE without block on fault on touched memory: %s (%d tries)",
	      status_str(st), tries);
	check(st == DSA_COMP_SUCCESS && !memcmp(dst + 100, src + 3, LEN - 200) &&
	      dst[99] == 0xee && dst[LEN - 100] == 0xee,
	      "b: destination holds the source data, nothing outside it written");
	munmap(src, LEN);
	munmap(dst, LEN);
}

static void test_fault(int memfd)
{
	struct job j;
	uint8_t *src, *dst, *touched;
	int st, tries;

	/* Untouched source (fresh memfd mapping), touched destination */
	src = map_fd(memfd, LEN, PROT_READ);
	dst = map_anon(LEN);
	memset(dst, 0xee, LEN);
	st = memmove_dsa(&j, dst, src, LEN, 0, &tries);
	printf("# c: read fault: %s, fault_addr %#llx (src %p), bytes_completed %u\n",
	       status_str(st), (unsigned long long)j.cr.fault_addr, src,
	       j.cr.bytes_completed);
	check(st == DSA_COMP_PAGE_FAULT_NOBOF,
	      "c: untouched source without block on fault: page fault (0x3) reported: %s",
	      status_str(st));
	check(j.cr.fault_addr == (uintptr_t)src && j.cr.bytes_completed == 0,
	      "c: read fault address is the source (%#llx), 0 bytes completed",
	      (unsigned long long)j.cr.fault_addr);
	check(dst[0] == 0xee && dst[LEN - 1] == 0xee,
	      "c: destination untouched after the read fault");
	munmap(src, LEN);
	munmap(dst, LEN);

	/* Touched source, untouched destination */
	touched = map_anon(LEN);
	fill(touched, LEN, 0x33);
	dst = map_anon(LEN);
	st = memmove_dsa(&j, dst, touched, LEN, 0, &tries);
	printf("# c: write fault: %s, fault_addr %#llx (dst %p), bytes_completed %u\n",
	       status_str(st), (unsigned long long)j.cr.fault_addr, dst,
	       j.cr.bytes_completed);
	check(st == (DSA_COMP_PAGE_FAULT_NOBOF | DSA_COMP_STATUS_WRITE),
	      "c: untouched destination without block on fault: write page fault (0x83) reported: %s",
	      status_str(st));
	check(j.cr.fault_addr == (uintptr_t)dst && j.cr.bytes_completed == 0,
	      "c: write fault address is the destination (%#llx), 0 bytes completed",
	      (unsigned long long)j.cr.fault_addr);
	check(resident(dst, LEN) == 0, "c: destination still not resident");
	munmap(touched, LEN);
	munmap(dst, LEN);
}

static void test_big_unmap(void)
{
	const size_t big_len = 3UL << 30;
	uint8_t *big, *dst = map_anon(PG), *page[2];
	struct job j;
	int st, i, tries;

	big = mmap(NULL, big_len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (big == MAP_FAILED) {
		check(0, "e: mmap 3 GiB: %s", strerror(errno));
		return;
	}
	page[0] = big;
	page[1] = big + big_len - PG;
	for (i = 0; i < 2; i++) {
		fill(page[i], PG, 0x50 + i);
		memset(dst, 0, PG);
		st = memmove_dsa(&j, dst, page[i], PG, 0, &tries);
		check(st == DSA_COMP_SUCCESS && !memcmp(dst, page[i], PG),
		      "e: device reads page %d of the 3 GiB mapping: %s", i,
		      status_str(st));
	}
	if (munmap(big, big_len)) {
		check(0, "e: munmap 3 GiB: %s", strerror(errno));
		return;
	}
	for (i = 0; i < 2; i++) {
		uint8_t old[64];

		fill(old, sizeof(old), 0x50 + i);
		memset(dst, 0, PG);
		st = memmove_dsa(&j, dst, page[i], PG, 0, &tries);
		if (st == DSA_COMP_SUCCESS)
			printf("# e: page %d read after munmap: %s\n", i,
			       memcmp(dst, old, sizeof(old)) ?
			       "its old contents are gone (page reused or cleared)" :
			       "it still holds its old contents");
		check(st == DSA_COMP_PAGE_FAULT_NOBOF &&
		      j.cr.fault_addr == (uintptr_t)page[i],
		      "e: after munmap of 3 GiB, reading page %d faults (%s, fault_addr %#llx)%s",
		      i, status_str(st), (unsigned long long)j.cr.fault_addr,
		      st == DSA_COMP_SUCCESS ? ": STALE TRANSLATION, freed page read" : "");
	}
	munmap(dst, PG);
}

/* Each thread: its first ENQCMD takes the #GP fixup, then more copies. */
static void *thread_copies(void *arg)
{
	long id = (long)arg;
	struct job j;
	uint8_t *src = map_anon(LEN), *dst = map_anon(LEN);
	int i, st = 0, tries, ok = 1, bad = -1;

	fill(src, LEN, 0x40 + id);
	for (i = 0; i < THREAD_COPIES && ok; i++) {
		/* Odd copies go to a fresh, untouched destination with BOF. */
		if (i & 1) {
			munmap(dst, LEN);
			dst = map_anon(LEN);
		} else {
			memset(dst, 0, LEN);
		}
		st = memmove_dsa(&j, dst, src, LEN, i & 1, &tries);
		ok = st == DSA_COMP_SUCCESS && !memcmp(dst, src, LEN);
		if (!ok)
			bad = i;
	}
	if (ok)
		check(1, "d: thread %ld: %d copies, half with block on fault to untouched memory",
		      id, THREAD_COPIES);
	else
		check(0, "d: thread %ld: copy %d of %d: %s", id, bad,
		      THREAD_COPIES, st == DSA_COMP_SUCCESS ? "data differ" : status_str(st));
	munmap(src, LEN);
	munmap(dst, LEN);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned int a, b, c, d;
	pthread_t th[16];
	long nthreads = 2, i;
	int fd, memfd, opt, unmap_only = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "t:m")) != -1) {
		if (opt == 'm') {
			unmap_only = 1;
			continue;
		}
		if (opt != 't')
			goto usage;
		nthreads = strtol(optarg, NULL, 0);
		if (nthreads < 0 || nthreads > 16)
			goto usage;
	}
	if (optind != argc - 1)
		goto usage;

	__cpuid_count(7, 0, a, b, c, d);
	if (!(c & (1u << 29)))
		skip("the CPU has no ENQCMD");
	fd = open(argv[optind], O_RDWR);
	if (fd < 0 && (errno == ENOENT || errno == ENODEV))
		skip("no such work queue device");
	if (fd < 0) {
		/* EOPNOTSUPP: the kernel refuses SVA binds (6.1 on x86) */
		printf("FAIL: open %s (SVA bind): %s\n", argv[optind], strerror(errno));
		return 1;
	}
	printf("# %s open: this process's mm is bound (SVA)\n", argv[optind]);
	portal = mmap(NULL, PG, PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (portal == MAP_FAILED) {
		printf("FAIL: mmap portal: %s\n", strerror(errno));
		return 1;
	}
	memfd = memfd_create("dsa-user-sva", 0);
	if (memfd < 0 || ftruncate(memfd, LEN)) {
		perror("memfd");
		return 1;
	}

	if (unmap_only) {
		test_big_unmap();
		nthreads = 0;
	} else {
		test_touched();
		test_bof_untouched(memfd);
		test_fault(memfd);
	}
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, thread_copies, (void *)i)) {
			check(0, "d: pthread_create");
			nthreads = i;
		}
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);

	munmap(portal, PG);
	close(fd);
	printf("# %d failure(s)\n", failures);
	return failures ? 1 : 0;

usage:
	fprintf(stderr, "usage: %s [-t THREADS] [-m] /dev/dsa/wqD.Q\n", argv[0]);
	return 2;
}
