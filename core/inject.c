/* core/inject.c - syscall injection (see inject.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/inject.h"
#include "core/filter.h"
#include "core/trap.h"
#include "core/guest_mem.h"
#include "core/log.h"
#include "core/lifecycle.h"

/* Finds "syscall" (0f 05) in the vDSO of the task's mm: the vDSO's fallback paths
 * contain one, and it is mapped in every process. */
static unsigned long find_vdso_gadget(pid_t tid)
{
	char path[64], line[256];
	unsigned long lo = 0, hi = 0, found = 0;
	snprintf(path, sizeof path, "/proc/%d/maps", tid);
	FILE *f = fopen(path, "re");
	if (!f) return 0;
	while (fgets(line, sizeof line, f))
		if (strstr(line, "[vdso]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2) break;
	fclose(f);
	for (unsigned long a = lo; a && a < hi && !found; a += 4096) {
		unsigned char page[4096];
		if (copy_from_guest(tid, page, a, sizeof page)) break;
		/* `mov $nr, %eax; syscall` (b8 imm32 0f 05), the vDSO's fallback
		 * sequence: a real instruction boundary, not two bytes inside another */
		for (unsigned i = 0; i + 7 <= sizeof page; i++)
			if (page[i] == 0xb8 && page[i + 5] == 0x0f && page[i + 6] == 0x05) {
				found = a + i + 5;
				break;
			}
	}
	return found;
}


/* Leaves a seccomp stop: the trapped syscall is skipped and the task is brought to
 * its syscall-exit-stop, right after the `syscall` instruction. */
static int leave_seccomp_stop(struct task *t)
{
	t->regs.orig_rax = -1;
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs) < 0) return -errno;
	int err = trap_run_to_syscall_exit(t);
	if (!err) t->stop = STOP_SYSCALL_EXIT;
	return err;
}

/* Single-steps over the gadget until the step trap. Seccomp stops for the injected
 * call itself are passed; other signals are held for later. */
static int step_syscall(struct task *t, sigset_t *held)
{
	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, t->tid, 0, 0) < 0) return -errno;
		int st = trap_wait(t);
		if (st < 0) return st;
		int sig = WSTOPSIG(st), ev = st >> 16;
		if (ev == PTRACE_EVENT_EXIT) {	/* dying: as above */
			lifecycle_stop_later(t->tid, st);
			return -ESRCH;
		}
		if (ev) continue;	/* e.g. the seccomp stop of the injected call */
		if (sig == SIGTRAP) return 0;
		/* a fault raised by the injected call itself (the gadget not executable,
		 * the kernel unable to write rseq...) would repeat forever */
		if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL) return -EFAULT;
		sigaddset(held, sig);	/* delivered after the injection */
	}
}

long inject_syscall(struct task *t, long nr, const uint64_t args[6])
{
	struct user_regs_struct saved, r;
	sigset_t held;
	int err;
	sigemptyset(&held);
	if ((err = trap_regs_fetch(t))) return err;
	if (t->stop == STOP_SECCOMP && ((err = leave_seccomp_stop(t)) || (err = trap_regs_fetch(t))))
		return err;
	unsigned long gadget = t->stop == STOP_SYSCALL_EXIT ? t->regs.rip - 2 : t->leader->gadget;
	if (!gadget && !(gadget = t->leader->gadget = find_vdso_gadget(t->tid))) return -ENOEXEC;

	saved = r = t->regs;
	r.rip = gadget;
	r.rax = r.orig_rax = nr;
	for (int i = 0; i < 6; i++) regs_set_arg(&r, i, args[i]);
	if (filter_inject_tag && filter_inject_taggable(nr))	/* no seccomp stop (filter.h) */
		r.r8 = (uint32_t)r.r8 | (uint64_t)filter_inject_tag << 32;
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &r) < 0) return -errno;
	if ((err = step_syscall(t, &held))) {
		if (err != -ESRCH && ptrace(PTRACE_SETREGS, t->tid, 0, &saved) == 0) t->regs = saved;
		if (err != -ESRCH)
			log_err("[%d] injected syscall %ld failed: %s", task_vtid(t), nr, strerror(-err));
		return err;
	}
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &r) < 0) return -errno;
	long ret = (long)r.rax;
	t->regs = saved;
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs) < 0) return -errno;
	t->regs_dirty = false;
	DBG(DBG_INJECT, "[%d] injected syscall %ld at %#lx = %ld", task_vtid(t), nr, gadget, ret);
	/* kernel-generated siginfo cannot be re-queued exactly; the signals can */
	for (int sig = 1; sig < _NSIG; sig++)
		if (sigismember(&held, sig)) syscall(SYS_tgkill, task_tgid(t), t->tid, sig);
	return ret;
}
