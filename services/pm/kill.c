/* services/pm/kill.c - signals between guests.
 * Targets are translated to host ids and the call runs natively, so permission
 * checks, queueing and delivery are the host's. A pid outside the namespace cannot be
 * named (ESRCH): guests cannot signal the supervisor or anything else outside. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "services/pm/pm.h"
#include "core/guest_mem.h"
#include "core/pidmap.h"
#include "core/task.h"
#include "core/sigdeliver.h"
#include "services/time/time.h"

struct kill_all { struct task *self; int sig; int sent, err; };

static int kill_one(struct task *t, void *arg)
{
	struct kill_all *k = arg;
	/* kill(-1): every process of the namespace but init and the caller's own */
	if (!task_is_leader(t) || t->state == TASK_ZOMBIE || t->state == TASK_DEAD ||
	    t == task_init() || t == k->self->leader)
		return 0;
	if (syscall(SYS_kill, t->tid, k->sig) == 0) k->sent++;
	else k->err = errno;
	return 0;
}

/* A task sleeping in the personality (nanosleep...) is ptrace-stopped and cannot
 * notice a signal by itself: after a successful kill, tell the timer service, which
 * checks whether the signal interrupts the sleep (EINTR). data[0] is the target's host
 * tid, or 0 for several targets. */
static long sent_exit(struct sysreq *r, long ret)
{
	if (ret != 0) return ret;
	struct task *t = r->data[0] ? task_by_host((pid_t)r->data[0]) : NULL;
	if (t) time_signal_sent(t);
	else time_signal_sent_all();
	return ret;
}

static long native_then_check(struct sysreq *r, long ret)
{
	if (ret == SYSRET_NATIVE) {
		r->data[0] = r->args_dirty & 2 ? r->args[1] : (long)r->args[0] > 0 ? r->args[0] : 0;
		sysreq_on_exit(r, sent_exit);
	}
	return ret;
}

long sys_kill(struct sysreq *r, pid_t pid, int sig)
{
	if (sig < 0 || sig > _NSIG - 1) return -EINVAL;
	if (pid == -1) {
		struct kill_all k = { r->task, sig, 0, 0 };
		task_for_each(kill_one, &k);
		if (k.sent) time_signal_sent_all();
		return k.sent ? 0 : k.err ? -k.err : -ESRCH;
	}
	if (pid == 0) return native_then_check(r, SYSRET_NATIVE);
	if (pid == INT_MIN) return -ESRCH;	/* as kill_something_info() */
	if (pid < 0) {	/* a process group: any live number of the namespace */
		struct pidnum *g = pidmap_by_virt(-pid);
		if (!g) return -ESRCH;
		sysreq_set_arg(r, 0, (uint64_t)(long)-g->host);
		return native_then_check(r, SYSRET_NATIVE);
	}
	return native_then_check(r, pm_native_with_pid(r, 0, pid));
}

long sys_tkill(struct sysreq *r, pid_t tid, int sig)
{
	if (tid <= 0) return -EINVAL;
	return native_then_check(r, pm_native_with_pid(r, 0, tid));
}

/* tgid must be the thread group of tid */
static long xlate_tg(struct sysreq *r, pid_t tgid, pid_t tid)
{
	if (tgid <= 0 || tid <= 0) return -EINVAL;
	struct task *t = task_by_virt(tid);
	if (!t || t->state == TASK_DEAD || task_vpid(t) != tgid) return -ESRCH;
	sysreq_set_arg(r, 0, (uint64_t)task_tgid(t));
	sysreq_set_arg(r, 1, (uint64_t)t->tid);
	return SYSRET_NATIVE;
}

long sys_tgkill(struct sysreq *r, pid_t tgid, pid_t tid, int sig)
{
	return native_then_check(r, xlate_tg(r, tgid, tid));
}

/* The guest filled si_pid with a virtual pid (glibc's sigqueue uses getpid()); the
 * receiver's signal-delivery-stop translates host pids, so hand the kernel a copy
 * that carries the host pid. */
static long queue_info(struct sysreq *r, int argi, gaddr_t info)
{
	siginfo_t si;
	if (copy_from_guest(r->task->tid, &si, info, sizeof si)) return -EFAULT;
	if (si.si_pid > 0) {
		pid_t h = pidmap_to_host(si.si_pid);
		si.si_pid = h > 0 ? h : 0;
	}
	gaddr_t copy = sysreq_push(r, &si, sizeof si);
	if (!copy) return -EFAULT;
	sysreq_set_arg(r, argi, copy);
	return SYSRET_NATIVE;
}

long sys_rt_sigqueueinfo(struct sysreq *r, pid_t tgid, int sig, gaddr_t info)
{
	long ret = tgid > 0 ? pm_native_with_pid(r, 0, tgid) : SYSRET_NATIVE;
	return ret == SYSRET_NATIVE ? queue_info(r, 2, info) : ret;
}

long sys_rt_tgsigqueueinfo(struct sysreq *r, pid_t tgid, pid_t tid, int sig, gaddr_t info)
{
	long ret = xlate_tg(r, tgid, tid);
	return ret == SYSRET_NATIVE ? queue_info(r, 3, info) : ret;
}

long sys_pidfd_open(struct sysreq *r, pid_t pid, unsigned flags)
{
	if (pid <= 0) return -EINVAL;
	return pm_native_with_pid(r, 0, pid);
}

long sys_pidfd_send_signal(struct sysreq *r, int pidfd, int sig, gaddr_t info, unsigned flags)
{
	return queue_info(r, 2, info);
}

/* A signal taken with sigwaitinfo/sigtimedwait is dequeued without a
 * signal-delivery-stop, so its si_pid is translated here. */
static long sigtimedwait_exit(struct sysreq *r, long ret)
{
	siginfo_t si;
	if (ret <= 0 || copy_from_guest(r->task->tid, &si, r->args[1], sizeof si)) return ret;
	if (si.si_code == SI_TIMER || (si.si_signo == SIGALRM && si.si_code == SI_KERNEL)) {
		/* a personality timer's signal taken without a delivery stop: its timer
		 * is rearmed and si_overrun filled in now, as at a delivery */
		time_signal_delivering(r->task, &si);
	} else if (siginfo_has_pid(&si)) {
		si.si_pid = pidmap_to_virt_recent(si.si_pid);
	} else {
		return ret;
	}
	copy_to_guest(r->task->tid, r->args[1], &si, sizeof si);
	return ret;
}

long sys_rt_sigtimedwait(struct sysreq *r, gaddr_t set, gaddr_t info, gaddr_t ts, unsigned long size)
{
	sysreq_on_exit(r, sigtimedwait_exit);
	return SYSRET_NATIVE;
}
