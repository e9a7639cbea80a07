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

/* The gadget's offset in the vDSO, which is the same in every process: once found,
 * a process's gadget is its vDSO's address plus this (inject_set_vdso). */
static long vdso_gadget_off = -1;

static unsigned long scan_vdso(pid_t tid, unsigned long lo, unsigned long hi);

/* Finds "syscall" (0f 05) in the vDSO of the task's mm: the vDSO's fallback paths
 * contain one, and it is mapped in every process. */
static unsigned long find_vdso_gadget(pid_t tid)
{
	char path[64], line[256];
	unsigned long lo = 0, hi = 0;
	snprintf(path, sizeof path, "/proc/%d/maps", tid);
	FILE *f = fopen(path, "re");
	if (!f) return 0;
	while (fgets(line, sizeof line, f))
		if (strstr(line, "[vdso]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2) break;
	fclose(f);
	return scan_vdso(tid, lo, hi);
}

void inject_set_vdso(struct task *t, uint64_t base)
{
	if (vdso_gadget_off < 0) scan_vdso(t->tid, base, base + 2 * 4096);
	if (vdso_gadget_off >= 0) t->leader->gadget = base + (unsigned long)vdso_gadget_off;
}

static unsigned long scan_vdso(pid_t tid, unsigned long lo, unsigned long hi)
{
	unsigned long found = 0;
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
	if (found) vdso_gadget_off = (long)(found - lo);
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
	if (t->batch) return inject_queue(t, nr, args);
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

/* Runs the queued calls of b: the routine at b->code over the table written at
 * b->table, resumed until its int3. Seccomp stops of untagged calls are passed,
 * other signals held for later, as for a single injection. */
static int batch_run(struct task *t, struct inject_batch *b)
{
	if (!b->n) return 0;
	int err = trap_regs_fetch(t);
	if (err) return err;
	for (unsigned i = 0; i < b->n; i++)
		if (filter_inject_tag && filter_inject_taggable((long)b->op[i].nr))
			b->op[i].args[4] = (uint32_t)b->op[i].args[4] | (uint64_t)filter_inject_tag << 32;
	size_t len = b->n * sizeof *b->op;
	if ((err = copy_to_guest(t->tid, b->table, b->op, len))) return err;
	struct user_regs_struct saved = t->regs, r = t->regs;
	r.rip = b->code;
	r.r12 = b->table;
	r.r13 = b->n;
	r.orig_rax = -1;
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &r) < 0) return -errno;
	sigset_t held;
	sigemptyset(&held);
	for (;;) {
		if (ptrace(PTRACE_CONT, t->tid, 0, 0) < 0) return -errno;
		int st = trap_wait(t);
		if (st < 0) return st;
		int sig = WSTOPSIG(st), ev = st >> 16;
		if (ev == PTRACE_EVENT_EXIT) {
			lifecycle_stop_later(t->tid, st);
			return -ESRCH;
		}
		if (ev) continue;	/* the seccomp stop of a call without the tag */
		if (sig == SIGTRAP) break;
		if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL) {
			err = -EFAULT;
			break;
		}
		sigaddset(&held, sig);
	}
	if (!err && (err = copy_from_guest(t->tid, b->op, b->table, len)) == 0) {
		for (unsigned i = 0; i < b->n && !err; i++)
			if (b->op[i].ret < 0 && b->op[i].ret > -4096) err = (int)b->op[i].ret;
	}
	DBG(DBG_INJECT, "[%d] %u injected syscalls at once at %#lx: %s", task_vtid(t), b->n,
	    (unsigned long)b->code, err ? strerror(-err) : "done");
	if (t->stop == STOP_SECCOMP) {
		/* the trapped call was skipped (orig_rax -1): as after leave_seccomp_stop,
		 * the request stays answerable and a native reply re-issues it */
		saved.orig_rax = -1;
		t->stop = STOP_SYSCALL_EXIT;
	}
	t->regs = saved;
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &t->regs) < 0 && !err) err = -errno;
	t->regs_dirty = false;
	for (int sig = 1; sig < _NSIG; sig++)
		if (sigismember(&held, sig)) syscall(SYS_tgkill, task_tgid(t), t->tid, sig);
	b->n = 0;
	return err;
}

void inject_batch_begin(struct task *t, struct inject_batch *b)
{
	b->n = 0;
	b->err = 0;
	t->batch = b;
}

long inject_queue(struct task *t, long nr, const uint64_t args[6])
{
	struct inject_batch *b = t->batch;
	if (b->n == INJECT_BATCH_MAX) {
		int err = batch_run(t, b);
		if (err && !b->err) b->err = err;
	}
	struct inject_op *op = &b->op[b->n++];
	op->nr = (uint64_t)nr;
	memcpy(op->args, args, sizeof op->args);
	op->ret = 0;
	return nr == SYS_mmap ? (long)args[0] : 0;
}

int inject_batch_end(struct task *t)
{
	struct inject_batch *b = t->batch;
	t->batch = NULL;
	if (!b) return 0;
	int err = batch_run(t, b);
	return b->err ? b->err : err;
}
