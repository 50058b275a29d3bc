// SPDX-License-Identifier: GPL-2.0
/*
 * dsa-hostile - descriptors a hostile process submits to a shared user
 * work queue of a DSA, with ENQCMD: each must come back with the error the
 * DSA 1.0 specification gives for it (a completion record status, or a
 * software error when there is no record to write), the device must go on
 * taking work, and the emulator must keep running.
 *
 * Usage:
 * dsa-hostile /dev/dsa/wqD.Q MAX_XFER MAX_BATCH /dev/dsa/wqD.R REGS
 * (a shared work queue, its maximum transfer size and batch size, a
 * dedicated one, to which descriptors go with MOVDIR64B, and the sysfs
 * resource0 file of the DSA, its registers, at which DMA is aimed).
 * Run as root: 6.1's idxd lets only CAP_SYS_RAWIO map a DSA 1.0 portal
 * (INTEL-SA-01084), so no unprivileged path to the portal exists; the
 * test checks that refusal first, from a child that gave up root.
 *
 * While the largest batch runs, a thread on the other CPU sleeps 1 ms at
 * a time: each sleep ends with a timer interrupt that the emulator
 * delivers from its main loop, which a DSA doing the whole batch in one
 * go would hold up for as long.  The sleeps must go on (at least
 * MIN_BEATS of them) and none may take half the batch's time: how long
 * each takes depends on the host's load, whereas a batch done in one go
 * holds up one sleep for all of it.  (That the emulator also divides one
 * descriptor's work is for its qtest bounded-runs to show.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/idxd.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "enqcmd.h"

#define PG		4096
#define ENQ_TRIES	1000
#define TIMEOUT_MS	30000
#define MIN_BEATS	10
#define MAX_BEATS	(1 << 16)

struct job {
	struct dsa_hw_desc desc __attribute__((aligned(64)));
	struct dsa_completion_record cr __attribute__((aligned(32)));
};

static void *portal, *dportal;
static int failures;
static volatile int beat_stop;
static long long beat_at[MAX_BEATS];	/* when each sleep ended, in us */
static int nbeats;

static void check(int ok, const char *what, unsigned int got,
		  unsigned int want)
{
	printf("%s: %s (status 0x%02x, expected 0x%02x)\n",
	       ok ? "PASS" : "FAIL", what, got, want);
	fflush(stdout);
	if (!ok)
		failures++;
}

/* Wait for @j's record: its status, 0 if none in time */
static unsigned int wait_record(struct job *j)
{
	long long end = now_ms() + TIMEOUT_MS;

	while (!*(volatile uint8_t *)&j->cr.status && now_ms() < end)
		sched_yield();
	return j->cr.status & DSA_COMP_STATUS_MASK;
}

/* Submit @j with ENQCMD and wait for its record */
static unsigned int run(struct job *j)
{
	int i;

	memset(&j->cr, 0, sizeof(j->cr));
	for (i = 0; i < ENQ_TRIES && enqcmd(portal, &j->desc); i++)
		sched_yield();
	if (i == ENQ_TRIES)
		return 0x100;	/* never accepted */
	return wait_record(j);
}

/* Submit @j to the dedicated WQ with MOVDIR64B and wait for its record */
static unsigned int run_dedicated(struct job *j)
{
	memset(&j->cr, 0, sizeof(j->cr));
	movdir64b(dportal, &j->desc);
	return wait_record(j);
}

static void desc(struct job *j, unsigned int opcode, uint32_t flags,
		 const void *src, void *dst, uint32_t size)
{
	memset(&j->desc, 0, sizeof(j->desc));
	j->desc.opcode = opcode;
	j->desc.flags = IDXD_OP_FLAG_CRAV | IDXD_OP_FLAG_RCR | flags;
	j->desc.completion_addr = (uintptr_t)&j->cr;
	j->desc.src_addr = (uintptr_t)src;
	j->desc.dst_addr = (uintptr_t)dst;
	j->desc.xfer_size = size;
}

static void expect(struct job *j, const char *what, unsigned int want)
{
	unsigned int got = run(j);

	check(got == want, what, got, want);
}

/* The good work that must still complete */
static void good_copy(struct job *j, uint8_t *src, uint8_t *dst,
		      const char *when)
{
	char what[128];

	memset(src, 0x5a, PG);
	memset(dst, 0, PG);
	desc(j, DSA_OPCODE_MEMMOVE, 0, src, dst, PG);
	snprintf(what, sizeof(what), "a good copy %s completes", when);
	expect(j, what, DSA_COMP_SUCCESS);
	if (memcmp(src, dst, PG)) {
		printf("FAIL: ... but the destination is not a copy\n");
		failures++;
	}
}

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

static void pin(pthread_t t, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(t, sizeof(set), &set)) {
		fprintf(stderr, "dsa-hostile: cannot pin a thread to CPU %d\n",
			cpu);
		exit(1);
	}
}

/* On CPU 1, while the main thread waits for work on CPU 0 */
static void *heartbeat(void *arg)
{
	struct timespec ms = { 0, 1000000 };

	pin(pthread_self(), 1);
	while (!beat_stop && nbeats < MAX_BEATS) {
		nanosleep(&ms, NULL);
		beat_at[nbeats++] = now_us();
	}
	return arg;
}

/*
 * Of the sleeps that ended between @t0 and @t1: how many, and the longest
 * time between two ends (or between @t0 or @t1 and the nearest end)
 */
static int beats_between(long long t0, long long t1, long long *longest)
{
	long long last = t0;
	int i, n = 0;

	*longest = 0;
	for (i = 0; i < nbeats; i++) {
		if (beat_at[i] <= t0 || beat_at[i] > t1)
			continue;
		if (beat_at[i] - last > *longest)
			*longest = beat_at[i] - last;
		last = beat_at[i];
		n++;
	}
	if (t1 - last > *longest)
		*longest = t1 - last;
	return n;
}

/*
 * A copy whose completion record goes to @record, where nothing can be
 * waited for: the copy must be done all the same
 */
static void copy_record_at(struct job *j, uint8_t *src, uint8_t *dst,
			   void *record, const char *what)
{
	char line[128];
	long long end;
	int i, same;

	memset(src, 0xc3, PG);
	memset(dst, 0, PG);
	desc(j, DSA_OPCODE_MEMMOVE, 0, src, dst, PG);
	j->desc.completion_addr = (uintptr_t)record;
	for (i = 0; i < ENQ_TRIES && enqcmd(portal, &j->desc); i++)
		sched_yield();
	end = now_ms() + TIMEOUT_MS;
	while (memcmp(src, dst, PG) && now_ms() < end)
		sched_yield();
	same = !memcmp(src, dst, PG);
	snprintf(line, sizeof(line), "%s: copy done", what);
	check(i < ENQ_TRIES && same, line, same, 1);
}

/* The first page of the device file @path, shared */
static void *map_file(const char *path, int prot)
{
	int fd = open(path, O_RDWR);
	void *p;

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	p = mmap(NULL, PG, prot, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED) {
		perror(path);
		exit(1);
	}
	close(fd);
	return p;
}

/* A process without root cannot map the portal */
static void unprivileged_mmap_refused(const char *path)
{
	int status, fd = open(path, O_RDWR);
	pid_t pid;

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	pid = fork();
	if (!pid) {
		void *p;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		p = mmap(NULL, PG, PROT_WRITE, MAP_SHARED, fd, 0);
		_exit(p == MAP_FAILED && errno == EPERM ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	close(fd);
	printf("%s: a process without CAP_SYS_RAWIO cannot map the portal "
	       "(EPERM)\n",
	       WIFEXITED(status) && !WEXITSTATUS(status) ? "PASS" : "FAIL");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		failures++;
}

int main(int argc, char **argv)
{
	/* A copy's reserved bytes: 38-39 and 40-63 (DSA Table 5-3) */
	static const uint8_t rsvd[] = { 38, 39, 40, 48, 63 };
	struct dsa_hw_desc *list;
	uint32_t max_xfer, max_batch, i;
	long long t0, t1, longest;
	unsigned int status;
	pthread_t beat;
	int n, ok;
	uint8_t *src, *dst, *big, *regs;
	struct job *j, *sub;

	if (argc != 6) {
		fprintf(stderr, "usage: %s /dev/dsa/wqD.Q MAX_XFER MAX_BATCH "
			"/dev/dsa/wqD.R REGS\n", argv[0]);
		return 2;
	}
	max_xfer = strtoul(argv[2], NULL, 0);
	max_batch = strtoul(argv[3], NULL, 0);
	if (max_xfer < PG || max_xfer > (1u << 30) || max_batch < 2 ||
	    max_batch > 1024) {
		fprintf(stderr, "dsa-hostile: bad limits %s %s\n", argv[2],
			argv[3]);
		return 2;
	}
	unprivileged_mmap_refused(argv[1]);

	portal = map_file(argv[1], PROT_WRITE);
	dportal = map_file(argv[4], PROT_WRITE);
	regs = map_file(argv[5], PROT_READ | PROT_WRITE);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		fprintf(stderr, "dsa-hostile: the heartbeat needs two CPUs\n");
		return 1;
	}
	pin(pthread_self(), 0);
	j = map(sizeof(*j));
	sub = map(max_batch * sizeof(*sub));
	list = map(max_batch * sizeof(*list));
	src = map(PG);
	dst = map(PG);
	big = map(2 * (size_t)max_xfer);

	good_copy(j, src, dst, "first");

	desc(j, 0x3f, 0, src, dst, PG);
	expect(j, "an undefined opcode", DSA_COMP_BAD_OPCODE);
	desc(j, DSA_OPCODE_MEMMOVE, 0x40, src, dst, PG);
	expect(j, "a reserved flag (bit 6)", DSA_COMP_INVALID_FLAGS);
	desc(j, DSA_OPCODE_MEMMOVE, 1u << 20, src, dst, PG);
	expect(j, "a reserved flag (bit 20)", DSA_COMP_INVALID_FLAGS);
	desc(j, DSA_OPCODE_MEMMOVE, IDXD_OP_FLAG_FENCE, src, dst, PG);
	expect(j, "a fence outside a batch", DSA_COMP_INVALID_FLAGS);
	desc(j, DSA_OPCODE_MEMMOVE, IDXD_OP_FLAG_RCI, src, dst, PG);
	j->desc.int_handle = 0xffff;
	expect(j, "a completion interrupt on handle 0xffff",
	       DSA_COMP_INT_HANDLE_INVAL);
	/* The descriptor that once aborted the emulator */
	desc(j, 0x3f, IDXD_OP_FLAG_RCI, src, dst, PG);
	j->desc.int_handle = 0xffff;
	expect(j, "an undefined opcode asking for an interrupt on 0xffff",
	       DSA_COMP_BAD_OPCODE);
	desc(j, DSA_OPCODE_MEMMOVE, 0, src, dst, 0);
	expect(j, "a transfer of 0 bytes", DSA_COMP_XFER_ERANGE);
	desc(j, DSA_OPCODE_MEMMOVE, 0, big, big + max_xfer, max_xfer + 1);
	expect(j, "a transfer beyond the maximum", DSA_COMP_XFER_ERANGE);
	for (i = 0; i < sizeof(rsvd); i++) {
		char what[64];

		desc(j, DSA_OPCODE_MEMMOVE, 0, src, dst, PG);
		((uint8_t *)&j->desc)[rsvd[i]] = 1;
		snprintf(what, sizeof(what), "a non-zero reserved byte (%u)",
			 rsvd[i]);
		expect(j, what, DSA_COMP_NOZERO_RESERVE);
	}
	desc(j, DSA_OPCODE_MEMMOVE, 0, (void *)0x10, dst, PG);
	expect(j, "a source at an unmapped address",
	       DSA_COMP_PAGE_FAULT_NOBOF);
	desc(j, DSA_OPCODE_MEMMOVE, 0, src, portal, PG);
	expect(j, "a destination in the device's own portal",
	       DSA_COMP_PAGE_FAULT_NOBOF);
	/*
	 * A completion record aimed at the device's own portal: no record
	 * to wait for, but the copy is done and the device takes work after.
	 */
	copy_record_at(j, src, dst, portal,
		       "a completion record in the device's own portal");
	good_copy(j, src, dst, "after a completion record aimed at the portal");

	/*
	 * The device's own registers (BAR 0): the emulator keeps a device's
	 * DMA out of its own registers, as a page fault for the DSA.  Had it
	 * not, the fill would have reset the device in the middle of the
	 * descriptor.  The record goes to read-only capability registers
	 * (OPCAP): the test sees only that the copy is done and that the
	 * device goes on.
	 */
	desc(j, DSA_OPCODE_MEMMOVE, 0, regs, dst, PG);
	expect(j, "a source in the device's own registers",
	       DSA_COMP_PAGE_FAULT_NOBOF);
	desc(j, DSA_OPCODE_MEMFILL, 0, (void *)(uintptr_t)(5u << 20),
	     regs + 0xa0, 4);
	expect(j, "a Reset Device command filled into its own CMD register",
	       DSA_COMP_PAGE_FAULT_NOBOF);
	copy_record_at(j, src, dst, regs + 0x40,
		       "a completion record in the device's own registers");
	good_copy(j, src, dst,
		  "after work aimed at the device's own registers");
	desc(j, DSA_OPCODE_DUALCAST, 0, src, dst, PG);
	j->desc.dest2 = (uintptr_t)dst + 8;
	expect(j, "dualcast destinations at different page offsets",
	       DSA_COMP_DCAST_ERR);

	/*
	 * The dedicated WQ, with MOVDIR64B: the descriptor that aborted the
	 * emulator when it first came this way, then good work
	 */
	desc(j, 0x3f, IDXD_OP_FLAG_RCI, src, dst, PG);
	j->desc.int_handle = 0xffff;
	status = run_dedicated(j);
	check(status == DSA_COMP_BAD_OPCODE,
	      "dedicated WQ: an undefined opcode asking for an interrupt on "
	      "0xffff", status, DSA_COMP_BAD_OPCODE);
	memset(src, 0x3c, PG);
	memset(dst, 0, PG);
	desc(j, DSA_OPCODE_MEMMOVE, 0, src, dst, PG);
	status = run_dedicated(j);
	check(status == DSA_COMP_SUCCESS && !memcmp(src, dst, PG),
	      "dedicated WQ: a good copy after it", status, DSA_COMP_SUCCESS);

	/* Batches */
	desc(j, DSA_OPCODE_BATCH, 0, NULL, NULL, 0);
	j->desc.desc_list_addr = (uintptr_t)list;
	j->desc.desc_count = max_batch + 1;
	expect(j, "a batch beyond the maximum count",
	       DSA_COMP_DESC_CNT_ERANGE);
	j->desc.desc_count = 1;
	expect(j, "a batch of one", DSA_COMP_DESC_CNT_ERANGE);
	j->desc.desc_list_addr = (uintptr_t)list + 8;
	j->desc.desc_count = 2;
	expect(j, "a misaligned descriptor list", DSA_COMP_DESCLIST_ALIGN);
	for (i = 0; i < max_batch; i++) {
		desc(&sub[i], i & 1 ? 0x3f : DSA_OPCODE_BATCH, 0, src, dst,
		     PG);
		list[i] = sub[i].desc;
		memset(&sub[i].cr, 0, sizeof(sub[i].cr));
	}
	desc(j, DSA_OPCODE_BATCH, 0, NULL, NULL, 0);
	j->desc.desc_list_addr = (uintptr_t)list;
	j->desc.desc_count = max_batch;
	expect(j, "a batch of bad descriptors and batches",
	       DSA_COMP_BATCH_FAIL);
	for (i = 0; i < max_batch; i++)
		if ((sub[i].cr.status & DSA_COMP_STATUS_MASK) !=
		    DSA_COMP_BAD_OPCODE)
			break;
	check(i == max_batch, "... each of them a bad opcode",
	      i < max_batch ? sub[i].cr.status : DSA_COMP_BAD_OPCODE,
	      DSA_COMP_BAD_OPCODE);

	/* Huge work: a batch of maximum copies, twice over */
	for (i = 0; i < max_batch; i++) {
		desc(&sub[i], DSA_OPCODE_MEMMOVE, 0, big + (i & 1) * max_xfer,
		     big + !(i & 1) * max_xfer, max_xfer);
		list[i] = sub[i].desc;
	}
	desc(j, DSA_OPCODE_BATCH, 0, NULL, NULL, 0);
	j->desc.desc_list_addr = (uintptr_t)list;
	j->desc.desc_count = max_batch;
	if (pthread_create(&beat, NULL, heartbeat, NULL)) {
		fprintf(stderr, "dsa-hostile: no heartbeat thread\n");
		return 1;
	}
	usleep(50 * 1000);
	t0 = now_us();
	status = run(j);
	t1 = now_us();
	beat_stop = 1;
	pthread_join(beat, NULL);
	check(status == DSA_COMP_SUCCESS, "a batch of maximum transfers",
	      status, DSA_COMP_SUCCESS);
	n = beats_between(t0, t1, &longest);
	printf("the batch (%u x %u bytes) took %lld ms; CPU 1 slept 1 ms "
	       "%d times meanwhile, the longest sleep %lld ms\n", max_batch,
	       max_xfer, (t1 - t0) / 1000, n, longest / 1000);
	ok = status == DSA_COMP_SUCCESS && n >= MIN_BEATS &&
	     longest < (t1 - t0) / 2;
	printf("%s: the other CPU's timer went on during the batch (at least "
	       "%d sleeps, none of half the batch's time)\n",
	       ok ? "PASS" : "FAIL", MIN_BEATS);
	if (!ok)
		failures++;

	good_copy(j, src, dst, "afterwards");
	printf("dsa-hostile: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
