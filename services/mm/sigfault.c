/* services/mm/sigfault.c - keeping the guest's SIGSEGV/SIGBUS handlers intact.
 *
 * Persona's page faults are real SIGSEGVs. When one hits a thread that has SIGSEGV
 * blocked (glibc blocks every signal around thread creation, programs block signals
 * in critical sections), the kernel's force_sig_fault() resets the disposition to
 * SIG_DFL and unblocks the signal before ptrace shows it to us; natively there would
 * have been no signal at all. So the guest's SIGSEGV and SIGBUS dispositions are
 * tracked (rt_sigaction is trapped for those two signals), and after a fault
 * Persona resolved, /proc/TID/status tells whether the kernel reset the handler: if
 * so, the disposition is put back and the signal blocked again, by injection. The
 * check costs a /proc read, and only in processes that installed such a handler.
 * The disposition is the process's: another thread's real fault arriving between a
 * reset and its repair would find SIG_DFL (it cannot be told from a fault of its
 * own with the signal blocked, which must kill), so the common cause, a new
 * thread's first stack pages touched while glibc blocks every signal, is avoided by
 * prefaulting the top of a new thread's stack at clone (mm_prefault_stack). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include "core/guest_mem.h"
#include "core/trap.h"
#include "core/log.h"
#include "services/mm/mm_internal.h"

static int slot(int sig) { return sig == SIGSEGV ? 0 : sig == SIGBUS ? 1 : -1; }

static long sigaction_exit(struct sysreq *r, long res)
{
	int i = slot((int)r->args[0]);
	struct task *l = r->task->leader;
	uint64_t act[4];
	if (res == 0 && i >= 0 && r->args[1] && !copy_from_guest(r->task->tid, act, r->args[1], sizeof act)) {
		memcpy(l->fault_act[i], act, sizeof act);
		/* only a handler or SIG_IGN can be lost; SIG_DFL needs no care */
		l->fault_act_set[i] = act[0] != (uint64_t)SIG_DFL;
	}
	return res;
}

long sys_rt_sigaction(struct sysreq *r, int sig, uint64_t act, uint64_t oact, unsigned long size)
{
	if (slot(sig) >= 0 && act && size == 8) sysreq_on_exit(r, sigaction_exit);
	return SYSRET_NATIVE;
}

/* Whether the kernel still has a handler (SigCgt) or SIG_IGN (SigIgn) for sig */
static bool disposition_kept(pid_t tid, int sig, bool ignored)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", tid);
	FILE *f = fopen(path, "re");
	if (!f) return true;
	bool kept = true;
	const char *key = ignored ? "SigIgn:" : "SigCgt:";
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, key, 7)) continue;
		unsigned long long mask = strtoull(line + 7, NULL, 16);
		kept = mask & (1ULL << (sig - 1));
		break;
	}
	fclose(f);
	return kept;
}

void mm_fault_restore_disposition(struct task *t, int sig)
{
	int i = slot(sig);
	struct task *l = t->leader;
	if (i < 0 || !l->fault_act_set[i]) return;
	bool ignored = l->fault_act[i][0] == (uint64_t)SIG_IGN;
	if (disposition_kept(t->tid, sig, ignored) || trap_regs_fetch(t)) return;
	/* scratch space on the guest's stack, below the red zone */
	uint64_t at = ((t->regs.rsp - 128 - 64) & ~15ULL);
	uint64_t set = 1ULL << (sig - 1);
	if (mm_populate(t, t->mm, at, at + 48, true) == -ENOMEM ||
	    copy_to_guest(t->tid, at, l->fault_act[i], 32) || copy_to_guest(t->tid, at + 32, &set, 8))
		return;
	MMDBG("[%d] the fault reset the %s handler: restored", task_vtid(t), sig == SIGSEGV ? "SIGSEGV" : "SIGBUS");
	host_call(t, SYS_rt_sigaction, (uint64_t)sig, at, 0, 8, 0, 0);
	if (!ignored) host_call(t, SYS_rt_sigprocmask, SIG_BLOCK, at + 32, 0, 8, 0, 0);
}

void mm_prefault_stack(struct task *t, uint64_t sp)
{
	if (t->mm && sp > 16 * 4096) mm_populate(t, t->mm, sp - 16 * 4096, sp, true);
}
