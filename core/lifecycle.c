/* core/lifecycle.c - see lifecycle.h */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sched.h>
#include "core/lifecycle.h"
#include "core/shim.h"
#include "core/tracer.h"
#include "core/guest_mem.h"
#include "core/pidmap.h"
#include "core/trap.h"
#include "core/log.h"
#include "services/mm/mm.h"
#include "loader/exec.h"
#include "core/spawn.h"
#include "services/pm/pm.h"
#include "services/time/time.h"
#include "services/sched/sched.h"

#define MAX_EARLY 256
static pid_t early_stops[MAX_EARLY];	/* new children that stopped before their event */
static unsigned nearly;
#define MAX_NOTIFIERS 8
static void (*gone_fns[MAX_NOTIFIERS])(struct task *);
static void (*exec_fns[MAX_NOTIFIERS])(struct task *);

static void add_fn(void (**fns)(struct task *), void (*fn)(struct task *))
{
	for (int i = 0; i < MAX_NOTIFIERS; i++)
		if (!fns[i] || fns[i] == fn) { fns[i] = fn; return; }
	log_bug("too many lifecycle notifiers");
}

void lifecycle_on_thread_gone(void (*fn)(struct task *)) { add_fn(gone_fns, fn); }
void lifecycle_on_exec(void (*fn)(struct task *)) { add_fn(exec_fns, fn); }

static bool init_exited;
static int init_status;

static int pidfd_of(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

/* Whether host task `tid` lives in a pid namespace other than the supervisor's (a
 * guest ran unshare(CLONE_NEWPID), clone(CLONE_NEWPID) or setns). */
static bool in_other_pidns(pid_t tid)
{
	char path[64], mine[64], theirs[64];
	ssize_t a = readlink("/proc/self/ns/pid", mine, sizeof mine - 1);
	snprintf(path, sizeof path, "/proc/%d/ns/pid", tid);
	ssize_t b = readlink(path, theirs, sizeof theirs - 1);
	if (a < 0 || b < 0) return false;
	return a != b || memcmp(mine, theirs, a);
}

struct task *lifecycle_start(pid_t host_pid)
{
	struct task *t = task_create(host_pid, NULL, NULL);
	if (!t) return NULL;
	task_set_pgrp(t, getpgid(host_pid));	/* outside the namespace: stays NULL */
	task_set_session(t, getsid(host_pid));
	t->pidfd = pidfd_of(host_pid);
	t->state = TASK_RUNNING;
	sched_task_start(t);
	/* orphans come to init by find_new_reaper's fallback; its subreaper flag (set on
	 * the host by spawn) is the guest's own business (services/pm/policy.c) */
	init_exited = false;
	return t;
}

static bool take_early_stop(pid_t tid)
{
	for (unsigned i = 0; i < nearly; i++)
		if (early_stops[i] == tid) { early_stops[i] = early_stops[--nearly]; return true; }
	return false;
}

void lifecycle_orphan_stop(pid_t tid)
{
	if (nearly < MAX_EARLY) early_stops[nearly++] = tid;
	else log_err("too many early stops; task %d may hang", tid);
}

static int kill_one(struct task *t, void *arg)
{
	if (t->leader != task_init() && !t->kthread && t->state != TASK_ZOMBIE &&
	    t->state != TASK_DEAD)
		kill(t->tid, SIGKILL);
	return 0;
}

/* The new task's first stop: fix the tid the kernel stored for CLONE_CHILD_SETTID
 * (a host tid) to the virtual one, then let it run. */
void lifecycle_first_stop(struct task *t)
{
	sched_task_colocate(t);	/* before the injections below resume it */
	/* the memory manager's and the shim's host mappings: one batch, one stop */
	struct inject_batch *b = mm_batch_begin(t);
	mm_child_first_stop(t);	/* first: the tid below may be on a page it installs */
	shim_first_stop(t);
	mm_batch_end(t, b);
	if (t->ctid_fixup) {
		int vtid = task_vtid(t);
		mm_copy_to_guest(t, t->ctid_fixup, &vtid, sizeof vtid);
		t->ctid_fixup = 0;
	}
	/* PTRACE_O_TRACEEXIT is for init alone; its children inherited it */
	if (t->leader != task_init())
		ptrace(PTRACE_SETOPTIONS, t->tid, 0, SPAWN_PTRACE_OPTIONS);
	t->stop = STOP_EVENT;
	t->state = TASK_RUNNING;
	trap_resume(t, 0);
}

void lifecycle_clone_event(struct task *parent, int event)
{
	unsigned long msg = 0;
	struct sysreq *r = &parent->req;
	ptrace(PTRACE_GETEVENTMSG, parent->tid, 0, &msg);
	pid_t tid = (pid_t)msg;
	/* flags, child and parent tid addresses, decoded at the clone's entry */
	unsigned long flags = r->data[0];
	bool thread = event == PTRACE_EVENT_CLONE && (flags & CLONE_THREAD);
	struct task *pparent = (flags & (CLONE_PARENT | CLONE_THREAD)) ? parent->leader->parent
								      : parent->leader;
	struct task *t = task_create(tid, thread ? parent->leader : NULL, pparent);
	if (!t) {	/* namespace full: Linux's alloc_pid fails with EAGAIN; we kill */
		log_err("no virtual pid left for host task %d", tid);
		kill(tid, SIGKILL);
		return;
	}
	if (!thread) t->pidfd = pidfd_of(tid);
	mm_clone(parent, t, flags);
	shim_clone(parent, t, flags);
	sched_task_new(t, parent);	/* off until its first stop reaches the gate */
	t->nested_pidns = parent->nested_pidns || (pm_nested_pidns_possible && in_other_pidns(tid));
	if (flags & CLONE_PARENT_SETTID) {
		int vtid = task_vtid(t);
		/* a copy-on-write page needs an injection, which an event stop inside
		 * the clone cannot take: then it is written at the clone's exit */
		if (copy_to_guest(parent->tid, r->data[2], &vtid, sizeof vtid)) {
			parent->ptid_fixup = r->data[2];
			parent->ptid_value = vtid;
		}
	}
	if (flags & CLONE_CHILD_SETTID) t->ctid_fixup = r->data[1];
	t->clear_tid = (flags & CLONE_CHILD_CLEARTID) ? r->data[1] : 0;
	/* as rseq_fork(); the parent may have registered through the shim */
	t->rseq_area = (flags & CLONE_VM) ? 0 : parent->rseq_area ? parent->rseq_area : shim_rseq_area(parent);
	if (take_early_stop(tid)) lifecycle_first_stop(t);
	/* a vfork parent sleeps until the child execs or exits: its CPU is free now */
	if ((flags & CLONE_VFORK) || event == PTRACE_EVENT_VFORK) sched_task_will_block(parent);
	parent->stop = STOP_EVENT;
	trap_resume(parent, 0);
}

struct task *lifecycle_exec_event(struct task *t)
{
	unsigned long former = 0;
	ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &former);
	struct task *old = task_by_host((pid_t)former);
	if (old && old != t) {
		/* a non-leader thread exec'd: it now has the leader's tid (t) */
		DBG(DBG_TASK, "exec by thread %d of %d", task_vtid(old), task_vpid(old));
		t = task_exec(old);
	} else {
		t = task_exec(t);
	}
	mm_exec(t);
	bool by_loader = t->exec_pending != NULL;
	shim_task_gone(t);	/* the old image's shim; the loader's hook maps a new one */
	loader_build_image(t);	/* the stub's space becomes the program's (loader/) */
	for (int i = 0; i < MAX_NOTIFIERS && exec_fns[i]; i++) exec_fns[i](t);
	if (!by_loader) sched_task_renamed(t);	/* the loader names it itself */
	return t;
}


static void process_exited(struct task *l)
{
	DBG(DBG_TASK, "process %d exited, status 0x%x", task_vpid(l), l->exit_status);
	task_reparent_children(l);
	if (l == task_init()) {
		/* init died: like zap_pid_ns_processes(), kill everyone else */
		init_exited = true;
		init_status = l->exit_status;
		task_for_each(kill_one, NULL);
		task_release(l);
		return;
	}
	if (init_exited || !l->parent) {	/* no one in the namespace will reap it */
		task_release(l);
		return;
	}
	time_signal_sent(l->parent);	/* SIGCHLD may interrupt a sleeping parent */
	lifecycle_zombie_gc();
}

void lifecycle_exit_event(struct task *t)
{
	sched_task_exiting(t);
	if (t->leader == task_init() && t->leader->live_threads == 1)
		task_for_each(kill_one, NULL);
}

void lifecycle_death(pid_t tid, int status)
{
	struct task *t = task_by_host(tid);
	if (!t) return;
	struct task *l = t->leader;
	if (trap_observer) trap_observer->task_gone(t, status);
	for (int i = 0; i < MAX_NOTIFIERS && gone_fns[i]; i++) gone_fns[i](t);
	mm_task_gone(t);
	shim_task_gone(t);
	sched_task_gone(t);
	if (task_thread_gone(t, status)) process_exited(l);
}

static struct { pid_t tid; int status; } later[64];
static unsigned nlater;

void lifecycle_stop_later(pid_t tid, int status)
{
	if (nlater < sizeof later / sizeof *later) {
		later[nlater].tid = tid;
		later[nlater++].status = status;
	} else {
		log_err("lost the status 0x%x of host task %d", status, tid);
	}
}

void lifecycle_flush_later(void)
{
	for (unsigned i = 0; i < nlater; i++) {
		pid_t tid = later[i].tid;
		int status = later[i].status;
		later[i].tid = 0;
		tracer_handle(tid, status);	/* may queue more: the loop sees them */
	}
	nlater = 0;
}

static int gc_one(struct task *t, void *arg)
{
	if (t->state != TASK_ZOMBIE || t->pidfd < 0 || !task_is_leader(t)) return 0;
	/* a reaped process's pidfd fails with ESRCH; a zombie's does not */
	if (syscall(SYS_pidfd_send_signal, t->pidfd, 0, NULL, 0) < 0 && errno == ESRCH) {
		*(struct task **)arg = t;
		return 1;
	}
	return 0;
}

void lifecycle_zombie_gc(void)
{
	struct task *victim;
	for (;;) {
		victim = NULL;
		if (!task_for_each(gc_one, &victim)) break;
		task_release(victim);
	}
}

static int count_live(struct task *t, void *arg)
{
	if (t->state != TASK_ZOMBIE && !t->kthread) (*(unsigned *)arg)++;
	return 0;
}

static int report_live(struct task *t, void *arg)
{
	if (t->state != TASK_ZOMBIE && !t->kthread)
		log_err("  task %d (host %d) state %d, never seen to exit", task_vtid(t), t->tid, t->state);
	return 0;
}

void lifecycle_report_unfinished(bool no_children)
{
	log_err("the event loop ended before the namespace did (%s; init %s, %u stop(s) not replayed)",
		no_children ? "the host reports no children left" : "the event loop failed",
		init_exited ? "exited" : "never seen to exit", nlater);
	task_for_each(report_live, NULL);
}

bool lifecycle_done(int *status)
{
	unsigned live = 0;
	if (!init_exited) return false;
	task_for_each(count_live, &live);
	if (live) return false;
	*status = init_status;
	return true;
}
