// SPDX-License-Identifier: GPL-2.0
/*
 * MOVDIRI and MOVDIR64B as a user program sees them: enumerated in CPUID,
 * storing what they should to RAM, and MOVDIR64B faulting (#GP, so
 * SIGSEGV) on a destination that is not 64-byte aligned.  Prints KTAP.
 */
#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "enqcmd.h"

static sigjmp_buf jump;
static volatile sig_atomic_t signo;

static void on_signal(int sig)
{
	signo = sig;
	siglongjmp(jump, 1);
}

static int n, failed;

static void result(int ok, const char *name, const char *skip)
{
	n++;
	if (skip)
		printf("ok %d %s # SKIP %s\n", n, name, skip);
	else
		printf("%sok %d %s\n", ok ? "" : "not ", n, name);
	if (!ok && !skip)
		failed = 1;
}

int main(void)
{
	unsigned int a, b, c, d;
	int has64b, hasdiri;
	uint8_t src[64], dst[192] __attribute__((aligned(64)));
	uint64_t word = 0;
	int i, ok;

	printf("KTAP version 1\n1..5\n");
	__cpuid_count(7, 0, a, b, c, d);
	hasdiri = !!(c & (1u << 27));
	has64b = !!(c & (1u << 28));
	result(has64b, "cpuid-enumerates-movdir64b", NULL);
	result(hasdiri, "cpuid-enumerates-movdiri", NULL);

	for (i = 0; i < 64; i++)
		src[i] = 0xa0 + i;
	memset(dst, 0x5a, sizeof(dst));
	if (has64b) {
		movdir64b(dst + 64, src);
		ok = !memcmp(dst + 64, src, 64);
		for (i = 0; i < 64; i++)
			ok &= dst[i] == 0x5a && dst[128 + i] == 0x5a;
		result(ok, "movdir64b-stores-64-bytes-and-no-more", NULL);
	} else {
		result(0, "movdir64b-stores-64-bytes-and-no-more", "no MOVDIR64B");
	}

	if (has64b) {
		signal(SIGSEGV, on_signal);
		signo = 0;
		if (!sigsetjmp(jump, 1))
			movdir64b(dst + 8, src);
		signal(SIGSEGV, SIG_DFL);
		/* The faulting store must not have written anything. */
		ok = signo == SIGSEGV;
		for (i = 0; i < 64; i++)
			ok &= dst[i] == 0x5a;
		printf("# misaligned MOVDIR64B: signal %d\n", (int)signo);
		result(ok, "movdir64b-misaligned-destination-faults", NULL);
	} else {
		result(0, "movdir64b-misaligned-destination-faults", "no MOVDIR64B");
	}

	if (hasdiri) {
		asm volatile("movdiri %1, %0" : "=m"(word) : "r"(0x1122334455667788ull));
		result(word == 0x1122334455667788ull, "movdiri-stores-a-qword", NULL);
	} else {
		result(0, "movdiri-stores-a-qword", "no MOVDIRI");
	}
	return failed;
}
