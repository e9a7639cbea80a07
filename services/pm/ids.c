/* services/pm/ids.c - the ids of a task as the guest sees them.
 * getpid/gettid/getppid and the group ids are answered from the task table without
 * running anything natively; setsid/setpgid run natively (the host's job control must
 * agree) and their effect is mirrored into the table at syscall exit. */
#include <errno.h>
#include <unistd.h>
#include "services/pm/pm.h"
#include "core/pidmap.h"
#include "core/task.h"

long sys_getpid(struct sysreq *r) { return task_vpid(r->task); }
long sys_gettid(struct sysreq *r) { return task_vtid(r->task); }

long sys_getppid(struct sysreq *r)
{
	struct task *p = r->task->leader->parent;
	return p ? task_vpid(p) : 0;	/* init's parent is outside the namespace */
}

long sys_set_tid_address(struct sysreq *r, gaddr_t tidptr)
{
	/* the kernel must record the address (CLONE_CHILD_CLEARTID on exit); the
	 * returned tid is ours */
	r->task->clear_tid = tidptr;
	sysreq_on_exit(r, pm_exit_host_to_virt);
	return SYSRET_NATIVE;
}

static long vid(struct pidnum *p) { return p ? p->virt : 0; }

static struct task *target(struct sysreq *r, pid_t vpid)
{
	if (vpid == 0) return r->task->leader;
	struct task *t = task_by_virt(vpid);
	return t && t->state != TASK_DEAD ? t->leader : NULL;
}

long sys_getpgid(struct sysreq *r, pid_t pid)
{
	if (pid < 0) return -ESRCH;
	struct task *t = target(r, pid);
	return t ? vid(t->pgrp) : -ESRCH;
}

long sys_getpgrp(struct sysreq *r) { return vid(r->task->leader->pgrp); }

long sys_getsid(struct sysreq *r, pid_t pid)
{
	if (pid < 0) return -ESRCH;
	struct task *t = target(r, pid);
	return t ? vid(t->session) : -ESRCH;
}

static long setsid_exit(struct sysreq *r, long ret)
{
	if (ret < 0) return ret;
	struct task *l = r->task->leader;
	task_set_session(l, (pid_t)ret);
	task_set_pgrp(l, (pid_t)ret);
	return pidmap_to_virt((pid_t)ret);
}

long sys_setsid(struct sysreq *r)
{
	sysreq_on_exit(r, setsid_exit);
	return SYSRET_NATIVE;
}

static long setpgid_exit(struct sysreq *r, long ret)
{
	if (ret == 0) {
		struct task *t = task_by_host((pid_t)r->data[0]);
		if (t) task_set_pgrp(t->leader, (pid_t)r->data[1]);
	}
	return ret;
}

long sys_setpgid(struct sysreq *r, pid_t pid, pid_t pgid)
{
	if (pgid < 0) return -EINVAL;
	long hpid = pid == 0 ? task_tgid(r->task) : pm_pid_to_host(r->task, pid);
	if (pid < 0 || hpid < 0) return -ESRCH;
	long hpgid = hpid;
	if (pgid != 0 && pgid != pid) {
		/* joining an existing group: it must exist in the caller's session */
		struct pidnum *g = pidmap_by_virt(pgid);
		if (!g) return -EPERM;
		hpgid = g->host;
	} else if (pgid == 0 && pid != 0) {
		hpgid = hpid;
	}
	sysreq_set_arg(r, 0, (uint64_t)hpid);
	sysreq_set_arg(r, 1, (uint64_t)hpgid);
	r->data[0] = (uint64_t)hpid;
	r->data[1] = (uint64_t)hpgid;
	sysreq_on_exit(r, setpgid_exit);
	return SYSRET_NATIVE;
}
