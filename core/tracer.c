/* core/tracer.c - see tracer.h */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include "core/tracer.h"
#include "core/dispatch.h"
#include "core/lifecycle.h"
#include "core/sigdeliver.h"
#include "core/syscall_table.h"
#include "core/trap.h"
#include "core/shim.h"
#include "core/log.h"
#include "services/mm/mm.h"
#include "services/sched/sched.h"

static void on_seccomp_stop(struct task *t)
{
	t->stop = STOP_SECCOMP;
	t->state = TASK_TRAPPED;
	if (t->reissue) {
		trap_reissue(t);
		return;
	}
	if (trap_request_from_stop(t)) return;	/* died under us: its exit follows */
	/* the memory manager first: the pool fd is refused, and pages the call will
	 * touch are made present before anyone (tracer, handler, host) reads them */
	long mret = mm_syscall_entry(&t->req);
	if (trap_observer) trap_observer->syscall_entry(t);
	if (mret) {
		trap_reply(t, mret);
		return;
	}
	const struct syscall_desc *d = syscall_desc(t->req.nr);
	if (!d || !d->handler || (t->nested_pidns && !d->every_ns)) {
		/* no handler (a guest's own filter returned TRACE, or tracing), or a
		 * task of a nested pid namespace, where the kernel's ids are right.
		 * A call trapped only for the memory manager may be the shim's next time */
		if (t->shim && d && !d->handler) shim_after_trap(t);
		trap_reply(t, SYSRET_NATIVE);
		return;
	}
	long ret = dispatch_call(&t->req);
	if (t->shim) shim_after_trap(t);	/* the site may jump to the shim next time */
	/* a native call that changes the address space holds the mm (Linux's
	 * mmap_lock) until it returns: the tables already say what the host is about
	 * to do, and no other thread may act on the difference meanwhile (alone in
	 * its mm, a thread needs no lock, and no exit stop for it) */
	if (ret == SYSRET_NATIVE && d->needs_mm && mm_shared(t) && mm_lock(t)) t->req.hold_exit = true;
	trap_reply(t, ret);
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void on_event_stop(struct task *t, int sig)
{
	t->regs_valid = false;
	if (t->state == TASK_NEW) {	/* the first stop of a child created by a clone event */
		lifecycle_first_stop(t);
	} else if (is_stop_signal(sig)) {
		/* group-stop: stay stopped, but let SIGCONT wake it (PTRACE_LISTEN) */
		t->state = TASK_STOPPED;
		if (trap_observer && trap_observer->group_stop) trap_observer->group_stop(t, sig);
		sched_task_block(t, OFF_STOPPED);
		ptrace(PTRACE_LISTEN, t->tid, 0, 0);
	} else {
		trap_resume(t, 0);	/* PTRACE_INTERRUPT's stop among them: the gate */
	}
}

static void on_ptrace_event(struct task *t, int event, int sig)
{
	t->regs_valid = false;
	t->stop = STOP_EVENT;
	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		on_seccomp_stop(t);
		break;
	case PTRACE_EVENT_FORK: case PTRACE_EVENT_VFORK: case PTRACE_EVENT_CLONE:
		lifecycle_clone_event(t, event);
		break;
	case PTRACE_EVENT_EXEC:
		t = lifecycle_exec_event(t);
		t->stop = STOP_EVENT;
		trap_resume(t, 0);
		break;
	case PTRACE_EVENT_STOP:
		on_event_stop(t, sig);
		break;
	case PTRACE_EVENT_EXIT:
		lifecycle_exit_event(t);
		trap_resume(t, 0);
		break;
	default:
		trap_resume(t, 0);
	}
}

void tracer_handle(pid_t tid, int status)
{
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		lifecycle_death(tid, status);
		return;
	}
	if (!WIFSTOPPED(status)) return;
	struct task *t = task_by_host(tid);
	int sig = WSTOPSIG(status), event = status >> 16;
	if (!t) {	/* a new child, before its parent's clone event */
		lifecycle_orphan_stop(tid);
		return;
	}
	t->regs_valid = false;
	/* a heap shrink the shim made since t last stopped: the tables follow first */
	if (t->shim) mm_heap_sync(t);
	/* a fork holds the mm (services/mm): faults and syscalls of its other threads
	 * wait until it is done */
	if ((event == PTRACE_EVENT_SECCOMP || (!event && sig != (SIGTRAP | 0x80))) && t->mm &&
	    mm_park(t, status)) {
		sched_task_block(t, OFF_BLOCKED);	/* asleep on the mm lock: its CPU is free */
		return;
	}
	if (event) {
		on_ptrace_event(t, event, sig);
	} else if (sig == (SIGTRAP | 0x80)) {
		t->stop = STOP_SYSCALL_EXIT;
		trap_syscall_exit(t);
	} else {
		t->stop = STOP_SIGNAL;
		DBG(DBG_SIGNAL, "[%d] signal-delivery-stop %d", task_vtid(t), sig);
		siginfo_t si;
		int stop_sig = sig;
		if (t->mm && ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) == 0) {
			if (sig == SIGSEGV && (sig = mm_fault(t, &si)) <= 0) {
				if (sig < 0) return;	/* waits for memory (services/mm/oom.c) */
				mm_fault_restore_disposition(t, SIGSEGV);
				trap_resume(t, 0);	/* a page fault, resolved: retry the access */
				return;
			}
			if ((sig == SIGSEGV || sig == SIGBUS) && shim_fault_fixup(t, &si)) {
				mm_fault_restore_disposition(t, stop_sig);
				trap_resume(t, 0);	/* the shim gives the call to ptrace */
				return;
			}
			if (sig == SIGBUS) ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si);
			bool injected = mm_signal_frame(t);
			/* an injection leaves the task in the single-step's SIGTRAP stop:
			 * delivering `sig` from there needs its siginfo put back */
			if (injected) ptrace(PTRACE_SETSIGINFO, t->tid, 0, &si);
		}
		trap_resume(t, sigdeliver_prepare(t, sig));
	}
}
