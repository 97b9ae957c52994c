// SPDX-License-Identifier: GPL-2.0
/*
 * cx16-flags [ROUNDS]: does this CPU (or the emulator under it) execute
 * CMPXCHG16B as the Intel SDM says?  ZF is set on a match and cleared on
 * a mismatch; CF, PF, AF, SF and OF are left as they were; a match stores
 * RCX:RBX into memory, a mismatch loads memory into RDX:RAX.
 *
 * Each round sets the arithmetic flags with a CMP of two random values
 * just before the instruction (locked and not, matching and not) and
 * reads RFLAGS right after it.  Prints the first few wrong rounds and a
 * count; exits 1 if any round was wrong, 0 if none was or if the CPU does
 * not offer the instruction (CPUID.01H:ECX.CX16[bit 13]), which it says.
 */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/types.h>

typedef __u64 u64;
#define __snic_attr(x)	__attribute__(x)
#define __aligned(x)	__snic_attr((aligned(x)))

#define FL_CF	0x001
#define FL_PF	0x004
#define FL_AF	0x010
#define FL_ZF	0x040
#define FL_SF	0x080
#define FL_OF	0x800
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_SF | FL_OF)
/* What POPF leaves in user mode from 0x202: IF and the always-1 bit. */
#define FL_BASE	0x202

/* What the instruction left in RFLAGS, RAX and RDX (and in slot). */
struct result {
	u64 rflags;
	u64 rax, rdx;
};

static u64 slot[2] __aligned(16);

/*
 * POPF first: it ends QEMU's translation block with its flags state
 * written back, so the CMP's flags stay lazy up to CMPXCHG16B, as in
 * the kernel's SLUB fast path.
 */
static void cx16_locked(struct result *r, u64 a, u64 b)
{
	asm volatile("pushq $0x202\n\tpopfq\n\t"
		     "cmp %[vb], %[va]\n\t"
		     "lock cmpxchg16b %[m]\n\t"
		     "pushfq\n\tpopq %[f]"
		     : [f] "=&r"(r->rflags), "+a"(r->rax), "+d"(r->rdx),
		       [m] "+m"(slot)
		     : [va] "r"(a), [vb] "r"(b), "b"(0x1111ull), "c"(0x2222ull)
		     : "cc");
}

static void cx16_unlocked(struct result *r, u64 a, u64 b)
{
	asm volatile("pushq $0x202\n\tpopfq\n\t"
		     "cmp %[vb], %[va]\n\t"
		     "cmpxchg16b %[m]\n\t"
		     "pushfq\n\tpopq %[f]"
		     : [f] "=&r"(r->rflags), "+a"(r->rax), "+d"(r->rdx),
		       [m] "+m"(slot)
		     : [va] "r"(a), [vb] "r"(b), "b"(0x1111ull), "c"(0x2222ull)
		     : "cc");
}

static u64 cmp_flags(u64 a, u64 b)
{
	u64 f;

	asm volatile("pushq $0x202\n\tpopfq\n\tcmp %[vb], %[va]\n\t"
		     "pushfq\n\tpopq %[f]"
		     : [f] "=r"(f) : [va] "r"(a), [vb] "r"(b) : "cc");
	return f;
}

static void report(long round, int locked, int match, u64 got, u64 want,
		   u64 a, u64 b)
{
	printf("round %ld (%s, %s): rflags %#llx, want %#llx; CMP of %#llx, %#llx\n",
	       round, locked ? "locked" : "unlocked",
	       match ? "match" : "mismatch", (unsigned long long)got,
	       (unsigned long long)want, (unsigned long long)a,
	       (unsigned long long)b);
}

static u64 rnd64(unsigned int *seed)
{
	return ((u64)rand_r(seed) << 42) ^ ((u64)rand_r(seed) << 21) ^
	       rand_r(seed);
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 100000, wrong = 0, i;
	unsigned int eax, ebx, ecx, edx, seed = 1;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_CMPXCHG16B)) {
		printf("cmpxchg16b: not offered by this CPU\n");
		return 0;
	}
	for (i = 0; i < rounds; i++) {
		u64 a = rnd64(&seed), b = rnd64(&seed), old = rnd64(&seed);
		int locked = i & 1, match = (i >> 1) & 1;
		struct result r = { .rax = old, .rdx = ~old };
		u64 want_flags;
		int ok;

		slot[0] = match ? old : old ^ 1;
		slot[1] = ~old;
		if (locked)
			cx16_locked(&r, a, b);
		else
			cx16_unlocked(&r, a, b);

		want_flags = (cmp_flags(a, b) & FL_ARITH) | FL_BASE |
			     (match ? FL_ZF : 0);
		if (match)
			ok = slot[0] == 0x1111 && slot[1] == 0x2222 &&
			     r.rax == old && r.rdx == ~old;
		else
			ok = slot[0] == (old ^ 1) && slot[1] == ~old &&
			     r.rax == (old ^ 1) && r.rdx == ~old;
		ok = ok && r.rflags == want_flags;
		if (ok)
			continue;
		if (wrong++ < 5)
			report(i, locked, match, r.rflags, want_flags, a, b);
	}
	printf("cmpxchg16b: %ld of %ld rounds wrong\n", wrong, rounds);
	return wrong != 0;
}
