/* services/mm/kwrite.c - memory the kernel writes on its own.
 *
 * Some guest memory is written by the host kernel outside any syscall the guest
 * makes: the rseq area (on every return to user space after a preemption, a
 * migration or a signal; a failed write is a SIGSEGV), the clear_child_tid word (at
 * thread exit, waking pthread_join), the robust futex list (at exit). Such a page
 * must never be write-protected behind the kernel's back, so fork does not make it
 * copy-on-write: the parent keeps writing its frame and the child gets its own copy,
 * installed at its first stop before it runs. The addresses come from rseq,
 * set_tid_address and CLONE_CHILD_CLEARTID (or the shim's channel, when the shim
 * answered set_tid_address or rseq), and the robust list's from the kernel
 * (get_robust_list) when a fork needs it. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "core/shim.h"
#include "services/mm/mm_internal.h"

static long rseq_exit(struct sysreq *r, long res)
{
	if (res == 0) {
		r->task->rseq_area = (r->data[0] & 1) ? 0 : r->args[0];	/* RSEQ_FLAG_UNREGISTER */
		shim_forget_rseq(r->task);	/* a registration the shim made is replaced */
	}
	return res;
}

long sys_rseq(struct sysreq *r, uint64_t area, unsigned long len, unsigned long flags, unsigned long sig)
{
	/* A first registration with the arguments glibc passes succeeds (kernel/rseq.c
	 * refuses flags, a second area, a bad length or alignment first): recorded now,
	 * so the call needs no exit stop. Anything else is recorded if it succeeds. */
	if (flags == 0 && !r->task->rseq_area && !shim_rseq_area(r->task) && area && len == 32 &&
	    !(area & 31)) {
		r->task->rseq_area = area;
		return SYSRET_NATIVE;
	}
	r->data[0] = flags;
	sysreq_on_exit(r, rseq_exit);
	return SYSRET_NATIVE;
}

/* The thread's robust futex list, as the kernel has it (get_robust_list needs no
 * stop: set_robust_list, once per thread, is not trapped for this), or 0. */
static uint64_t robust_head(pid_t tid)
{
	uint64_t head = 0;
	size_t len;
	return syscall(SYS_get_robust_list, tid, &head, &len) == 0 ? head : 0;
}

/* The pages of every thread of t's process that the kernel writes. */
unsigned mm_kernel_written_pages(struct task *t, uint64_t *pages, unsigned max)
{
	unsigned n = 0;
	struct list_head *pos;
	list_for_each(pos, &t->leader->threads) {
		struct task *th = list_entry(pos, struct task, thread_node);
		uint64_t a[5] = { th->rseq_area, th->clear_tid, robust_head(th->tid), shim_clear_tid(th),
				  shim_rseq_area(th) };
		for (int i = 0; i < 5; i++) {
			if (!a[i]) continue;
			uint64_t pg = a[i] & PAGE_MASK;
			bool dup = false;
			for (unsigned j = 0; j < n; j++) dup |= pages[j] == pg;
			if (!dup && n < max) pages[n++] = pg;
		}
	}
	return n;
}
