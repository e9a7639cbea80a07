/* services/pm/pidargs.c - syscalls that name a process among their arguments.
 * Each translates its pid argument(s) (0 = the caller) and runs natively. */
#include <errno.h>
#include <sys/resource.h>
#include <linux/capability.h>
#include "services/pm/pm.h"
#include "core/guest_mem.h"
#include "core/pidmap.h"
#include "core/task.h"

long sys_prlimit64(struct sysreq *r, pid_t pid, unsigned res, gaddr_t n, gaddr_t o)
{ return pm_native_with_pid(r, 0, pid); }
long sys_get_robust_list(struct sysreq *r, pid_t pid, gaddr_t head, gaddr_t len)
{ return pm_native_with_pid(r, 0, pid); }
long sys_process_vm_readv(struct sysreq *r, pid_t pid, gaddr_t lv, unsigned long ln,
			  gaddr_t rv, unsigned long rn, unsigned long fl)
{ return pm_native_with_pid(r, 0, pid); }
long sys_process_vm_writev(struct sysreq *r, pid_t pid, gaddr_t lv, unsigned long ln,
			   gaddr_t rv, unsigned long rn, unsigned long fl)
{ return pm_native_with_pid(r, 0, pid); }

long sys_kcmp(struct sysreq *r, pid_t pid1, pid_t pid2, int type, unsigned long i1, unsigned long i2)
{
	long ret = pm_native_with_pid(r, 0, pid1);
	return ret == SYSRET_NATIVE ? pm_native_with_pid(r, 1, pid2) : ret;
}

/* which = PRIO_PROCESS/IOPRIO_WHO_PROCESS (1): a pid; PRIO_PGRP/IOPRIO_WHO_PGRP: a
 * group; a user id otherwise. The two families number them differently. */
static long prio_who(struct sysreq *r, int is_pid, int is_pgrp, int who)
{
	if ((!is_pid && !is_pgrp) || who <= 0) return SYSRET_NATIVE;
	if (is_pid) return pm_native_with_pid(r, 1, who);
	struct pidnum *g = pidmap_by_virt(who);
	if (!g) return -ESRCH;
	sysreq_set_arg(r, 1, (uint64_t)g->host);
	return SYSRET_NATIVE;
}

long pm_getpriority(struct sysreq *r, int which, int who)
{ return prio_who(r, which == PRIO_PROCESS, which == PRIO_PGRP, who); }
long pm_setpriority(struct sysreq *r, int which, int who, int prio)
{ return prio_who(r, which == PRIO_PROCESS, which == PRIO_PGRP, who); }
long sys_ioprio_get(struct sysreq *r, int which, int who)
{ return prio_who(r, which == 1, which == 2, who); }
long sys_ioprio_set(struct sysreq *r, int which, int who, int prio)
{ return prio_who(r, which == 1, which == 2, who); }

/* capget/capset name the target in the header's pid field */
static long cap_hdr(struct sysreq *r, gaddr_t hdr)
{
	struct __user_cap_header_struct h;
	if (!hdr) return SYSRET_NATIVE;
	if (copy_from_guest(r->task->tid, &h, hdr, sizeof h)) return -EFAULT;
	if (h.pid <= 0) return SYSRET_NATIVE;
	long host = pm_pid_to_host(r->task, h.pid);
	if (host < 0) return host;
	h.pid = (int)host;
	gaddr_t copy = sysreq_push(r, &h, sizeof h);
	if (!copy) return -EFAULT;
	sysreq_set_arg(r, 0, copy);
	return SYSRET_NATIVE;
}

long sys_capget(struct sysreq *r, gaddr_t hdr, gaddr_t data) { return cap_hdr(r, hdr); }
long sys_capset(struct sysreq *r, gaddr_t hdr, gaddr_t data) { return cap_hdr(r, hdr); }
