/* core/sigdeliver.c - see sigdeliver.h */
#include <sys/ptrace.h>
#include "core/sigdeliver.h"
#include "core/pidmap.h"
#include "core/trap.h"
#include "core/log.h"

bool siginfo_has_pid(const siginfo_t *si)
{
	/* user-sent codes (SI_USER, SI_QUEUE, SI_TKILL, SI_MESGQ ... are <= 0) and the
	 * kernel's SIGCHLD codes carry si_pid; SI_KERNEL and fault codes do not */
	if (si->si_code == SI_KERNEL) return false;
	if (si->si_code <= 0) return si->si_code != SI_TIMER && si->si_code != SI_SIGIO &&
				     si->si_code != SI_ASYNCIO;
	return si->si_signo == SIGCHLD;
}

int sigdeliver_prepare(struct task *t, int sig)
{
	siginfo_t si;
	if (ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) < 0) return sig;
	if (siginfo_has_pid(&si) && !t->nested_pidns) {	/* nested: the kernel's view */
		pid_t v = pidmap_to_virt_recent(si.si_pid);
		DBG(DBG_SIGNAL, "[%d] signal %d from host %d -> %d", task_vtid(t), sig, si.si_pid, v);
		if (v != si.si_pid) {
			si.si_pid = v;
			ptrace(PTRACE_SETSIGINFO, t->tid, 0, &si);
		}
	}
	if (trap_observer) trap_observer->signal(t, &si);
	return sig;
}
