/* core/filter_uaccess.c - the filter's prologue for guest memory access.
 *
 * A native syscall that takes a pointer into Persona-managed memory must be trapped
 * so the memory manager can make those pages present first (services/mm/uaccess.c).
 * The test is "0 < pointer < MM_UACCESS_FLOOR" for each pointer argument, which
 * libseccomp cannot express (one comparison per argument per rule), so this part of
 * the filter is written by hand and placed before libseccomp's program: it returns
 * SECCOMP_RET_TRACE when a pointer argument is in range, and otherwise jumps to the
 * start of libseccomp's code, which decides as before. Syscall numbers are found by
 * a binary search (jgt), so the cost is a dozen instructions whatever the count.
 *
 * It starts with the test for the supervisor's own injected calls (filter.h,
 * filter_inject_tag): two instructions for every other syscall. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include "core/filter.h"
#include "core/syscall_table.h"

#define MAX_INSNS 16384

struct gen {
	struct sock_filter *code;
	unsigned n;
	/* pending forward jumps: instruction index and label they target */
	unsigned fix_at[2048], fix_label[2048], nfix;
	unsigned label_pos[1024];
};

enum { L_END = 0, L_TRACE = 1, L_ALLOW = 2, L_NR = 3, L_BLOCK0 = 4 };	/* labels; blocks by mask index */

static void emit(struct gen *g, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (g->n < MAX_INSNS) g->code[g->n] = (struct sock_filter){ code, jt, jf, k };
	g->n++;
}

/* `ja label`, resolved when the label is placed */
static void jump(struct gen *g, unsigned label)
{
	if (g->nfix < sizeof g->fix_at / sizeof *g->fix_at) {
		g->fix_at[g->nfix] = g->n;
		g->fix_label[g->nfix++] = label;
	}
	emit(g, BPF_JMP | BPF_JA, 0, 0, 0);
}

static void place(struct gen *g, unsigned label) { g->label_pos[label] = g->n; }

struct sysmask { uint32_t nr; uint8_t mask; unsigned block; };

/* binary search over sorted numbers: each leaf jumps to its mask's block */
static void gen_tree(struct gen *g, const struct sysmask *s, int lo, int hi)
{
	if (hi - lo <= 3) {
		for (int i = lo; i < hi; i++) {
			emit(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, s[i].nr);
			jump(g, L_BLOCK0 + s[i].block);
		}
		jump(g, L_END);
		return;
	}
	int mid = (lo + hi) / 2;
	/* nr > s[mid-1].nr: right half */
	emit(g, BPF_JMP | BPF_JGT | BPF_K, 0, 1, s[mid - 1].nr);
	unsigned right_fix = g->n;
	emit(g, BPF_JMP | BPF_JA, 0, 0, 0);
	gen_tree(g, s, lo, mid);
	if (right_fix < MAX_INSNS) g->code[right_fix].k = g->n - right_fix - 1;
	gen_tree(g, s, mid, hi);
}

/* one block per distinct mask: TRACE if any masked argument is in (0, floor) */
static void gen_block(struct gen *g, uint8_t mask, uint64_t floor)
{
	uint32_t hi = (uint32_t)(floor >> 32);
	for (int i = 0; i < 6; i++) {
		if (!(mask & (1u << i))) continue;
		unsigned off = offsetof(struct seccomp_data, args) + 8 * i;
		emit(g, BPF_LD | BPF_W | BPF_ABS, 0, 0, off + 4);		/* high half */
		emit(g, BPF_JMP | BPF_JGE | BPF_K, 4, 0, hi);			/* >= floor: next */
		emit(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0);			/* hi != 0: in range */
		emit(g, BPF_LD | BPF_W | BPF_ABS, 0, 0, off);			/* low half */
		emit(g, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0);			/* NULL: next */
		jump(g, L_TRACE);
	}
	jump(g, L_END);
}

int filter_uaccess_prologue(uint8_t (*mask_of)(long nr), uint64_t floor, uint32_t inject_tag,
			    struct sock_fprog *out)
{
	static struct sysmask s[SYSCALL_MAX];
	uint8_t masks[64];
	unsigned nmasks = 0;
	int count = 0;
	for (long nr = 0; nr < SYSCALL_MAX; nr++) {
		uint8_t m = mask_of(nr);
		if (!m) continue;
		unsigned b = 0;
		while (b < nmasks && masks[b] != m) b++;
		if (b == nmasks) {
			if (nmasks == 64) return -E2BIG;
			masks[nmasks++] = m;
		}
		s[count++] = (struct sysmask){ (uint32_t)nr, m, b };
	}
	struct gen *g = calloc(1, sizeof *g);
	if (!g || !(g->code = calloc(MAX_INSNS, sizeof *g->code))) {
		if (g) free(g->code);
		free(g);
		return -ENOMEM;
	}
	emit(g, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
	emit(g, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
	jump(g, L_END);
	if (inject_tag) {
		/* the supervisor's injected calls (core/inject.c): allowed at once */
		emit(g, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, args) + 8 * 4 + 4);
		emit(g, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, inject_tag);
		jump(g, L_NR);
		emit(g, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
		for (long nr = 0; nr < SYSCALL_MAX; nr++) {
			if (!filter_inject_taggable(nr)) continue;
			emit(g, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)nr);
			jump(g, L_ALLOW);
		}
	}
	place(g, L_NR);
	emit(g, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
	if (count) gen_tree(g, s, 0, count);
	else jump(g, L_END);
	for (unsigned b = 0; b < nmasks; b++) {
		place(g, L_BLOCK0 + b);
		gen_block(g, masks[b], floor);
	}
	place(g, L_TRACE);
	emit(g, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_TRACE);
	place(g, L_ALLOW);
	emit(g, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	place(g, L_END);	/* libseccomp's program follows */
	int err = g->n > MAX_INSNS ? -E2BIG : 0;
	for (unsigned i = 0; !err && i < g->nfix; i++)
		g->code[g->fix_at[i]].k = g->label_pos[g->fix_label[i]] - g->fix_at[i] - 1;
	if (!err) {
		out->filter = g->code;
		out->len = (unsigned short)g->n;
	} else {
		free(g->code);
	}
	free(g);
	return err;
}
