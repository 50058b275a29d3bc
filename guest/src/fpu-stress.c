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

/*
 * Load the 16 vector registers (MOV is the move, R the register name
 * prefix) from slot i of @in, yield in a system call, store them to @out.
 * An XMM register takes the low half of its YMM slot.
 */
#define LD(mov, r, i) mov " " #i "*32(%1), %%" r #i "\n\t"
#define ST(mov, r, i) mov " %%" r #i ", " #i "*32(%2)\n\t"
#define EACH(op, mov, r) \
	op(mov, r, 0) op(mov, r, 1) op(mov, r, 2) op(mov, r, 3) \
	op(mov, r, 4) op(mov, r, 5) op(mov, r, 6) op(mov, r, 7) \
	op(mov, r, 8) op(mov, r, 9) op(mov, r, 10) op(mov, r, 11) \
	op(mov, r, 12) op(mov, r, 13) op(mov, r, 14) op(mov, r, 15)
#define ROUND_TRIP(mov, r, in, out) do {				\
	long nr = SYS_sched_yield;					\
	__asm__ volatile(EACH(LD, mov, r) "syscall\n\t" EACH(ST, mov, r)	\
		: "+a"(nr)						\
		: "r"(in), "r"(out)					\
		: "rcx", "r11", "memory",				\
		  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",	\
		  "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",	\
		  "xmm12", "xmm13", "xmm14", "xmm15");			\
} while (0)

static void round_trip_ymm(const struct vec_state *in, struct vec_state *out)
{
	ROUND_TRIP("vmovdqa", "ymm", in, out);
	__asm__ volatile("vzeroupper");
}

static void round_trip_xmm(const struct vec_state *in, struct vec_state *out)
{
	ROUND_TRIP("movdqa", "xmm", in, out);
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
