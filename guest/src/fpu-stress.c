/*
 * FPU state survives context switches: several processes each fill the
 * x87 stack, MXCSR and all 16 XMM registers (and their YMM upper halves
 * when AVX is on) with values of their own, yield the CPU in a system
 * call while the others run, and check that every register came back.
 * The kernel saves and restores that state with XSAVE[S]/XRSTOR[S], so a
 * wrong save area layout or a lost component shows up here as a
 * mismatch, in whichever process it hits.
 *
 *   fpu-stress [PROCESSES [SECONDS]]      default 4 processes, 10 s
 */
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NREGS 16

struct vec_state {
	uint8_t ymm[NREGS][32];
} __attribute__((aligned(32)));

static int have_avx(void)
{
	unsigned int a, b, c, d;
	uint32_t xcr0_lo, xcr0_hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
	return (xcr0_lo & 6) == 6;
}

static void fill(struct vec_state *v, uint64_t seed)
{
	int r, i;

	for (r = 0; r < NREGS; r++)
		for (i = 0; i < 32; i++)
			v->ymm[r][i] = (uint8_t)(seed * 131 + r * 32 + i + (seed >> 8));
}

/* Load all vector registers, yield in a system call, store them back. */
static void round_trip_ymm(const struct vec_state *in, struct vec_state *out)
{
	long nr = SYS_sched_yield;

	__asm__ volatile(
		"vmovdqa 0(%1), %%ymm0\n\t"   "vmovdqa 32(%1), %%ymm1\n\t"
		"vmovdqa 64(%1), %%ymm2\n\t"  "vmovdqa 96(%1), %%ymm3\n\t"
		"vmovdqa 128(%1), %%ymm4\n\t" "vmovdqa 160(%1), %%ymm5\n\t"
		"vmovdqa 192(%1), %%ymm6\n\t" "vmovdqa 224(%1), %%ymm7\n\t"
		"vmovdqa 256(%1), %%ymm8\n\t" "vmovdqa 288(%1), %%ymm9\n\t"
		"vmovdqa 320(%1), %%ymm10\n\t" "vmovdqa 352(%1), %%ymm11\n\t"
		"vmovdqa 384(%1), %%ymm12\n\t" "vmovdqa 416(%1), %%ymm13\n\t"
		"vmovdqa 448(%1), %%ymm14\n\t" "vmovdqa 480(%1), %%ymm15\n\t"
		"syscall\n\t"
		"vmovdqa %%ymm0, 0(%2)\n\t"   "vmovdqa %%ymm1, 32(%2)\n\t"
		"vmovdqa %%ymm2, 64(%2)\n\t"  "vmovdqa %%ymm3, 96(%2)\n\t"
		"vmovdqa %%ymm4, 128(%2)\n\t" "vmovdqa %%ymm5, 160(%2)\n\t"
		"vmovdqa %%ymm6, 192(%2)\n\t" "vmovdqa %%ymm7, 224(%2)\n\t"
		"vmovdqa %%ymm8, 256(%2)\n\t" "vmovdqa %%ymm9, 288(%2)\n\t"
		"vmovdqa %%ymm10, 320(%2)\n\t" "vmovdqa %%ymm11, 352(%2)\n\t"
		"vmovdqa %%ymm12, 384(%2)\n\t" "vmovdqa %%ymm13, 416(%2)\n\t"
		"vmovdqa %%ymm14, 448(%2)\n\t" "vmovdqa %%ymm15, 480(%2)\n\t"
		"vzeroupper"
		: "+a"(nr)
		: "r"(in), "r"(out)
		: "rcx", "r11", "memory",
		  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
		  "xmm15");
}

static void round_trip_xmm(const struct vec_state *in, struct vec_state *out)
{
	long nr = SYS_sched_yield;

	/* Each XMM register from the low half of its YMM slot */
	__asm__ volatile(
		"movdqa 0(%1), %%xmm0\n\t"   "movdqa 32(%1), %%xmm1\n\t"
		"movdqa 64(%1), %%xmm2\n\t"  "movdqa 96(%1), %%xmm3\n\t"
		"movdqa 128(%1), %%xmm4\n\t" "movdqa 160(%1), %%xmm5\n\t"
		"movdqa 192(%1), %%xmm6\n\t" "movdqa 224(%1), %%xmm7\n\t"
		"movdqa 256(%1), %%xmm8\n\t" "movdqa 288(%1), %%xmm9\n\t"
		"movdqa 320(%1), %%xmm10\n\t" "movdqa 352(%1), %%xmm11\n\t"
		"movdqa 384(%1), %%xmm12\n\t" "movdqa 416(%1), %%xmm13\n\t"
		"movdqa 448(%1), %%xmm14\n\t" "movdqa 480(%1), %%xmm15\n\t"
		"syscall\n\t"
		"movdqa %%xmm0, 0(%2)\n\t"   "movdqa %%xmm1, 32(%2)\n\t"
		"movdqa %%xmm2, 64(%2)\n\t"  "movdqa %%xmm3, 96(%2)\n\t"
		"movdqa %%xmm4, 128(%2)\n\t" "movdqa %%xmm5, 160(%2)\n\t"
		"movdqa %%xmm6, 192(%2)\n\t" "movdqa %%xmm7, 224(%2)\n\t"
		"movdqa %%xmm8, 256(%2)\n\t" "movdqa %%xmm9, 288(%2)\n\t"
		"movdqa %%xmm10, 320(%2)\n\t" "movdqa %%xmm11, 352(%2)\n\t"
		"movdqa %%xmm12, 384(%2)\n\t" "movdqa %%xmm13, 416(%2)\n\t"
		"movdqa %%xmm14, 448(%2)\n\t" "movdqa %%xmm15, 480(%2)"
		: "+a"(nr)
		: "r"(in), "r"(out)
		: "rcx", "r11", "memory",
		  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
		  "xmm15");
}

/* x87: push eight values and a control word, yield, read them back. */
static int round_trip_x87(uint64_t seed)
{
	double in[8], out[8];
	uint16_t cw_in = 0x0c7f, cw_out = 0;	/* round toward zero */
	long nr = SYS_sched_yield;
	int i;

	for (i = 0; i < 8; i++)
		in[i] = (double)(seed * 8 + i) + 0.25;
	__asm__ volatile(
		"fninit\n\t"
		"fldcw %3\n\t"
		"fldl 0(%1)\n\t" "fldl 8(%1)\n\t" "fldl 16(%1)\n\t" "fldl 24(%1)\n\t"
		"fldl 32(%1)\n\t" "fldl 40(%1)\n\t" "fldl 48(%1)\n\t" "fldl 56(%1)\n\t"
		"syscall\n\t"
		"fnstcw %4\n\t"
		"fstpl 0(%2)\n\t" "fstpl 8(%2)\n\t" "fstpl 16(%2)\n\t" "fstpl 24(%2)\n\t"
		"fstpl 32(%2)\n\t" "fstpl 40(%2)\n\t" "fstpl 48(%2)\n\t" "fstpl 56(%2)\n\t"
		"fninit"
		: "+a"(nr)
		: "r"(in), "r"(out), "m"(cw_in), "m"(cw_out)
		: "rcx", "r11", "memory", "st", "st(1)", "st(2)", "st(3)",
		  "st(4)", "st(5)", "st(6)", "st(7)");
	if (cw_out != cw_in) {
		fprintf(stderr, "x87 control word %#x, expected %#x\n", cw_out, cw_in);
		return 1;
	}
	for (i = 0; i < 8; i++) {
		if (out[i] != in[7 - i]) {
			fprintf(stderr, "x87 st(%d) %f, expected %f\n", i, out[i], in[7 - i]);
			return 1;
		}
	}
	return 0;
}

static int round_trip_mxcsr(uint32_t val)
{
	uint32_t old, got;
	long nr = SYS_sched_yield;

	__asm__ volatile("stmxcsr %0" : "=m"(old));
	__asm__ volatile("ldmxcsr %1\n\tsyscall\n\tstmxcsr %2"
			 : "+a"(nr) : "m"(val), "m"(got) : "rcx", "r11", "memory");
	__asm__ volatile("ldmxcsr %0" : : "m"(old));
	if (got != val) {
		fprintf(stderr, "MXCSR %#x, expected %#x\n", got, val);
		return 1;
	}
	return 0;
}

static int child(int id, int seconds, int avx)
{
	static struct vec_state in, out;
	time_t end = time(NULL) + seconds;
	uint64_t n = 0, seed;
	int r, len = avx ? 32 : 16;

	while (time(NULL) < end) {
		seed = ((uint64_t)id << 32) | n;
		fill(&in, seed);
		memset(&out, 0, sizeof(out));
		if (avx)
			round_trip_ymm(&in, &out);
		else
			round_trip_xmm(&in, &out);
		for (r = 0; r < NREGS; r++) {
			if (memcmp(in.ymm[r], out.ymm[r], len)) {
				fprintf(stderr, "process %d round %llu: %smm%d corrupted\n",
					id, (unsigned long long)n, avx ? "y" : "x", r);
				return 1;
			}
		}
		if (round_trip_x87(seed) ||
		    round_trip_mxcsr(0x1f80 ^ ((n & 3) << 13)))
			return 1;
		n++;
	}
	printf("process %d: %llu rounds, state intact\n", id, (unsigned long long)n);
	return 0;
}

int main(int argc, char **argv)
{
	int procs = argc > 1 ? atoi(argv[1]) : 4;
	int seconds = argc > 2 ? atoi(argv[2]) : 10;
	int avx = have_avx(), i, status, failed = 0;
	pid_t pid;

	if (procs < 1 || procs > 64 || seconds < 1) {
		fprintf(stderr, "usage: %s [PROCESSES(1-64) [SECONDS]]\n", argv[0]);
		return 2;
	}
	printf("%d processes for %d s, %s\n", procs, seconds, avx ? "x87+MXCSR+YMM" : "x87+MXCSR+XMM");
	fflush(stdout);
	for (i = 0; i < procs; i++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			status = child(i, seconds, avx);
			fflush(stdout);
			fflush(stderr);
			_exit(status);
		}
	}
	for (i = 0; i < procs; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	if (failed)
		fprintf(stderr, "%d of %d processes saw corrupted state\n", failed, procs);
	return failed ? 1 : 0;
}
