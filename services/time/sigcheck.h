/* services/time/sigcheck.h - would a pending signal interrupt a task that blocks in
 * the personality?
 *
 * A task blocked in a personality syscall (SYSRET_BLOCK) is ptrace-stopped: signals
 * sent to it stay queued on the host, invisible to it, until it is resumed. Linux
 * would have woken it (signal_pending() in do_nanosleep()), so the personality looks
 * at what is queued: /proc/<tgid>/task/<tid>/status gives the thread's pending set
 * (SigPnd), the process's shared pending set (ShdPnd), the blocked mask (SigBlk), and
 * the dispositions (SigIgn: SIG_IGN, SigCgt: a handler). For every pending signal not
 * blocked, Linux's get_signal() would:
 *   - handler installed: run it; an interrupted nanosleep returns EINTR (never
 *     restarted, SA_RESTART or not: -ERESTART_RESTARTBLOCK becomes EINTR when a
 *     handler runs, arch/x86/kernel/signal.c)          -> SIGCHK_INTERRUPT
 *   - SIG_IGN, or SIG_DFL whose default is to ignore (SIGCHLD, SIGWINCH, SIGURG,
 *     SIGCONT): drop it and restart the sleep transparently   -> not interrupting
 *   - SIG_DFL stop signals (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU): stop the task; the
 *     sleep resumes after SIGCONT through restart_syscall      -> SIGCHK_STOP
 *   - any other SIG_DFL (terminate, core dump): the task dies  -> SIGCHK_FATAL
 * Signals pending for the whole process (ShdPnd) go to one thread: the kernel picks
 * a running thread that does not block them (complete_signal(); a ptrace-stopped
 * thread never "wants" a signal), so a blocked thread is chosen only when no other
 * thread of its process is running with the signal unblocked.
 *
 * Thread: tracer thread (reads /proc only; no ptrace). */
#ifndef PERSONA_SIGCHECK_H
#define PERSONA_SIGCHECK_H
#include <stdbool.h>
#include <stdint.h>
#include "core/task.h"

enum sigcheck {
	SIGCHK_NONE,		/* nothing pending that would wake the task */
	SIGCHK_STOP,		/* a default-action stop signal */
	SIGCHK_INTERRUPT,	/* a handled signal: EINTR */
	SIGCHK_FATAL,		/* a default-action fatal signal: the task will die */
};

/* The signal masks of one thread, from /proc (bit n-1 = signal n) */
struct sigstate {
	uint64_t pending, shared, blocked, ignored, caught;
};

/* Reads the masks of host thread `tid` of process `tgid`. 0 or -errno (gone). With
 * `fd` non-NULL the status file is kept open there (*fd = -1 at first; the caller
 * closes it): a re-read of an open /proc file costs half an open-read-close. */
int sigstate_read(pid_t tgid, pid_t tid, struct sigstate *s);
int sigstate_read_cached(pid_t tgid, pid_t tid, struct sigstate *s, int *fd);
void sigstate_close_cached(int *fd);
/* What the signals in `set` (not blocked) would do to a sleeping thread with
 * dispositions `s`: the strongest of them (FATAL > INTERRUPT > STOP > NONE). */
enum sigcheck sigcheck_classify(const struct sigstate *s, uint64_t set);
/* The full check for a task blocked in the personality: its own pending signals,
 * and the process's shared ones when no running thread of its process would take
 * them. */
enum sigcheck task_signal_check(struct task *t);
/* The same, keeping t's status file open in *fd (see sigstate_read_cached) */
enum sigcheck task_signal_check_cached(struct task *t, int *fd);
/* INTERRUPT or FATAL: the blocked syscall must end now */
bool task_signal_would_interrupt(struct task *t);
/* Default action of `sig` is to ignore it (SIGCHLD, SIGWINCH, SIGURG, SIGCONT) */
bool sig_default_ignore(int sig);
/* Default action of `sig` is to stop (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) */
bool sig_default_stop(int sig);
/* Whether signal `sig` is pending (thread-directed if `thread`, else for the process)
 * on host thread tid of tgid. -errno when the thread is gone. */
int sig_is_pending(pid_t tgid, pid_t tid, int sig, bool thread);
#endif
