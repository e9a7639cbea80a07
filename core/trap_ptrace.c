/* core/trap_ptrace.c - ptrace stops as requests (see trap.h).
 *
 * Emulation at a seccomp stop: orig_rax = -1 makes the kernel skip the syscall and
 * return rax as set by us (Linux >= 4.8 runs seccomp after the ptrace entry stop, so
 * this is one stop per emulated syscall; strace needs two). */
#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <elf.h>
#include "core/shim.h"
#include "core/trap.h"
#include "core/guest_mem.h"
#include "core/log.h"
#include "core/lifecycle.h"
#include <sys/wait.h>
#include "services/mm/mm.h"
#include "services/sched/sched.h"

#define RED_ZONE 128

const struct trap_observer *trap_observer;

uint64_t regs_get_arg(const struct user_regs_struct *r, int i)
{
	switch (i) {
	case 0: return r->rdi; case 1: return r->rsi; case 2: return r->rdx;
	case 3: return r->r10; case 4: return r->r8; default: return r->r9;
	}
}

void regs_set_arg(struct user_regs_struct *r, int i, uint64_t v)
{
	switch (i) {
	case 0: r->rdi = v; break; case 1: r->rsi = v; break; case 2: r->rdx = v; break;
	case 3: r->r10 = v; break; case 4: r->r8 = v; break; default: r->r9 = v; break;
	}
}

int trap_regs_fetch(struct task *t)
{
	if (t->regs_valid) return 0;
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &t->regs) < 0) return -errno;
	t->regs_valid = true;
	t->regs_dirty = false;
	return 0;
}

void trap_regs_dirty(struct task *t) { t->regs_dirty = true; }

int trap_resume(struct task *t, int sig)
{
	if (t->regs_dirty && ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs) < 0) {
		t->regs_valid = false;
		return -errno;
	}
	t->regs_valid = t->regs_dirty = false;
	t->state = TASK_RUNNING;
	if (t->shim) shim_heap_publish(t);	/* may its shim shrink the heap? */
	/* the scheduler's gate: without a virtual CPU the task stays stopped until the
	 * scheduler picks it (services/sched) */
	if (t->se && !sched_may_resume(t, sig)) return 0;
	return trap_release(t, sig);
}

int trap_release(struct task *t, int sig)
{
	sched_task_colocate(t);
	if (ptrace(t->in_syscall_hook ? PTRACE_SYSCALL : PTRACE_CONT, t->tid, 0, (long)sig) < 0)
		return -errno;
	return 0;
}

int trap_request_from_stop(struct task *t)
{
	struct sysreq *r = &t->req;
	int err = trap_regs_fetch(t);
	if (err) return err;
	r->task = t;
	r->nr = (long)t->regs.orig_rax;
	for (int i = 0; i < 6; i++) r->orig_args[i] = r->args[i] = regs_get_arg(&t->regs, i);
	r->ip = t->regs.rip;
	r->sp = t->regs.rsp;
	r->scratch = 0;
	r->args_dirty = 0;
	r->nr_dirty = false;
	r->hold_exit = false;
	r->args_final = false;
	r->on_exit = NULL;
	t->gadget = r->ip - 2;		/* a `syscall` instruction, for injection */
	return 0;
}

uint64_t sysreq_push(struct sysreq *r, const void *data, unsigned long len)
{
	uint64_t top = r->scratch ? r->scratch : r->sp - RED_ZONE;
	uint64_t addr = (top - len) & ~15ul;
	if (addr > top || copy_to_guest(r->task->tid, addr, data, len)) return 0;
	r->scratch = addr;
	return addr;
}

/* A native call needs its syscall-exit stop for an exit hook, for an observer, and
 * when its arguments were rewritten: a restarted call must see the guest's own
 * arguments again (see restore_args). */
static bool needs_exit_stop(const struct sysreq *r)
{
	return r->on_exit || (r->args_dirty && !r->args_final) || r->nr_dirty || r->hold_exit ||
	       (trap_observer && trap_observer->want_exit);
}

void trap_reissue(struct task *t)
{
	t->reissue = false;
	if (trap_regs_fetch(t)) return;	/* died under us: its exit follows */
	t->in_syscall_hook = needs_exit_stop(&t->req);
	t->stop = STOP_NONE;
	trap_resume(t, 0);
}

void trap_reply(struct task *t, long ret)
{
	struct sysreq *r = &t->req;
	if (ret == SYSRET_BLOCK) {
		t->state = TASK_BLOCKED;
		sched_task_block(t, OFF_BLOCKED);	/* a blocked task gives its CPU up */
		return;
	}
	if (ret == SYSRET_NATIVE) {
		for (int i = 0; i < 6; i++)
			if (r->args_dirty & (1u << i)) regs_set_arg(&t->regs, i, r->args[i]);
		if (r->args_dirty) trap_regs_dirty(t);
		if (r->nr_dirty) { t->regs.orig_rax = r->native_nr; trap_regs_dirty(t); }
		t->in_syscall_hook = needs_exit_stop(r);
		if (t->stop == STOP_SYSCALL_EXIT) {
			/* an injection moved us past the entry: re-issue the syscall */
			t->regs.rip = r->ip - 2;
			t->regs.rax = r->nr_dirty ? r->native_nr : r->nr;
			t->reissue = true;
			trap_regs_dirty(t);
			t->in_syscall_hook = false;
		}
	} else {
		if (t->stop == STOP_SECCOMP) t->regs.orig_rax = -1;	/* skip the syscall */
		t->regs.rax = ret;
		trap_regs_dirty(t);
		t->in_syscall_hook = false;
		if (trap_observer) trap_observer->syscall_exit(t, ret);
	}
	DBG(DBG_SYSCALL, "[%d] syscall %ld -> %s %ld", task_vtid(t), r->nr,
	    ret == SYSRET_NATIVE ? "native" : "emulated", ret == SYSRET_NATIVE ? 0 : ret);
	t->stop = STOP_NONE;
	trap_resume(t, 0);
}

void sysreq_complete(struct task *t, long ret)
{
	if (t->state != TASK_BLOCKED) log_bug("sysreq_complete on a task that is not blocked");
	trap_reply(t, ret);
}

/* Puts back the arguments the guest passed (at the exit of a call whose arguments
 * were rewritten; the kernel restarts a call from these registers). */
static void restore_args(struct task *t)
{
	struct sysreq *r = &t->req;
	for (int i = 0; i < 6; i++)
		if (r->args_dirty & (1u << i)) regs_set_arg(&t->regs, i, r->orig_args[i]);
	trap_regs_dirty(t);
}

void trap_syscall_exit_hooks(struct task *t)
{
	struct sysreq *r = &t->req;
	t->in_syscall_hook = false;
	if (t->ptid_fixup) {	/* CLONE_PARENT_SETTID on a copy-on-write page (lifecycle.c) */
		mm_copy_to_guest(t, t->ptid_fixup, &t->ptid_value, sizeof t->ptid_value);
		t->ptid_fixup = 0;
	}
	if (trap_regs_fetch(t) == 0) {
		long ret = (long)t->regs.rax, out = ret;
		/* a syscall leaves its argument registers as they were (only rax, rcx and
		 * r11 change), and callers rely on it: glibc's __brk compares the break
		 * with the address still in %rdi, which a shrink rewritten as munmap of
		 * the page-aligned range had replaced (sbrk(-n) failed with ENOMEM). A
		 * restarted call also needs them, to be trapped and translated afresh.
		 * (Calls rewritten with args_final have no exit stop: see sysreq.h.) */
		if (r->args_dirty) restore_args(t);
		if (r->on_exit) out = r->on_exit(r, ret);
		DBG(DBG_SYSCALL, "[%d] syscall %ld exit %ld -> %ld", task_vtid(t), r->nr, ret, out);
		if (out != ret) { t->regs.rax = out; trap_regs_dirty(t); }
		if (trap_observer) trap_observer->syscall_exit(t, out);
	}
	r->on_exit = NULL;
	if (r->hold_exit) {
		r->hold_exit = false;
		mm_syscall_exit(t);
	}
}

void trap_syscall_exit(struct task *t)
{
	trap_syscall_exit_hooks(t);
	t->stop = STOP_NONE;
	trap_resume(t, 0);
}

int trap_wait(struct task *t)
{
	int status;
	for (;;) {
		pid_t r = waitpid(t->tid, &status, __WALL);
		if (r < 0 && errno == EINTR) continue;
		if (r < 0) return -ESRCH;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			/* the event loop will not see this status again: pass it on */
			lifecycle_stop_later(t->tid, status);
			return -ESRCH;
		}
		return status;
	}
}

int trap_run_to_syscall_exit(struct task *t)
{
	if (ptrace(PTRACE_SYSCALL, t->tid, 0, 0) < 0) return -errno;
	int st = trap_wait(t);
	if (st < 0) return st;
	if (WSTOPSIG(st) != (SIGTRAP | 0x80)) {
		/* the task is exiting (PTRACE_EVENT_EXIT: another thread's exit_group, a
		 * fatal signal): that stop is the event loop's to handle */
		lifecycle_stop_later(t->tid, st);
		return -ESRCH;
	}
	t->regs_valid = false;
	return 0;
}

int trap_finish_exec(struct task *t)
{
	/* At PTRACE_EVENT_EXEC the task is still inside execve: a register change now
	 * is overwritten by execve's return. Run it to its syscall-exit-stop first. */
	int err = trap_run_to_syscall_exit(t);
	if (err) return err;
	if (t->in_syscall_hook) trap_syscall_exit_hooks(t);	/* execve's own exit (tracing) */
	t->stop = STOP_EVENT;	/* injections use the vDSO's syscall instruction */
	return 0;
}
