/* core/filter_shim.c - the filter's prologue for the in-guest shim (core/shim.h).
 *
 * The shim runs a few syscalls itself: its futex waits and wakes on its channel, the
 * gettid that finds its channel, and a class syscall the supervisor answered
 * SHIM_NATIVE, and the path calls the shim found plain (statfs and fstatfs for its
 * test). They come from one instruction, whose address seccomp sees as the
 * instruction pointer, and are let through there; anything else from there, and
 * everything from anywhere else, falls through to the rest of the filter. A guest
 * that jumps to that instruction gains only these numbers, run natively: futex on
 * its own memory, its host ids (an information leak documented in docs/shim.md),
 * and path calls without the translation of /proc paths (the host's /proc: the one
 * route to it left, docs/shim.md "Threat model"; seccomp cannot read a path);
 * nothing whose descriptor argument is the frame pool's, and nothing that reaches
 * another process. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include "core/filter.h"

/* The program is long (a linear list of numbers), so every jump that may go far is
 * an unconditional `ja` (32-bit offset) after a conditional one that skips it. */
struct prog { struct sock_filter *f; unsigned k, *to_end, nend; };

static void stmt(struct prog *p, uint16_t code, uint32_t k)
{
	p->f[p->k++] = (struct sock_filter)BPF_STMT(code, k);
}

/* if A != k (ne) or A == k (!ne): go to the end (the rest of the filter) */
static void leave_if(struct prog *p, uint32_t k, bool ne)
{
	p->f[p->k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, ne ? 1 : 0, ne ? 0 : 1);
	p->to_end[p->nend++] = p->k;
	stmt(p, BPF_JMP | BPF_JA, 0);
}

int filter_shim_prologue(uint64_t ip, const struct shim_native *nrs, unsigned n, int pool_fd,
			 struct sock_fprog *out)
{
	/* the distinct descriptor masks: one block each, testing those arguments */
	uint8_t masks[64];
	unsigned nmasks = 0;
	for (unsigned j = 0; j < n; j++) {
		unsigned m = 0;
		while (m < nmasks && masks[m] != nrs[j].fds) m++;
		if (m == nmasks) {
			if (nmasks == sizeof masks) return -EINVAL;
			masks[nmasks++] = nrs[j].fds;
		}
	}
	unsigned cap = 16 + 2 * n + nmasks * 19;
	if (!n || cap > 2048) return -EINVAL;
	struct prog p = { calloc(cap, sizeof *p.f), 0, calloc(cap, sizeof(unsigned)), 0 };
	unsigned *block = calloc(nmasks, sizeof *block), *fix = calloc(n, sizeof *fix);
	if (!p.f || !p.to_end || !block || !fix) {
		free(p.f); free(p.to_end); free(block); free(fix);
		return -ENOMEM;
	}
	stmt(&p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	leave_if(&p, AUDIT_ARCH_X86_64, true);
	stmt(&p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4);
	leave_if(&p, (uint32_t)(ip >> 32), true);
	stmt(&p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer));
	leave_if(&p, (uint32_t)ip, true);
	stmt(&p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	/* a linear list: it runs only for calls from the shim's instruction */
	for (unsigned j = 0; j < n; j++) {
		p.f[p.k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nrs[j].nr, 0, 1);
		fix[j] = p.k;
		stmt(&p, BPF_JMP | BPF_JA, 0);		/* to its block */
	}
	p.to_end[p.nend++] = p.k;
	stmt(&p, BPF_JMP | BPF_JA, 0);
	/* each block: a descriptor argument naming the frame pool leaves (the rest of
	 * the filter traps it); otherwise ALLOW */
	for (unsigned m = 0; m < nmasks; m++) {
		block[m] = p.k;
		for (int a = 0; a < 6; a++) {
			if (!((masks[m] >> a) & 1)) continue;
			stmt(&p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args) + 8 * a);
			leave_if(&p, (uint32_t)pool_fd, false);
		}
		stmt(&p, BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	for (unsigned j = 0; j < n; j++) {
		unsigned m = 0;
		while (masks[m] != nrs[j].fds) m++;
		p.f[fix[j]].k = block[m] - fix[j] - 1;
	}
	for (unsigned e = 0; e < p.nend; e++) p.f[p.to_end[e]].k = p.k - p.to_end[e] - 1;
	free(block);
	free(fix);
	free(p.to_end);
	out->filter = p.f;
	out->len = (unsigned short)p.k;
	return 0;
}
