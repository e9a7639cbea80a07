/* services/pm/fork.c - fork, vfork, clone, clone3.
 * They run natively (the host creates the task; PTRACE_O_TRACE* attach it to us from
 * its first instruction). At entry we note the flags and tid addresses the clone
 * event needs (lifecycle.c) and strip CLONE_UNTRACED, which would create a child the
 * supervisor cannot see; at exit the host tid returned to the parent becomes virtual. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <linux/sched.h>
#include "services/pm/pm.h"
#include "core/guest_mem.h"
#include "core/task.h"
#include "services/mm/mm.h"

#define CLONE_NEWS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
		    CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

static long common(struct sysreq *r, unsigned long flags, gaddr_t ptid, gaddr_t ctid)
{
	/* CLONE_PARENT from the namespace's init would make a sibling of init */
	if ((flags & CLONE_PARENT) && r->task->leader == task_init()) return -EINVAL;
	if (flags & CLONE_NEWPID) pm_nested_pidns_possible = true;
	/* copy-on-write: the parent's private pages are write-protected before the
	 * host copies its mappings (services/mm/fork.c) */
	if (!(flags & CLONE_VM) && mm_prepare_fork(r->task) == -ESRCH) return -ESRCH;
	r->data[0] = flags;
	r->data[1] = ctid;
	r->data[2] = ptid;
	if (!(flags & CLONE_VM) && r->task->mm) r->hold_exit = true;	/* the mm is locked */
	if (!r->task->nested_pidns) sysreq_on_exit(r, pm_exit_host_to_virt);
	return SYSRET_NATIVE;
}

/* A new pid namespace (for the caller's children) makes Persona check where each
 * new task lives from then on (lifecycle.c). */
long sys_unshare(struct sysreq *r, unsigned long flags)
{
	if (flags & CLONE_NEWPID) pm_nested_pidns_possible = true;
	return SYSRET_NATIVE;
}

long sys_setns(struct sysreq *r, int fd, int nstype)
{
	pm_nested_pidns_possible = true;
	return SYSRET_NATIVE;
}

bool pm_nested_pidns_possible;

long sys_fork(struct sysreq *r) { return common(r, SIGCHLD, 0, 0); }
long sys_vfork(struct sysreq *r) { return common(r, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0); }

/* The flags the host sees: never CLONE_UNTRACED (a child we could not see). And
 * for a new process with Persona's memory, no CLONE_CHILD_SETTID: the kernel would
 * store the tid through the mapping the child shares with its parent until its
 * first stop, i.e. into the parent's frame; lifecycle.c stores it (the virtual tid
 * anyway) at that first stop, in the child's own copy. */
static unsigned long host_flags(struct sysreq *r, unsigned long flags)
{
	flags &= ~(unsigned long)CLONE_UNTRACED;
	if (!(flags & CLONE_VM) && r->task->mm) flags &= ~(unsigned long)CLONE_CHILD_SETTID;
	return flags;
}

long sys_clone(struct sysreq *r, unsigned long flags, gaddr_t stack, gaddr_t ptid,
	       gaddr_t ctid, unsigned long tls)
{
	if (host_flags(r, flags) != flags) sysreq_set_arg(r, 0, host_flags(r, flags));
	if ((flags & CLONE_VM) && stack) mm_prefault_stack(r->task, stack);
	return common(r, flags, ptid, ctid);
}

long sys_clone3(struct sysreq *r, gaddr_t uargs, unsigned long size)
{
	struct clone_args ca;
	memset(&ca, 0, sizeof ca);
	if (size < CLONE_ARGS_SIZE_VER0) return -EINVAL;
	if (size > sizeof ca) size = sizeof ca;	/* larger: the kernel checks the tail */
	if (copy_from_guest(r->task->tid, &ca, uargs, size)) return -EFAULT;
	unsigned long flags = ca.flags;
	if (host_flags(r, flags) != flags) {
		/* rewrite a copy: the guest's own struct stays as it wrote it */
		ca.flags = host_flags(r, flags);
		gaddr_t copy = sysreq_push(r, &ca, size);
		if (!copy) return -EFAULT;
		sysreq_set_arg(r, 0, copy);
	}
	if ((flags & CLONE_VM) && ca.stack) mm_prefault_stack(r->task, ca.stack + ca.stack_size);
	return common(r, flags, ca.parent_tid, ca.child_tid);
}
