/* services/time/time.h - the personality's timers and time syscalls.
 *
 * Emulated (the guest blocks in the personality, or its timer lives here):
 *   nanosleep, clock_nanosleep   CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME,
 *                                CLOCK_TAI; relative and TIMER_ABSTIME
 *   alarm, setitimer/getitimer   ITIMER_REAL
 *   timer_create, timer_settime, timer_gettime, timer_getoverrun, timer_delete
 *                                CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME,
 *                                CLOCK_TAI with SIGEV_SIGNAL, SIGEV_NONE,
 *                                SIGEV_THREAD_ID (glibc's SIGEV_THREAD)
 * Native: CPU-time clocks (sleeps, ITIMER_VIRTUAL/ITIMER_PROF, CPU-clock POSIX timers,
 * whose ids are still the guest's: see docs/timers.md), alarm clocks, and every
 * argument error that does not involve an emulated clock.
 * docs/timers.md describes the design.
 *
 * Thread: everything runs on the tracer thread (handlers, the TIMER softirq, the
 * lifecycle notifiers), so nothing here locks. A TIMER softirq run by ksoftirqd on
 * another thread is bounced to the tracer thread. */
#ifndef PERSONA_TIME_H
#define PERSONA_TIME_H
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/sysreq.h"

struct task;

/* Start-up, on the tracer thread, before the first guest: opens TIMER_SOFTIRQ and
 * registers the lifecycle notifiers. */
void time_init(void);

/* The TIMER softirq runs expired timers and, once per tick (jiffies changed), looks
 * for signals that interrupt tasks sleeping in the personality. time_tick() does the
 * same explicitly (safe to call at any time on the tracer thread). */
void time_tick(void);

/* A guest (or the supervisor) just sent a signal to task `t` (to its thread or to its
 * process): tasks of t's process sleeping in the personality are checked at once
 * (EINTR). Call it after the signal is queued: from a kill handler's exit hook, or
 * after the parent's SIGCHLD was generated. */
void time_signal_sent(struct task *t);
/* The same for every sleeping task (a signal to a process group, kill(-1)). */
void time_signal_sent_all(void);

/* At the signal-delivery-stop of a signal whose si_code is SI_TIMER (or SIGALRM with
 * SI_KERNEL): the personality's timer that sent it is rearmed (Linux rearms interval
 * timers when their signal is delivered), its si_overrun filled in, and false returned
 * when the signal must be dropped because its timer was deleted or re-set since it was
 * queued (Linux's posixtimer_deliver_signal()). Signals of native (CPU-clock) timers
 * get their si_timerid translated to the guest's id. Tracer thread. */
bool time_signal_delivering(struct task *t, siginfo_t *si);

/* Counters for persona run --stats */
struct time_stats {
	unsigned long timers_fired;	/* ktimer callbacks run */
	unsigned long sleeps, sleeps_interrupted;
	unsigned long signals_sent;	/* alarm, itimer and POSIX timer signals */
	unsigned long posix_timers;	/* live POSIX timers */
};
void time_get_stats(struct time_stats *s);

/* Handlers (core/syscall_table.c). Pointer arguments are guest addresses. Argument
 * types the dispatcher passes as raw 64-bit registers (A_TIMER_FLAGS,
 * A_ITIMER_WHICH) are truncated to int here, as the kernel's prototypes do. */
long sys_nanosleep(struct sysreq *r, uint64_t req, uint64_t rem);
long sys_clock_nanosleep(struct sysreq *r, int clockid, uint64_t flags, uint64_t req, uint64_t rem);
long sys_alarm(struct sysreq *r, unsigned seconds);
long sys_getitimer(struct sysreq *r, uint64_t which, uint64_t value);
long sys_setitimer(struct sysreq *r, uint64_t which, uint64_t value, uint64_t ovalue);
long sys_timer_create(struct sysreq *r, int clockid, uint64_t sevp, uint64_t timerid);
long sys_timer_settime(struct sysreq *r, int timerid, uint64_t flags, uint64_t new_value, uint64_t old_value);
long sys_timer_gettime(struct sysreq *r, int timerid, uint64_t value);
long sys_timer_getoverrun(struct sysreq *r, int timerid);
long sys_timer_delete(struct sysreq *r, int timerid);
#endif
