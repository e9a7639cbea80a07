/* core/trap.h - the ptrace trap backend: turns ptrace stops into requests and
 * applies replies (sysreq.h). Handlers never see it. The in-guest shim (libc-shim/,
 * core/trap_shim.c) is a second backend producing the same struct sysreq.
 *
 * Thread: everything here issues ptrace requests, so only the tracer thread may call
 * it (Linux ties a tracee to the one thread that attached it). */
#ifndef PERSONA_TRAP_H
#define PERSONA_TRAP_H
#include <signal.h>
#include "core/task.h"

/* What kind of ptrace-stop a task is in (struct task.stop). */
enum stop_kind {
	STOP_NONE,		/* running */
	STOP_SECCOMP,		/* PTRACE_EVENT_SECCOMP: at syscall entry */
	STOP_SYSCALL_EXIT,	/* syscall-exit-stop (after PTRACE_SYSCALL) */
	STOP_SIGNAL,		/* signal-delivery-stop */
	STOP_EVENT,		/* fork/clone/exec/exit events, PTRACE_EVENT_STOP */
};

/* An observer sees every request and the result the guest finally gets: the
 * tracer (persona trace) is one. With want_exit, native syscalls are resumed with
 * PTRACE_SYSCALL so their result is seen too (a second stop per syscall). */
struct trap_observer {
	void (*syscall_entry)(struct task *t);		/* t->req filled, before dispatch */
	void (*syscall_exit)(struct task *t, long ret);	/* the result the guest sees */
	void (*signal)(struct task *t, const siginfo_t *si);	/* about to be delivered */
	void (*task_gone)(struct task *t, int wstatus);	/* a thread exited */
	void (*group_stop)(struct task *t, int sig);	/* entered a group-stop (NULL: ignored) */
	bool want_exit;
};
extern const struct trap_observer *trap_observer;

/* Register cache: fetched once per stop, written back once before resuming. */
int trap_regs_fetch(struct task *t);
void trap_regs_dirty(struct task *t);
/* Resumes with PTRACE_CONT, or PTRACE_SYSCALL when an exit hook is pending. `sig` is
 * delivered only from a signal-delivery-stop. Returns 0 or -ESRCH (task died). */
int trap_resume(struct task *t, int sig);
/* Resumes a stopped task as trap_resume does, without the scheduler's gate: the
 * scheduler's own way to run a task it held. 0 or -errno. */
int trap_release(struct task *t, int sig);
/* Fills t->req from a seccomp stop. */
int trap_request_from_stop(struct task *t);
/* Applies a handler's answer to the request in flight and resumes the task unless it
 * blocks. */
void trap_reply(struct task *t, long ret);
/* At the seccomp stop of a syscall re-issued after an injection (task.reissue): its
 * request (rewritten arguments, exit hook) was answered already; runs it natively. */
void trap_reissue(struct task *t);
/* At a syscall-exit-stop: runs the exit hook and resumes. */
void trap_syscall_exit(struct task *t);
/* The same without resuming. */
void trap_syscall_exit_hooks(struct task *t);
/* Waits for t alone: its wait status, or -ESRCH when it is gone (an exit status is
 * passed on to the event loop, which will not see it again). */
int trap_wait(struct task *t);
/* Resumes t with PTRACE_SYSCALL to its next syscall-exit-stop. 0, or -ESRCH when it
 * died or stopped otherwise (that stop is passed on to the event loop). */
int trap_run_to_syscall_exit(struct task *t);
/* At PTRACE_EVENT_EXEC: brings the task to execve's syscall-exit-stop (running its
 * exit hooks), where registers can be set and syscalls injected. 0 or -ESRCH. */
int trap_finish_exec(struct task *t);
/* Sets x86-64 syscall argument i in a register set */
void regs_set_arg(struct user_regs_struct *r, int i, uint64_t v);
uint64_t regs_get_arg(const struct user_regs_struct *r, int i);
#endif
