/* core/sigdeliver.c - see sigdeliver.h */
#include <errno.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "core/sigdeliver.h"
#include "core/pidmap.h"
#include "core/trap.h"
#include "services/time/time.h"
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

/* Siginfo the supervisor wants a guest to receive for a signal it sent; applied at
 * that signal's delivery stop. One slot per task and signal number: standard signals
 * coalesce, so the latest wins, as the kernel keeps one. Realtime signals sent by the
 * supervisor queue in order; their slots are reused in order too (a small ring). */
#define OVR_SLOTS 16
struct override { pid_t tid; siginfo_t si; bool used; };
static struct override overrides[OVR_SLOTS];

static struct override *override_find(pid_t tid, int sig)
{
	for (int i = 0; i < OVR_SLOTS; i++)
		if (overrides[i].used && overrides[i].tid == tid && overrides[i].si.si_signo == sig)
			return &overrides[i];
	return NULL;
}

int sigdeliver_send(struct task *t, const siginfo_t *si, bool thread)
{
	struct override *o = override_find(t->tid, si->si_signo);
	for (int i = 0; !o && i < OVR_SLOTS; i++)
		if (!overrides[i].used) o = &overrides[i];
	if (!o) o = &overrides[(unsigned)si->si_signo % OVR_SLOTS];	/* full: reuse */
	o->tid = thread ? t->tid : task_tgid(t);
	o->si = *si;
	o->used = true;
	long r = thread ? syscall(SYS_tgkill, task_tgid(t), t->tid, si->si_signo)
			: syscall(SYS_kill, task_tgid(t), si->si_signo);
	if (r < 0) { o->used = false; return -errno; }
	return 0;
}

/* A signal the supervisor sent (si_pid is ours): put the intended siginfo in place.
 * A process-directed one may be taken by any thread of the group. */
static bool apply_override(struct task *t, siginfo_t *si)
{
	if (si->si_pid != getpid() || (si->si_code != SI_USER && si->si_code != SI_TKILL)) return false;
	struct override *o = override_find(t->tid, si->si_signo);
	if (!o) o = override_find(task_tgid(t), si->si_signo);
	if (!o) return false;
	*si = o->si;
	o->used = false;
	ptrace(PTRACE_SETSIGINFO, t->tid, 0, si);
	return true;
}

int sigdeliver_prepare(struct task *t, int sig)
{
	siginfo_t si;
	if (ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) < 0) return sig;
	if (apply_override(t, &si) || si.si_code == SI_TIMER || (sig == SIGALRM && si.si_code == SI_KERNEL)) {
		/* a timer's signal: the timer service rearms it, fills si_overrun, or
		 * drops it when its timer was deleted or re-set meanwhile */
		if (!time_signal_delivering(t, &si)) return 0;
		ptrace(PTRACE_SETSIGINFO, t->tid, 0, &si);
		if (trap_observer) trap_observer->signal(t, &si);
		return sig;
	}
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
