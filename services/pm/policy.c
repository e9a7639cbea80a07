/* services/pm/policy.c - what a guest may not do to its supervisor.
 * ptrace: the guest is already traced (by us); Linux refuses a second tracer and
 * PTRACE_TRACEME with EPERM, so every request gets EPERM.
 * seccomp: filters only add restrictions, except a user-notification listener, whose
 * owner could answer (and continue) syscalls past our trap: refused with EPERM.
 * prctl(PR_SET_CHILD_SUBREAPER) is noted so orphans reparent as on Linux.
 * A guest's own filter (or strict mode) must see every syscall its code makes: the
 * in-guest shim stops answering for that process (core/shim.h). */
#include <errno.h>
#include <sys/prctl.h>
#include <linux/seccomp.h>
#include "services/pm/pm.h"
#include "core/task.h"
#include "core/guest_mem.h"
#include "core/shim.h"

long sys_ptrace(struct sysreq *r, long request, pid_t pid, gaddr_t addr, gaddr_t data)
{
	return -EPERM;
}

long sys_seccomp(struct sysreq *r, unsigned op, unsigned flags, gaddr_t args)
{
	if (op == SECCOMP_SET_MODE_FILTER && (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		return -EPERM;
	if (op == SECCOMP_SET_MODE_FILTER || op == SECCOMP_SET_MODE_STRICT) shim_guest_seccomp(r->task);
	return SYSRET_NATIVE;
}

static long subreaper_exit(struct sysreq *r, long ret)
{
	if (ret == 0) r->task->leader->subreaper = r->args[1] != 0;
	return ret;
}

/* The namespace's init reaps orphans without being a subreaper (Linux's
 * child_reaper); on the host it is one, and must stay one. So for init the flag the
 * guest sets and reads is kept in the table only. */
long sys_prctl(struct sysreq *r, int option, unsigned long a2, unsigned long a3,
	       unsigned long a4, unsigned long a5)
{
	struct task *l = r->task->leader;
	bool init = l == task_init();
	if (option == PR_SET_CHILD_SUBREAPER) {
		if (!init) {
			sysreq_on_exit(r, subreaper_exit);
			return SYSRET_NATIVE;
		}
		l->subreaper = a2 != 0;
		return 0;
	}
	if (option == PR_SET_SECCOMP) shim_guest_seccomp(r->task);
	if (option == PR_GET_CHILD_SUBREAPER && init) {
		int flag = l->subreaper;
		return copy_to_guest(r->task->tid, a2, &flag, sizeof flag) ? -EFAULT : 0;
	}
	return SYSRET_NATIVE;
}
