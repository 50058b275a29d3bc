/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest programs that submit to a DSA work queue share: ENQCMD,
 * MOVDIR64B and a monotonic clock.
 */
#ifndef GUEST_ENQCMD_H
#define GUEST_ENQCMD_H

#include <stdint.h>
#include <time.h>

/*
 * ENQCMD of the 64-byte @desc to the portal @dst: 1 if the WQ said Retry.
 * SFENCE first, so that what the descriptor points at is written before
 * the device reads it: the enqueue store is weakly ordered, as
 * MOVDIR64B's is, and Linux's idxd puts wmb() before both.
 */
static inline int enqcmd(void *dst, const void *desc)
{
	uint8_t retry;

	asm volatile("sfence\n\tenqcmd (%[d]), %[p]\n\tsetz %[r]"
		     : [r] "=r" (retry)
		     : [p] "r" (dst), [d] "r" (desc)
		     : "cc", "memory");
	return retry;
}

/* MOVDIR64B of the 64-byte @desc to @dst (SFENCE first, as above) */
static inline void movdir64b(void *dst, const void *desc)
{
	asm volatile("sfence\n\tmovdir64b (%[d]), %[p]"
		     : : [p] "r" (dst), [d] "r" (desc) : "memory");
}

static inline long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static inline long long now_ms(void)
{
	return now_us() / 1000;
}

#endif
