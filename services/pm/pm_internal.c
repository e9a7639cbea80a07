/* services/pm/pm_internal.c - pid translation helpers shared by the pm handlers */
#include <errno.h>
#include "services/pm/pm.h"
#include "core/pidmap.h"
#include "core/task.h"

long pm_pid_to_host(struct task *self, pid_t vpid)
{
	if (vpid == 0) return task_tgid(self);
	struct task *t = task_by_virt(vpid);
	if (!t || t->state == TASK_DEAD) return -ESRCH;
	if (t->kthread) return -EPERM;	/* kernel threads: not the guest's to touch */
	return t->tid;
}

long pm_native_with_pid(struct sysreq *r, int i, pid_t vpid)
{
	if (vpid < 0) return SYSRET_NATIVE;	/* the kernel's EINVAL */
	if (vpid == 0) return SYSRET_NATIVE;	/* "the caller" means the same natively */
	long host = pm_pid_to_host(r->task, vpid);
	if (host < 0) return host;
	sysreq_set_arg(r, i, (uint64_t)host);
	return SYSRET_NATIVE;
}

long pm_exit_host_to_virt(struct sysreq *r, long ret)
{
	return ret > 0 ? pidmap_to_virt_recent((pid_t)ret) : ret;
}
