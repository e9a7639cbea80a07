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
 * and path calls without the translation of /proc paths (the host's /proc, which
 * a symlink to /proc reaches on the ptrace path too); nothing whose descriptor
 * argument is the frame pool's, and nothing that reaches another process. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include "core/filter.h"

int filter_shim_prologue(uint64_t ip, const struct shim_native *nrs, unsigned n, int pool_fd,
			 struct sock_fprog *out)
{
	/* arch, ip (2 words), nr: 7 instructions; one test per number; then the
	 * descriptor test and the ALLOW */
	unsigned base = 7, fdcheck = base + n + 1, allow = fdcheck + 2, end = allow + 1;
	if (!n || end > 250) return -EINVAL;
	struct sock_filter *f = calloc(end, sizeof *f);
	if (!f) return -ENOMEM;
	unsigned k = 0;
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[k] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, end - k - 1);
	k++;
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, instruction_pointer) + 4);
	f[k] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(ip >> 32), 0, end - k - 1);
	k++;
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, instruction_pointer));
	f[k] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)ip, 0, end - k - 1);
	k++;
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (unsigned j = 0; j < n; j++, k++) {
		unsigned to = nrs[j].fd0 ? fdcheck : allow;
		f[k] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nrs[j].nr,
						    (uint8_t)(to - k - 1), 0);
	}
	f[k] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, end - k - 1, 0, 0);
	k++;
	/* a descriptor argument naming the frame pool: the rest of the filter traps it */
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args));
	f[k] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)pool_fd, (uint8_t)(end - k - 1), 0);
	k++;
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	out->filter = f;
	out->len = (unsigned short)k;
	return k == end ? 0 : -EINVAL;
}
