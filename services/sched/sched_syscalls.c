/* services/sched/sched_syscalls.c - the scheduling syscalls, emulated on the
 * scheduler's own tables: sched_yield, sched_{set,get}scheduler, sched_{set,get}param,
 * sched_{set,get}attr, sched_rr_get_interval, {set,get}priority (nice),
 * sched_{set,get}affinity (virtual CPU masks) and getcpu.
 *
 * Checks follow Linux's order (kernel/sched/syscalls.c): argument shape (EINVAL),
 * copying (EFAULT), the target (ESRCH), the parameters (EINVAL), permission (EPERM),
 * and last the plugin, which may refuse a policy it does not implement (EINVAL) or a
 * deadline reservation admission control rejects (EBUSY). A thread id names one
 * thread, as in Linux. With the scheduler off, the calls run natively with their pid
 * translated (services/pm). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "services/sched/sched_syscalls.h"
#include "services/sched/sched_internal.h"
#include "services/pm/pm.h"
#include "core/guest_mem.h"
#include "core/task.h"

#define SCHED_RESET_ON_FORK	0x40000000
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_KEEP_POLICY	0x08
#define SCHED_FLAG_KEEP_PARAMS	0x10
#define SCHED_FLAG_ALL		0x7f
#define SCHED_ATTR_SIZE_VER0	48
#define SCHED_ATTR_SIZE_VER1	56
#define CAP_SYS_NICE		23
#define SETPARAM_POLICY		(-1)

struct kernel_sched_attr {	/* include/uapi/linux/sched/types.h, VER1 */
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};

/* The thread `vtid` names (0: the caller). NULL with *err = -ESRCH (or -EPERM for a
 * kernel thread, which is not the guest's to touch). */
static struct task *target(struct sysreq *r, pid_t vtid, long *err)
{
	struct task *t = vtid ? task_by_virt(vtid) : r->task;
	*err = -ESRCH;
	if (!t || t->state == TASK_DEAD || t->state == TASK_ZOMBIE) return NULL;
	if (t->kthread || !t->se) { *err = -EPERM; return NULL; }
	return t;
}

static bool valid_policy(int p)
{
	return p == PERSONA_SCHED_NORMAL || p == PERSONA_SCHED_FIFO || p == PERSONA_SCHED_RR ||
	       p == PERSONA_SCHED_BATCH || p == PERSONA_SCHED_IDLE || p == PERSONA_SCHED_DEADLINE;
}
static bool rt_policy(int p) { return p == PERSONA_SCHED_FIFO || p == PERSONA_SCHED_RR; }
static bool fair_policy(int p)
{
	return p == PERSONA_SCHED_NORMAL || p == PERSONA_SCHED_BATCH || p == PERSONA_SCHED_IDLE;
}

/* Whether the caller has CAP_SYS_NICE (its effective set, as the host keeps it) */
static bool capable_nice(struct task *t)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", t->tid);
	FILE *f = fopen(path, "re");
	bool cap = false;
	if (!f) return false;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "CapEff:", 7)) {
			cap = strtoull(line + 7, NULL, 16) >> CAP_SYS_NICE & 1;
			break;
		}
	fclose(f);
	return cap;
}

static unsigned long rlimit_of(struct task *t, int res)
{
	struct rlimit rl;
	if (prlimit(t->tid, res, NULL, &rl) < 0) return 0;
	return rl.rlim_cur;
}

/* can_nice(): lowering nice to `nice` is allowed within RLIMIT_NICE */
static bool can_nice(struct task *t, int nice)
{
	return (unsigned long)(20 - nice) <= rlimit_of(t, RLIMIT_NICE) || capable_nice(t);
}

/* Linux's __checkparam_dl: runtime >= 2^10 ns, runtime <= deadline <= period (period
 * 0 means deadline), nothing above 2^63 */
static bool dl_params_ok(const struct persona_sched_attr *a)
{
	uint64_t period = a->dl_period ? a->dl_period : a->dl_deadline;
	if (!a->dl_deadline || a->dl_runtime < (1u << 10)) return false;
	if ((a->dl_deadline | period) & (1ull << 63)) return false;
	return a->dl_runtime <= a->dl_deadline && a->dl_deadline <= period;
}

/* The common path of sched_setscheduler, sched_setparam, sched_setattr and
 * setpriority (Linux's __sched_setscheduler). `caller` is checked for permission. */
static long set_sched(struct task *caller, struct task *t, struct persona_sched_attr a,
		      bool reset_on_fork, bool keep_params)
{
	struct sched_entity *se = t->se;
	struct persona_sched_task *pt = &se->pt;
	if (a.policy == SETPARAM_POLICY) a.policy = pt->policy;
	if (!valid_policy(a.policy)) return -EINVAL;
	if (a.flags & ~(uint64_t)SCHED_FLAG_ALL) return -EINVAL;
	if (keep_params) {
		a.nice = pt->nice;
		a.rt_priority = pt->rt_priority;
		a.dl_runtime = pt->dl_runtime;
		a.dl_deadline = pt->dl_deadline;
		a.dl_period = pt->dl_period;
	}
	if (a.rt_priority > 99) return -EINVAL;
	if (a.policy == PERSONA_SCHED_DEADLINE ? !dl_params_ok(&a) : rt_policy(a.policy) != (a.rt_priority != 0))
		return -EINVAL;
	if (!fair_policy(a.policy)) a.nice = pt->nice;	/* nice is kept, unused */
	if (!capable_nice(caller)) {	/* user_check_sched_setscheduler() */
		if (fair_policy(a.policy) && a.nice < pt->nice && !can_nice(t, a.nice)) return -EPERM;
		if (rt_policy(a.policy)) {
			unsigned long lim = rlimit_of(t, RLIMIT_RTPRIO);
			if (a.policy != pt->policy && !lim) return -EPERM;
			if (a.rt_priority > pt->rt_priority && a.rt_priority > lim) return -EPERM;
		}
		if (a.policy == PERSONA_SCHED_DEADLINE) return -EPERM;
		if (pt->policy == PERSONA_SCHED_IDLE && a.policy != PERSONA_SCHED_IDLE &&
		    !can_nice(t, pt->nice))
			return -EPERM;
		if (se->reset_on_fork && !reset_on_fork) return -EPERM;
	}
	if (a.policy != PERSONA_SCHED_DEADLINE) a.dl_runtime = a.dl_deadline = a.dl_period = 0;
	else if (!a.dl_period) a.dl_period = a.dl_deadline;
	return sched_set_params(se, &a, reset_on_fork);
}

/* do_sched_setscheduler(): sched_setscheduler, and sched_setparam as the same call
 * with the task's own policy (SETPARAM_POLICY) */
static long setscheduler(struct sysreq *r, pid_t pid, int policy, gaddr_t param)
{
	int prio;
	long err;
	if (!param || pid < 0) return -EINVAL;
	if (copy_from_guest(r->task->tid, &prio, param, sizeof prio)) return -EFAULT;
	struct task *t = target(r, pid, &err);
	if (!t) return err;
	if (prio < 0) return -EINVAL;
	bool rof = policy == SETPARAM_POLICY ? t->se->reset_on_fork : (policy & SCHED_RESET_ON_FORK) != 0;
	struct persona_sched_attr a = {
		.policy = policy == SETPARAM_POLICY ? policy : policy & ~SCHED_RESET_ON_FORK,
		.rt_priority = (unsigned)prio, .nice = t->se->pt.nice,
	};
	return set_sched(r->task, t, a, rof, false);
}

long sys_sched_setscheduler(struct sysreq *r, pid_t pid, int policy, gaddr_t param)
{
	if (!sched_active()) return pm_native_with_pid(r, 0, pid);
	if (policy < 0) return -EINVAL;	/* before anything else, as Linux */
	return setscheduler(r, pid, policy, param);
}

long sys_sched_setparam(struct sysreq *r, pid_t pid, gaddr_t param)
{
	if (!sched_active()) return pm_native_with_pid(r, 0, pid);
	return setscheduler(r, pid, SETPARAM_POLICY, param);
}

long sys_sched_getscheduler(struct sysreq *r, pid_t pid)
{
	if (!sched_active()) return pm_native_with_pid(r, 0, pid);
	long err;
	if (pid < 0) return -EINVAL;
	struct task *t = target(r, pid, &err);
	if (!t) return err;
	return t->se->pt.policy | (t->se->reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

long sys_sched_getparam(struct sysreq *r, pid_t pid, gaddr_t param)
{
	if (!sched_active()) return pm_native_with_pid(r, 0, pid);
	long err;
	if (!param || pid < 0) return -EINVAL;
	struct task *t = target(r, pid, &err);
	if (!t) return err;
	int prio = rt_policy(t->se->pt.policy) ? (int)t->se->pt.rt_priority : 0;
	return copy_to_guest(r->task->tid, param, &prio, sizeof prio) ? -EFAULT : 0;
}

/* sched_copy_attr(): the size protocol of extensible structs */
static long read_attr(struct sysreq *r, gaddr_t uattr, struct kernel_sched_attr *ka)
{
	uint32_t size;
	memset(ka, 0, sizeof *ka);
	if (copy_from_guest(r->task->tid, &size, uattr, sizeof size)) return -EFAULT;
	if (!size) size = SCHED_ATTR_SIZE_VER0;
	if (size < SCHED_ATTR_SIZE_VER0 || size > 4096) goto e2big;
	if (size > sizeof *ka) {	/* a newer struct: what we do not know must be zero */
		unsigned char tail[4096 - sizeof *ka];
		if (copy_from_guest(r->task->tid, tail, uattr + sizeof *ka, size - sizeof *ka)) return -EFAULT;
		for (size_t i = 0; i < size - sizeof *ka; i++)
			if (tail[i]) goto e2big;
	}
	if (copy_from_guest(r->task->tid, ka, uattr, size < sizeof *ka ? size : sizeof *ka)) return -EFAULT;
	if (ka->sched_nice < -20) ka->sched_nice = -20;	/* clamped, as Linux does */
	if (ka->sched_nice > 19) ka->sched_nice = 19;
	return 0;
e2big:
	size = sizeof *ka;
	copy_to_guest(r->task->tid, uattr, &size, sizeof size);
	return -E2BIG;
}

long sys_sched_setattr(struct sysreq *r, pid_t pid, gaddr_t uattr, unsigned flags)
{
	if (!sched_active()) return pm_native_with_pid(r, 0, pid);
	struct kernel_sched_attr ka;
	long err;
	if (!uattr || pid < 0 || flags) return -EINVAL;
	if ((err = read_attr(r, uattr, &ka))) return err;
	if ((int)ka.sched_policy < 0) return -EINVAL;
	struct persona_sched_attr a = {
		.policy = (int)ka.sched_policy, .nice = ka.sched_nice, .rt_priority = ka.sched_priority,
		.dl_runtime = ka.sched_runtime, .dl_deadline = ka.sched_deadline,
		.dl_period = ka.sched_period, .flags = ka.sched_flags,
	};
	if (ka.sched_flags & SCHED_FLAG_KEEP_POLICY) a.policy = SETPARAM_POLICY;
	struct task *t = target(r, pid, &err);
	if (!t) return err;
	return set_sched(r->task, t, a, ka.sched_flags & SCHED_FLAG_RESET_ON_FORK,
			 ka.sched_flags & SCHED_FLAG_KEEP_PARAMS);
}

long sys_sched_getattr(struct sysreq *r, pid_t pid, gaddr_t uattr, unsigned usize, unsigned flags)
{
	if (!sched_active()) return pm_native_with_pid(r, 0, pid);
	long err;
	if (!uattr || pid < 0 || usize > 4096 || usize < SCHED_ATTR_SIZE_VER0 || flags) return -EINVAL;
	struct task *t = target(r, pid, &err);
	if (!t) return err;
	const struct persona_sched_task *pt = &t->se->pt;
	struct kernel_sched_attr ka = { .sched_policy = (uint32_t)pt->policy,
					.sched_util_max = 1024 };
	if (t->se->reset_on_fork) ka.sched_flags |= SCHED_FLAG_RESET_ON_FORK;
	if (pt->policy == PERSONA_SCHED_DEADLINE) {
		ka.sched_runtime = pt->dl_runtime;
		ka.sched_deadline = pt->dl_deadline;
		ka.sched_period = pt->dl_period;
	} else if (rt_policy(pt->policy)) {
		ka.sched_priority = pt->rt_priority;
	} else {
		ka.sched_nice = pt->nice;
	}
	ka.size = usize < sizeof ka ? usize : sizeof ka;
	return copy_to_guest(r->task->tid, uattr, &ka, ka.size) ? -EFAULT : 0;
}

long sys_sched_rr_get_interval(struct sysreq *r, pid_t pid, gaddr_t ts)
{
	if (!sched_active()) return pm_native_with_pid(r, 0, pid);
	long err;
	if (pid < 0) return -EINVAL;
	struct task *t = target(r, pid, &err);
	if (!t) return err;
	struct persona_sched_task *pt = &t->se->pt;
	const struct persona_sched_ops *ops = sched_ops();
	uint64_t ns = pt->policy == PERSONA_SCHED_FIFO ? 0 :
		      ops->timeslice ? ops->timeslice(sched_instance(), pt) : pt->slice_ns;
	struct timespec v = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };
	return copy_to_guest(r->task->tid, ts, &v, sizeof v) ? -EFAULT : 0;
}

long sys_sched_yield(struct sysreq *r)
{
	if (!sched_active()) return SYSRET_NATIVE;
	sched_yield_task(r->task);
	return 0;
}

/* ---- nice: getpriority/setpriority ---- */

static bool prio_matches(struct task *t, int which, int who, struct task *caller)
{
	if (t->kthread || !t->se || t->state == TASK_DEAD || t->state == TASK_ZOMBIE) return false;
	if (which == PRIO_PGRP) {
		/* 0: the caller's group, even one outside the namespace (pgrp NULL) */
		struct pidnum *g = who ? pidmap_by_virt(who) : caller->leader->pgrp;
		return (g || !who) && t->leader->pgrp == g;
	}
	/* PRIO_USER: the thread's real uid */
	char path[64], line[128];
	snprintf(path, sizeof path, "/proc/%d/status", t->tid);
	FILE *f = fopen(path, "re");
	bool match = false;
	if (!f) return false;
	unsigned uid = who ? (unsigned)who : (unsigned)getuid();
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "Uid:", 4)) { match = strtoul(line + 4, NULL, 10) == uid; break; }
	fclose(f);
	return match;
}

struct prio_walk { int which, who, nice; struct task *caller; long result; bool found; };

static int prio_get_one(struct task *t, void *arg)
{
	struct prio_walk *w = arg;
	if (!prio_matches(t, w->which, w->who, w->caller)) return 0;
	long v = 20 - t->se->pt.nice;	/* the kernel's 1..40, glibc turns it into nice */
	if (v > w->result) w->result = v;
	w->found = true;
	return 0;
}

long sys_getpriority(struct sysreq *r, int which, int who)
{
	if (!sched_active()) return pm_getpriority(r, which, who);
	long err;
	if (which == PRIO_PROCESS) {
		struct task *t = target(r, who, &err);
		return t ? 20 - t->se->pt.nice : err == -EPERM ? 20 : err;
	}
	if (which != PRIO_PGRP && which != PRIO_USER) return -EINVAL;
	struct prio_walk w = { which, who, 0, r->task, -ESRCH, false };
	task_for_each(prio_get_one, &w);
	return w.found ? w.result : -ESRCH;
}

static long set_nice(struct task *caller, struct task *t, int nice)
{
	struct persona_sched_attr a = { .policy = SETPARAM_POLICY, .nice = nice,
					.rt_priority = t->se->pt.rt_priority,
					.dl_runtime = t->se->pt.dl_runtime,
					.dl_deadline = t->se->pt.dl_deadline,
					.dl_period = t->se->pt.dl_period };
	/* set_one_prio(): raising priority needs CAP_SYS_NICE or RLIMIT_NICE: EACCES */
	if (nice < t->se->pt.nice && !can_nice(t, nice)) return -EACCES;
	if (!fair_policy(t->se->pt.policy)) {	/* stored; counts once it is fair again */
		t->se->pt.nice = nice;
		t->se->pt.weight = persona_sched_nice_to_weight[nice + 20];
		return 0;
	}
	return set_sched(caller, t, a, t->se->reset_on_fork, false);
}

static int prio_set_one(struct task *t, void *arg)
{
	struct prio_walk *w = arg;
	if (!prio_matches(t, w->which, w->who, w->caller)) return 0;
	w->found = true;
	long e = set_nice(w->caller, t, w->nice);
	if (e && !w->result) w->result = e;
	return 0;
}

long sys_setpriority(struct sysreq *r, int which, int who, int nice)
{
	if (!sched_active()) return pm_setpriority(r, which, who, nice);
	long err;
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER) return -EINVAL;
	if (nice < -20) nice = -20;
	if (nice > 19) nice = 19;
	if (which == PRIO_PROCESS) {
		struct task *t = target(r, who, &err);
		return t ? set_nice(r->task, t, nice) : err;
	}
	struct prio_walk w = { which, who, nice, r->task, 0, false };
	task_for_each(prio_set_one, &w);
	return w.found ? w.result : -ESRCH;
}

/* ---- affinity and getcpu: masks of virtual CPUs ---- */

long sys_sched_setaffinity(struct sysreq *r, pid_t pid, unsigned long len, gaddr_t umask)
{
	if (!sched_active()) return pm_native_with_pid(r, 0, pid);
	uint64_t mask = 0;
	long err;
	/* get_user_cpu_mask(): a short mask is zero-extended, a long one truncated */
	if (copy_from_guest(r->task->tid, &mask, umask, len < sizeof mask ? len : sizeof mask)) return -EFAULT;
	struct task *t = target(r, pid, &err);
	if (!t) return err;
	uint64_t online = sched_ncpus() >= 64 ? ~0ull : (1ull << sched_ncpus()) - 1;
	if (!(mask & online)) return -EINVAL;
	sched_set_affinity(t->se, mask & online);
	return 0;
}

long sys_sched_getaffinity(struct sysreq *r, pid_t pid, unsigned long len, gaddr_t umask)
{
	if (!sched_active()) return pm_native_with_pid(r, 0, pid);
	long err;
	if (len * 8 < sched_ncpus() || (len & (sizeof(long) - 1))) return -EINVAL;
	struct task *t = target(r, pid, &err);
	if (!t) return err;
	uint64_t mask = t->se->pt.cpus_allowed;
	return copy_to_guest(r->task->tid, umask, &mask, sizeof mask) ? -EFAULT : (long)sizeof mask;
}

long sys_getcpu(struct sysreq *r, gaddr_t ucpu, gaddr_t unode, gaddr_t tcache)
{
	if (!sched_active() || !r->task->se) return SYSRET_NATIVE;
	unsigned cpu = r->task->se->pt.cpu, node = 0;
	if (ucpu && copy_to_guest(r->task->tid, ucpu, &cpu, sizeof cpu)) return -EFAULT;
	if (unode && copy_to_guest(r->task->tid, unode, &node, sizeof node)) return -EFAULT;
	return 0;
}
