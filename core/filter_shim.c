/* core/filter_shim.c - the filter's prologue for the in-guest shim (core/shim.h).
 *
 * The shim runs a few syscalls itself: its futex waits and wakes on its channel, the
 * gettid that finds its channel, and a class syscall the supervisor answered
 * SHIM_NATIVE. They come from one instruction, whose address seccomp sees as the
 * instruction pointer, and are let through there; anything else from there, and
 * everything from anywhere else, falls through to the rest of the filter. A guest
 * that jumps to that instruction gains only these numbers, run natively: futex on
 * its own memory, and its host ids (an information leak documented in docs/shim.md),
 * nothing that reaches the frame pool's descriptor or another process. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include "core/filter.h"

int filter_shim_prologue(uint64_t ip, const long *nrs, unsigned n, struct sock_fprog *out)
{
	unsigned len = 8 + n, end = 8 + n;
	if (!n || end > 200) return -EINVAL;
	struct sock_filter *f = calloc(len, sizeof *f);
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
	for (unsigned j = 0; j < n; j++, k++)
		f[k] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nrs[j],
						    (uint8_t)(n - j - 1), j == n - 1 ? 1 : 0);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	out->filter = f;
	out->len = (unsigned short)k;
	return k == end ? 0 : -EINVAL;
}
