/* services/pm/wait.c - wait4 and waitid.
 * They run natively, so blocking, WNOHANG, signals and restarts behave exactly as
 * the host's; the pid argument is translated in, the reported pid out, and a reaped
 * zombie leaves the task table. */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include "services/pm/pm.h"
#include "services/sched/sched.h"
#include "core/task.h"
#include "core/guest_mem.h"
#include "core/pidmap.h"
#include "core/task.h"

/* The guest reaped host pid `hpid` (unless it only peeked) */
static void reaped(pid_t hpid)
{
	struct task *t = task_by_host(hpid);
	if (t && task_is_leader(t) && t->state == TASK_ZOMBIE) task_release(t);
}

static long wait4_exit(struct sysreq *r, long ret)
{
	int st;
	if (ret <= 0) return ret;
	pid_t v = pidmap_to_virt_recent((pid_t)ret);
	/* a stop or continue report reaps nothing; without a status pointer only a
	 * zombie can have been reported with default options */
	bool gone = true;
	if (r->args[1] && !copy_from_guest(r->task->tid, &st, r->args[1], sizeof st))
		gone = WIFEXITED(st) || WIFSIGNALED(st);
	else if (r->args[2] & (WUNTRACED | WCONTINUED))
		gone = false;
	if (gone) reaped((pid_t)ret);
	return v;
}

/* Whether a wait by t could return at once: a child is a zombie (its group's
 * children hang on the leader) */
static bool pm_zombie_child(struct task *t)
{
	struct list_head *pos;
	list_for_each(pos, &t->leader->children) {
		struct task *c = list_entry(pos, struct task, sibling);
		if (c->state == TASK_ZOMBIE) return true;
	}
	return false;
}

long sys_wait4(struct sysreq *r, pid_t pid, gaddr_t status, int options, gaddr_t rusage)
{
	if (pid > 0 || pid < -1) {
		struct pidnum *p = pidmap_by_virt(pid > 0 ? pid : -pid);
		if (!p) return -ECHILD;
		sysreq_set_arg(r, 0, (uint64_t)(long)(pid > 0 ? p->host : -p->host));
	}
	sysreq_on_exit(r, wait4_exit);
	if (!(options & WNOHANG) && !pm_zombie_child(r->task)) sched_task_will_block(r->task);
	return SYSRET_NATIVE;
}

static long waitid_exit(struct sysreq *r, long ret)
{
	siginfo_t si;
	gaddr_t infop = r->args[2];
	if (ret != 0 || !infop) return ret;
	if (copy_from_guest(r->task->tid, &si, infop, sizeof si)) return ret;
	if (si.si_pid <= 0) return ret;	/* WNOHANG with nothing to report */
	pid_t host = si.si_pid;
	si.si_pid = pidmap_to_virt_recent(host);
	copy_to_guest(r->task->tid, infop, &si, sizeof si);
	if (!(r->data[0] & WNOWAIT) && si.si_code != CLD_STOPPED && si.si_code != CLD_CONTINUED &&
	    si.si_code != CLD_TRAPPED)
		reaped(host);
	return ret;
}

long sys_waitid(struct sysreq *r, int idtype, int id, gaddr_t infop, int options, gaddr_t rusage)
{
	if (idtype == P_PID || idtype == P_PGID) {
		if (id < 0) return -EINVAL;
		if (id > 0) {
			struct pidnum *p = pidmap_by_virt(id);
			if (!p) return -ECHILD;
			sysreq_set_arg(r, 1, (uint64_t)p->host);
		}
	}
	r->data[0] = (unsigned)options;
	sysreq_on_exit(r, waitid_exit);
	if (!(options & WNOHANG) && !pm_zombie_child(r->task)) sched_task_will_block(r->task);
	return SYSRET_NATIVE;
}
